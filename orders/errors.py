"""The orders app's error codes (``OrdersError``) and the errors that own them.

Each error's HTTP status is its kind's (``commerce.errors``) unless the class says otherwise.
"""

from enum import StrEnum, unique

from commerce.errors import Conflict, NotFound, PermissionDenied, ValidationError


@unique
class OrdersError(StrEnum):
    # cart
    CART_EMPTY = "cart_empty"
    NOTE_INVALID = "note_invalid"
    CART_NOT_FOUND = "cart_not_found"
    GUEST_CART_NOT_FOUND = "guest_cart_not_found"
    CART_LINE_NOT_FOUND = "cart_line_not_found"
    CART_CHANGED = "cart_changed"
    TOO_MANY_LINES = "too_many_lines"
    DUPLICATE_PRODUCT = "duplicate_product"
    # coupon codes entered in the cart
    COUPON_INVALID = "coupon_invalid"
    TOO_MANY_COUPONS = "too_many_coupons"
    # a code the discount provider refused (``orders.discounts.CouponResult.reason``)
    COUPON_UNKNOWN = "coupon_unknown"
    COUPON_INVALIDATED = "coupon_invalidated"
    COUPON_EXPIRED = "coupon_expired"
    COUPON_NOT_YET_VALID = "coupon_not_yet_valid"
    COUPON_EXHAUSTED = "coupon_exhausted"
    COUPON_NOT_YOURS = "coupon_not_yours"
    COUPON_DUPLICATE = "coupon_duplicate"
    COUPON_NOT_APPLICABLE = "coupon_not_applicable"
    COUPON_NOT_COMBINABLE = "coupon_not_combinable"
    # checkout and lifecycle
    ORDER_NOT_FOUND = "order_not_found"
    CANNOT_PLACE_ORDERS = "cannot_place_orders"
    INVALID_TRANSITION = "invalid_transition"
    CANCEL_NOT_ALLOWED = "cancel_not_allowed"
    ADDRESS_REQUIRED = "address_required"
    ADDRESS_INVALID = "address_invalid"
    GUEST_EMAIL_INVALID = "guest_email_invalid"
    CLAIM_NOT_ALLOWED = "claim_not_allowed"
    SHIPPING_METHOD_INVALID = "shipping_method_invalid"
    SHIPMENT_INVALID = "shipment_invalid"
    # payments and refunds
    PAYMENT_METHOD_INVALID = "payment_method_invalid"
    PAYMENT_DECLINED = "payment_declined"
    PAYMENT_GATEWAY_ERROR = "payment_gateway_error"
    PAYMENT_PENDING = "payment_pending"
    PAYMENT_IN_PROGRESS = "payment_in_progress"
    PAYMENT_NOT_NEEDED = "payment_not_needed"
    REFUND_INVALID = "refund_invalid"
    REFUND_EXCEEDS_PAID = "refund_exceeds_paid"
    REFUND_PENDING = "refund_pending"
    WEBHOOK_SIGNATURE_INVALID = "webhook_signature_invalid"
    WEBHOOK_STALE = "webhook_stale"
    # Idempotency-Key
    IDEMPOTENCY_KEY_INVALID = "idempotency_key_invalid"
    IDEMPOTENCY_KEY_REUSED = "idempotency_key_reused"
    REQUEST_IN_PROGRESS = "request_in_progress"


# --- cart ------------------------------------------------------------------------------------------
class CartEmpty(ValidationError):
    default_code = OrdersError.CART_EMPTY


class NoteInvalid(ValidationError):
    """A staff note on an order that is empty or too long."""

    default_code = OrdersError.NOTE_INVALID


class CartNotFound(CartEmpty):
    """The cart a checkout was given is no open cart of the customer's (checked out meanwhile, or
    another's): nothing to check out, a 400 like an empty cart, under its own code."""

    default_code = OrdersError.CART_NOT_FOUND


class CartLineNotFound(NotFound):
    default_code = OrdersError.CART_LINE_NOT_FOUND


class CartNeedsReview(Conflict):
    """Prices or stock changed since the shopper looked: show the cart again, never charge silently."""

    default_code = OrdersError.CART_CHANGED


class CouponsNoLongerApply(CartNeedsReview):
    """At checkout, a code of the cart no longer applies (``extra.coupons`` says which and why)."""

    default_code = OrdersError.COUPON_NOT_APPLICABLE


class TooManyCartLines(ValidationError):
    default_code = OrdersError.TOO_MANY_LINES


class DuplicateCartProduct(ValidationError):
    default_code = OrdersError.DUPLICATE_PRODUCT


# --- coupon codes entered in the cart ----------------------------------------------------------------
class CouponRejected(ValidationError):
    """A code the cart does not take; the subclasses say why (the base: the code is not known)."""

    default_code = OrdersError.COUPON_UNKNOWN


class CouponCodeInvalid(CouponRejected):
    """Not a code at all (empty, too long)."""

    default_code = OrdersError.COUPON_INVALID


class TooManyCoupons(CouponRejected):
    default_code = OrdersError.TOO_MANY_COUPONS


class CouponRejectedInvalidated(CouponRejected):
    default_code = OrdersError.COUPON_INVALIDATED


class CouponRejectedExpired(CouponRejected):
    default_code = OrdersError.COUPON_EXPIRED


