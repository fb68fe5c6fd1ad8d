"""Catalog queries. List queries cost a fixed number of SQL statements whatever the page size."""

import datetime
from dataclasses import dataclass

from django.conf import settings
from django.db.models import Count, F, IntegerField, OuterRef, Prefetch, QuerySet, Subquery, Sum, Value
from django.db.models.functions import Coalesce
from django.utils import timezone

from commerce.catalog.errors import ProductImageNotFound, ProductNotFound, StockAlertNotFound
from commerce.catalog.inventory import sellable_batches_q
from commerce.catalog.models import Category, Product, ProductImage, StockAlert, StockBatch, StockMovement
from commerce.catalog.search.query import SearchQuery, search_filter


def _available_subquery():
    return Coalesce(
        Subquery(
            StockBatch.objects.filter(sellable_batches_q(), product=OuterRef("pk"))
            .values("product")
            .annotate(total=Sum(F("quantity_on_hand") - F("quantity_reserved")))
            .values("total")[:1],
            output_field=IntegerField(),
        ),
        Value(0),
    )


def product_queryset(*, include_inactive: bool = False) -> QuerySet[Product]:
    qs = Product.objects.select_related("category", "manufacturer").annotate(available=_available_subquery())
    if not include_inactive:
        qs = qs.filter(is_active=True)
    return qs


def with_images(products: QuerySet[Product]) -> QuerySet[Product]:
    """The products with their pictures in order, in one more query for any number of products
    (``product.images.all()``, ``product.cover_image`` then read no more)."""
    return products.prefetch_related(Prefetch("images", queryset=ProductImage.objects.order_by("position", "id")))


def product_list(
    *,
    category: Category | None = None,
    manufacturer_id: int | None = None,
    search: SearchQuery | None = None,
    min_price=None,
    max_price=None,
    in_stock: bool | None = None,
    include_inactive: bool = False,
) -> QuerySet[Product]:
    qs = product_queryset(include_inactive=include_inactive)
    if category is not None:
        qs = qs.filter(category__path__startswith=category.path)
    if manufacturer_id is not None:
        qs = qs.filter(manufacturer_id=manufacturer_id)
    if search is not None:
        qs = search_filter(qs, search)  # annotated with search_score; order by search.query.RELEVANCE
    if min_price is not None:
        qs = qs.filter(price_amount__gte=min_price)
    if max_price is not None:
        qs = qs.filter(price_amount__lte=max_price)
    if in_stock is True:
        qs = qs.filter(available__gt=0)
    elif in_stock is False:
        qs = qs.filter(available__lte=0)
    return qs


def product_get(*, slug: str | None = None, pk: int | None = None, include_inactive: bool = False,
                alert_of=None) -> Product:
    """An active product (or any, ``include_inactive``) by slug or id, with ``available``. ``alert_of`` (a
    logged-in shopper) adds ``my_alert_email``: the address of their stock alert still to be mailed (or None),
    read in the same query, so the product page asks nothing more for it."""
    qs = product_queryset(include_inactive=include_inactive)
    if alert_of is not None and alert_of.is_authenticated:
        alerts = StockAlert.objects.filter(product=OuterRef("pk"), customer_id=alert_of.pk,
                                           status__in=(StockAlert.Status.PENDING, StockAlert.Status.WAITING))
        qs = qs.annotate(my_alert_email=Subquery(alerts.order_by("-id").values("email")[:1]))
    product = qs.filter(slug=slug).first() if slug is not None else qs.filter(pk=pk).first()
    if product is None:
        raise ProductNotFound("No such product.")
    return product


def product_image_get(*, product_id: int, image_id: int) -> ProductImage:
    image = ProductImage.objects.filter(pk=image_id, product_id=product_id).first()
    if image is None:
        raise ProductImageNotFound("No such picture of this product.")
    return image


def featured_products(*, limit: int = 8) -> QuerySet[Product]:
    """The products merchandisers put on the home page (``is_featured``), by name; in stock or not."""
    return product_queryset().filter(is_featured=True).order_by("name", "id")[:limit]


