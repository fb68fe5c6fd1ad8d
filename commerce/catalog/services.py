"""Catalog commands: products and their prices. Stock commands live in ``inventory``."""

from django.db import transaction
from django.utils.text import slugify

from commerce import telemetry
from commerce.audit.events import record
from commerce.catalog import events
from commerce.catalog.errors import ProductNotFound
from commerce.catalog.models import Category, Manufacturer, Product
from commerce.money import Money
from commerce.validation import full_clean_or_raise

EDITABLE_FIELDS = (
    "name", "slug", "description", "category", "manufacturer", "price_amount", "price_currency",
    "is_active", "is_perishable", "weight_kg", "volume_l", "image_url",
)


def _event_value(value):
    return value.pk if hasattr(value, "pk") else (str(value) if value is not None and not isinstance(value, (bool, int, str)) else value)


def category_create(*, name: str, slug: str = "", parent: Category | None = None, description: str = "") -> Category:
    with transaction.atomic():
        fields = {"name": name, "slug": slug or slugify(name)[:140], "description": description}
        probe = Category(**fields, depth=1, path="0000")
        full_clean_or_raise(probe, exclude=["path", "depth", "numchild"], message="The category is not valid.")
        if parent is None:
            category = Category.objects.add_root(create_kwargs=fields)
        else:
            category = Category.objects.add_child(parent, create_kwargs=fields)
        record(events.CategoryCreated(category_id=category.pk, name=category.name, parent_id=parent.pk if parent else None))
        return category


def manufacturer_create(*, name: str, slug: str = "", **fields) -> Manufacturer:
    with transaction.atomic():
        manufacturer = Manufacturer(name=name, slug=slug or slugify(name)[:140], **fields)
        full_clean_or_raise(manufacturer, message="The manufacturer is not valid.")
        manufacturer.save()
        record(events.ManufacturerCreated(manufacturer_id=manufacturer.pk, name=manufacturer.name))
        return manufacturer


def product_create(*, code: str, name: str, category, manufacturer, price: Money, slug: str = "", **fields) -> Product:
    unknown = set(fields) - set(EDITABLE_FIELDS)
    if unknown:
        raise TypeError(f"Unknown product fields: {sorted(unknown)}")
    with telemetry.command_span("commerce.product.create"), transaction.atomic():
        product = Product(
            code=code,
            name=name,
            slug=slug or slugify(f"{name}-{code}")[:220],
            category=category,
            manufacturer=manufacturer,
            price_amount=price.rounded().amount,
            price_currency=price.currency,
            **fields,
        )
        full_clean_or_raise(product, message="The product is not valid.")
        product.save()
        record(events.ProductCreated(product_id=product.pk, code=product.code, name=product.name, price=product.price.as_dict()))
        return product


def product_update(*, product: Product | int, data: dict) -> Product:
    """Change a product's fields; a price change is its own event (``catalog.product.price_changed``)."""
    unknown = set(data) - set(EDITABLE_FIELDS)
    if unknown:
        raise TypeError(f"Unknown product fields: {sorted(unknown)}")
    product_id = product.pk if isinstance(product, Product) else product
    with telemetry.command_span("commerce.product.update", attributes={"product.id": product_id}), transaction.atomic():
        current = Product.objects.select_for_update().filter(pk=product_id).first()
        if current is None:
            raise ProductNotFound("No such product.")
        old_price = current.price
        changes = {}
        for field, value in data.items():
            before = getattr(current, field)
            if before != value:
                changes[field] = {"before": _event_value(before), "after": _event_value(value)}
                setattr(current, field, value)
        if not changes:
            return current
        full_clean_or_raise(current, message="The product is not valid.")
        current.save()
        new_price = current.price
        if new_price != old_price:
            record(events.ProductPriceChanged(product_id=current.pk, old_price=old_price.as_dict(), new_price=new_price.as_dict()))
        other = {k: v for k, v in changes.items() if k not in ("price_amount", "price_currency")}
        if other:
            record(events.ProductUpdated(product_id=current.pk, changes=other))
        return current
