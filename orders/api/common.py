"""Pieces shared by the orders endpoints: card input, the cart and order answers.

The input pieces every app shares (strict serializers, quantities, amounts) are in
``commerce.api.serializers``.
"""

from __future__ import annotations

import datetime
import functools
import hashlib

from django.core.validators import RegexValidator
from django.utils import timezone
from drf_spectacular.utils import extend_schema_field, extend_schema_serializer
from rest_framework import serializers

from commerce.accounts import access
from commerce.api.errors import error_body
from commerce.api.serializers import MoneyField, MoneyOutputSerializer, StrictInputSerializer
from commerce.audit.journey import journey_record_for_api, journey_record_many_for_api
from commerce.errors import DomainError
from commerce.money import default_currency
from commerce.parsing import is_ascii_digits
from orders import selectors
from orders.carriers import tracking_url
from orders.gateways import CardDetails
from orders.models import DISCOUNT_HELP, SHIPPING_DISCOUNT_HELP, SHIPPING_HELP, SUBTOTAL_HELP, TOTAL_HELP, Order
from orders.pricing import Pricing, price_lines
from orders.services.lifecycle import CUSTOMER_CANCELLABLE, allowed_actions
from orders.timeline import event_details

MANAGE_ORDERS = "accounts.manage_orders"
REFUND_ORDERS = "accounts.refund_orders"
STAFF_ACTIONS = ("confirm", "allocate", "mark_ready", "ship", "deliver", "complete")


# --- input ------------------------------------------------------------------------------------------
@extend_schema_serializer(component_name="CardInput")
class CardInputSerializer(StrictInputSerializer):
    """Card details. Only the last four digits are ever stored; see the sandbox's test cards."""

    number = serializers.CharField(
        max_length=23, validators=[RegexValidator(r"^[ -]*(?:[0-9][ -]*){12,19}$", "Enter a card number of 12 to 19 digits.")],
        help_text="12 to 19 digits; spaces and dashes are ignored.",
    )
    exp_month = serializers.IntegerField(min_value=1, max_value=12)
    exp_year = serializers.IntegerField(min_value=2000, max_value=2100)
    cvc = serializers.RegexField(r"^[0-9]{3,4}$", help_text="3 or 4 digits (0-9).")

    def validate_number(self, value: str) -> str:
        digits = value.replace(" ", "").replace("-", "")
        if not is_ascii_digits(digits) or not 12 <= len(digits) <= 19:
            raise serializers.ValidationError("Enter a card number of 12 to 19 digits.")
        return digits

    def validate(self, attrs):
        today = timezone.localdate()
        if (attrs["exp_year"], attrs["exp_month"]) < (today.year, today.month):
            raise serializers.ValidationError({"exp_year": ["The card has expired."]})
        return attrs


def card_details(data: dict | None) -> CardDetails | None:
    if not data:
        return None
    return CardDetails(number=data["number"], exp_month=data["exp_month"], exp_year=data["exp_year"], cvc=data["cvc"])


def card_fingerprint_part(data: dict | None) -> dict | None:
    """What of a card goes into an idempotency fingerprint: never the number nor the CVC."""
    if not data:
        return None
    return {"last4": data["number"][-4:], "exp_month": data["exp_month"], "exp_year": data["exp_year"]}


def gateway_key(*, user, scope: str, key: str | None) -> str | None:
    """The key that travels to the gateway: derived from the client's key, unique per user and scope."""
    if not key:
        return None
    return f"{scope}-" + hashlib.sha256(f"{user.pk}:{scope}:{key}".encode()).hexdigest()[:48]


def domain_error_body(exc: DomainError) -> dict:
    return error_body(exc.code, exc.message, exc.fields, exc.extra)


def with_order_number(exc: DomainError, number: str) -> DomainError:
    """A payment failure after the order exists: say which order it was (a decline's one code is
    ``payment_declined``, its reason, ``card_declined`` or ``insufficient_funds``, is ``extra.decline_code``)."""
    return type(exc)(exc.message, extra={**exc.extra, "order_number": number}, fields=exc.fields)


def idempotency_headers(replayed: bool) -> dict:
    return {"Idempotent-Replayed": "true"} if replayed else {}


# --- journey --------------------------------------------------------------------------------------
journey_step = journey_record_for_api  # a token client gets no session created for it
journey_steps = journey_record_many_for_api  # several steps of one request, in one insert


# --- the cart answer --------------------------------------------------------------------------------
@extend_schema_serializer(component_name="CartProduct")
class CartProductSerializer(serializers.Serializer):
    id = serializers.IntegerField(source="product_id")
    code = serializers.CharField(source="product_code")
    name = serializers.CharField(source="product_name")
    slug = serializers.CharField(source="product_slug")


