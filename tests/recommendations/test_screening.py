"""The text checks and the spam screen: pure functions."""

import pytest

from recommendations.screening import BANNED_WORD, LINK, REPEATED_TEXT, clean_text, screen_text


@pytest.mark.parametrize("text, flags", [
    ("Does it come with batteries?", []),
    ("Visit https://cheap.example for more", [LINK]),
    ("best price at www.example.org", [LINK]),
    ("buy buy buy buy buy buy now", [REPEATED_TEXT]),
    ("Wow!!!!!!!!!!!!", [REPEATED_TEXT]),
    ("same line\nsame line\nSAME LINE", [REPEATED_TEXT]),
    ("Is 3.5 the size? Ça va 東京", []),
])
def test_screen_text_notices_links_and_repeated_text(text, flags):
    assert screen_text(text) == flags


def test_screen_text_banned_words_and_phrases():
    assert screen_text("This is a total scam", banned_words=["SCAM"]) == [BANNED_WORD]
    assert screen_text("call me maybe now", banned_words=["call me"]) == [BANNED_WORD]
    assert screen_text("A scampi recipe", banned_words=["scam"]) == []


def test_clean_text_normalises_and_refuses():
    assert clean_text(" a\r\nb ", field="text", max_length=10) == ("a\nb", {})
    assert clean_text("<b>bold</b>", field="text", max_length=50)[1] == {"text": ["Plain text only: HTML markup is not accepted."]}
    assert clean_text("a\x00b", field="text", max_length=50)[1] == {"text": ["Control characters are not accepted."]}
    assert clean_text("x" * 11, field="body", max_length=10)[1] == {"body": ["At most 10 characters (11 given)."]}
    assert clean_text(None, field="text", max_length=10)[1] == {"text": ["Text is required."]}
