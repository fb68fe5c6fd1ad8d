"""The spam and abuse screen of reviews: what holds a review for a moderator instead of publishing it.

Pure functions over the text (the banned words are passed in), so the rules are tested without a
database: links (``http://``, ``www.``, a bare domain such as ``cheap-pills.shop``), repeated text
(a character run, a word said over and over, the same text the customer posted before) and banned
words (whole words or phrases, any case, accents as typed).
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Iterable

LINK = re.compile(
    r"(?i)\b(?:https?://|ftp://|www\.)|\b[a-z0-9-]{2,}\.(?:com|net|org|info|biz|ru|cn|shop|xyz|top|io|co|de|fr|uk|es|it|nl|eu|me|ly|to)\b"
)
CHAR_RUN = re.compile(r"(.)\1{9,}", re.DOTALL)  # the same character ten times in a row
WORD = re.compile(r"\w+", re.UNICODE)
#: markup is refused outright (a 400), never stored: the text is plain and escaped where it is shown
MARKUP = re.compile(r"<\s*/?\s*[a-zA-Z!?][^>]*>|<\s*script", re.IGNORECASE)

LINKS, REPEATED, BANNED = "links", "repeated_text", "banned_words"
REASON_LABELS = {LINKS: "Contains a link", REPEATED: "Repeated text", BANNED: "Contains a banned word"}


def _repeated(text: str) -> bool:
    if CHAR_RUN.search(text):
        return True
    words = [w.lower() for w in WORD.findall(text)]
    if len(words) >= 8:
        word, count = Counter(words).most_common(1)[0]
        if count >= 5 and count / len(words) > 0.4 and len(word) > 2:
            return True
    return any(words[i] == words[i + 1] == words[i + 2] == words[i + 3] for i in range(len(words) - 3))


def _banned_pattern(words: Iterable[str]) -> re.Pattern | None:
    words = sorted({w.strip().lower() for w in words if w.strip()}, key=len, reverse=True)
    if not words:
        return None
    return re.compile(r"(?<!\w)(?:" + "|".join(re.escape(w) for w in words) + r")(?!\w)", re.IGNORECASE)


def screen(*, title: str, text: str, banned_words: Iterable[str], earlier_texts: Iterable[str] = ()) -> list[str]:
    """Why the review should wait for a moderator (``LINKS``, ``REPEATED``, ``BANNED``); empty: nothing found."""
    whole = f"{title}\n{text}"
    reasons = []
    if LINK.search(whole):
        reasons.append(LINKS)
    normalised = " ".join(text.split()).lower()
    if _repeated(whole) or (len(normalised) >= 20 and normalised in {" ".join(t.split()).lower() for t in earlier_texts}):
        reasons.append(REPEATED)
    pattern = _banned_pattern(banned_words)
    if pattern is not None and pattern.search(whole):
        reasons.append(BANNED)
    return reasons


def has_markup(value: str) -> bool:
    return bool(MARKUP.search(value))