@extend_schema_serializer(component_name="CartLine")
class CartLineOutputSerializer(serializers.Serializer):
    id = serializers.IntegerField(source="line_id", help_text="The line's id, for changing or removing it.")
    product = CartProductSerializer(source="*")
    quantity = serializers.IntegerField()
    unit_price = MoneyOutputSerializer(help_text="Today's catalog price: what checkout charges.")
    seen_unit_price = MoneyOutputSerializer(allow_null=True, help_text="The price when the shopper added the item.")
    subtotal = MoneyOutputSerializer(help_text="Quantity x unit price.")
    discount = MoneyOutputSerializer()
    total = MoneyOutputSerializer(help_text="Subtotal less discount.")
    available = serializers.SerializerMethodField(help_text="Units that can be bought now.")
    issues = serializers.ListField(
        child=serializers.ChoiceField(choices=["unavailable", "price_changed", "insufficient_stock"]),
        help_text=(
            "What needs the shopper's attention before checkout: `price_changed` (accept with "
            "`POST /cart/accept-changes/`), `insufficient_stock`, `unavailable`."
        ),
    )

    def get_available(self, line) -> int:
        return max(line.available, 0)


@extend_schema_serializer(component_name="CartDiscount")
class CartDiscountSerializer(serializers.Serializer):
    key = serializers.CharField()
    name = serializers.CharField()
    code = serializers.CharField(help_text="The coupon code that granted it (empty for automatic promotions).")
    amount = MoneyOutputSerializer()


@extend_schema_serializer(component_name="CartCoupon")
class CartCouponSerializer(serializers.Serializer):
    code = serializers.CharField()
    accepted = serializers.BooleanField()
    reason = serializers.CharField(help_text="Why it does not apply (empty when accepted).")
    message = serializers.CharField()
    hint = serializers.CharField(help_text="What would make a refused code apply, e.g. `Spend 12.50 more` (may be empty).")


@extend_schema_serializer(component_name="CartPromotionHint")
class CartHintSerializer(serializers.Serializer):
    key = serializers.CharField(help_text="`promotion:<id>`.")
    name = serializers.CharField()
    reason = serializers.CharField(help_text="Why it does not apply, e.g. `minimum_not_reached` or `usage_limit_reached`.")
    message = serializers.CharField()
    hint = serializers.CharField(help_text="What would qualify, e.g. `Spend 12.50 more` or `Add 2 more units` (may be empty).")


@extend_schema_serializer(component_name="CartNotice")
class CartNoticeSerializer(serializers.Serializer):
    code = serializers.CharField(help_text="`quantity_capped`: fewer units are available than asked for.")
    product_id = serializers.IntegerField()
    requested = serializers.IntegerField(help_text="The line's quantity asked for.")
    quantity = serializers.IntegerField(help_text="The line's quantity now.")
    message = serializers.CharField()


@extend_schema_serializer(component_name="CartSummary")
@extend_schema_serializer(component_name="CartShippingMethod")
class CartShippingSerializer(serializers.Serializer):
    code = serializers.CharField()
    name = serializers.CharField()
    earliest = serializers.DateField(source="window.earliest", help_text="Delivery expected from this day (ordered now).")
    latest = serializers.DateField(source="window.latest", help_text="... and by this day.")


class CartSummaryOutputSerializer(serializers.Serializer):
    # Reads a CartAnswer and holds no per-answer state (no context): one instance serves every answer.
    id = serializers.IntegerField(source="cart_id", read_only=True, allow_null=True,
                                  help_text="The cart's id (null while the customer has no cart).")
    currency = serializers.CharField()
    item_count = serializers.IntegerField(help_text="Units in the cart.")
    lines = CartLineOutputSerializer(many=True)
    subtotal = MoneyOutputSerializer(help_text=SUBTOTAL_HELP)
    discounts = CartDiscountSerializer(many=True)
    discount_total = MoneyOutputSerializer(help_text=DISCOUNT_HELP + " The order's `discount`.")
    shipping = MoneyOutputSerializer(help_text=SHIPPING_HELP)
    shipping_discount = MoneyOutputSerializer(help_text=SHIPPING_DISCOUNT_HELP)
    total = MoneyOutputSerializer(
        help_text="What checkout charges: subtotal - discount_total + shipping. Send it back as `expected_total`."
    )
    coupons = CartCouponSerializer(many=True, help_text="A verdict for each code on the cart: a refused one stays, with its reason.")
    hints = CartHintSerializer(
        many=True,
        help_text=(
            "Automatic promotions the shopper qualifies for that did not apply, and what would qualify. "
            "Coupon-only promotions and other customers' offers are never listed."
        ),
    )
    shipping_method = CartShippingSerializer(source="shipping_option", allow_null=True,
                                             help_text="The method priced as `shipping` (null: the shop has none, a flat rate).")
    free_shipping_missing = MoneyOutputSerializer(allow_null=True, help_text="How much more subtotal makes shipping free; "
                                                  "null when it is free already or never is.")
    has_issues = serializers.BooleanField(help_text="Whether a line needs review before checkout.")
    notices = CartNoticeSerializer(
        many=True,
        help_text="What the request changed other than asked (a quantity capped at the units available); empty otherwise.",
    )


