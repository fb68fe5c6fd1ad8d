from django.urls import path

from commerce.catalog import stock_alert_views, views

app_name = "catalog"
urlpatterns = [
    path("", views.ProductListView.as_view(), name="product_list"),
    path("c/<slug:slug>/", views.ProductListView.as_view(), name="category"),
    path("products/<slug:slug>/", views.ProductDetailView.as_view(), name="product_detail"),
    path("products/<slug:slug>/notify/", stock_alert_views.StockAlertSubscribeView.as_view(), name="stock_alert_subscribe"),
    path("products/<slug:slug>/notify/cancel/", stock_alert_views.StockAlertCancelView.as_view(), name="stock_alert_cancel"),
    path("stock-alerts/confirm/<str:token>/", stock_alert_views.StockAlertConfirmView.as_view(), name="stock_alert_confirm"),
    path("stock-alerts/unsubscribe/<str:token>/", stock_alert_views.StockAlertUnsubscribeView.as_view(),
         name="stock_alert_unsubscribe"),
]
