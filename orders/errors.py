"""The orders app's error codes. Every one maps to a status in commerce.api.errors."""

from commerce.errors import Conflict, NotFound, PermissionDenied, ValidationError


class CartEmpty(ValidationError):
    default_code = "cart_empty"


class CartLineNotFound(NotFound):
    default_code = "cart_line_not_found"


class CartNotFound(NotFound):
    default_code = "cart_not_found"


class CouponRejected(ValidationError):
    default_code = "coupon_unknown"


class CartNeedsReview(Conflict):
    """Prices or stock changed since the shopper looked: show the cart again, never charge silently."""

    default_code = "cart_changed"


class OrderNotFound(NotFound):
    default_code = "order_not_found"


class NotAllowedToOrder(PermissionDenied):
    default_code = "cannot_place_orders"


class InvalidTransition(Conflict):
    default_code = "invalid_transition"


class AddressRequired(ValidationError):
    default_code = "address_required"


class PaymentMethodInvalid(ValidationError):
    default_code = "payment_method_invalid"


class PaymentDeclined(ValidationError):
    status_code = 402
    default_code = "payment_declined"


class PaymentGatewayError(Conflict):
    status_code = 502
    default_code = "payment_gateway_error"


class PaymentInProgress(Conflict):
    default_code = "payment_in_progress"


class PaymentNotNeeded(Conflict):
    default_code = "payment_not_needed"


class RefundInvalid(ValidationError):
    default_code = "refund_invalid"


class RefundPending(PaymentGatewayError):
    """The gateway's answer to a refund was lost: it stays pending and is settled later, once."""

    default_code = "refund_pending"


class IdempotencyConflict(Conflict):
    default_code = "idempotency_key_reused"


class WebhookRejected(PermissionDenied):
    default_code = "webhook_signature_invalid"


class WebhookStale(WebhookRejected):
    default_code = "webhook_stale"
