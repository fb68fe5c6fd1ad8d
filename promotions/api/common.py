"""Pieces shared by the promotions endpoints: the staff permission, money output, examples.

Lookups by id or code are selectors (``promotions.selectors.campaign_get`` ...): they raise the
app's NotFound errors, which the API answers as 404 with their code.

Staff endpoints need ``accounts.manage_promotions`` (the Merchandisers group); anyone else gets
403 ``permission_denied`` and an anonymous client 401. Input serializers refuse fields they do not
declare (400 ``unknown_field``), amounts travel as decimal strings, never floats, and every
refusal of a service keeps its own code (``promotion_invalid``, ``invalid_transition``, ...).
"""

from __future__ import annotations

from decimal import Decimal

from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema_field, extend_schema_serializer
from rest_framework import serializers
from rest_framework.permissions import IsAuthenticated

from commerce.api import schema
from commerce.api.permissions import has_access
from commerce.api.schema import documented, error_example, error_response
from commerce.api.serializers import DecimalStringField, MoneyField, StrictInputSerializer
from promotions import selectors
from promotions.models import Coupon, DiscountClass, Promotion

MANAGE_PROMOTIONS = "accounts.manage_promotions"
#: The bounds of what a database column holds: a larger number sent to an integer field would overflow
#: the column (a 500) instead of being refused (a 400). Counts and limits are 32-bit integers on every
#: backend; ids are 64-bit (``BigAutoField``).
MAX_DB_INT = 2**31 - 1
MAX_DB_ID = 2**63 - 1


CanManagePromotions = has_access(MANAGE_PROMOTIONS, "You need the manage promotions permission.")


STAFF = [IsAuthenticated, CanManagePromotions]

# --- parameters and errors of the schema --------------------------------------------------------------
PROMOTION_ID = OpenApiParameter("promotion_id", OpenApiTypes.INT, OpenApiParameter.PATH, description="Promotion id.")
CAMPAIGN_ID = OpenApiParameter("campaign_id", OpenApiTypes.INT, OpenApiParameter.PATH, description="Campaign id.")
SEGMENT_ID = OpenApiParameter("segment_id", OpenApiTypes.INT, OpenApiParameter.PATH, description="Segment id.")
BATCH_ID = OpenApiParameter("batch_id", OpenApiTypes.INT, OpenApiParameter.PATH, description="Coupon batch id.")
COUPON_CODE = OpenApiParameter(
    "code", OpenApiTypes.STR, OpenApiParameter.PATH, description="Coupon code (matched case-insensitively)."
)

PROMOTION_NOT_FOUND = error_response("No promotion has this id.", error_example("promotion_not_found", "No such promotion."))
CAMPAIGN_NOT_FOUND = error_response("No campaign has this id.", error_example("campaign_not_found", "No such campaign."))
SEGMENT_NOT_FOUND = error_response("No segment has this id.", error_example("segment_not_found", "No such segment."))
BATCH_NOT_FOUND = error_response("No coupon batch has this id.", error_example("coupon_batch_not_found", "No such coupon batch."))
COUPON_NOT_FOUND = error_response("No coupon has this code.", error_example("coupon_unknown", "No such coupon."))
INVALID_TRANSITION = error_response(
    "The status does not allow this now; nothing changed.",
    error_example("invalid_transition", "The promotion is expired; it cannot be activated now."),
)


def staff_schema(operation_id: str, summary: str, *, tags: list[str], **parts):
    """A back-office operation (``accounts.manage_promotions``): ``documented`` with the staff errors,
    listed as the promotions API always has: success, the 400 and its own errors, then 401, 403,
    429, then 415."""
    return documented(operation_id, summary, tags=tags, access=schema.STAFF, sort=False, **parts)


def inline_choice(choices, **kwargs) -> serializers.ChoiceField:
    """A choice field whose values are listed in place in the schema, not as a named enum: ``status``
    (and the discount classes) mean different choice sets across the API, and one name each is not
    to be had."""
    values = [value for value, _ in choices]
    schema = {"type": "string", "enum": [*values, ""] if kwargs.get("allow_blank") else values}
    if kwargs.get("allow_null"):
        schema["nullable"] = True
    # A class per use: DRF copies fields by re-creating them from their class, so the schema rides on it.
    field_class = extend_schema_field(schema)(type("InlineChoiceField", (serializers.ChoiceField,), {}))
    return field_class(choices=choices, **kwargs)


