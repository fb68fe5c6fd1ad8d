"""Catalog commands: products and their prices. Stock commands live in ``inventory``."""

from django.db import transaction
from django.utils.text import slugify

from commerce import telemetry
from commerce.audit.events import record
from commerce.catalog import events
from commerce.catalog.errors import CategoryNotFound, InvalidCategoryMove, ManufacturerNotFound, ProductNotFound
from commerce.catalog.menu import menu_cache_bump
from commerce.catalog.models import Category, Manufacturer, Product
from commerce.catalog.search.index import search_index_category, search_index_manufacturer, search_index_products
from commerce.locks import Kind, lock_one
from commerce.money import Money
from commerce.validation import full_clean_or_raise

EDITABLE_FIELDS = (
    "name", "slug", "description", "category", "manufacturer", "price_amount", "price_currency",
    "is_active", "is_perishable", "is_featured", "weight_kg", "volume_l",
)
#: The product fields the search index reads (an edit of one of them re-indexes the product).
SEARCHED_FIELDS = frozenset({"name", "description", "category", "manufacturer", "is_active"})


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
        search_index_products(product_ids=[product.pk])
        record(events.ProductCreated(product_id=product.pk, code=product.code, name=product.name, price=product.price.as_dict()))
        return product


def product_update(*, product: Product | int, data: dict) -> Product:
    """Change a product's fields; a price change is its own event (``catalog.product.price_changed``)."""
    unknown = set(data) - set(EDITABLE_FIELDS)
    if unknown:
        raise TypeError(f"Unknown product fields: {sorted(unknown)}")
    product_id = product.pk if isinstance(product, Product) else product
    with telemetry.command_span("commerce.product.update", attributes={"product.id": product_id}), transaction.atomic():
        current = lock_one(Kind.PRODUCT, Product.objects.filter(pk=product_id))
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
        if SEARCHED_FIELDS & set(changes):
            search_index_products(product_ids=[current.pk])
        new_price = current.price
        if new_price != old_price:
            record(events.ProductPriceChanged(product_id=current.pk, old_price=old_price.as_dict(), new_price=new_price.as_dict()))
        other = {k: v for k, v in changes.items() if k not in ("price_amount", "price_currency")}
        if other:
            record(events.ProductUpdated(product_id=current.pk, changes=other))
        return current


# --- category and manufacturer edits (Admin) -----------------------------------------------------
CATEGORY_FIELDS = ("name", "slug", "description", "is_featured")
MANUFACTURER_FIELDS = ("name", "slug", "description", "website", "support_email", "support_phone")


def _category_for_update(category: Category | int) -> Category:
    category_id = category.pk if isinstance(category, Category) else category
    current = lock_one(Kind.CATEGORY, Category.objects.filter(pk=category_id))
    if current is None:
        raise CategoryNotFound("No such category.")
    return current


def _resort(category: Category) -> None:
    """Put a node back at its sorted place among its siblings (``node_order_by`` = name)."""
    parent = Category.objects.get_parent(category)
    if parent is None:
        Category.objects.move(category, Category.objects.get_first_root_node(), pos="sorted-sibling")
    else:
        Category.objects.move(category, parent, pos="sorted-child")


def category_update(*, category: Category | int, data: dict) -> Category:
    """Change a category's name, slug, description or place on the home page; a renamed category keeps its sorted place."""
    unknown = set(data) - set(CATEGORY_FIELDS)
    if unknown:
        raise TypeError(f"Unknown category fields: {sorted(unknown)}")
    with transaction.atomic():
        current = _category_for_update(category)
        changes = {}
        for field, value in data.items():
            if getattr(current, field) != value:
                changes[field] = {"before": getattr(current, field), "after": value}
                setattr(current, field, value)
        if not changes:
            return current
        full_clean_or_raise(current, exclude=["path", "depth", "numchild"], message="The category is not valid.")
        current.save()
        if "name" in changes:
            _resort(current)
            current.refresh_from_db()
            search_index_category(category=current)
        record(events.CategoryUpdated(category_id=current.pk, changes=changes))
        return current


def category_move(*, category: Category | int, parent: Category | None) -> Category:
    """Move a category (with its subtree) under ``parent``, or to the top level when ``parent`` is None."""
    with transaction.atomic():
        current = _category_for_update(category)
        old_parent = Category.objects.get_parent(current)
        old_parent_id = old_parent.pk if old_parent else None
        new_parent_id = parent.pk if parent else None
        if old_parent_id == new_parent_id:
            return current
        if parent is not None:
            parent = Category.objects.filter(pk=parent.pk).first()
            if parent is None:
                raise CategoryNotFound("No such parent category.")
            if parent.path.startswith(current.path):
                raise InvalidCategoryMove(
                    "A category cannot move under itself or one of its subcategories.",
                    fields={"parent": ["Choose a category outside this one's subtree."]},
                )
            Category.objects.move(current, parent, pos="sorted-child")
        else:
            Category.objects.move(current, Category.objects.get_first_root_node(), pos="sorted-sibling")
        current.refresh_from_db()
        menu_cache_bump()  # treebeard moves rows with UPDATE: no signal tells the cached tree
        search_index_category(category=current)  # its products' category terms include the ancestors
        record(events.CategoryMoved(category_id=current.pk, old_parent_id=old_parent_id, new_parent_id=new_parent_id))
        return current


def manufacturer_update(*, manufacturer: Manufacturer | int, data: dict) -> Manufacturer:
    """Change a manufacturer's official content (description, website, support contact) or name."""
    unknown = set(data) - set(MANUFACTURER_FIELDS)
    if unknown:
        raise TypeError(f"Unknown manufacturer fields: {sorted(unknown)}")
    manufacturer_id = manufacturer.pk if isinstance(manufacturer, Manufacturer) else manufacturer
    with transaction.atomic():
        current = lock_one(Kind.MANUFACTURER, Manufacturer.objects.filter(pk=manufacturer_id))
        if current is None:
            raise ManufacturerNotFound("No such manufacturer.")
        changes = {}
        for field, value in data.items():
            if getattr(current, field) != value:
                changes[field] = {"before": getattr(current, field), "after": value}
                setattr(current, field, value)
        if not changes:
            return current
        full_clean_or_raise(current, message="The manufacturer is not valid.")
        current.save()
        if "name" in changes:
            search_index_manufacturer(manufacturer_id=current.pk)
        record(events.ManufacturerUpdated(manufacturer_id=current.pk, changes=changes))
        return current
