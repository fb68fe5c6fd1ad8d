"""The catalog's menu, cached: the category tree and the makers, which every catalog page, its filters
and the navigation bar read, and which change only in the back office.

Kept in the shared cache (Redis in production) under a version key, as the promotions' compiled rules
are: any save or delete of a category or a maker, and a category move (treebeard moves rows with
``UPDATE``, without signals: ``category_move`` bumps), sets a new version now and again on commit, so
no process reads the old tree after the change commits. Within a request each is read once
(``commerce.request_memo``). ``category_paths`` answers the promotions' "which categories is this
product under" from the same tree, without a query.
"""

from __future__ import annotations

import uuid

from django.conf import settings
from django.core.cache import cache
from django.db import transaction
from django.db.models.signals import post_delete, post_save

from commerce.catalog.models import Category, Manufacturer
from commerce.request_memo import remember

VERSION_KEY = "catalog:menu:version"
CATEGORIES_KEY = "catalog:menu:categories"
MANUFACTURERS_KEY = "catalog:menu:manufacturers"


def _version(version_key: str) -> str:
    version = cache.get(version_key)
    if version is None:
        cache.add(version_key, uuid.uuid4().hex, None)
        version = cache.get(version_key)
    return version


def cached(key: str, compute, *, version_key: str = VERSION_KEY):
    """``compute()``'s value, kept in the shared cache while ``version_key`` holds and once per request."""

    def read():
        version = _version(version_key)
        found = cache.get(key)
        if found is not None and found[0] == version:
            return found[1]
        value = compute()
        cache.set(key, (version, value), getattr(settings, "CATALOG_MENU_CACHE_SECONDS", 600))
        return value

    return remember(key, read)


def bump(version_key: str = VERSION_KEY) -> None:
    """What was cached under ``version_key`` is stale from now on, and again when the change commits
    (a page that read the old rows before the commit may have stored them meanwhile)."""
    cache.set(version_key, uuid.uuid4().hex, None)
    transaction.on_commit(lambda: cache.set(version_key, uuid.uuid4().hex, None))


def category_tree() -> list[Category]:
    """Every category in tree order (``depth`` on each): no query while cached."""
    return cached(CATEGORIES_KEY, lambda: list(Category.objects.get_tree()))


def root_categories() -> list[Category]:
    """The top-level categories, by name: the navigation bar."""
    return [c for c in category_tree() if c.depth == 1]


def manufacturers() -> list[Manufacturer]:
    """Every maker (id, name, slug), by name: the catalog's filter."""
    return cached(MANUFACTURERS_KEY, lambda: list(Manufacturer.objects.only("id", "name", "slug")))


def category_paths() -> dict[int, str]:
    """Every category's tree path by id (a category's subtree is the paths starting with its own)."""
    return remember("catalog:menu:paths", lambda: {c.pk: c.path for c in category_tree()})


def menu_cache_bump() -> None:
    """The cached tree and makers are stale from now on, and again when the change commits."""
    bump(VERSION_KEY)


def _changed(sender, **kwargs) -> None:
    menu_cache_bump()


def connect() -> None:
    """Bump on every save and delete of a category or a maker (``CatalogConfig.ready``)."""
    for model in (Category, Manufacturer):
        post_save.connect(_changed, sender=model, dispatch_uid=f"catalog.menu.{model.__name__}.saved")
        post_delete.connect(_changed, sender=model, dispatch_uid=f"catalog.menu.{model.__name__}.deleted")
