from django.urls import path

from commerce.catalog.api import images, views

app_name = "catalog_api"
urlpatterns = [
    path("products/", views.ProductListApi.as_view(), name="product_list"),
    path("products/<id:product_id>/", views.ProductDetailApi.as_view(), name="product_detail"),
    path("products/<id:product_id>/availability/", views.ProductAvailabilityApi.as_view(), name="product_availability"),
    path("products/<id:product_id>/images/", images.ProductImageUploadApi.as_view(), name="product_image_upload"),
    path("products/<id:product_id>/images/order/", images.ProductImageOrderApi.as_view(), name="product_image_order"),
    path("products/<id:product_id>/images/<id:image_id>/", images.ProductImageApi.as_view(), name="product_image"),
    path("categories/", views.CategoryListApi.as_view(), name="category_list"),
]
