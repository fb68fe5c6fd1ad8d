from django.urls import path

from commerce.catalog.api import views

app_name = "catalog_api"
urlpatterns = [
    path("products/", views.ProductListApi.as_view(), name="product_list"),
    path("products/<int:product_id>/", views.ProductDetailApi.as_view(), name="product_detail"),
    path("products/<int:product_id>/availability/", views.ProductAvailabilityApi.as_view(), name="product_availability"),
    path("categories/", views.CategoryListApi.as_view(), name="category_list"),
]
