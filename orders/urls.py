from django.urls import path

from orders import guest_views, views
from orders.shipping import views as shipping_views

app_name = "orders"
urlpatterns = [
    path("cart/", views.cart_view, name="cart"),
    path("cart/add/", views.cart_add, name="cart_add"),
    path("cart/lines/<id:line_id>/quantity/", views.cart_update, name="cart_update"),
    path("cart/lines/<id:line_id>/remove/", views.cart_remove, name="cart_remove"),
    path("cart/coupons/apply/", views.cart_coupon_apply, name="cart_coupon_apply"),
    path("cart/coupons/remove/", views.cart_coupon_remove, name="cart_coupon_remove"),
    path("cart/accept-prices/", views.cart_accept_changes, name="cart_accept_changes"),
    path("cart/shipping/", shipping_views.cart_shipping_choose, name="cart_shipping"),
    path("checkout/", views.CheckoutView.as_view(), name="checkout"),
    path("orders/", views.order_list, name="order_list"),
    # a guest's order: the look-up and the signed page (before <number>), and claiming after sign-up
    path("orders/find/", guest_views.GuestOrderLookupView.as_view(), name="guest_lookup"),
    path("orders/guest/<str:token>/", guest_views.guest_order, name="guest_order"),
    path("orders/guest/<str:token>/cancel/", guest_views.GuestOrderCancelView.as_view(), name="guest_order_cancel"),
    path("orders/claim/<str:token>/", guest_views.guest_claim, name="guest_claim"),
    path("orders/<str:number>/", views.order_detail, name="order_detail"),
    path("orders/<str:number>/thank-you/", views.order_confirmation, name="order_confirmation"),
    path("orders/<str:number>/pay/", views.OrderPayView.as_view(), name="order_pay"),
    path("orders/<str:number>/cancel/", views.OrderCancelView.as_view(), name="order_cancel"),
    path("orders/<str:number>/reorder/", views.order_reorder, name="order_reorder"),
]
