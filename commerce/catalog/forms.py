"""The shop's catalog forms: they check the shape of a shopper's input, nothing more."""

from decimal import Decimal

from django import forms

from commerce.catalog.models import Category, Manufacturer
from commerce.forms import AsciiDecimalField

MAX_QUERY_LENGTH = 100
PAGE_SIZES = (12, 24, 48)
DEFAULT_PAGE_SIZE = 24
INDENT = "\u2014 "  # sub-categories in the select, one dash per level

# Ordering choice -> ORDER BY; "id" last makes every ordering total, so pages never overlap.
# "relevance" is the default of a search (``commerce.catalog.search.query.RELEVANCE``); without a
# query it is the name order.
ORDERINGS = {
    "name": ("name", "id"),
    "price": ("price_amount", "name", "id"),
    "-price": ("-price_amount", "name", "id"),
    "newest": ("-created_at", "-id"),
}
RELEVANCE = "relevance"
ORDERING_CHOICES = [
    (RELEVANCE, "Best match"),
    ("name", "Name"),
    ("price", "Price: low to high"),
    ("-price", "Price: high to low"),
    ("newest", "Newest"),
]


class ProductFilterForm(forms.Form):
    """The catalog's GET form: search, filters, ordering and page size.

    Categories and manufacturers are chosen by slug (readable, stable URLs). Their choices are
    built from rows the view has already loaded, so the form adds no queries of its own.
    """

    q = forms.CharField(label="Search", required=False, max_length=MAX_QUERY_LENGTH, strip=True)
    category = forms.ChoiceField(label="Category", required=False)
    manufacturer = forms.ChoiceField(label="Manufacturer", required=False)
    min_price = AsciiDecimalField(label="Min price", required=False, min_value=Decimal(0), max_digits=12, decimal_places=2)
    max_price = AsciiDecimalField(label="Max price", required=False, min_value=Decimal(0), max_digits=12, decimal_places=2)
    in_stock = forms.BooleanField(label="In stock only", required=False)
    sort = forms.ChoiceField(label="Sort by", required=False, choices=ORDERING_CHOICES)
    per_page = forms.TypedChoiceField(
        label="Per page", required=False, coerce=int, choices=[(str(n), str(n)) for n in PAGE_SIZES], empty_value=DEFAULT_PAGE_SIZE
    )

    def __init__(self, data=None, *, categories: list[Category], manufacturers: list[Manufacturer], **kwargs):
        super().__init__(data, **kwargs)
        self.fields["category"].choices = [("", "All categories")] + [
            (c.slug, f"{INDENT * (c.depth - 1)}{c.name}") for c in categories
        ]
        self.fields["manufacturer"].choices = [("", "All manufacturers")] + [(m.slug, m.name) for m in manufacturers]
        self._categories = {c.slug: c for c in categories}
        self._manufacturers = {m.slug: m for m in manufacturers}

    def clean_category(self) -> Category | None:
        slug = self.cleaned_data.get("category")
        return self._categories.get(slug) if slug else None

    def clean_manufacturer(self) -> Manufacturer | None:
        slug = self.cleaned_data.get("manufacturer")
        return self._manufacturers.get(slug) if slug else None

    def clean_sort(self) -> str:
        """The order chosen; by default the best match first when searching, else by name."""
        chosen = self.cleaned_data.get("sort") or RELEVANCE
        if chosen == RELEVANCE and not (self.data.get("q") or "").strip():
            return "name"
        return chosen

    def clean(self):
        cleaned = super().clean()
        low, high = cleaned.get("min_price"), cleaned.get("max_price")
        if low is not None and high is not None and low > high:
            self.add_error("max_price", "The maximum price must not be below the minimum price.")
        return cleaned
