"""The search index: one ``SearchDocument`` and its ``SearchTerm`` rows per active product.

The catalog's commands keep it, inside their own transaction: creating or editing a product
re-indexes it, renaming a manufacturer re-indexes its products, renaming or moving a category
re-indexes the products under it (a category's ancestors are indexed too). ``search_index_rebuild``
(``manage.py search_index_rebuild``) builds it from scratch. Inactive products have no rows: the
index, and the vocabulary built from it, hold only what the shop can show.
"""

from __future__ import annotations

from collections.abc import Iterable

from django.db import transaction

from commerce import telemetry
from commerce.audit.events import record
from commerce.catalog import events
from commerce.catalog.models import Category, Product, SearchDocument, SearchField, SearchTerm
from commerce.catalog.search import vocabulary
from commerce.catalog.search.text import code_term, sort_key, text_terms

#: What a term found in each field weighs; a whole-word match counts twice, a prefix once.
WEIGHTS = {
    SearchField.CODE: 1000,
    SearchField.NAME: 100,
    SearchField.MANUFACTURER: 40,
    SearchField.CATEGORY: 30,
    SearchField.DESCRIPTION: 10,
}
SORT_NAME_LENGTH = SearchDocument._meta.get_field("sort_name").max_length
CHUNK = 500


def document_terms(*, code: str, name: str, manufacturer: str, categories: Iterable[str], description: str) -> dict[str, int]:
    """term -> the best field it is found in (``SearchField``, lower is better)."""
    fields = [
        (SearchField.CODE, {code_term(code)} - {""}),
        (SearchField.NAME, text_terms(name)),
        (SearchField.MANUFACTURER, text_terms(manufacturer)),
        (SearchField.CATEGORY, set().union(*(text_terms(c) for c in categories))),
        (SearchField.DESCRIPTION, text_terms(description)),
    ]
    best: dict[str, int] = {}
    for field, terms in fields:
        for term in terms:
            best.setdefault(term, field)
    return best


def _category_names(products: list[Product]) -> dict[int, list[str]]:
    """category id -> its name and its ancestors' names, from one query."""
    paths = set()
    for product in products:
        path = product.category.path
        paths.update(path[:end] for end in range(Category.steplen, len(path) + 1, Category.steplen))
    names = dict(Category.objects.filter(path__in=paths).values_list("path", "name"))
    out = {}
    for product in products:
        path = product.category.path
        out[product.category_id] = [names[path[:end]] for end in range(Category.steplen, len(path) + 1, Category.steplen)
                                    if path[:end] in names]
    return out


def _index_chunk(product_ids: list[int]) -> int:
    SearchTerm.objects.filter(product_id__in=product_ids).delete()
    SearchDocument.objects.filter(product_id__in=product_ids).delete()
    products = list(
        Product.objects.filter(pk__in=product_ids, is_active=True).select_related("category", "manufacturer").order_by("id")
    )
    if not products:
        return 0
    categories = _category_names(products)
    documents, terms = [], []
    for product in products:
        documents.append(SearchDocument(product_id=product.pk, sort_name=sort_key(product.name, SORT_NAME_LENGTH)))
        found = document_terms(
            code=product.code, name=product.name, manufacturer=product.manufacturer.name,
            categories=categories[product.category_id], description=product.description,
        )
        terms.extend(
            SearchTerm(product_id=product.pk, term=term, field=field, weight=WEIGHTS[field])
            for term, field in sorted(found.items())
        )
    SearchDocument.objects.bulk_create(documents)
    SearchTerm.objects.bulk_create(terms, batch_size=2000)
    return len(products)


def search_index_products(*, product_ids: Iterable[int]) -> int:
    """Bring the index rows of these products up to date (inactive ones lose theirs); returns how
    many are indexed. Runs inside the caller's transaction (a catalog command's), opening none."""
    ids = sorted(set(product_ids))
    indexed = 0
    for start in range(0, len(ids), CHUNK):
        indexed += _index_chunk(ids[start:start + CHUNK])
    if ids:
        vocabulary.invalidate()
    return indexed


def search_index_category(*, category: Category) -> int:
    """Re-index the products of a category and of its sub-categories (its name is in their terms)."""
    ids = Product.objects.filter(category__path__startswith=category.path).values_list("id", flat=True)
    return search_index_products(product_ids=list(ids))


def search_index_manufacturer(*, manufacturer_id: int) -> int:
    ids = Product.objects.filter(manufacturer_id=manufacturer_id).values_list("id", flat=True)
    return search_index_products(product_ids=list(ids))


def search_index_rebuild() -> int:
    """Build the whole index from the catalog, in one transaction; returns the products indexed."""
    with telemetry.command_span("commerce.search_index.rebuild"), transaction.atomic():
        SearchTerm.objects.all().delete()
        SearchDocument.objects.all().delete()
        ids = list(Product.objects.filter(is_active=True).order_by("id").values_list("id", flat=True))
        indexed = search_index_products(product_ids=ids)
        vocabulary.invalidate()
        record(events.SearchIndexRebuilt(products=indexed, terms=SearchTerm.objects.count()))
        return indexed
