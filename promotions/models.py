"""Promotions: segments, campaigns, promotions (conditions and benefits), coupons and redemptions.

State fields (``status``, ``usage_count``, ``used_count``, ``spent_amount``) are changed only by the
services; the admin and the API show them read-only. Check constraints keep the usage counters
within their limits even if a service were wrong.
"""

from django.conf import settings
from django.contrib.auth.models import Group
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import F, Q

from commerce.accounts.models import SalesRegion
from commerce.catalog.models import Category, Manufacturer, Product
from commerce.money import CURRENCY_CHOICES, Money

AMOUNT = {"max_digits": 12, "decimal_places": 2}
PERCENT = {"max_digits": 5, "decimal_places": 2, "validators": [MinValueValidator(0), MaxValueValidator(100)]}


class DiscountClass(models.TextChoices):
    """Where a discount applies; also the fixed order in which discounts are applied."""

    PRODUCT = "product", "Product discount"
    ORDER = "order", "Order discount"
    SHIPPING = "shipping", "Shipping discount"


class Segment(models.Model):
    """A set of customers a promotion can target.

    ``group``, ``sales_region`` and ``new_customers`` are evaluated live; ``manual`` lists its
    members; ``lifetime_value`` and ``rfm`` are computed from purchase history into
    ``SegmentMembership`` rows, refreshed by Celery beat.
    """

    class Kind(models.TextChoices):
        MANUAL = "manual", "Hand-picked customers"
        GROUP = "group", "Members of a group"
        SALES_REGION = "sales_region", "Customers of a sales region"
        NEW_CUSTOMERS = "new_customers", "New customers (no order yet)"
        LIFETIME_VALUE = "lifetime_value", "Lifetime value above a threshold"
        RFM = "rfm", "Purchase-history segment (recency, frequency, monetary value)"

    class RfmLabel(models.TextChoices):
        NEW = "new", "New (first order recently)"
        ACTIVE = "active", "Active"
        LAPSING = "lapsing", "Lapsing"
        VIP = "vip", "VIP"

    code = models.SlugField(max_length=60, unique=True)
    name = models.CharField(max_length=120)
    description = models.TextField(blank=True)
    kind = models.CharField(max_length=20, choices=Kind.choices)
    group = models.ForeignKey(Group, null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    sales_region = models.ForeignKey(SalesRegion, null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    min_lifetime_value = models.DecimalField(**AMOUNT, null=True, blank=True)
    rfm_label = models.CharField(max_length=10, choices=RfmLabel.choices, blank=True)
    member_count = models.PositiveIntegerField(default=0, help_text="Members at the last refresh (dynamic kinds).")
    refreshed_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["name"]
        constraints = [
            models.CheckConstraint(condition=~Q(kind="group") | Q(group__isnull=False), name="promotions_segment_group_set"),
            models.CheckConstraint(
                condition=~Q(kind="sales_region") | Q(sales_region__isnull=False), name="promotions_segment_region_set"
            ),
            models.CheckConstraint(
                condition=~Q(kind="lifetime_value") | Q(min_lifetime_value__isnull=False), name="promotions_segment_ltv_set"
            ),
            models.CheckConstraint(condition=~Q(kind="rfm") | ~Q(rfm_label=""), name="promotions_segment_rfm_set"),
        ]

    def __str__(self):
        return self.name

    @property
    def is_dynamic(self) -> bool:
        return self.kind in {self.Kind.LIFETIME_VALUE, self.Kind.RFM}


class SegmentMembership(models.Model):
    """A customer in a manual or computed segment, with the figures it was computed from."""

    segment = models.ForeignKey(Segment, on_delete=models.CASCADE, related_name="memberships")
    customer = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="segment_memberships")
    recency_days = models.PositiveIntegerField(null=True, blank=True)
    frequency = models.PositiveIntegerField(null=True, blank=True)
    monetary = models.DecimalField(**AMOUNT, null=True, blank=True)
    added_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["segment", "customer"], name="promotions_membership_unique")]
        indexes = [models.Index(fields=["customer", "segment"], name="promotions_membership_cust")]

    def __str__(self):
        return f"{self.customer_id} in {self.segment_id}"


class Campaign(models.Model):
    """Promotions grouped with a start, an end and an optional budget (the total discount granted)."""

    class Status(models.TextChoices):
        DRAFT = "draft", "Draft"
        SCHEDULED = "scheduled", "Launched, not started yet"
        ACTIVE = "active", "Active"
        ENDED = "ended", "Ended"

    name = models.CharField(max_length=120)
    description = models.TextField(blank=True)
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.DRAFT)
    starts_at = models.DateTimeField()
    ends_at = models.DateTimeField(null=True, blank=True)
    currency = models.CharField(max_length=3, choices=CURRENCY_CHOICES, default="EUR")
    budget_amount = models.DecimalField(**AMOUNT, null=True, blank=True, validators=[MinValueValidator(0)])
    spent_amount = models.DecimalField(**AMOUNT, default=0)
    launched_at = models.DateTimeField(null=True, blank=True)
    ended_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["-starts_at", "-id"]
        constraints = [
            models.CheckConstraint(condition=Q(ends_at__isnull=True) | Q(ends_at__gt=F("starts_at")), name="promotions_campaign_window"),
            models.CheckConstraint(
                condition=Q(budget_amount__isnull=True) | Q(spent_amount__lte=F("budget_amount")),
                name="promotions_campaign_within_budget",
            ),
        ]

    def __str__(self):
        return self.name

    @property
    def budget(self) -> Money | None:
        return Money.of(self.budget_amount, self.currency) if self.budget_amount is not None else None

    @property
    def spent(self) -> Money:
        return Money.of(self.spent_amount, self.currency)


