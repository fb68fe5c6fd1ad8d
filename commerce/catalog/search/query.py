"""Searching the index: what a query means (``search_interpret``), the products it finds, ranked
(``search_filter``), and what to offer when it finds none (``search_fallback``).

A query's words are matched against the vocabulary first, in Python: a word is a whole term, a
prefix of some (``chee`` -> ``cheese``, ``cheeses``), or, when it is neither, a typo corrected to
the nearest term (``chese`` -> ``cheese``: "Showing results for cheese"). A rare word with a much
more frequent neighbour is kept, and that neighbour suggested ("Did you mean ...?"). So the SQL
only ever compares whole terms (``term IN (...)``), byte for byte, alike on every database.

Every word must match a product (in any field). A product's score is, for each word, the weight
of the best field that word was found in (code 1000, name 100, manufacturer 40, category 30,
description 10), doubled for a whole word over a prefix or a correction; ties go by the folded
name, then the id. Stop words are left out; a word found in most descriptions matches through
the other fields only.
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass, replace

from django.core.cache import cache
from django.db.models import Case, Count, ExpressionWrapper, F, IntegerField, OuterRef, Q, QuerySet, Subquery, Value, When
from django.db.models.functions import Coalesce
from django.utils import timezone

from commerce.audit.journey import JourneyAction
from commerce.audit.models import JourneyStep
from commerce.catalog.models import Category, Product, SearchField, SearchTerm
from commerce.catalog.search import vocabulary as vocabularies
from commerce.catalog.search.text import MAX_QUERY_WORDS, STOP_WORDS, query_chunks, text_terms

#: Products listed by relevance: best score first, then by folded name, then id (a total order).
RELEVANCE = ("-search_score", "search_document__sort_name", "id")
PREFIX_MIN_LENGTH = 3  # "c" or "ch" would be a prefix of half the vocabulary
PREFIX_LIMIT = 30  # most frequent terms a prefix expands to
TYPO_MIN_LENGTH = 4
RARE = 2  # a word found in at most this many products may be a typo of a frequent one ...
FREQUENT_FACTOR = 5  # ... found in at least five times more ("Did you mean ...?")
FALLBACK_SIZE = 8


def max_typos(word: str) -> int:
    return 0 if len(word) < TYPO_MIN_LENGTH or word.isdigit() else (1 if len(word) < 8 else 2)


@dataclass(frozen=True)
class Word:
    """A query word as searched: the whole terms it matches and the terms it is a prefix of."""

    typed: str
    term: str  # the word, or its correction
    whole: tuple[str, ...]
    prefixes: tuple[str, ...] = ()
    skip_descriptions: bool = False

    @property
    def corrected(self) -> bool:
        return self.term != self.typed

    def condition(self) -> Q:
        q = Q(term__in=self.whole + self.prefixes)
        if self.skip_descriptions:
            q &= ~Q(field=SearchField.DESCRIPTION)
        return q

    def score(self) -> Subquery:
        """The weight of this word's best match in the product of the outer row (none: NULL)."""
        weight = ExpressionWrapper(F("weight"), output_field=IntegerField())
        points = (
            Case(When(term__in=self.whole, then=weight * 2), default=weight, output_field=IntegerField()) if self.whole else weight
        )
        best = (
            SearchTerm.objects.filter(self.condition(), product_id=OuterRef("pk"))
            .annotate(points=points)
            .order_by("-points")
            .values("points")[:1]
        )
        return Subquery(best, output_field=IntegerField())


@dataclass(frozen=True)
class SearchQuery:
    """What a query means: its words as searched, and what the page says about them."""

    text: str
    words: tuple[Word, ...]
    unmatched: tuple[str, ...] = ()  # words matching no term at all, not even corrected
    suggestion: str = ""  # "Did you mean <suggestion>?"

    @property
    def searchable(self) -> bool:
        """False when nothing could match (no word left, or one matching no term): no SQL needed."""
        return bool(self.words) and not self.unmatched

    @property
    def corrected(self) -> str:
        """The query as searched when a word was corrected ("Showing results for ..."), else ""."""
        if not any(word.corrected for word in self.words) or self.unmatched:
            return ""
        return " ".join(word.term for word in self.words)

    def as_dict(self) -> dict:
        return {"query": self.text, "showing_results_for": self.corrected, "did_you_mean": self.suggestion}


def _word(vocabulary: vocabularies.Vocabulary, typed: str) -> tuple[Word | None, str]:
    """The word as searched (None: it matches nothing), and a suggestion for it ("" for none)."""
    prefixes = tuple(vocabulary.prefixed(typed, limit=PREFIX_LIMIT)) if len(typed) >= PREFIX_MIN_LENGTH else ()
    if vocabulary.knows(typed):
        suggestion = ""
        if vocabulary.frequency[typed] <= RARE and max_typos(typed):
            near = vocabulary.closest(typed, max_distance=1)
            if near and vocabulary.frequency[near[0]] >= FREQUENT_FACTOR * vocabulary.frequency[typed]:
                suggestion = near[0]
        return Word(typed=typed, term=typed, whole=(typed,), prefixes=prefixes), suggestion
    if prefixes:
        return Word(typed=typed, term=typed, whole=(), prefixes=prefixes), ""
    if max_typos(typed):
        near = vocabulary.closest(typed, max_distance=max_typos(typed))
        if near:  # searched as if typed right
            corrected = near[0]
            prefixes = tuple(vocabulary.prefixed(corrected, limit=PREFIX_LIMIT)) if len(corrected) >= PREFIX_MIN_LENGTH else ()
            return Word(typed=typed, term=corrected, whole=(corrected,), prefixes=prefixes), ""
    return None, ""


