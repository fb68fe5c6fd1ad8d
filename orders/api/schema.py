"""What the orders API's schema shows besides the views' own parts: path and header parameters, the
error answers several endpoints share, and example requests and answers.

The views say which of these they answer with (``@documented(...)``, ``commerce.api.schema``); this
module is data, so the view modules read as views.
"""

from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter

from commerce.api.schema import answer, error_example, error_response, sent
from orders.services.cart import MAX_CART_LINES

# --- shared by the order endpoints ----------------------------------------------------------------
ORDER_NUMBER = OpenApiParameter(
    "number", OpenApiTypes.STR, OpenApiParameter.PATH, description="Order number, e.g. `7K2QM-93XTD`."
)

IDEMPOTENCY_KEY = OpenApiParameter(
    "Idempotency-Key",
    OpenApiTypes.STR,
    OpenApiParameter.HEADER,
    description=(
        "Any unique string up to 100 characters (a UUID is fine). Repeating the request with the same "
        "key returns the first answer and does nothing more; the same key with another body is refused (409)."
    ),
)

IDEMPOTENT_REPLAYED = OpenApiParameter(
    "Idempotent-Replayed",
    OpenApiTypes.STR,
    OpenApiParameter.HEADER,
    response=True,
    description="`true` when this answer is the stored answer to an earlier request with the same Idempotency-Key.",
)

ORDER_NOT_FOUND = error_response(
    "No order of yours has this number (anyone else's order is not found either).",
    error_example("order_not_found", "No such order."),
)

INVALID_TRANSITION = error_response(
    "The order's status does not allow this now.",
    error_example("invalid_transition", "Order 7K2QM-93XTD is pending payment; it cannot be shipped now."),
)

IDEMPOTENCY_CONFLICTS = (
    error_example("idempotency_key_reused", "This Idempotency-Key was used with a different request."),
    error_example("request_in_progress", "A request with this Idempotency-Key is still being processed."),
)

PAYMENT_DECLINED = error_response(
    "The card was declined. At checkout the attempt is voided and its items are back in the cart; "
    "paying an existing order (`POST /orders/{number}/pay/`) leaves it pending and payable.",
    error_example(
        "payment_declined",
        "The card was declined.",
    ),
)

PAYMENT_GATEWAY_ERROR = error_response(
    "The payment service failed; nothing was charged (`payment_gateway_error`), or the answer was lost and "
    "the payment is settled later without charging twice (`payment_pending`).",
    error_example("payment_gateway_error", "The payment service had an error; nothing was charged. Please try again."),
    error_example("payment_pending", "The payment could not be confirmed yet. It will not be taken twice; check the order shortly."),
)

ORDER_EXAMPLE = {
    "number": "7K2QM-93XTD",
    "status": "paid",
    "payment_status": "paid",
    "payment_method": "card",
    "customer_id": 17,
    "region_id": 2,
    "currency": "EUR",
    "subtotal": {"amount": "29.80", "currency": "EUR"},
    "discount": {"amount": "0.00", "currency": "EUR"},
    "shipping": {"amount": "4.90", "currency": "EUR"},
    "shipping_discount": {"amount": "0.00", "currency": "EUR"},
    "total": {"amount": "34.70", "currency": "EUR"},
    "paid": {"amount": "34.70", "currency": "EUR"},
    "refunded": {"amount": "0.00", "currency": "EUR"},
    "balance_due": {"amount": "0.00", "currency": "EUR"},
    "shipping_address": {
        "recipient": "Ada Lovelace", "street": "12 Rue de la République", "city": "Lyon", "state": "",
        "zip_code": "69002", "country": "FR", "latitude": "45.764043", "longitude": "4.835659",
    },
    "coupon_codes": [],
    "applied_promotions": [],
    "carrier": "",
    "tracking_number": "",
    "cancel_reason": "",
    "placed_at": "2026-01-15T09:40:00Z",
    "updated_at": "2026-01-15T09:40:02Z",
    "hold_until": None,
    "lines": [
        {
            "id": 301,
            "product_id": 42,
            "product_code": "BIO-MILK-1L",
            "product_name": "Organic whole milk 1 l",
            "quantity": 20,
            "unit_price": {"amount": "1.49", "currency": "EUR"},
            "discount": {"amount": "0.00", "currency": "EUR"},
            "line_total": {"amount": "29.80", "currency": "EUR"},
            "refunded_quantity": 0,
            "refunded_amount": {"amount": "0.00", "currency": "EUR"},
            "allocations": None,
            "best_before": [],
        }
    ],
    "payments": [
        {
            "id": 88,
            "gateway": "sandbox",
            "amount": {"amount": "34.70", "currency": "EUR"},
            "status": "captured",
            "card_last4": "4242",
            "error_code": "",
            "message": "",
            "refunded_amount": {"amount": "0.00", "currency": "EUR"},
            "created_at": "2026-01-15T09:40:01Z",
        }
    ],
    "refunds": [],
    "timeline": [
        {"event": "orders.order.created", "version": 1, "at": "2026-01-15T09:40:00Z", "by": "customer", "channel": "api",
         "details": {"total_amount": "34.70", "currency": "EUR", "payment_method": "card"}},
        {"event": "orders.order.paid", "version": 4, "at": "2026-01-15T09:40:02Z", "by": "customer", "channel": "api",
         "details": {"payment_id": 88, "amount": "34.70", "currency": "EUR"}},
    ],
    "allowed_actions": ["cancel"],
}

