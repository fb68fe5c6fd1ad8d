"""Pieces shared by the promotions endpoints: the staff permission and its schema, money output.

Lookups by id or code are selectors (``promotions.selectors.campaign_get`` ...): they raise the
app's NotFound errors, which the API answers as 404 with their code.

Staff endpoints need ``accounts.manage_promotions`` (the Merchandisers group); anyone else gets
403 ``permission_denied`` and an anonymous client 401. Input serializers refuse fields they do not
declare (400 ``unknown_field``), amounts travel as decimal strings, never floats, and every
refusal of a service keeps its own code (``promotion_invalid``, ``invalid_transition``, ...).
"""

from __future__ import annotations

from decimal import Decimal

from drf_spectacular.utils import extend_schema_field, extend_schema_serializer
from rest_framework import serializers
from rest_framework.permissions import IsAuthenticated

from commerce.api import schema
from commerce.api.permissions import has_access
from commerce.api.schema import documented
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

    def validate(self, attrs):
        # A PATCH is partial at every level in DRF, but a tier is whole or it is not a tier (a tier
        # without its percentage was a KeyError, a 500).
        missing = [name for name in ("min_quantity", "percent") if name not in attrs]
        if missing:
            raise serializers.ValidationError({name: ["This field is required."] for name in missing})
        return attrs


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
