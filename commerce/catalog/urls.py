from django.urls import path

from commerce.catalog import views

app_name = "catalog"
urlpatterns = [
    path("", views.ProductListView.as_view(), name="product_list"),
    path("c/<slug:slug>/", views.ProductListView.as_view(), name="category"),
    path("products/<slug:slug>/", views.ProductDetailView.as_view(), name="product_detail"),
]
