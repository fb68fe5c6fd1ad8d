from django.conf import settings
from django.core.validators import MinValueValidator
from django.db import models
from django.db.models import F, Q
from django.urls import reverse
from treebeard.mp_tree import MP_Node

from commerce.db_fields import ExactCharField
from commerce.money import CURRENCY_CHOICES, Money


class Category(MP_Node):
    name = models.CharField(max_length=120)
    slug = models.SlugField(max_length=140, unique=True)
    description = models.TextField(blank=True)
    is_featured = models.BooleanField(default=False, help_text="Shown among the featured categories of the home page.")

    node_order_by = ["name"]

    class Meta:
        verbose_name_plural = "categories"

    def __str__(self):
        return self.name


class Manufacturer(models.Model):
    name = models.CharField(max_length=120, unique=True)
    slug = models.SlugField(max_length=140, unique=True)
    description = models.TextField(blank=True, help_text="Official content shown on product pages.")
    website = models.URLField(blank=True)
    support_email = models.EmailField(blank=True)
    support_phone = models.CharField(max_length=40, blank=True)

    class Meta:
        ordering = ["name"]

    def __str__(self):
        return self.name


class Product(models.Model):
    code = models.CharField(max_length=40, unique=True, help_text="SKU")
    name = models.CharField(max_length=200)
    slug = models.SlugField(max_length=220, unique=True)
    description = models.TextField(blank=True)
    category = models.ForeignKey(Category, on_delete=models.PROTECT, related_name="products")
    manufacturer = models.ForeignKey(Manufacturer, on_delete=models.PROTECT, related_name="products")
    price_amount = models.DecimalField(max_digits=12, decimal_places=2, validators=[MinValueValidator(0)])
    price_currency = models.CharField(max_length=3, choices=CURRENCY_CHOICES, default="EUR")
    is_active = models.BooleanField(default=True)
    is_perishable = models.BooleanField(default=False)
    is_featured = models.BooleanField(default=False, help_text="Shown among the featured products of the home page.")
    weight_kg = models.DecimalField(max_digits=8, decimal_places=3, default=0, validators=[MinValueValidator(0)])
    volume_l = models.DecimalField(max_digits=9, decimal_places=3, default=0, validators=[MinValueValidator(0)])
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["name", "id"]
        constraints = [models.CheckConstraint(condition=Q(price_amount__gte=0), name="catalog_product_price_not_negative")]
        indexes = [
            models.Index(fields=["is_active", "name"], name="catalog_product_active_name"),
            models.Index(fields=["price_amount"], name="catalog_product_price"),
        ]

    def __str__(self):
        return f"{self.name} ({self.code})"

    def get_absolute_url(self):
        return reverse("catalog:product_detail", kwargs={"slug": self.slug})

    @property
    def price(self) -> Money:
        return Money.of(self.price_amount, self.price_currency)

    @property
    def cover_image(self) -> "ProductImage | None":
        """The first picture, from the prefetched ``images`` (``selectors.with_images``) when there."""
        images = list(self.images.all())
        return images[0] if images else None


