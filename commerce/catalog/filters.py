"""Filters of the product list (REST API): what a shopper narrows the catalog by.

Every filter composes onto ``selectors.product_queryset()``, so the list still costs a fixed
number of queries whatever the filters and the page size.
"""

import django_filters
from django import forms
from django.core.validators import MinValueValidator
from django.db.models import Q
from drf_spectacular.utils import extend_schema_field

from commerce.catalog.models import Category, Manufacturer
from commerce.catalog.search.query import RELEVANCE, search_filter, search_interpret
from commerce.forms import AsciiDecimalField
from commerce.parsing import parse_id

MAX_SEARCH_LENGTH = 200


class SlugOrIdChoiceField(forms.ModelChoiceField):
    """A model chosen by its slug or, when the value is a number, by its id."""

    def to_python(self, value):
        if value in self.empty_values:
            return None
        value = str(value).strip()
        match = Q(slug=value)
        pk = parse_id(value)
        if pk is not None:
            match |= Q(pk=pk)
        instance = self.queryset.filter(match).first()
        if instance is None:
            raise forms.ValidationError(self.error_messages["invalid_choice"], code="invalid_choice")
        return instance


class SlugOrIdFilter(django_filters.ModelChoiceFilter):
    field_class = SlugOrIdChoiceField


class StableOrderingFilter(django_filters.OrderingFilter):
    """Ordering with ``id`` as the last key, so pages never repeat or skip a product. ``relevance``
    is the search's order (best match first), the name order when there is no search."""

    def filter(self, qs, value):
        if value and any(v.lstrip("-") == "relevance" for v in value):
            return qs.order_by(*RELEVANCE) if "search_score" in qs.query.annotations else qs.order_by("name", "id")
        qs = super().filter(qs, value)
        if value:
            qs = qs.order_by(*qs.query.order_by, "id")
        return qs


class AsciiNumberFilter(django_filters.NumberFilter):
    """A number in the query string, in the digits 0-9 only (``Decimal("١٢")`` is 12)."""

    field_class = AsciiDecimalField


class ProductFilter(django_filters.FilterSet):
    category = django_filters.ModelChoiceFilter(
        queryset=Category.objects.all(),
        to_field_name="slug",
        method="filter_category",
        help_text="Category slug; products of its sub-categories are included.",
    )
    manufacturer = extend_schema_field({"type": "string", "description": "Manufacturer slug or id."})(
        SlugOrIdFilter(queryset=Manufacturer.objects.all(), field_name="manufacturer")
    )
    min_price = AsciiNumberFilter(
        field_name="price_amount",
        lookup_expr="gte",
        max_digits=12,
        decimal_places=2,
        validators=[MinValueValidator(0)],
        help_text="Lowest price (inclusive), a decimal amount.",
    )
    max_price = AsciiNumberFilter(
        field_name="price_amount",
        lookup_expr="lte",
        max_digits=12,
        decimal_places=2,
        validators=[MinValueValidator(0)],
        help_text="Highest price (inclusive), a decimal amount.",
    )
    in_stock = django_filters.BooleanFilter(
        method="filter_in_stock", help_text="`true`: only products that can be bought now; `false`: only sold-out ones."
    )
    q = django_filters.CharFilter(
        method="filter_q",
        max_length=MAX_SEARCH_LENGTH,
        help_text=(
            "Text search: every word must match the code (whole), the name, the manufacturer, the category or the "
            "description, as a whole word or the start of one, accents and case ignored; a word matching nothing "
            "is corrected to the nearest known word (`search.showing_results_for`). Results come best match first "
            "(code, then name, then the other fields) unless `ordering` says otherwise."
        ),
    )
    ordering = StableOrderingFilter(
        fields=(("name", "name"), ("price_amount", "price"), ("created_at", "created_at"), ("search_score", "relevance")),
        help_text=(
            "Sort by `relevance` (best match first, the default with `q`; `-relevance` is the same), `name` (the "
            "default without `q`), `price` or `created_at`; prefix `-` for descending."
        ),
    )

    #: What the text search meant (``SearchQuery``), None without ``q``: the view reports it.
    search = None

    def filter_category(self, queryset, name, value):
        return queryset.filter(category__path__startswith=value.path)

    def filter_in_stock(self, queryset, name, value):
        return queryset.filter(available__gt=0) if value else queryset.filter(available__lte=0)

    def filter_q(self, queryset, name, value):
        if not value.strip():
            return queryset
        self.search = search_interpret(value)
        return search_filter(queryset, self.search).order_by(*RELEVANCE)
