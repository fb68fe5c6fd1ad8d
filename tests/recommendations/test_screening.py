"""The one text check and spam screen of reviews, questions and answers: pure functions."""

import pytest

from recommendations.screening import BANNED_WORD, LINK, REPEATED_TEXT, clean_text, has_markup, screen


@pytest.mark.parametrize("text, flags", [
    ("Does it come with batteries?", []),
    ("Lovely coffee, strong and smooth.", []),
    ("Visit https://cheap.example for more", [LINK]),
    ("best price at www.example.org", [LINK]),
    ("Order from cheap-pills.shop instead", [LINK]),
    ("buy buy buy buy buy buy now", [REPEATED_TEXT]),
    ("No no no no, never again", [REPEATED_TEXT]),
    ("Wow!!!!!!!!!!!!", [REPEATED_TEXT]),
    ("same line\nsame line\nSAME LINE", [REPEATED_TEXT]),
    ("good coffee, good beans, good price, good cup, good", [REPEATED_TEXT]),
    ("Is 3.5 the size? Ça va 東京", []),
])
def test_screen_notices_links_and_repeated_text(text, flags):
    assert screen(text) == flags


def test_screen_banned_words_and_phrases_whole_and_in_any_case():
    assert screen("This is a total scam", banned_words=["SCAM"]) == [BANNED_WORD]
    assert screen("call me maybe now", banned_words=["call me"]) == [BANNED_WORD]
    assert screen("A scampi recipe", banned_words=["scam"]) == []
    assert screen("a total rip off, buy at www.x.example", banned_words=["scam", "rip off"]) == [LINK, BANNED_WORD]
    assert screen("Fine", title="Scam alert", banned_words=["scam"]) == [BANNED_WORD]  # the title counts


def test_the_authors_earlier_text_is_repeated_text():
    earlier = ["Great product, would buy again for sure."]
    assert screen("great product,  would buy again for sure.", earlier_texts=earlier) == [REPEATED_TEXT]
    assert screen("Great.", earlier_texts=["Great."]) == []  # too short to tell


@pytest.mark.parametrize("value", ["<b>x</b>", "<script>", "< script", "<!-- c -->", "<img src=x onerror=1>"])
def test_markup_is_found(value):
    assert has_markup(value)
    assert clean_text(value, field="text", max_length=50)[1] == {"text": ["Plain text only: HTML markup is not accepted."]}


@pytest.mark.parametrize("value", ["3 < 4", "a <3 b", "x > y", "<<>>"])
def test_comparisons_are_not_markup(value):
    assert not has_markup(value)


def test_clean_text_normalises_and_refuses():
    assert clean_text(" a\r\nb ", field="text", max_length=10) == ("a\nb", {})
    assert clean_text("a\x00b", field="text", max_length=50)[1] == {"text": ["Control characters are not accepted."]}
    assert clean_text("x" * 11, field="body", max_length=10)[1] == {"body": ["At most 10 characters (11 given)."]}
    assert clean_text(None, field="text", max_length=10)[1] == {"text": ["Text is required."]}
