"""The catalog's search vocabulary: every indexed term with the number of products it is found in.

Searches read it to expand a prefix into whole terms, to correct a typo (edit distance, with
rapidfuzz) and to tell a word found in most descriptions from a meaningful one. It is built from
the index with two queries, cached (``VERSION_KEY`` names the current build; each process also
keeps the last build it used, so a warm search costs one cache read and no SQL), and invalidated
by every index change: at once, and again after the change commits, so a search that rebuilt it
from not yet committed rows in between is not kept.
"""

from __future__ import annotations

import bisect
import uuid
from dataclasses import dataclass

from django.core.cache import cache
from django.db import transaction
from django.db.models import Count
from rapidfuzz import process
from rapidfuzz.distance import OSA

VERSION_KEY = "catalog:search:version"
TIMEOUT = 24 * 3600
#: A word found in the descriptions of more than this share of the products does not match through
#: descriptions ("lyon", "fresh"): it would drag a large part of the catalog in.
COMMON_SHARE = 0.25
#: ... once the catalog has at least this many products (in a tiny catalog every word is common).
COMMON_MIN_PRODUCTS = 40


@dataclass(frozen=True)
class Vocabulary:
    products: int
    terms: tuple[str, ...]  # sorted, for prefixes
    frequency: dict[str, int]  # term -> products it is found in
    description_only: dict[str, int]  # term -> products it is found in only through their description
    by_length: dict[int, tuple[str, ...]]  # length -> terms of that length, most frequent first

    @classmethod
    def of(cls, *, products: int, rows: list[tuple[str, int, int]], description_field: int) -> Vocabulary:
        """From ``(term, field, products)`` rows."""
        frequency: dict[str, int] = {}
        description_only: dict[str, int] = {}
        for term, field, count in rows:
            frequency[term] = frequency.get(term, 0) + count
            if field == description_field:
                description_only[term] = count
        by_length: dict[int, list[str]] = {}
        for term in sorted(frequency, key=lambda t: (-frequency[t], t)):
            by_length.setdefault(len(term), []).append(term)
        return cls(
            products=products,
            terms=tuple(sorted(frequency)),
            frequency=frequency,
            description_only=description_only,
            by_length={length: tuple(terms) for length, terms in by_length.items()},
        )

    def knows(self, term: str) -> bool:
        return term in self.frequency

    def prefixed(self, prefix: str, *, limit: int) -> list[str]:
        """The ``limit`` most frequent terms that start with ``prefix`` (not ``prefix`` itself)."""
        start = bisect.bisect_right(self.terms, prefix)
        found = []
        for term in self.terms[start:]:
            if not term.startswith(prefix):
                break
            found.append(term)
        found.sort(key=lambda t: (-self.frequency[t], t))
        return found[:limit]

    def closest(self, word: str, *, max_distance: int) -> tuple[str, int] | None:
        """The known term other than ``word`` nearest it within ``max_distance`` edits (a swap of
        neighbours is one), the most frequent of the nearest; None when there is none."""
        candidates = [
            t for n in range(len(word) - max_distance, len(word) + max_distance + 1) for t in self.by_length.get(n, ()) if t != word
        ]
        if not candidates:
            return None
        matches = process.extract(word, candidates, scorer=OSA.distance, score_cutoff=max_distance, limit=20)
        if not matches:
            return None
        term, distance, _ = min(matches, key=lambda m: (m[1], -self.frequency[m[0]], m[0]))
        return term, int(distance)

    def common_in_descriptions(self, term: str) -> bool:
        if self.products < COMMON_MIN_PRODUCTS:
            return False
        return self.description_only.get(term, 0) > COMMON_SHARE * self.products


_memo: tuple[str, Vocabulary] | None = None


def _version() -> str:
    version = cache.get(VERSION_KEY)
    if version is None:
        cache.add(VERSION_KEY, uuid.uuid4().hex, TIMEOUT)
        version = cache.get(VERSION_KEY) or "uncached"
    return version


def build() -> Vocabulary:
    """The vocabulary as the index holds it now: two queries."""
    from commerce.catalog.models import SearchDocument, SearchField, SearchTerm

    rows = list(SearchTerm.objects.order_by().values_list("term", "field").annotate(n=Count("product_id")))
    return Vocabulary.of(products=SearchDocument.objects.count(), rows=rows, description_field=SearchField.DESCRIPTION)


def current() -> Vocabulary:
    """The vocabulary of the current index: this process's copy, the cache's, or a new build."""
    global _memo
    version = _version()
    if _memo is not None and _memo[0] == version:
        return _memo[1]
    key = f"catalog:search:vocabulary:{version}"
    vocabulary = cache.get(key)
    if vocabulary is None:
        vocabulary = build()
        cache.set(key, vocabulary, TIMEOUT)
    _memo = (version, vocabulary)
    return vocabulary


def _bump() -> None:
    cache.set(VERSION_KEY, uuid.uuid4().hex, TIMEOUT)


def invalidate() -> None:
    """The index changed: searches build the vocabulary again (now, and after the change commits)."""
    _bump()
    transaction.on_commit(_bump)