class IdListField(serializers.ListField):
    """A many-to-many relation as its ids (read from the prefetched rows)."""

    def __init__(self, **kwargs):
        super().__init__(child=serializers.IntegerField(), read_only=True, **kwargs)

    def to_representation(self, data):
        return [item.pk for item in data.all()]


# --- promotions -----------------------------------------------------------------------------------------
@extend_schema_serializer(component_name="PromotionTier")
class TierSerializer(StrictInputSerializer):
    """A quantity tier, in and out; as input it refuses fields it does not declare (400 ``unknown_field``)."""

    min_quantity = serializers.IntegerField(min_value=1, max_value=MAX_DB_INT, help_text="From this many qualifying units...")
    percent = DecimalStringField(max_digits=5, decimal_places=2, min_value=Decimal("0.01"), max_value=Decimal(100),
                                 help_text="...this percentage off (decimal string).")


@extend_schema_serializer(component_name="PromotionSummary")
class PromotionListOutputSerializer(serializers.Serializer):
    """A promotion in a staff list: what it is, its state and its counters."""

    id = serializers.IntegerField()
    name = serializers.CharField()
    badge = serializers.SerializerMethodField(help_text="The label shown to shoppers (its own badge, else said by its benefit).")
    status = inline_choice(Promotion.Status.choices)
    campaign = serializers.IntegerField(source="campaign_id", allow_null=True)
    discount_class = serializers.ChoiceField(choices=DiscountClass.choices)
    benefit_type = serializers.ChoiceField(choices=Promotion.Benefit.choices)
    requires_coupon = serializers.BooleanField()
    priority = serializers.IntegerField()
    valid_from = serializers.DateTimeField(allow_null=True)
    valid_to = serializers.DateTimeField(allow_null=True)
    usage_count = serializers.IntegerField(help_text="Orders that got it (cancelled orders given back).")
    usage_limit = serializers.IntegerField(allow_null=True)
    discount_granted = MoneyField()

    def get_badge(self, promotion) -> str:
        return selectors.badge_for(promotion)


@extend_schema_serializer(component_name="Promotion")
class PromotionOutputSerializer(PromotionListOutputSerializer):
    """A promotion with every condition and benefit parameter."""

    # (a plain choice field here, an inline one in the summary: one enum name per schema component)
    status = serializers.ChoiceField(choices=Promotion.Status.choices)
    description = serializers.CharField()
    own_badge = serializers.CharField(source="badge", help_text="The badge as set (empty: said by the benefit).")
    combines_with = serializers.ListField(child=inline_choice(DiscountClass.choices))
    exclusive = serializers.BooleanField()
    percent = serializers.DecimalField(max_digits=5, decimal_places=2, allow_null=True)
    amount = MoneyField(allow_null=True, help_text="Amount off (fixed amount) or the bundle's price (bundle price).")
    currency = serializers.CharField()
    buy_quantity = serializers.IntegerField(allow_null=True)
    get_quantity = serializers.IntegerField(allow_null=True)
    get_percent = serializers.DecimalField(max_digits=5, decimal_places=2)
    get_products = IdListField()
    bundle_quantity = serializers.IntegerField(allow_null=True)
    tiers = TierSerializer(many=True)
    min_subtotal = MoneyField(allow_null=True)
    min_quantity = serializers.IntegerField(allow_null=True)
    target_products = IdListField()
    target_categories = IdListField()
    target_manufacturers = IdListField()
    segments = IdListField()
    usage_limit_per_customer = serializers.IntegerField(allow_null=True)
    activated_at = serializers.DateTimeField(allow_null=True)
    deactivated_at = serializers.DateTimeField(allow_null=True)
    created_at = serializers.DateTimeField()
    updated_at = serializers.DateTimeField()