class Promotion(models.Model):
    """One discount: its conditions, its benefit, and how it combines with others."""

    class Status(models.TextChoices):
        DRAFT = "draft", "Draft"
        SCHEDULED = "scheduled", "Activated, starts later"
        ACTIVE = "active", "Active"
        INACTIVE = "inactive", "Deactivated"
        EXPIRED = "expired", "Expired"
        ARCHIVED = "archived", "Deleted (kept for history)"

    class Benefit(models.TextChoices):
        PERCENTAGE = "percentage", "Percentage off"
        FIXED_AMOUNT = "fixed_amount", "Fixed amount off"
        BUY_X_GET_Y = "buy_x_get_y", "Buy X get Y"
        QUANTITY_TIERS = "quantity_tiers", "Quantity tiers (volume discount)"
        FREE_SHIPPING = "free_shipping", "Free shipping"
        BUNDLE_PRICE = "bundle_price", "Fixed bundle price"

    name = models.CharField(max_length=120)
    description = models.TextField(blank=True)
    badge = models.CharField(max_length=40, blank=True, help_text="Short label shown on product pages, e.g. '3 for 2'.")
    campaign = models.ForeignKey(Campaign, null=True, blank=True, on_delete=models.PROTECT, related_name="promotions")
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.DRAFT)

    # How it combines
    discount_class = models.CharField(max_length=10, choices=DiscountClass.choices)
    priority = models.IntegerField(default=0, help_text="Higher applies first within its class.")
    combines_with = models.JSONField(default=list, blank=True, help_text="Discount classes this promotion combines with.")
    exclusive = models.BooleanField(default=False, help_text="Applies alone, never with another promotion.")
    requires_coupon = models.BooleanField(default=False)

    # The benefit
    benefit_type = models.CharField(max_length=16, choices=Benefit.choices)
    percent = models.DecimalField(**PERCENT, null=True, blank=True, help_text="Percentage off (percentage).")
    amount = models.DecimalField(
        **AMOUNT, null=True, blank=True, validators=[MinValueValidator(0)],
        help_text="Amount off (fixed amount) or the price of the bundle (bundle price).",
    )
    currency = models.CharField(max_length=3, choices=CURRENCY_CHOICES, default="EUR")
    buy_quantity = models.PositiveIntegerField(null=True, blank=True, help_text="Buy X: units that must be bought.")
    get_quantity = models.PositiveIntegerField(null=True, blank=True, help_text="Get Y: units discounted.")
    get_percent = models.DecimalField(**PERCENT, default=100, help_text="Discount on the Y units (100 = free).")
    get_products = models.ManyToManyField(
        Product, blank=True, related_name="+", help_text="The Y products; empty means the qualifying products themselves."
    )
    bundle_quantity = models.PositiveIntegerField(null=True, blank=True, help_text="Units of the target products in one bundle.")

    # Conditions
    valid_from = models.DateTimeField(null=True, blank=True)
    valid_to = models.DateTimeField(null=True, blank=True)
    min_subtotal = models.DecimalField(**AMOUNT, null=True, blank=True, validators=[MinValueValidator(0)])
    min_quantity = models.PositiveIntegerField(null=True, blank=True, help_text="Minimum qualifying units in the cart.")
    target_products = models.ManyToManyField(Product, blank=True, related_name="promotions")
    target_categories = models.ManyToManyField(Category, blank=True, related_name="promotions")
    target_manufacturers = models.ManyToManyField(Manufacturer, blank=True, related_name="promotions")
    segments = models.ManyToManyField(Segment, blank=True, related_name="promotions")
    usage_limit = models.PositiveIntegerField(null=True, blank=True, help_text="Orders in total; empty for no limit.")
    usage_limit_per_customer = models.PositiveIntegerField(null=True, blank=True)

    # State (services only)
    usage_count = models.PositiveIntegerField(default=0)
    discount_granted = models.DecimalField(**AMOUNT, default=0)
    activated_at = models.DateTimeField(null=True, blank=True)
    deactivated_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["-priority", "id"]
        indexes = [models.Index(fields=["status", "valid_from", "valid_to"], name="promotions_promo_live")]
        constraints = [
            models.CheckConstraint(
                condition=Q(valid_to__isnull=True) | Q(valid_from__isnull=True) | Q(valid_to__gt=F("valid_from")),
                name="promotions_promotion_window",
            ),
            models.CheckConstraint(
                condition=Q(usage_limit__isnull=True) | Q(usage_count__lte=F("usage_limit")),
                name="promotions_promotion_within_limit",
            ),
        ]

    def __str__(self):
        return self.name

    @property
    def is_live_status(self) -> bool:
        return self.status in {self.Status.SCHEDULED, self.Status.ACTIVE}