class ProductImage(models.Model):
    """One picture of a product: the cleaned original and its thumbnails, all in the default storage.

    Written only by ``commerce.catalog.images`` (the files first, then the row, so a row never
    points at a file that was not written). ``thumbnails`` lists the smaller copies the pages use,
    narrowest first: ``[{"name": storage name, "width": ..., "height": ...}]``; the sizes are
    ``images.THUMBNAIL_WIDTHS`` (a copy as wide as the original is not made: the original serves).
    ``position`` orders a product's pictures from 0, without gaps; the first is the cover.
    """

    product = models.ForeignKey(Product, on_delete=models.CASCADE, related_name="images")
    position = models.PositiveIntegerField()
    alt_text = models.CharField(
        max_length=250, blank=True, help_text="What the picture shows, for people who cannot see it."
    )
    original = models.FileField(max_length=255)
    width = models.PositiveIntegerField()
    height = models.PositiveIntegerField()
    thumbnails = models.JSONField(default=list, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["position", "id"]
        constraints = [
            models.UniqueConstraint(fields=["product", "position"], name="catalog_productimage_one_per_position"),
        ]

    def __str__(self):
        return f"Picture {self.position + 1} of product {self.product_id}"

    @property
    def url(self) -> str:
        return self.original.url

    def renditions(self) -> list[dict]:
        """Every size this picture can be served at, narrowest first, each with its URL (the original last)."""
        storage = self.original.storage
        sizes = [{"url": storage.url(t["name"]), "width": t["width"], "height": t["height"]} for t in self.thumbnails]
        if not sizes or self.width > sizes[-1]["width"]:
            sizes.append({"url": self.url, "width": self.width, "height": self.height})
        return sizes

    def srcset(self, max_width: int = 1024) -> str:
        """``srcset`` for an ``<img>``: each size up to ``max_width`` wide (at least the narrowest)."""
        sizes = self.renditions()
        chosen = [s for s in sizes if s["width"] <= max_width] or sizes[:1]
        return ", ".join(f"{s['url']} {s['width']}w" for s in chosen)

    def rendition(self, width: int) -> dict:
        """The narrowest size at least ``width`` wide (the widest there is when none is)."""
        sizes = self.renditions()
        return next((s for s in sizes if s["width"] >= width), sizes[-1])

    def stored_names(self) -> list[str]:
        return [self.original.name, *(t["name"] for t in self.thumbnails)]


class SearchField(models.IntegerChoices):
    """Where a search term was found in a product, best first (a term found in several keeps the best)."""

    CODE = 1, "Code"
    NAME = 2, "Name"
    MANUFACTURER = 3, "Manufacturer"
    CATEGORY = 4, "Category"
    DESCRIPTION = 5, "Description"


class SearchDocument(models.Model):
    """The search index's row of an active product (``commerce.catalog.search``): its name folded
    for sorting, compared byte for byte, so ties sort alike on every database."""

    product = models.OneToOneField(Product, on_delete=models.CASCADE, primary_key=True, related_name="search_document")
    sort_name = ExactCharField(max_length=200)

    def __str__(self):
        return self.sort_name


class SearchTerm(models.Model):
    """One folded term of an active product, with the best field it was found in and that field's
    weight. Kept by the catalog's commands in their transaction; ``manage.py search_index_rebuild``
    builds it from scratch."""

    product = models.ForeignKey(Product, on_delete=models.CASCADE, related_name="search_terms", db_index=False)
    term = ExactCharField(max_length=40)
    field = models.PositiveSmallIntegerField(choices=SearchField.choices)
    weight = models.PositiveSmallIntegerField()

    class Meta:
        constraints = [models.UniqueConstraint(fields=["product", "term"], name="catalog_searchterm_product_term")]
        indexes = [models.Index(fields=["term", "product"], name="catalog_searchterm_term")]

    def __str__(self):
        return f"{self.term} ({self.get_field_display()}) of {self.product_id}"


class StockBatch(models.Model):
    product = models.ForeignKey(Product, on_delete=models.PROTECT, related_name="batches")
    batch_number = models.CharField(max_length=60, unique=True)
    quantity_received = models.PositiveIntegerField()
    quantity_on_hand = models.PositiveIntegerField()
    quantity_reserved = models.PositiveIntegerField(default=0)
    received_at = models.DateField()
    expires_on = models.DateField(null=True, blank=True)
    location = models.CharField(max_length=40, default="MAIN", help_text="Warehouse code")

    class Meta:
        verbose_name_plural = "stock batches"
        ordering = ["product_id", "received_at", "id"]
        constraints = [
            models.CheckConstraint(condition=Q(quantity_reserved__lte=F("quantity_on_hand")), name="catalog_batch_reserved_le_on_hand"),
        ]
        indexes = [
            models.Index(fields=["product", "received_at"], name="catalog_batch_fifo"),
            models.Index(fields=["product", "expires_on"], name="catalog_batch_fefo"),
            models.Index(fields=["expires_on"], name="catalog_batch_expiry"),
        ]

    def __str__(self):
        return self.batch_number

    @property
    def quantity_available(self) -> int:
        return self.quantity_on_hand - self.quantity_reserved


class StockReservation(models.Model):
    class Status(models.TextChoices):
        ACTIVE = "active", "Active"
        RELEASED = "released", "Released"
        CONSUMED = "consumed", "Consumed"

    reference = models.CharField(max_length=80, db_index=True, help_text="What holds the stock, e.g. order:A1B2C3")
    product = models.ForeignKey(Product, on_delete=models.PROTECT, related_name="reservations")
    quantity = models.PositiveIntegerField()
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.ACTIVE)
    created_at = models.DateTimeField(auto_now_add=True)
    closed_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["id"]
        indexes = [models.Index(fields=["status", "created_at"], name="catalog_reservation_status")]

    def __str__(self):
        return f"{self.quantity} x {self.product_id} for {self.reference} ({self.status})"


