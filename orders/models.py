import secrets
from decimal import Decimal

from django.conf import settings
from django.core.validators import MinValueValidator
from django.db import models
from django.db.models import F, Q, Value
from django.urls import reverse

from commerce.accounts.models import Address, SalesRegion
from commerce.catalog.models import Product
from commerce.db_fields import CASCADE_FIRST, ExactCharField
from commerce.money import CURRENCY_CHOICES, Money

# Models of this app defined apart, with the rest of the delivery promises (orders/shipping/).
from orders.shipping.models import ShippingHoliday, ShippingMethod  # noqa: F401

AMOUNT = {"max_digits": 12, "decimal_places": 2}

# What the order amounts mean (the same on the cart answer, the order, its summary and every page):
SUBTOTAL_HELP = "Quantity x unit price of every line, before any discount."
DISCOUNT_HELP = "Every discount: on lines, on the order and on shipping (shipping_discount is part of it)."
SHIPPING_HELP = "The shipping charge before any shipping discount."
SHIPPING_DISCOUNT_HELP = "The part of the discount taken off shipping (never more than shipping)."
TOTAL_HELP = "What is charged: subtotal - discount + shipping."


def amount_constraints(prefix: str, *, refunds: bool) -> list[models.CheckConstraint]:
    """total = subtotal - discount + shipping, the shipping discount within shipping and discount,
    and no amount below zero: checked by the database on every backend.

    The sum is compared within half a cent: on MariaDB (exact decimals) that is equality for
    two-decimal columns; SQLite keeps decimals as floating point, where exact equality of a sum
    could fail on representation alone.
    """
    computed = F("subtotal_amount") - F("discount_amount") + F("shipping_amount")
    half_cent = Value(Decimal("0.005"), output_field=models.DecimalField(max_digits=4, decimal_places=3))
    amounts = ["subtotal_amount", "discount_amount", "shipping_amount", "shipping_discount_amount", "total_amount",
               "refunded_amount", *(["paid_amount"] if refunds else [])]
    constraints = [
        models.CheckConstraint(condition=Q(total_amount__gt=computed - half_cent, total_amount__lt=computed + half_cent),
                               name=f"{prefix}_amounts_add_up"),
        models.CheckConstraint(condition=Q(shipping_discount_amount__lte=F("shipping_amount"))
                               & Q(shipping_discount_amount__lte=F("discount_amount")),
                               name=f"{prefix}_shipping_discount_within"),
        models.CheckConstraint(condition=Q(**{f"{name}__gte": 0 for name in amounts}), name=f"{prefix}_amounts_not_negative"),
    ]
    if refunds:
        constraints.append(models.CheckConstraint(condition=Q(refunded_amount__lte=F("paid_amount")),
                                                  name=f"{prefix}_refunded_within_paid"))
    return constraints


