from django.urls import path

from orders.api import analytics, cart, fulfilment, guests, orders, shipping, webhooks

app_name = "orders_api"
urlpatterns = [
    # cart
    path("cart/", cart.CartApi.as_view(), name="cart"),
    path("cart/items/", cart.CartItemAddApi.as_view(), name="cart_item_add"),
    path("cart/lines/", cart.CartLinesApi.as_view(), name="cart_lines"),
    path("cart/items/<id:line_id>/", cart.CartItemApi.as_view(), name="cart_item"),
    path("cart/coupons/", cart.CartCouponApplyApi.as_view(), name="cart_coupon_apply"),
    path("cart/coupons/<str:code>/", cart.CartCouponRemoveApi.as_view(), name="cart_coupon_remove"),
    path("cart/accept-changes/", cart.CartAcceptChangesApi.as_view(), name="cart_accept_changes"),
    path("cart/shipping-method/", shipping.CartShippingMethodApi.as_view(), name="cart_shipping_method"),
    path("shipping-methods/", shipping.ShippingMethodListApi.as_view(), name="shipping_methods"),
    # guests (no account): a cart by its token, checkout, their order by its link's token or a look-up
    path("guest/carts/", guests.GuestCartCreateApi.as_view(), name="guest_cart_create"),
    path("guest/cart/", guests.GuestCartApi.as_view(), name="guest_cart"),
    path("guest/cart/items/", guests.GuestCartItemAddApi.as_view(), name="guest_cart_item_add"),
    path("guest/cart/items/<id:line_id>/", guests.GuestCartItemApi.as_view(), name="guest_cart_item"),
    path("guest/cart/coupons/", guests.GuestCartCouponApi.as_view(), name="guest_cart_coupon_apply"),
    path("guest/checkout/", guests.GuestCheckoutApi.as_view(), name="guest_checkout"),
    path("guest/orders/lookup/", guests.GuestOrderLookupApi.as_view(), name="guest_order_lookup"),
    path("guest/orders/<str:order_token>/", guests.GuestOrderApi.as_view(), name="guest_order"),
    # checkout and orders (the fixed paths before the order number)
    path("checkout/", orders.CheckoutApi.as_view(), name="checkout"),
    path("orders/", orders.OrderListApi.as_view(), name="order_list"),
    path("orders/reorder-suggestions/", orders.ReorderSuggestionsApi.as_view(), name="reorder_suggestions"),
    path("orders/statistics/", analytics.OrderStatisticsApi.as_view(), name="order_statistics"),
    path("orders/best-sellers/", analytics.BestSellersApi.as_view(), name="best_sellers"),
    path("orders/average-order-value/", analytics.AverageOrderValueApi.as_view(), name="average_order_value"),
    path("orders/<str:number>/", orders.OrderDetailApi.as_view(), name="order_detail"),
    path("orders/<str:number>/pay/", orders.OrderPayApi.as_view(), name="order_pay"),
    path("orders/<str:number>/cancel/", orders.OrderCancelApi.as_view(), name="order_cancel"),
    path("orders/<str:number>/reorder/", orders.OrderReorderApi.as_view(), name="order_reorder"),
    # staff fulfilment
    path("orders/<str:number>/confirm/", fulfilment.OrderConfirmApi.as_view(), name="order_confirm"),
    path("orders/<str:number>/allocate/", fulfilment.OrderAllocateApi.as_view(), name="order_allocate"),
    path("orders/<str:number>/mark-ready/", fulfilment.OrderMarkReadyApi.as_view(), name="order_mark_ready"),
    path("orders/<str:number>/ship/", fulfilment.OrderShipApi.as_view(), name="order_ship"),
    path("orders/<str:number>/deliver/", fulfilment.OrderDeliverApi.as_view(), name="order_deliver"),
    path("orders/<str:number>/complete/", fulfilment.OrderCompleteApi.as_view(), name="order_complete"),
    path("orders/<str:number>/refund/", fulfilment.OrderRefundApi.as_view(), name="order_refund"),
    # analytics per customer
    path("customers/<id:customer_id>/purchase-pattern/", analytics.CustomerPurchasePatternApi.as_view(),
         name="customer_purchase_pattern"),
    path("customers/<id:customer_id>/lifetime-value/", analytics.CustomerLifetimeValueApi.as_view(),
         name="customer_lifetime_value"),
    # gateway notifications
    path("payments/webhooks/sandbox/", webhooks.SandboxWebhookApi.as_view(), name="webhook_sandbox"),
]