class ReservationAllocation(models.Model):
    """Which batch a reservation took its units from: the root of batch traceability."""

    reservation = models.ForeignKey(StockReservation, on_delete=models.CASCADE, related_name="allocations")
    batch = models.ForeignKey(StockBatch, on_delete=models.PROTECT, related_name="allocations")
    quantity = models.PositiveIntegerField()

    class Meta:
        ordering = ["id"]

    def __str__(self):
        return f"{self.quantity} of {self.batch_id} for reservation {self.reservation_id}"


class StockMovement(models.Model):
    """The append-only stock ledger: its sums equal every batch's counters."""

    class Kind(models.TextChoices):
        RECEIPT = "receipt", "Receipt"
        ADJUSTMENT = "adjustment", "Adjustment"
        RESERVATION = "reservation", "Reservation"
        RELEASE = "release", "Release"
        CONSUMPTION = "consumption", "Consumption"
        RETURN = "return", "Return"

    batch = models.ForeignKey(StockBatch, on_delete=models.PROTECT, related_name="movements")
    kind = models.CharField(max_length=12, choices=Kind.choices)
    on_hand_delta = models.IntegerField(default=0)
    reserved_delta = models.IntegerField(default=0)
    reference = models.CharField(max_length=80, blank=True)
    reason = models.CharField(max_length=200, blank=True)
    actor_repr = models.CharField(max_length=150, blank=True)
    occurred_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["id"]
        indexes = [models.Index(fields=["batch", "id"], name="catalog_movement_batch")]

    def __str__(self):
        return f"{self.kind} {self.batch_id} {self.on_hand_delta:+}/{self.reserved_delta:+}"


class StockAlert(models.Model):
    """A shopper's "notify me when it is back in stock": one row per product and address, mailed once a round.

    A customer's own address is waiting at once; a guest's address waits for its confirmation link
    (the address is proved by reading it). When stock returns, every waiting alert of the product is
    mailed once and marked sent; subscribing again after that starts a new ``round`` (its own mail).
    """

    class Status(models.TextChoices):
        PENDING = "pending", "Awaiting confirmation"
        WAITING = "waiting", "Waiting for stock"
        SENT = "sent", "Sent"
        CANCELLED = "cancelled", "Unsubscribed"

    product = models.ForeignKey(Product, on_delete=models.CASCADE, related_name="stock_alerts")
    # Stored stripped and lower case, compared byte for byte on every backend.
    email = ExactCharField(max_length=254)
    customer = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="stock_alerts",
    )
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.PENDING)
    round = models.PositiveIntegerField(default=1, help_text="Which subscription of this address this is: one mail each.")
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)
    confirmed_at = models.DateTimeField(null=True, blank=True)
    sent_at = models.DateTimeField(null=True, blank=True)
    cancelled_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-id"]
        constraints = [models.UniqueConstraint(fields=["product", "email"], name="catalog_stockalert_one_per_address")]
        indexes = [models.Index(fields=["product", "status"], name="catalog_stockalert_waiting")]

    def __str__(self):
        return f"{self.email} for {self.product_id} ({self.status})"