CART_EXAMPLE = {
    "id": 12,
    "currency": "EUR",
    "item_count": 3,
    "lines": [
        {
            "id": 55,
            "product": {"id": 42, "code": "BIO-MILK-1L", "name": "Organic whole milk 1 l", "slug": "organic-whole-milk-1l"},
            "quantity": 3,
            "unit_price": {"amount": "1.59", "currency": "EUR"},
            "seen_unit_price": {"amount": "1.49", "currency": "EUR"},
            "subtotal": {"amount": "4.77", "currency": "EUR"},
            "discount": {"amount": "0.00", "currency": "EUR"},
            "total": {"amount": "4.77", "currency": "EUR"},
            "available": 120,
            "issues": ["price_changed"],
        }
    ],
    "subtotal": {"amount": "4.77", "currency": "EUR"},
    "discounts": [],
    "discount_total": {"amount": "0.00", "currency": "EUR"},
    "shipping": {"amount": "4.90", "currency": "EUR"},
    "shipping_discount": {"amount": "0.00", "currency": "EUR"},
    "total": {"amount": "9.67", "currency": "EUR"},
    "coupons": [],
    "hints": [
        {"key": "promotion:8", "name": "Free shipping from 50 EUR", "reason": "minimum_not_reached",
         "message": "Needs a subtotal of at least 50.00.", "hint": "Spend 45.23 more"}
    ],
    "has_issues": True,
    "notices": [],
}


# --- checkout and the customer's orders -----------------------------------------------------------
CARD_EXAMPLE = {"number": "4242424242424242", "exp_month": 12, "exp_year": 2030, "cvc": "123"}

ORDER_ANSWER = answer("The order", ORDER_EXAMPLE, "200", "201")

CARD_REQUIRED = error_example("invalid", "The request is not valid.", {"card": ["Required for card payments."]})

SHIPPING_METHOD_INVALID = error_example("shipping_method_invalid", "Choose one of the shipping methods offered.")

CHECKOUT_ERRORS = {
    402: PAYMENT_DECLINED,
    403: error_response(
        "This account may not place orders.", error_example("cannot_place_orders", "This account may not place orders.")
    ),
    404: error_response("The address is not one of yours.", error_example("address_not_found", "No such address.")),
    409: error_response(
        "Stock, prices or the total changed, or the Idempotency-Key was reused: nothing was ordered.",
        error_example("insufficient_stock", "Only 2 of Organic whole milk 1 l left."),
        error_example("cart_changed", "Some items changed since you added them; please review your cart."),
        *IDEMPOTENCY_CONFLICTS,
    ),
    502: PAYMENT_GATEWAY_ERROR,
}