class PromotionTier(models.Model):
    """A step of a quantity-tier promotion: from ``min_quantity`` qualifying units, ``percent`` off."""

    promotion = models.ForeignKey(Promotion, on_delete=models.CASCADE, related_name="tiers")
    min_quantity = models.PositiveIntegerField(validators=[MinValueValidator(1)])
    percent = models.DecimalField(**PERCENT)

    class Meta:
        ordering = ["min_quantity"]
        constraints = [models.UniqueConstraint(fields=["promotion", "min_quantity"], name="promotions_tier_unique")]

    def __str__(self):
        return f"{self.min_quantity}+ units: {self.percent}% off"


class CouponBatch(models.Model):
    """One bulk generation of coupons for a promotion (kept for the CSV export and the audit)."""

    promotion = models.ForeignKey(Promotion, on_delete=models.CASCADE, related_name="coupon_batches")
    prefix = models.CharField(max_length=12, blank=True)
    quantity = models.PositiveIntegerField()
    max_uses = models.PositiveIntegerField(null=True, blank=True, help_text="Uses per coupon; 1 = single-use, empty = unlimited.")
    expires_at = models.DateTimeField(null=True, blank=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name_plural = "coupon batches"
        ordering = ["-created_at", "-id"]

    def __str__(self):
        return f"{self.quantity} x {self.prefix or 'coupon'} for {self.promotion}"


class Coupon(models.Model):
    class Status(models.TextChoices):
        ACTIVE = "active", "Active"
        INVALIDATED = "invalidated", "Invalidated"

    code = models.CharField(max_length=32, unique=True, help_text="Stored upper-case; matched case-insensitively.")
    promotion = models.ForeignKey(Promotion, on_delete=models.CASCADE, related_name="coupons")
    batch = models.ForeignKey(CouponBatch, null=True, blank=True, on_delete=models.SET_NULL, related_name="coupons")
    status = models.CharField(max_length=12, choices=Status.choices, default=Status.ACTIVE)
    max_uses = models.PositiveIntegerField(null=True, blank=True, help_text="1 = single-use; empty = unlimited.")
    used_count = models.PositiveIntegerField(default=0)
    assigned_to = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="coupons",
        help_text="Only this customer may redeem it.",
    )
    expires_at = models.DateTimeField(null=True, blank=True)
    assigned_at = models.DateTimeField(null=True, blank=True)
    invalidated_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        indexes = [models.Index(fields=["assigned_to", "status"], name="promotions_coupon_assigned")]
        constraints = [
            models.CheckConstraint(
                condition=Q(max_uses__isnull=True) | Q(used_count__lte=F("max_uses")), name="promotions_coupon_within_uses"
            ),
        ]

    def __str__(self):
        return self.code

    @property
    def uses_left(self) -> int | None:
        return None if self.max_uses is None else max(0, self.max_uses - self.used_count)


class Redemption(models.Model):
    """A promotion granted on an order: the order's figures are copied so analytics never join orders."""

    promotion = models.ForeignKey(Promotion, on_delete=models.PROTECT, related_name="redemptions")
    campaign = models.ForeignKey(Campaign, null=True, blank=True, on_delete=models.PROTECT, related_name="redemptions")
    coupon = models.ForeignKey(Coupon, null=True, blank=True, on_delete=models.PROTECT, related_name="redemptions")
    customer = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT,
                                 related_name="redemptions", help_text="NULL: a guest's order")
    order_id = models.PositiveBigIntegerField(db_index=True)
    order_number = models.CharField(max_length=20)
    currency = models.CharField(max_length=3, choices=CURRENCY_CHOICES)
    amount = models.DecimalField(**AMOUNT, help_text="Discount granted by this promotion on the order.")
    line_amounts = models.JSONField(default=dict, blank=True, help_text="Discount per order line id.")
    shipping_amount = models.DecimalField(**AMOUNT, default=0)
    units = models.PositiveIntegerField(default=0, help_text="Units on the discounted lines.")
    order_subtotal = models.DecimalField(**AMOUNT)
    order_total = models.DecimalField(**AMOUNT, help_text="Revenue of the order, after every discount.")
    placed_at = models.DateTimeField()
    cancelled_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-placed_at", "-id"]
        indexes = [
            models.Index(fields=["promotion", "placed_at"], name="promotions_redemption_promo"),
            models.Index(fields=["customer", "promotion"], name="promotions_redemption_cust"),
            models.Index(fields=["campaign", "placed_at"], name="promotions_redemption_camp"),
        ]
        constraints = [
            models.UniqueConstraint(fields=["order_id", "promotion"], name="promotions_redemption_once"),
        ]

    def __str__(self):
        return f"{self.promotion} on {self.order_number}"
