"""The text search of reviews, one contract on every database: the query's words (runs of letters,
digits and ``_``) are what is searched, and a review matches when each of them begins a word of its
title or text, in any case ("batt" finds "Battery", "tery" does not). The list keeps its own sort.

On MariaDB the FULLTEXT index ``reviews_title_text_ft`` (migration 0008) answers it:
``MATCH (title, text) AGAINST ('+word* +word*' IN BOOLEAN MODE)``. Only words reach ``AGAINST``, so no
boolean-mode operator of the input (``+ - * " ( ) @ < > ~``) is ever interpreted, and no input makes a
SQL error. A word the index cannot answer (shorter than ``innodb_ft_min_token_size``, longer than
``innodb_ft_max_token_size``, or a stopword or the start of one: the index leaves those out) is matched
by a regular expression on the rows the index found, or on the list's rows when no word is left for
the index. Elsewhere (SQLite) every word is a regular expression.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from django.db import connections
from django.db.models import CharField, Func, Lookup, Q, QuerySet

WORD = re.compile(r"\w+")
FULLTEXT_INDEX = "reviews_title_text_ft"


def search_words(query: str) -> list[str]:
    """The words searched for: lower case, each once, in order."""
    return list(dict.fromkeys(word.lower() for word in WORD.findall(query or "")))


@dataclass(frozen=True)
class FullTextLimits:
    """What InnoDB's FULLTEXT index holds: words from ``min_size`` to ``max_size`` characters, not a stopword."""

    min_size: int
    max_size: int
    stopwords: frozenset[str]

    def answers(self, word: str) -> bool:
        """Whether ``+word*`` on the index finds every word the word begins."""
        return (self.min_size <= len(word) <= self.max_size
                and not any(stopword.startswith(word) for stopword in self.stopwords))


_limits: dict[str, FullTextLimits] = {}


def fulltext_limits(alias: str) -> FullTextLimits:
    """The server's FULLTEXT settings, read once per process and database (two queries the first time)."""
    if alias not in _limits:
        with connections[alias].cursor() as cursor:
            cursor.execute("SELECT @@innodb_ft_min_token_size, @@innodb_ft_max_token_size, @@innodb_ft_enable_stopword, "
                           "COALESCE(@@innodb_ft_server_stopword_table, '')")
            min_size, max_size, enabled, table = cursor.fetchone()
            stopwords: list[str] = []
            if enabled:
                if table:  # "database/table", as the server names it
                    quoted = ".".join(connections[alias].ops.quote_name(part) for part in table.split("/", 1))
                    cursor.execute(f"SELECT value FROM {quoted}")  # noqa: S608 (a server setting, quoted)
                else:
                    cursor.execute("SELECT value FROM information_schema.INNODB_FT_DEFAULT_STOPWORD")
                stopwords = [row[0].lower() for row in cursor.fetchall()]
        _limits[alias] = FullTextLimits(int(min_size), int(max_size), frozenset(stopwords))
    return _limits[alias]


class _Columns(Func):
    """The columns of a FULLTEXT index, as ``MATCH`` lists them."""

    template = "%(expressions)s"
    arg_joiner = ", "
    output_field = CharField()


class _BooleanMatch(Lookup):
    """``MATCH (columns) AGAINST (%s IN BOOLEAN MODE)`` as a condition (a lookup, so MariaDB's WHERE takes it
    bare and uses the index); the right-hand side is built by ``search_filter`` from words only."""

    lookup_name = "fulltext_boolean"
    prepare_rhs = False

    def as_sql(self, compiler, connection):
        columns, params = compiler.compile(self.lhs)
        return f"MATCH ({columns}) AGAINST (%s IN BOOLEAN MODE)", (*params, self.rhs)


def _begins_a_word(word: str) -> Q:
    pattern = r"(?<!\w)" + re.escape(word)  # case: SQLite's iregex adds (?i); MariaDB's collation is _ci
    return Q(title__iregex=pattern) | Q(text__iregex=pattern)


def search_filter(qs: QuerySet, words: list[str]) -> QuerySet:
    """``qs`` (reviews) narrowed to those where each of ``words`` begins a word of the title or text."""
    indexed: list[str] = []
    rest = words
    if qs.db and connections[qs.db].vendor == "mysql":
        limits = fulltext_limits(qs.db)
        indexed = [word for word in words if limits.answers(word)]
        rest = [word for word in words if not limits.answers(word)]
    if indexed:
        qs = qs.filter(_BooleanMatch(_Columns("title", "text"), " ".join(f"+{word}*" for word in indexed)))
    for word in rest:
        qs = qs.filter(_begins_a_word(word))
    return qs
