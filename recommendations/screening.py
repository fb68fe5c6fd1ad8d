"""What shoppers write, checked: one screen for reviews, questions and answers.

``clean_text`` and ``has_markup`` refuse what is never acceptable (nothing written, too long, HTML
markup or a script tag, control characters): a 400 or the form with its error, nothing stored.
``screen`` notices what a moderator should look at and never refuses by itself; the moderation
services decide what a flag means (a review or a shopper's question or answer waits for a
moderator). Flags, in this order:

- ``link``: ``http://``, ``www.``, a bare domain such as ``cheap-pills.shop``;
- ``repeated_text``: a character ten times running, a word four times running, one word of three
  letters or more making up over 40 % of a text of eight words or more, the same line three times,
  or (reviews) the same text the customer posted before;
- ``banned_word``: a word or phrase of the one list staff edit in the admin (``BannedWord``),
  matched whole, in any case.

Pure functions: the banned words and earlier texts are passed in
(``recommendations.selectors.moderation`` reads them), so the rules are tested without a database.
"""

from __future__ import annotations

import re
import unicodedata
from collections import Counter
from collections.abc import Iterable

LINK = "link"
REPEATED_TEXT = "repeated_text"
BANNED_WORD = "banned_word"
FLAG_LABELS = {LINK: "Contains a link", REPEATED_TEXT: "Repeated text", BANNED_WORD: "Contains a banned word"}

# markup (<b>, </p>, <!-- -->, <?php, <script) is refused; comparisons ("x < 5 > 3", "a <3 b") are not markup
_MARKUP = re.compile(r"<\s*/?\s*[a-zA-Z!?][^<>]*>|<\s*script", re.IGNORECASE)
_LINK = re.compile(
    r"(?i)\b(?:https?://|ftp://|www\.)|\b[a-z0-9-]{2,}\.(?:com|net|org|info|biz|ru|cn|shop|xyz|top|io|co|de|fr|uk|es|it|nl|eu|me|ly|to)\b"
)
_RUN = re.compile(r"(.)\1{9,}", re.DOTALL)  # the same character ten times running: "!!!!!!!!!!", "aaaaaaaaaa"
_WORD = re.compile(r"\w+", re.UNICODE)
EARLIER_MIN_LENGTH = 20  # shorter texts ("Great.") are said twice honestly


def has_markup(value: str) -> bool:
    return bool(_MARKUP.search(value))


def clean_text(value, *, field: str, max_length: int, min_length: int = 1) -> tuple[str, dict[str, list[str]]]:
    """The text stripped and normalised (NFC, Windows line ends made plain), and the errors, by field.

    Refused: anything not a string, empty after stripping, shorter than ``min_length`` or longer
    than ``max_length`` characters, holding HTML markup or control characters other than line ends
    and tabs.
    """
    if not isinstance(value, str):
        return "", {field: ["Text is required."]}
    text = unicodedata.normalize("NFC", value.replace("\r\n", "\n").replace("\r", "\n")).strip()
    if not text:
        return "", {field: ["Write something."]}
    if len(text) > max_length:
        return "", {field: [f"At most {max_length} characters ({len(text)} given)."]}
    if len(text) < min_length:
        return "", {field: [f"At least {min_length} characters."]}
    if has_markup(text):
        return "", {field: ["Plain text only: HTML markup is not accepted."]}
    if any(unicodedata.category(ch) == "Cc" and ch not in "\n\t" for ch in text):
        return "", {field: ["Control characters are not accepted."]}
    return text, {}


def _normalised(text: str) -> str:
    return " ".join(text.split()).lower()


def _repeated(text: str) -> bool:
    if _RUN.search(text):
        return True
    words = [w.lower() for w in _WORD.findall(text)]
    if any(words[i] == words[i + 1] == words[i + 2] == words[i + 3] for i in range(len(words) - 3)):
        return True
    if len(words) >= 8:
        word, count = Counter(words).most_common(1)[0]
        if count >= 5 and count / len(words) > 0.4 and len(word) > 2:
            return True
    lines = [line.strip().lower() for line in text.splitlines() if line.strip()]
    return bool(lines) and Counter(lines).most_common(1)[0][1] >= 3


def _said_before(text: str, earlier_texts: Iterable[str]) -> bool:
    normalised = _normalised(text)
    return len(normalised) >= EARLIER_MIN_LENGTH and normalised in {_normalised(t) for t in earlier_texts}


def _banned_pattern(words: Iterable[str]) -> re.Pattern | None:
    words = sorted({w.strip().lower() for w in words if w and w.strip()}, key=len, reverse=True)
    if not words:
        return None
    return re.compile(r"(?<!\w)(?:" + "|".join(re.escape(w) for w in words) + r")(?!\w)", re.IGNORECASE)


def screen(text: str, *, title: str = "", banned_words: Iterable[str] = (), earlier_texts: Iterable[str] = ()) -> list[str]:
    """What the screen notices in ``title`` and ``text`` (see the module), in a fixed order; empty: nothing.
    ``earlier_texts``: what the same author wrote before, compared with ``text``."""
    whole = f"{title}\n{text}" if title else text
    flags = []
    if _LINK.search(whole):
        flags.append(LINK)
    if _repeated(whole) or _said_before(text, earlier_texts):
        flags.append(REPEATED_TEXT)
    pattern = _banned_pattern(banned_words)
    if pattern is not None and pattern.search(whole):
        flags.append(BANNED_WORD)
    return flags