class CartAnswer:
    """What the cart summary shows: a cart's pricing, the cart's id, and what the request changed otherwise."""

    def __init__(self, pricing: Pricing, cart_id: int | None, notices: list[dict] | tuple = ()):
        self.pricing, self.cart_id, self.notices = pricing, cart_id, list(notices)

    def __getattr__(self, name):
        return getattr(self.pricing, name)


@functools.cache
def _cart_summary_serializer() -> CartSummaryOutputSerializer:
    """One serializer per process, its field tree built once: every cart request answers with the
    cart, and building DRF's field tree costs several times writing the answer itself."""
    serializer = CartSummaryOutputSerializer()
    serializer.fields  # noqa: B018 - builds and binds the field tree now
    return serializer


def cart_summary_data(cart, *, notices: list[dict] | tuple = ()) -> dict:
    """The cart answer of every cart endpoint; an empty summary while the customer has no cart."""
    if cart is None:
        pricing = price_lines([], currency=default_currency())  # no lines: no query
        return _cart_summary_serializer().to_representation(CartAnswer(pricing, None))
    pricing: Pricing = selectors.cart_summary(cart=cart)
    return _cart_summary_serializer().to_representation(CartAnswer(pricing, cart.pk, notices))


def capped_notices(change) -> list[dict]:
    """The cart answer's notice for a line change capped at the units available (none otherwise)."""
    if not change.capped:
        return []
    line = change.line
    return [{
        "code": "quantity_capped", "product_id": line.product_id, "requested": change.requested, "quantity": line.quantity,
        "message": f"Only {line.quantity} available: the line holds {line.quantity}, not {change.requested}.",
    }]


# --- the order answers ------------------------------------------------------------------------------
@extend_schema_serializer(component_name="OrderLineAllocation")
class AllocationOutputSerializer(serializers.Serializer):
    batch_number = serializers.CharField()
    quantity = serializers.IntegerField()
    expires_on = serializers.DateField(allow_null=True)
    location = serializers.CharField()


@extend_schema_serializer(component_name="OrderLine")
class OrderLineOutputSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    product_id = serializers.IntegerField()
    product_code = serializers.CharField(help_text="Snapshot at checkout.")
    product_name = serializers.CharField(help_text="Snapshot at checkout.")
    quantity = serializers.IntegerField()
    unit_price = MoneyField(source="unit_price_amount", help_text="Snapshot at checkout.")
    discount = MoneyField(source="discount_amount")
    line_total = MoneyField(source="line_total_amount")
    refunded_quantity = serializers.IntegerField()
    refunded_amount = MoneyField()
    allocations = serializers.SerializerMethodField(
        help_text="The batches this line's units came from: for staff who may see the stock; null for the customer."
    )
    best_before = serializers.SerializerMethodField(help_text="The best-before dates of the units allocated (perishables).")

    @extend_schema_field(AllocationOutputSerializer(many=True, allow_null=True))
    def get_allocations(self, line):
        if not self.context.get("stock_details"):
            return None
        return AllocationOutputSerializer(line.allocations.all(), many=True).data

    def get_best_before(self, line) -> list[datetime.date]:
        return sorted({allocation.expires_on for allocation in line.allocations.all() if allocation.expires_on})


@extend_schema_serializer(component_name="Payment")
class PaymentOutputSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    gateway = serializers.CharField()
    amount = MoneyField()
    status = serializers.CharField(help_text="pending, authorized, captured, declined, failed or voided.")
    card_last4 = serializers.CharField()
    error_code = serializers.CharField()
    message = serializers.CharField()
    refunded_amount = MoneyField()
    created_at = serializers.DateTimeField()


@extend_schema_serializer(component_name="Refund")
class RefundOutputSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    amount = MoneyField()
    status = serializers.CharField()
    reason = serializers.CharField()
    lines = serializers.JSONField(help_text="[{line_id, product_code, quantity, amount}] for a refund of units.")
    created_at = serializers.DateTimeField()


