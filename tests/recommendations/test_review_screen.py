"""The abuse screen's rules, without a database."""

import pytest

from recommendations.review_screen import BANNED, LINKS, REPEATED, has_markup, screen


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("Lovely coffee, strong and smooth.", []),
        ("Order from cheap-pills.shop instead", [LINKS]),
        ("See https://example.org", [LINKS]),
        ("No no no no, never again", [REPEATED]),
        ("!!!!!!!!!!!!!!", [REPEATED]),
        ("This is a SCAM.", [BANNED]),
        ("Scampi were fine", []),  # whole words only
        ("a total rip off, buy at www.x.example", [LINKS, BANNED]),
    ],
)
def test_screen(text, expected):
    assert screen(title="", text=text, banned_words=["scam", "rip off"]) == expected


def test_the_customers_earlier_text_is_repeated_text():
    earlier = ["Great product, would buy again for sure."]
    assert screen(title="", text="great product,  would buy again for sure.", banned_words=[], earlier_texts=earlier) == [REPEATED]
    assert screen(title="", text="Great.", banned_words=[], earlier_texts=["Great."]) == []  # too short to tell


@pytest.mark.parametrize("value", ["<b>x</b>", "<script>", "< script", "<!-- c -->", "<img src=x onerror=1>"])
def test_markup_is_found(value):
    assert has_markup(value)


@pytest.mark.parametrize("value", ["3 < 4", "a <3 b", "x > y", "<<>>"])
def test_comparisons_are_not_markup(value):
    assert not has_markup(value)
