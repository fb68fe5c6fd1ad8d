from django.urls import path

from commerce.catalog.api import images, stock_alerts, views

app_name = "catalog_api"
urlpatterns = [
    path("products/", views.ProductListApi.as_view(), name="product_list"),
    path("products/<id:product_id>/", views.ProductDetailApi.as_view(), name="product_detail"),
    path("products/<id:product_id>/availability/", views.ProductAvailabilityApi.as_view(), name="product_availability"),
    path("products/<id:product_id>/images/", images.ProductImageUploadApi.as_view(), name="product_image_upload"),
    path("products/<id:product_id>/images/order/", images.ProductImageOrderApi.as_view(), name="product_image_order"),
    path("products/<id:product_id>/images/<id:image_id>/", images.ProductImageApi.as_view(), name="product_image"),
    path("products/<id:product_id>/stock-alert/", stock_alerts.StockAlertSubscribeApi.as_view(), name="product_stock_alert"),
    path("me/stock-alerts/", stock_alerts.MyStockAlertListApi.as_view(), name="my_stock_alerts"),
    path("me/stock-alerts/<id:alert_id>/", stock_alerts.MyStockAlertApi.as_view(), name="my_stock_alert"),
    path("stock-alerts/", stock_alerts.StockAlertListApi.as_view(), name="stock_alert_list"),
    path("categories/", views.CategoryListApi.as_view(), name="category_list"),
]