CHECKOUT_EXAMPLES = [
    sent("Card", {"address_id": 5, "payment_method": "card", "card": CARD_EXAMPLE, "expected_total": "34.70"}),
    sent("Cash on delivery", {"address_id": 5, "payment_method": "cod"}),
    answer("Placed and paid", ORDER_EXAMPLE, "201"),
    answer("Declined", {
        "code": "payment_declined",
        "detail": "The card was declined.",
        "fields": {},
        "extra": {"payment_id": 88, "decline_code": "card_declined", "order_number": "7K2QM-93XTD"},
    }, "402"),
]

PAY_ERRORS = {
    402: PAYMENT_DECLINED,
    403: error_response(
        "Only the customer pays for their order.", error_example("permission_denied", "Only the customer can pay for an order.")
    ),
    404: ORDER_NOT_FOUND,
    409: error_response(
        "The order cannot be paid now, or the Idempotency-Key was reused.",
        error_example("invalid_transition", "Order 7K2QM-93XTD is paid; it cannot be paid now."),
        error_example("payment_in_progress", "A payment for this order is still being processed."),
        *IDEMPOTENCY_CONFLICTS,
    ),
    502: PAYMENT_GATEWAY_ERROR,
}

CANCEL_REFUSED = error_response(
    "The order can no longer be cancelled (by you).",
    error_example("cancel_not_allowed", "Order 7K2QM-93XTD is already being prepared; contact support to cancel it."),
    error_example("invalid_transition", "Order 7K2QM-93XTD is shipped; it cannot be cancelled now."),
)

REORDER_EXAMPLE = {"cart": CART_EXAMPLE, "skipped": [{"product_id": 7, "code": "OLD-TEA", "reason": "no longer for sale"}]}

SUGGESTION_EXAMPLE = {"product_id": 42, "code": "BIO-MILK-1L", "name": "Organic whole milk 1 l", "times_ordered": 6,
                      "total_quantity": 14, "last_ordered_at": "2026-01-15T09:40:00Z"}

ORDER_LIST_EXAMPLE = {
    "number": "7K2QM-93XTD",
    "status": "shipped",
    "payment_status": "paid",
    "payment_method": "card",
    "customer_id": 17,
    "region_id": 2,
    "item_count": 20,
    "subtotal": {"amount": "29.80", "currency": "EUR"},
    "discount": {"amount": "0.00", "currency": "EUR"},
    "shipping": {"amount": "4.90", "currency": "EUR"},
    "shipping_discount": {"amount": "0.00", "currency": "EUR"},
    "total": {"amount": "34.70", "currency": "EUR"},
    "refunded": {"amount": "0.00", "currency": "EUR"},
    "lines": [
        {"product_id": 42, "code": "BIO-MILK-1L", "name": "Organic whole milk 1 l", "quantity": 20,
         "unit_price": {"amount": "1.49", "currency": "EUR"}, "line_total": {"amount": "29.80", "currency": "EUR"}}
    ],
    "placed_at": "2026-01-15T09:40:00Z",
    "updated_at": "2026-01-16T14:02:00Z",
}


# --- fulfilment ---------------------------------------------------------------------------------
REFUND_INVALID = (
    error_example("refund_exceeds_paid", "At most 34.70 EUR can be refunded.", {"amount": ["At most 34.70."]}),
    error_example("refund_invalid", "Only 1 of BIO-MILK-1L can still be refunded.", {"lines": ["Too many units."]}),
)

REFUND_GATEWAY_ERROR = error_response(
    "The gateway refused or failed the refund; nothing was recorded as refunded.",
    error_example("payment_gateway_error", "The refund could not be made: the gateway is unavailable."),
)

REFUND_EXAMPLES = [
    sent("Two broken bottles", {"lines": [{"line_id": 301, "quantity": 2}], "reason": "broken"}),
    sent("A goodwill amount", {"amount": "5.00", "reason": "late delivery"}),
]

# --- the cart -------------------------------------------------------------------------------------
LINE_ID = OpenApiParameter("line_id", int, OpenApiParameter.PATH, description="Id of a line of your cart.")

LINE_NOT_FOUND = error_response(
    "No line of your cart has this id (a line of anyone else's cart is not found either).",
    error_example("cart_line_not_found", "That item is not in your cart."),
)

CART_ANSWER = answer("The cart", CART_EXAMPLE, "200")