def new_arrivals(*, limit: int = 8) -> QuerySet[Product]:
    """The newest products for sale that can be bought now: the home page's "New in"."""
    return product_queryset().filter(available__gt=0).order_by("-created_at", "-id")[:limit]


def category_tree() -> list[Category]:
    """Every category in tree order (depth on each node): one query."""
    return list(Category.objects.get_tree())


def category_get(*, slug: str) -> Category | None:
    return Category.objects.filter(slug=slug).first()


def category_descendant_ids(category: Category) -> list[int]:
    return list(Category.objects.filter(path__startswith=category.path).values_list("id", flat=True))


def near_expiry_batches(*, days: int | None = None, today: datetime.date | None = None) -> QuerySet[StockBatch]:
    today = today or timezone.localdate()
    days = settings.NEAR_EXPIRY_DAYS if days is None else days
    return (
        StockBatch.objects.select_related("product")
        .filter(expires_on__isnull=False, expires_on__lte=today + datetime.timedelta(days=days), quantity_on_hand__gt=0)
        .order_by("expires_on", "id")
    )


def low_stock_products(*, threshold: int, limit: int = 5) -> tuple[int, list[Product]]:
    """Active products with at most ``threshold`` sellable units (out of stock included): how many,
    and the ``limit`` with the fewest. Two queries."""
    qs = product_queryset().filter(available__lte=threshold)
    return qs.count(), list(qs.order_by("available", "name", "id")[:limit])


def near_expiry_summary(*, today: datetime.date, limit: int = 5) -> tuple[int, int, list[StockBatch]]:
    """Batches still sellable today that expire within ``NEAR_EXPIRY_DAYS``: how many, their units
    on hand, and the ``limit`` expiring first. Two queries."""
    qs = near_expiry_batches(today=today).filter(expires_on__gt=today)
    totals = qs.aggregate(batches=Count("id"), units=Sum("quantity_on_hand"))
    return totals["batches"], totals["units"] or 0, list(qs[:limit])


@dataclass(frozen=True)
class Drift:
    batch_number: str
    counter: str
    recorded: int
    ledger: int


def stock_reconcile() -> list[Drift]:
    """Compare every batch's counters with the sums of its ledger; return each disagreement."""
    sums = {
        row["batch_id"]: row
        for row in StockMovement.objects.values("batch_id").annotate(on_hand=Sum("on_hand_delta"), reserved=Sum("reserved_delta"))
    }
    drifts = []
    for batch in StockBatch.objects.only("id", "batch_number", "quantity_on_hand", "quantity_reserved").order_by("id").iterator():
        row = sums.get(batch.pk, {"on_hand": 0, "reserved": 0})
        if (row["on_hand"] or 0) != batch.quantity_on_hand:
            drifts.append(Drift(batch.batch_number, "on_hand", batch.quantity_on_hand, row["on_hand"] or 0))
        if (row["reserved"] or 0) != batch.quantity_reserved:
            drifts.append(Drift(batch.batch_number, "reserved", batch.quantity_reserved, row["reserved"] or 0))
    return drifts


def stock_alert_list(
    *, customer_id: int | None = None, product_id: int | None = None, status: str | None = None, email: str | None = None,
) -> QuerySet[StockAlert]:
    """Back-in-stock alerts, newest first, with their product: a customer's own (``customer_id``) or, for
    staff, all of them, filtered. Two queries a page (the count and the page) at any size."""
    alerts = StockAlert.objects.select_related("product").order_by("-id")
    if customer_id is not None:
        alerts = alerts.filter(customer_id=customer_id)
    if product_id is not None:
        alerts = alerts.filter(product_id=product_id)
    if status:
        alerts = alerts.filter(status=status)
    if email:
        alerts = alerts.filter(email=email.strip().lower())
    return alerts


def stock_alert_get(*, alert_id: int, customer_id: int) -> StockAlert:
    """A customer's own alert; another's, or none, is ``StockAlertNotFound`` alike."""
    alert = StockAlert.objects.select_related("product").filter(pk=alert_id, customer_id=customer_id).first()
    if alert is None:
        raise StockAlertNotFound("No such alert.")
    return alert