class CouponRejectedNotYetValid(CouponRejected):
    default_code = OrdersError.COUPON_NOT_YET_VALID


class CouponRejectedExhausted(CouponRejected):
    default_code = OrdersError.COUPON_EXHAUSTED


class CouponRejectedNotYours(CouponRejected):
    default_code = OrdersError.COUPON_NOT_YOURS


class CouponRejectedDuplicate(CouponRejected):
    """Another code of the cart is for the same offer."""

    default_code = OrdersError.COUPON_DUPLICATE


class CouponRejectedNotApplicable(CouponRejected):
    default_code = OrdersError.COUPON_NOT_APPLICABLE


class CouponRejectedNotCombinable(CouponRejected):
    default_code = OrdersError.COUPON_NOT_COMBINABLE


#: the error for each reason a discount provider gives when it refuses a code (``CouponResult.reason``)
COUPON_REFUSALS: dict[str, type[CouponRejected]] = {
    cls.default_code: cls
    for cls in (CouponRejected, CouponRejectedInvalidated, CouponRejectedExpired, CouponRejectedNotYetValid,
                CouponRejectedExhausted, CouponRejectedNotYours, CouponRejectedDuplicate, CouponRejectedNotApplicable,
                CouponRejectedNotCombinable)
}


def coupon_refusal(reason: str) -> type[CouponRejected]:
    """The error of a provider's refusal ``reason``; no reason (or one this app does not know) is ``coupon_unknown``."""
    return COUPON_REFUSALS.get(reason, CouponRejected)


# --- checkout and lifecycle --------------------------------------------------------------------------
class OrderNotFound(NotFound):
    default_code = OrdersError.ORDER_NOT_FOUND


class GuestCartNotFound(NotFound):
    """A guest cart token (REST) that opens no open cart: never issued, or checked out already."""

    default_code = OrdersError.GUEST_CART_NOT_FOUND


class NotAllowedToOrder(PermissionDenied):
    default_code = OrdersError.CANNOT_PLACE_ORDERS


class InvalidTransition(Conflict):
    default_code = OrdersError.INVALID_TRANSITION


class CancelNotAllowed(InvalidTransition):
    """The customer may cancel only before the order is being prepared."""

    default_code = OrdersError.CANCEL_NOT_ALLOWED


class AddressRequired(ValidationError):
    default_code = OrdersError.ADDRESS_REQUIRED


class AddressInvalid(ValidationError):
    """A guest's delivery address with a missing or malformed field (``fields`` says which)."""

    default_code = OrdersError.ADDRESS_INVALID


class GuestEmailInvalid(ValidationError):
    default_code = OrdersError.GUEST_EMAIL_INVALID


class ClaimNotAllowed(PermissionDenied):
    """A claim of guest orders by an account whose (proved) e-mail address is not theirs."""

    default_code = OrdersError.CLAIM_NOT_ALLOWED


class ShippingMethodInvalid(ValidationError):
    """A shipping method the shop does not offer (unknown, inactive, or in another currency)."""

    default_code = OrdersError.SHIPPING_METHOD_INVALID


class ShipmentInvalid(ValidationError):
    default_code = OrdersError.SHIPMENT_INVALID


# --- payments and refunds ----------------------------------------------------------------------------
class PaymentMethodInvalid(ValidationError):
    default_code = OrdersError.PAYMENT_METHOD_INVALID


class PaymentDeclined(ValidationError):
    """The card was declined; the gateway's reason (``card_declined``, ``insufficient_funds``) is ``extra.decline_code``."""

    status_code = 402
    default_code = OrdersError.PAYMENT_DECLINED


class PaymentGatewayError(Conflict):
    status_code = 502
    default_code = OrdersError.PAYMENT_GATEWAY_ERROR


class PaymentPending(PaymentGatewayError):
    """The gateway's answer to a charge was lost: money may have moved; the payment is settled later, once."""

    default_code = OrdersError.PAYMENT_PENDING


class PaymentInProgress(Conflict):
    default_code = OrdersError.PAYMENT_IN_PROGRESS


class PaymentNotNeeded(Conflict):
    default_code = OrdersError.PAYMENT_NOT_NEEDED


class RefundInvalid(ValidationError):
    default_code = OrdersError.REFUND_INVALID


class RefundExceedsPaid(RefundInvalid):
    default_code = OrdersError.REFUND_EXCEEDS_PAID


class RefundPending(PaymentGatewayError):
    """The gateway's answer to a refund was lost: it stays pending and is settled later, once."""

    default_code = OrdersError.REFUND_PENDING


class WebhookRejected(PermissionDenied):
    default_code = OrdersError.WEBHOOK_SIGNATURE_INVALID


class WebhookStale(WebhookRejected):
    """The signature is older than the tolerance (a replay?)."""

    default_code = OrdersError.WEBHOOK_STALE


# --- Idempotency-Key ---------------------------------------------------------------------------------
class IdempotencyKeyInvalid(ValidationError):
    default_code = OrdersError.IDEMPOTENCY_KEY_INVALID


class IdempotencyConflict(Conflict):
    """The key was used with another request (another body, or another order)."""

    default_code = OrdersError.IDEMPOTENCY_KEY_REUSED


class RequestInProgress(Conflict):
    """The first request with this key is still running."""

    default_code = OrdersError.REQUEST_IN_PROGRESS