OUT_OF_STOCK = error_response(
    "The product is out of stock: nothing was added or changed. Fewer units than asked for are not an "
    "error: the line is capped at what is available and `notices` says so.",
    error_example("insufficient_stock", "Organic whole milk 1 l is out of stock."),
)

QUANTITY_ERRORS = (
    error_example("invalid_quantity", "Quantity must be at least 1.", {"quantity": ["Must be at least 1."]}),
    error_example("invalid_quantity", "Quantity must be a whole number.", {"quantity": ["Must be a whole number."]},
                  name="not a whole number"),
)

COUPON_ERRORS = (
    *(
        error_example(reason, message, {"code": [message]})
        for reason, message in (
            ("coupon_unknown", "The code SPRING10 is not known."),
            ("coupon_expired", "The code SPRING10 has expired."),
            ("coupon_exhausted", "The code SPRING10 has been used up."),
            ("coupon_not_yet_valid", "The code SPRING10 is not valid yet."),
            ("coupon_not_yours", "The code SPRING10 belongs to another customer."),
            ("coupon_invalidated", "The code SPRING10 is no longer valid."),
            ("coupon_not_applicable", "The code SPRING10 does not apply: Needs a subtotal of at least 30.00."),
            ("coupon_not_combinable", "The code SPRING10 cannot be combined with Summer sale."),
        )
    ),
    error_example("too_many_coupons", "At most 5 codes per cart."),
)

SET_LINES_ERRORS = (
    error_example("invalid_quantity", "Quantity must be at least 1.", {"lines[1].quantity": ["Must be at least 1."]}),
    error_example("duplicate_product", "Each product may appear once; give its whole quantity on one line.",
                  {"lines[2].product_id": ["Already listed."]}),
    error_example("product_inactive", "Organic whole milk 1 l is not for sale.", {"lines[0].product_id": ["Not for sale."]}),
    error_example("too_many_lines", f"At most {MAX_CART_LINES} lines per cart.",
                  {"lines": [f"At most {MAX_CART_LINES} lines."]}),
    error_example("unknown_field", "The request has fields this endpoint does not take: lines[0].unit_price.",
                  {"lines[0].unit_price": ["Unknown field."]}),
)


# --- analytics ------------------------------------------------------------------------------------
CUSTOMER_ID = OpenApiParameter("customer_id", int, OpenApiParameter.PATH, description="The customer's user id.")

INVALID_DATES = error_response(
    "A parameter is not valid; `fields` names it.",
    error_example("invalid", "The request is not valid.", {"date_to": ["Must not be before `date_from`."]}),
)

CUSTOMER_NOT_FOUND = error_response("No customer has this id.", error_example("customer_not_found", "No such customer."))

STATISTICS_EXAMPLE = {
    "by_status": [
        {"status": "cancelled", "count": 2, "total": {"amount": "61.20", "currency": "EUR"}},
        {"status": "completed", "count": 40, "total": {"amount": "1388.00", "currency": "EUR"}},
    ],
    "by_period": [{"period": "2026-01-01T00:00:00Z", "orders": 40, "revenue": {"amount": "1378.00", "currency": "EUR"}}],
    "orders": 40,
    "revenue": {"amount": "1378.00", "currency": "EUR"},
    "average_order_value": {"amount": "34.70", "currency": "EUR"},
}

BEST_SELLER_EXAMPLE = {"product_id": 42, "code": "BIO-MILK-1L", "name": "Organic whole milk 1 l", "units": 380,
                       "revenue": {"amount": "566.20", "currency": "EUR"}}

AVERAGE_EXAMPLE = {"date_from": "2026-01-01", "date_to": "2026-01-31", "average_order_value": {"amount": "34.70", "currency": "EUR"}}

PURCHASE_PATTERN_EXAMPLE = {
    "customer_id": 17,
    "orders": 12,
    "average_days_between_orders": "7.2",
    "favourite_categories": [{"category_id": 7, "name": "Dairy", "units": 48}],
    "typical_basket": {
        "median_items": 9,
        "average_total": {"amount": "41.30", "currency": "EUR"},
        "usual_products": [{"product_id": 42, "name": "Organic whole milk 1 l", "orders": 11}],
    },
    "lifetime_value": {"amount": "495.60", "currency": "EUR"},
}