@extend_schema_serializer(component_name="OrderTimelineEntry")
class TimelineEntrySerializer(serializers.Serializer):
    event = serializers.CharField(source="event_type", help_text="Dotted event type, e.g. `orders.order.shipped`.")
    version = serializers.IntegerField()
    at = serializers.DateTimeField(source="occurred_at")
    by = serializers.SerializerMethodField(help_text="customer, staff or system.")
    channel = serializers.CharField(help_text="web, api, admin or task.")
    details = serializers.SerializerMethodField(help_text="The event's data (its order ids left out).")

    def get_by(self, event) -> str:
        if event.actor_id is None:
            return "system"
        return "customer" if event.actor_id == self.context["customer_id"] else "staff"

    def get_details(self, event) -> dict:
        return event_details(event.payload)


@extend_schema_serializer(component_name="OrderDetail")
class OrderDetailOutputSerializer(serializers.Serializer):
    number = serializers.CharField()
    status = serializers.CharField()
    payment_status = serializers.CharField()
    payment_method = serializers.CharField()
    customer_id = serializers.IntegerField(allow_null=True, help_text="null: a guest's order.")
    region_id = serializers.IntegerField(allow_null=True)
    currency = serializers.CharField()
    subtotal = MoneyField(source="subtotal_amount", help_text=SUBTOTAL_HELP)
    discount = MoneyField(source="discount_amount", help_text=DISCOUNT_HELP)
    shipping = MoneyField(source="shipping_amount", help_text=SHIPPING_HELP)
    shipping_discount = MoneyField(source="shipping_discount_amount", help_text=SHIPPING_DISCOUNT_HELP)
    total = MoneyField(source="total_amount", help_text=TOTAL_HELP)
    paid = MoneyField(source="paid_amount")
    refunded = MoneyField(source="refunded_amount")
    balance_due = MoneyOutputSerializer()
    shipping_address = serializers.JSONField(help_text="The address as it was at checkout.")
    coupon_codes = serializers.ListField(child=serializers.CharField())
    applied_promotions = serializers.JSONField()
    shipping_method = serializers.CharField(source="shipping_method_code", help_text="The method chosen at checkout (\"\" before 2026-12).")
    delivery_earliest = serializers.DateField(allow_null=True, help_text="The delivery window promised at checkout.")
    delivery_latest = serializers.DateField(allow_null=True)
    carrier = serializers.CharField()
    tracking_number = serializers.CharField()
    tracking_url = serializers.SerializerMethodField(help_text="The carrier's tracking page, where the carrier is known.")
    cancel_reason = serializers.CharField()
    placed_at = serializers.DateTimeField()
    updated_at = serializers.DateTimeField()
    hold_until = serializers.DateTimeField(allow_null=True, help_text="An unpaid order is cancelled after this time.")
    lines = OrderLineOutputSerializer(many=True)
    payments = PaymentOutputSerializer(many=True)
    refunds = RefundOutputSerializer(many=True)
    timeline = serializers.SerializerMethodField()
    allowed_actions = serializers.SerializerMethodField(
        help_text="What the requester may do now: pay, cancel, confirm, allocate, mark_ready, ship, deliver, complete, refund."
    )

    @extend_schema_field(TimelineEntrySerializer(many=True))
    def get_timeline(self, order):
        return TimelineEntrySerializer(self.context["timeline"], many=True, context={"customer_id": order.customer_id}).data

    def get_tracking_url(self, order) -> str | None:
        return tracking_url(order.carrier, order.tracking_number)

    def get_allowed_actions(self, order) -> list[str]:
        return self.context["actions"]


def actions_for(order: Order, user) -> list[str]:
    """The transitions the order allows now, narrowed to what this user may do."""
    possible = allowed_actions(order)
    own = order.customer_id == user.pk
    manager = access.has_permission(user, MANAGE_ORDERS)
    actions = []
    if "pay" in possible and own:
        actions.append("pay")
    if "cancel" in possible and (manager or (own and order.status in CUSTOMER_CANCELLABLE)):
        actions.append("cancel")
    if manager:
        actions += [action for action in STAFF_ACTIONS if action in possible]
    if "refund" in possible and access.has_permission(user, REFUND_ORDERS):
        actions.append("refund")
    return actions


def order_detail_data(*, number: str, requester) -> dict:
    """The order answer: the order as the requester may see it, with its timeline (404 for others)."""
    order = selectors.order_get(number=number, requester=requester)
    context = {
        "currency": order.currency,
        "timeline": list(selectors.order_timeline(order=order)),
        "actions": actions_for(order, requester),
        "stock_details": access.can_view_stock_details(requester),  # batch numbers are for staff
    }
    return OrderDetailOutputSerializer(order, context=context).data