@extend_schema_serializer(component_name="PublicPromotion")
class PublicPromotionOutputSerializer(serializers.Serializer):
    """A promotion as shoppers see it: what it gives and when, never its counters or limits."""

    id = serializers.IntegerField()
    name = serializers.CharField()
    description = serializers.CharField()
    badge = serializers.SerializerMethodField(help_text="A short label, e.g. `3 for 2` or `10% off`.")
    discount_class = serializers.ChoiceField(choices=DiscountClass.choices)
    benefit_type = serializers.ChoiceField(choices=Promotion.Benefit.choices)
    requires_coupon = serializers.BooleanField(help_text="Whether a coupon code unlocks it.")
    min_subtotal = MoneyField(allow_null=True, help_text="The cart must reach this subtotal.")
    min_quantity = serializers.IntegerField(allow_null=True, help_text="Qualifying units the cart must hold.")
    valid_from = serializers.DateTimeField(allow_null=True)
    valid_to = serializers.DateTimeField(allow_null=True)

    def get_badge(self, promotion) -> str:
        return selectors.badge_for(promotion)


@extend_schema_serializer(component_name="Coupon")
class CouponOutputSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    code = serializers.CharField()
    promotion = serializers.IntegerField(source="promotion_id")
    batch = serializers.IntegerField(source="batch_id", allow_null=True)
    status = serializers.ChoiceField(choices=Coupon.Status.choices)
    max_uses = serializers.IntegerField(allow_null=True, help_text="1 = single-use; null = unlimited.")
    used_count = serializers.IntegerField()
    uses_left = serializers.IntegerField(allow_null=True)
    assigned_to = serializers.IntegerField(source="assigned_to_id", allow_null=True, help_text="Only this customer may redeem it.")
    expires_at = serializers.DateTimeField(allow_null=True)
    assigned_at = serializers.DateTimeField(allow_null=True)
    invalidated_at = serializers.DateTimeField(allow_null=True)
    created_at = serializers.DateTimeField()


# --- examples -------------------------------------------------------------------------------------------
PROMOTION_SUMMARY_EXAMPLE = {
    "id": 7,
    "name": "Spring 10 % off",
    "badge": "10% off",
    "status": "active",
    "campaign": 3,
    "discount_class": "order",
    "benefit_type": "percentage",
    "requires_coupon": True,
    "priority": 0,
    "valid_from": "2026-03-01T00:00:00Z",
    "valid_to": "2026-03-31T23:59:59Z",
    "usage_count": 118,
    "usage_limit": 1000,
    "discount_granted": {"amount": "412.30", "currency": "EUR"},
}
PROMOTION_EXAMPLE = {
    **PROMOTION_SUMMARY_EXAMPLE,
    "description": "10 % off any order of 30 EUR or more with the code SPRING10.",
    "own_badge": "",
    "combines_with": ["product", "shipping"],
    "exclusive": False,
    "percent": "10.00",
    "amount": None,
    "currency": "EUR",
    "buy_quantity": None,
    "get_quantity": None,
    "get_percent": "100.00",
    "get_products": [],
    "bundle_quantity": None,
    "tiers": [],
    "min_subtotal": {"amount": "30.00", "currency": "EUR"},
    "min_quantity": None,
    "target_products": [],
    "target_categories": [],
    "target_manufacturers": [],
    "segments": [],
    "usage_limit_per_customer": 1,
    "activated_at": "2026-02-27T10:00:00Z",
    "deactivated_at": None,
    "created_at": "2026-02-20T09:00:00Z",
    "updated_at": "2026-02-27T10:00:00Z",
}
PUBLIC_PROMOTION_EXAMPLE = {
    "id": 9,
    "name": "Three for two on yoghurts",
    "description": "Buy two yoghurts, get the third free.",
    "badge": "3 for 2",
    "discount_class": "product",
    "benefit_type": "buy_x_get_y",
    "requires_coupon": False,
    "min_subtotal": None,
    "min_quantity": None,
    "valid_from": "2026-03-01T00:00:00Z",
    "valid_to": None,
}
COUPON_EXAMPLE = {
    "id": 501,
    "code": "SPRING-7K2QM93XTD",
    "promotion": 7,
    "batch": 12,
    "status": "active",
    "max_uses": 1,
    "used_count": 0,
    "uses_left": 1,
    "assigned_to": 17,
    "expires_at": "2026-03-31T23:59:59Z",
    "assigned_at": "2026-03-01T08:00:00Z",
    "invalidated_at": None,
    "created_at": "2026-02-28T16:00:00Z",
}