def _words_of(vocabulary, text: str) -> list[str]:
    """The query's words: a chunk like ``usb-c`` or ``DAI-0001`` stays one word when its joined form
    is a term (``usbc``, a product code), else each of its parts is a word. Stop words go."""
    words: list[str] = []
    for parts in query_chunks(text):
        joined = "".join(parts)
        words.extend([joined] if len(parts) > 1 and vocabulary.knows(joined) else parts)
    kept = [w for w in dict.fromkeys(words) if w not in STOP_WORDS]
    return kept[:MAX_QUERY_WORDS]


def search_interpret(text: str) -> SearchQuery:
    """What ``text`` means against the current vocabulary (no SQL when the vocabulary is cached)."""
    text = " ".join(text.split())
    vocabulary = vocabularies.current()
    words, unmatched, suggestions, changed = [], [], [], False
    for typed in _words_of(vocabulary, text):
        word, suggestion = _word(vocabulary, typed)
        if word is None:
            unmatched.append(typed)
            suggestions.append(typed)
            continue
        if vocabulary.common_in_descriptions(word.term):
            word = replace(word, skip_descriptions=True)
        words.append(word)
        suggestions.append(suggestion or word.term)
        changed = changed or bool(suggestion)
    # A common word found only in descriptions says nothing beside other words: it is dropped; alone
    # (or beside other such words) the descriptions are all it has, so they match.
    meaningful = [w for w in words if not (w.skip_descriptions and _only_in_descriptions(vocabulary, w))]
    words = meaningful or [replace(w, skip_descriptions=False) for w in words]
    return SearchQuery(
        text=text, words=tuple(words), unmatched=tuple(unmatched), suggestion=" ".join(suggestions) if changed else "",
    )


def _only_in_descriptions(vocabulary, word: Word) -> bool:
    return all(vocabulary.description_only.get(t, 0) == vocabulary.frequency.get(t, 0) for t in word.whole + word.prefixes)


def _matching(word: Word):
    return SearchTerm.objects.filter(word.condition()).values("product_id")


def search_filter(queryset: QuerySet[Product], search: SearchQuery) -> QuerySet[Product]:
    """The products of ``queryset`` matching every word, annotated with ``search_score``; order them
    with ``RELEVANCE``. Nothing when the query cannot match."""
    if not search.searchable:
        return queryset.none().annotate(search_score=Value(0))
    for word in search.words:
        queryset = queryset.filter(pk__in=_matching(word))
    return queryset.annotate(search_score=_total(search.words))


def _total(words):
    total = None
    for word in words:
        part = Coalesce(word.score(), Value(0), output_field=IntegerField())
        total = part if total is None else total + part
    return total


@dataclass(frozen=True)
class Fallback:
    """What an empty result offers: products matching some of the words (or popular ones), and the
    categories whose names match a word."""

    related: list[Product]
    popular: list[Product]
    categories: list[Category]


def search_fallback(search: SearchQuery, *, queryset: QuerySet[Product], categories: list[Category],
                    popular_ids: list[int]) -> Fallback:
    """Products for an empty result (a word matching nothing, no product with every word, or filters
    that left none): those of ``queryset`` matching any word, best first; when none does, the
    popular ones. One query, two when none is related."""
    related: list[Product] = []
    if search.words:
        any_word = Q()
        for word in search.words:
            any_word |= Q(pk__in=_matching(word))
        related = list(queryset.filter(any_word).annotate(search_score=_total(search.words)).order_by(*RELEVANCE)[:FALLBACK_SIZE])
    popular: list[Product] = []
    if not related and popular_ids:
        by_id = {p.pk: p for p in queryset.filter(pk__in=popular_ids[:FALLBACK_SIZE])}
        popular = [by_id[pk] for pk in popular_ids if pk in by_id]
    return Fallback(related=related, popular=popular, categories=matching_categories(search, categories))


def matching_categories(search: SearchQuery, categories: list[Category]) -> list[Category]:
    """The categories whose names hold a word of the query (whole, as a prefix, or corrected),
    from the list given (no query)."""
    wanted = {w.term for w in search.words} | set(search.unmatched)
    prefixes = tuple(w.typed for w in search.words if len(w.typed) >= PREFIX_MIN_LENGTH)
    found = []
    for category in categories:
        terms = text_terms(category.name)
        if terms & wanted or any(t.startswith(prefixes) for t in terms if prefixes):
            found.append(category)
    return found[:FALLBACK_SIZE]


POPULAR_KEY = "catalog:search:popular"
POPULAR_TIMEOUT = 600
POPULAR_DAYS = 30


def popular_product_ids() -> list[int]:
    """The most viewed active products of the last 30 days (shopper journey), topped up with the
    newest; cached for ten minutes, so a warm empty result costs no query for it."""
    ids = cache.get(POPULAR_KEY)
    if ids is None:
        since = timezone.now() - datetime.timedelta(days=POPULAR_DAYS)
        viewed = list(
            JourneyStep.objects.filter(action=JourneyAction.PRODUCT_VIEW, occurred_at__gte=since, product_id__isnull=False)
            .values("product_id").annotate(views=Count("id")).order_by("-views", "product_id")
            .values_list("product_id", flat=True)[:FALLBACK_SIZE * 4]
        )
        active = set(Product.objects.filter(pk__in=viewed, is_active=True).values_list("id", flat=True)) if viewed else set()
        ids = [pk for pk in viewed if pk in active][:FALLBACK_SIZE]
        if len(ids) < FALLBACK_SIZE:
            newest = Product.objects.filter(is_active=True).exclude(pk__in=ids).order_by("-created_at", "-id")
            ids += list(newest.values_list("id", flat=True)[:FALLBACK_SIZE - len(ids)])
        cache.set(POPULAR_KEY, ids, POPULAR_TIMEOUT)
    return ids
