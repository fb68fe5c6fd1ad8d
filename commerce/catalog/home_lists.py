"""The merchandised home's product lists (featured, new arrivals), in one query for both.

Which products they are changes only when a product does (``is_featured``, ``is_active``, a new
product), so their ids are cached (``menu.cached``, under a version every product save or delete
bumps); the rows themselves, with the stock that decides "new arrivals can be bought now", are read
fresh on each page, in one query for both lists (plus one for their pictures). New arrivals are taken
from a window of the newest products; when fewer than the page shows are in stock in that window,
the list is asked of the database as before (two more queries), so it is never short.
"""

from __future__ import annotations

from django.db.models.signals import post_delete, post_save

from commerce.catalog import menu, selectors
from commerce.catalog.models import Product

VERSION_KEY = "catalog:home:version"
IDS_KEY = "catalog:home:ids"
NEW_WINDOW = 3  # times the list's size: the newest products looked at for new arrivals in stock


def _ids(limit: int) -> tuple[list[int], list[int]]:
    active = Product.objects.filter(is_active=True)
    featured = list(active.filter(is_featured=True).order_by("name", "id").values_list("pk", flat=True)[:limit])
    newest = list(active.order_by("-created_at", "-id").values_list("pk", flat=True)[: limit * NEW_WINDOW])
    return featured, newest


def home_lists(*, limit: int = 8) -> tuple[list[Product], list[Product]]:
    """The featured products (by name, in stock or not) and the new arrivals in stock (newest first), with
    ``available`` and their pictures: two queries for both lists, no more while the ids are cached."""
    featured_ids, newest_ids = menu.cached(f"{IDS_KEY}:{limit}", lambda: _ids(limit), version_key=VERSION_KEY)
    rows = {p.pk: p for p in selectors.with_images(selectors.product_queryset().filter(pk__in={*featured_ids, *newest_ids}))}
    featured = [rows[pk] for pk in featured_ids if pk in rows]
    new = [rows[pk] for pk in newest_ids if pk in rows and rows[pk].available > 0][:limit]
    if len(new) < limit and len(newest_ids) == limit * NEW_WINDOW:
        new = list(selectors.with_images(selectors.new_arrivals(limit=limit)))  # more beyond the window may be in stock
    return featured, new


def _changed(sender, **kwargs) -> None:
    menu.bump(VERSION_KEY)


def connect() -> None:
    """Bump on every save and delete of a product (``CatalogConfig.ready``)."""
    post_save.connect(_changed, sender=Product, dispatch_uid="catalog.home_lists.product.saved")
    post_delete.connect(_changed, sender=Product, dispatch_uid="catalog.home_lists.product.deleted")