class Cart(models.Model):
    class Status(models.TextChoices):
        OPEN = "open", "Open"
        CHECKED_OUT = "checked_out", "Checked out"
        MERGED = "merged", "Merged into a customer's cart"

    # CASCADE_FIRST (here, on open_for and on IdempotencyRecord.user): Django's CASCADE of a nullable key
    # nulls it before the delete on MariaDB, which the check constraints below refuse.
    customer = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=CASCADE_FIRST, related_name="carts")
    session_key = models.CharField(max_length=64, blank=True, db_index=True)
    status = models.CharField(max_length=12, choices=Status.choices, default=Status.OPEN)
    currency = models.CharField(max_length=3, choices=CURRENCY_CHOICES, default="EUR")
    coupon_codes = models.JSONField(default=list, blank=True)
    # The shopper's choice; NULL (or a method no longer offered): the default method (orders.shipping).
    shipping_method = models.ForeignKey(ShippingMethod, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    # The customer while the cart is open, NULL once it is checked out or merged. Unique (and NULLs
    # are never equal), so the database keeps one open cart per customer on every backend: MariaDB
    # has no partial unique index and drops a conditional UniqueConstraint without a word. It is
    # also how a customer's open cart is found (one indexed row). Set by the cart services only.
    open_for = models.OneToOneField(settings.AUTH_USER_MODEL, null=True, blank=True, editable=False,
                                    on_delete=CASCADE_FIRST, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        constraints = [
            # open_for is the customer exactly while a customer's cart is open, NULL otherwise (spelt out
            # "not null": a comparison with NULL is unknown, and a CHECK lets unknown pass).
            models.CheckConstraint(
                condition=Q(status="open", open_for__isnull=False, open_for=F("customer"))
                | (Q(open_for__isnull=True) & (~Q(status="open") | Q(customer__isnull=True))),
                name="orders_cart_open_for_customer",
            ),
        ]

    def __str__(self):
        owner = self.customer or f"session {self.session_key[:8]}"
        return f"Cart {self.pk} of {owner} ({self.status})"


class CartLine(models.Model):
    cart = models.ForeignKey(Cart, on_delete=models.CASCADE, related_name="lines")
    product = models.ForeignKey(Product, on_delete=models.CASCADE, related_name="+")
    quantity = models.PositiveIntegerField(validators=[MinValueValidator(1)])
    # The price the shopper saw when adding: a later change is flagged, never silently charged.
    seen_unit_price = models.DecimalField(**AMOUNT)
    added_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["id"]
        constraints = [models.UniqueConstraint(fields=["cart", "product"], name="orders_cart_line_product_uniq")]

    def __str__(self):
        return f"{self.quantity} x {self.product_id}"


# Crockford base32 without look-alikes: human-friendly, unguessable order numbers.
_ALPHABET = "0123456789ABCDEFGHJKMNPQRSTVWXYZ"


def new_order_number() -> str:
    raw = "".join(secrets.choice(_ALPHABET) for _ in range(10))
    return f"{raw[:5]}-{raw[5:]}"


class Order(models.Model):
    class Status(models.TextChoices):
        PENDING = "pending", "Pending payment"
        CONFIRMED = "confirmed", "Confirmed"
        PAID = "paid", "Paid"
        ALLOCATED = "allocated", "Allocated"
        READY_TO_SHIP = "ready_to_ship", "Ready to ship"
        SHIPPED = "shipped", "Shipped"
        DELIVERED = "delivered", "Delivered"
        COMPLETED = "completed", "Completed"
        CANCELLED = "cancelled", "Cancelled"
        REFUNDED = "refunded", "Refunded"
        # A checkout whose payment was declined (or failed, nothing charged): never an order of the
        # shopper's history; staff see the attempt (orders.services.checkout.checkout_place_and_pay).
        VOIDED = "voided", "Voided (payment failed at checkout)"

    class PaymentStatus(models.TextChoices):
        UNPAID = "unpaid", "Unpaid"
        DUE_ON_DELIVERY = "due_on_delivery", "Due on delivery"
        PAID = "paid", "Paid"
        PARTIALLY_REFUNDED = "partially_refunded", "Partially refunded"
        REFUNDED = "refunded", "Refunded"

    class PaymentMethod(models.TextChoices):
        CARD = "card", "Card"
        CASH_ON_DELIVERY = "cod", "Cash on delivery"

    number = models.CharField(max_length=11, unique=True, default=new_order_number, editable=False)
    # NULL for a guest's order (``guest_email`` then says whose it is) until the guest, signed up
    # with that address and having proved it, claims it (``orders.services.guests``).
    customer = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT,
                                 related_name="orders")
    # The guest's e-mail address, normalised (``orders.guests.normalise_email``) and compared byte for
    # byte, so a look-up matches the same orders on SQLite and on MariaDB (whose default collation
    # would also equate accents and trailing spaces). Kept after a claim: the address the order was
    # placed with. Blank for a customer's order.
    guest_email = ExactCharField(max_length=254, blank=True, db_index=True)
    status = models.CharField(max_length=16, choices=Status.choices, default=Status.PENDING)
    payment_status = models.CharField(max_length=20, choices=PaymentStatus.choices, default=PaymentStatus.UNPAID)
    payment_method = models.CharField(max_length=8, choices=PaymentMethod.choices)
    currency = models.CharField(max_length=3, choices=CURRENCY_CHOICES)
    subtotal_amount = models.DecimalField(**AMOUNT, help_text=SUBTOTAL_HELP)
    discount_amount = models.DecimalField(**AMOUNT, default=0, help_text=DISCOUNT_HELP)
    shipping_amount = models.DecimalField(**AMOUNT, default=0, help_text=SHIPPING_HELP)
    shipping_discount_amount = models.DecimalField(**AMOUNT, default=0, help_text=SHIPPING_DISCOUNT_HELP)
    total_amount = models.DecimalField(**AMOUNT, help_text=TOTAL_HELP)
    paid_amount = models.DecimalField(**AMOUNT, default=0)
    refunded_amount = models.DecimalField(**AMOUNT, default=0)
    shipping_address = models.JSONField()
    address = models.ForeignKey(Address, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    region = models.ForeignKey(SalesRegion, null=True, blank=True, on_delete=models.SET_NULL, related_name="orders")
    applied_promotions = models.JSONField(default=list, blank=True)
    coupon_codes = models.JSONField(default=list, blank=True)
    # The shipping method chosen at checkout and the delivery window it promised then (kept as
    # promised: later changes of the method do not move it). Empty for orders placed without one.
    shipping_method_code = models.CharField(max_length=30, blank=True)
    shipping_method_name = models.CharField(max_length=60, blank=True)
    delivery_earliest = models.DateField(null=True, blank=True)
    delivery_latest = models.DateField(null=True, blank=True)
    carrier = models.CharField(max_length=60, blank=True)
    tracking_number = models.CharField(max_length=80, blank=True)
    cancel_reason = models.CharField(max_length=200, blank=True)
    placed_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)
    hold_until = models.DateTimeField(null=True, blank=True, help_text="Unpaid orders are cancelled after this time.")

    class Meta:
        ordering = ["-placed_at", "-id"]
        indexes = [
            models.Index(fields=["customer", "-placed_at"], name="orders_order_customer"),
            models.Index(fields=["status", "hold_until"], name="orders_order_status_hold"),
            models.Index(fields=["-placed_at"], name="orders_order_placed"),
        ]
        constraints = [
            *amount_constraints("orders_order", refunds=True),
            # Every order is someone's: a customer's, or a guest's with the address to reach them.
            models.CheckConstraint(condition=Q(customer__isnull=False) | ~Q(guest_email=""), name="orders_order_has_buyer"),
        ]

    def __str__(self):
        return self.number

    def get_absolute_url(self):
        return reverse("orders:order_detail", kwargs={"number": self.number})

    @property
    def is_guest(self) -> bool:
        """Placed by a guest and not (yet) claimed by an account."""
        return self.customer_id is None

    @property
    def contact_email(self) -> str:
        """Where the order's mails go: the guest's address, or the customer's."""
        if self.customer_id is None:
            return self.guest_email
        return self.customer.email

    @property
    def reference(self) -> str:
        """The stock reservation reference of this order."""
        return f"order:{self.number}"

    def money(self, amount) -> Money:
        return Money.of(amount, self.currency)

    @property
    def total(self) -> Money:
        return self.money(self.total_amount)

    @property
    def balance_due(self) -> Money:
        return self.money(self.total_amount - self.paid_amount)

    @property
    def refundable(self) -> Money:
        return self.money(self.paid_amount - self.refunded_amount)


class OrderNote(models.Model):
    """A staff note on an order (a call with the customer, a packing remark): for staff only, never
    shown to the shopper; its event goes to its own stream (``order_note``), not the order's."""

    order = models.ForeignKey(Order, on_delete=models.CASCADE, related_name="notes")
    author = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")
    text = models.TextField(max_length=2000)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ("created_at", "id")

    def __str__(self):
        return f"Note on {self.order.number}"


class OrderLine(models.Model):
    order = models.ForeignKey(Order, on_delete=models.CASCADE, related_name="lines")
    product = models.ForeignKey(Product, on_delete=models.PROTECT, related_name="order_lines")
    product_code = models.CharField(max_length=40)
    product_name = models.CharField(max_length=200)
    quantity = models.PositiveIntegerField(validators=[MinValueValidator(1)])
    unit_price_amount = models.DecimalField(**AMOUNT)
    discount_amount = models.DecimalField(**AMOUNT, default=0)
    line_total_amount = models.DecimalField(**AMOUNT, help_text="Quantity x unit price, less this line's share of discounts")
    refunded_quantity = models.PositiveIntegerField(default=0)
    refunded_amount = models.DecimalField(**AMOUNT, default=0)

    class Meta:
        ordering = ["id"]

    def __str__(self):
        return f"{self.quantity} x {self.product_code}"


class OrderLineAllocation(models.Model):
    """Which batch an order line's units came from (batch traceability)."""

    line = models.ForeignKey(OrderLine, on_delete=models.CASCADE, related_name="allocations")
    batch_number = models.CharField(max_length=60, db_index=True)
    quantity = models.PositiveIntegerField()
    expires_on = models.DateField(null=True, blank=True)
    location = models.CharField(max_length=40, blank=True)

    class Meta:
        ordering = ["id"]

    def __str__(self):
        return f"{self.quantity} from {self.batch_number}"


class Payment(models.Model):
    class Status(models.TextChoices):
        PENDING = "pending", "Pending"
        AUTHORIZED = "authorized", "Authorized"
        CAPTURED = "captured", "Captured"
        DECLINED = "declined", "Declined"
        FAILED = "failed", "Failed (gateway error)"
        VOIDED = "voided", "Voided"

    order = models.ForeignKey(Order, on_delete=models.PROTECT, related_name="payments")
    gateway = models.CharField(max_length=30)
    amount = models.DecimalField(**AMOUNT)
    currency = models.CharField(max_length=3, choices=CURRENCY_CHOICES)
    status = models.CharField(max_length=12, choices=Status.choices, default=Status.PENDING)
    # Identities compared byte for byte on every backend (commerce.db_fields.ExactCharField).
    gateway_reference = ExactCharField(max_length=100, blank=True, db_index=True)
    idempotency_key = ExactCharField(max_length=100, unique=True)
    card_last4 = models.CharField(max_length=4, blank=True)
    error_code = models.CharField(max_length=40, blank=True)
    message = models.CharField(max_length=200, blank=True)
    refunded_amount = models.DecimalField(**AMOUNT, default=0)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["id"]

    def __str__(self):
        return f"{self.gateway} {self.amount} {self.currency} ({self.status})"


class Refund(models.Model):
    """Money given back through the gateway that took it.

    Written ``pending`` (and committed) before the gateway is called, outside any transaction,
    under its own idempotency key; then settled ``succeeded`` or ``failed``. A pending refund
    whose answer was lost is settled by ``payments_settle_pending``, which repeats the call with
    the same key: the gateway refunds once.
    """

    class Status(models.TextChoices):
        PENDING = "pending", "Pending"
        SUCCEEDED = "succeeded", "Succeeded"
        FAILED = "failed", "Failed"

    order = models.ForeignKey(Order, on_delete=models.PROTECT, related_name="refunds")
    payment = models.ForeignKey(Payment, null=True, blank=True, on_delete=models.PROTECT, related_name="refunds")
    amount = models.DecimalField(**AMOUNT)
    currency = models.CharField(max_length=3, choices=CURRENCY_CHOICES)
    status = models.CharField(max_length=10, choices=Status.choices)
    reason = models.CharField(max_length=200, blank=True)
    lines = models.JSONField(default=list, blank=True, help_text="[{line_id, quantity, amount}] for partial refunds")
    gateway_reference = models.CharField(max_length=100, blank=True)
    idempotency_key = models.CharField(max_length=100, unique=True, null=True, blank=True,
                                       help_text="Travels to the gateway: a repeated call refunds once.")
    error_code = models.CharField(max_length=40, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["id"]
        indexes = [models.Index(fields=["status", "created_at"], name="orders_refund_status")]

    def __str__(self):
        return f"Refund {self.amount} {self.currency} on {self.order_id}"


class IdempotencyRecord(models.Model):
    """A request with an Idempotency-Key: repeated, it returns the first result and does nothing more."""

    # Whose request: a customer, or (user NULL) a guest, by the token of their session's cart. Two
    # unique constraints, one per kind of owner: NULLs are never equal, so each binds its own rows.
    user = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=CASCADE_FIRST, related_name="+")
    guest = ExactCharField(max_length=64, null=True, blank=True)
    scope = models.CharField(max_length=40)
    key = ExactCharField(max_length=100)  # the client's key, exact: "ABC" is not "abc" (nor "abc ")
    fingerprint = models.CharField(max_length=64)
    status_code = models.PositiveSmallIntegerField(null=True, blank=True)
    response = models.JSONField(null=True, blank=True)
    # While in progress, the request holds the key until then; a repeat after it takes the key over.
    lease_until = models.DateTimeField(null=True, blank=True)
    # What the request made, linked in the transaction that made it, so a repeat after a crash finds it.
    order = models.ForeignKey(Order, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    payment = models.ForeignKey(Payment, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["user", "scope", "key"], name="orders_idempotency_uniq"),
            models.UniqueConstraint(fields=["guest", "scope", "key"], name="orders_idempotency_guest_uniq"),
            models.CheckConstraint(condition=Q(user__isnull=False, guest__isnull=True) | Q(user__isnull=True, guest__isnull=False),
                                   name="orders_idempotency_one_owner"),
        ]

    def __str__(self):
        return f"{self.scope}:{self.key}"


class GatewayNotification(models.Model):
    """A processed webhook notification: processing the same one twice changes nothing."""

    gateway = models.CharField(max_length=30)
    notification_id = ExactCharField(max_length=100)
    event = models.CharField(max_length=40)
    payload = models.JSONField()
    received_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["gateway", "notification_id"], name="orders_gateway_notification_uniq")]

    def __str__(self):
        return f"{self.gateway}:{self.notification_id}"


