"""How text becomes search terms, the same for what is indexed and what is searched (no Django).

Terms are accent- and case-folded here, in Python, so both databases store and compare the same
strings byte for byte (MariaDB's ``utf8mb4_unicode_ci`` would fold case and accents on its own,
SQLite would not): "Crème FRAÎCHE" and "creme fraiche" give the terms ``creme`` and ``fraiche``;
"œuf" gives ``oeuf``; "USB-C" gives ``usb``, ``c`` and the joined ``usbc``.
"""

from __future__ import annotations

import re
import unicodedata

#: Longest term kept (longer words are cut, in the index and in queries alike).
MAX_TERM_LENGTH = 40
#: Words of a query looked at (a longer query is cut: nobody types ten meaningful words).
MAX_QUERY_WORDS = 8

# Letters that do not decompose into a base letter and a mark, folded as a shopper would type them.
_LIGATURES = str.maketrans({
    "æ": "ae", "œ": "oe", "ø": "o", "ł": "l", "đ": "d", "ð": "d", "þ": "th", "ı": "i", "ß": "ss",
})
_WORD = re.compile(r"[^\W_]+")  # runs of letters and digits, in any script

#: Words too common to say anything about a product (English and French, as the shop's texts are).
STOP_WORDS = frozenset(
    """
    a an and are as at be by for from in into is it its of on or the to with without your our this that these
    au aux avec ce d de des du en et l la le les ou par pour sans sur un une
    """.split()
)


def fold(text: str) -> str:
    """Lower case, accents and ligatures removed, compatibility forms unified (``ﬁ`` -> ``fi``)."""
    text = unicodedata.normalize("NFKD", text.casefold().translate(_LIGATURES))
    text = "".join(ch for ch in text if not unicodedata.combining(ch))
    return unicodedata.normalize("NFKC", text.translate(_LIGATURES))


def sort_key(text: str, length: int) -> str:
    """A name folded for sorting: the same order on every database (binary comparison)."""
    return " ".join(fold(text).split())[:length]


def chunk_terms(chunk: str) -> list[str]:
    """The terms of one whitespace-free chunk: its letter/digit runs, plus their join when there are
    several (``usb-c`` -> ``usb``, ``c``, ``usbc``), each cut to ``MAX_TERM_LENGTH``."""
    parts = _WORD.findall(fold(chunk))
    terms = [part[:MAX_TERM_LENGTH] for part in parts]
    if len(parts) > 1:
        terms.append("".join(parts)[:MAX_TERM_LENGTH])
    return terms


def text_terms(text: str) -> set[str]:
    """Every term of a field's text, stop words left out."""
    terms: set[str] = set()
    for chunk in text.split():
        terms.update(chunk_terms(chunk))
    return terms - STOP_WORDS


def code_term(code: str) -> str:
    """A product code as one term: its letters and digits joined (``DAI-0001`` -> ``dai0001``)."""
    return "".join(_WORD.findall(fold(code)))[:MAX_TERM_LENGTH]


def query_chunks(query: str) -> list[list[str]]:
    """A query's chunks (as the shopper separated them by spaces), each as its letter/digit runs:
    ``"USB-C  cable"`` -> ``[["usb", "c"], ["cable"]]``. Empty chunks (``%``, ``*``) are dropped."""
    chunks = []
    for chunk in query.split():
        parts = [part[:MAX_TERM_LENGTH] for part in _WORD.findall(fold(chunk))]
        if parts:
            chunks.append(parts)
    return chunks