class OrderSummary(models.Model):
    """The order read model: one denormalised row per order, kept up to date from domain events.

    History, search and analytics read this table only; ``rebuild_order_summaries`` rebuilds it
    from the audit table and yields the same rows.
    """

    order_id = models.BigIntegerField(primary_key=True)
    number = models.CharField(max_length=11, unique=True)
    customer_id = models.BigIntegerField(null=True, blank=True, db_index=True, help_text="NULL: a guest's order")
    region_id = models.BigIntegerField(null=True, blank=True, db_index=True)
    status = models.CharField(max_length=16, db_index=True)
    payment_status = models.CharField(max_length=20)
    payment_method = models.CharField(max_length=8)
    currency = models.CharField(max_length=3)
    subtotal_amount = models.DecimalField(**AMOUNT, help_text=SUBTOTAL_HELP)
    discount_amount = models.DecimalField(**AMOUNT, help_text=DISCOUNT_HELP)
    shipping_amount = models.DecimalField(**AMOUNT, help_text=SHIPPING_HELP)
    shipping_discount_amount = models.DecimalField(**AMOUNT, default=0, help_text=SHIPPING_DISCOUNT_HELP)
    total_amount = models.DecimalField(**AMOUNT, help_text=TOTAL_HELP)
    refunded_amount = models.DecimalField(**AMOUNT, default=0)
    item_count = models.PositiveIntegerField()
    lines = models.JSONField(help_text="[{product_id, code, name, category_id, quantity, unit_price, line_total}]")
    product_codes = models.TextField(help_text="|CODE|CODE| for search by product")
    placed_at = models.DateTimeField(db_index=True)
    updated_at = models.DateTimeField()
    version = models.PositiveIntegerField(help_text="Last order-stream event version applied")

    class Meta:
        verbose_name_plural = "order summaries"
        ordering = ["-placed_at", "-order_id"]
        indexes = [
            models.Index(fields=["customer_id", "-placed_at"], name="orders_summary_customer"),
            models.Index(fields=["status", "placed_at"], name="orders_summary_status"),
        ]
        constraints = amount_constraints("orders_summary", refunds=False)

    def __str__(self):
        return self.number

    @property
    def status_label(self) -> str:
        """The status as staff and shoppers read it ("Pending payment"), as the order says it."""
        return Order.Status(self.status).label if self.status in Order.Status.values else self.status


class SandboxCharge(models.Model):
    """The sandbox card gateway's own books (what a real gateway keeps on its side).

    Keyed by the idempotency key that travels with every call, so a retried charge is one charge.
    """

    idempotency_key = ExactCharField(max_length=100, unique=True)
    reference = ExactCharField(max_length=40, unique=True)
    amount = models.DecimalField(**AMOUNT)
    currency = models.CharField(max_length=3)
    status = models.CharField(max_length=12)  # captured, declined, voided
    refunded_amount = models.DecimalField(**AMOUNT, default=0)
    card_last4 = models.CharField(max_length=4)
    created_at = models.DateTimeField(auto_now_add=True)

    def __str__(self):
        return self.reference


class SandboxRefund(models.Model):
    """The sandbox gateway's books of refunds, keyed by the refund's idempotency key."""

    idempotency_key = models.CharField(max_length=100, unique=True)
    charge_reference = models.CharField(max_length=40)
    reference = models.CharField(max_length=40, unique=True)
    amount = models.DecimalField(**AMOUNT)
    created_at = models.DateTimeField(auto_now_add=True)

    def __str__(self):
        return self.reference
