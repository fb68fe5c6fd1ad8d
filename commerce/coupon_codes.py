"""The one shape of a coupon code: what a shopper types, as the shop stores and compares it.

Coupon codes are stored upper-case and compared case-insensitively, so every place that takes a
code from outside (the cart, its forms and API, the discount provider, the promotions engine and
admin) normalises it here before it looks anything up. It lives in the core because both sides of
the discount port use it: orders (which may not import promotions) and promotions, whose pure
engine needs no Django. Which characters a code may hold is the promotions services' rule.
"""


#: what would make a customers-only code apply for a guest: the pages turn it into log-in and sign-up links
SIGN_IN_HINT = "Log in or sign up"


def normalise_coupon_code(code: str | None) -> str:
    """``" big15 "`` → ``"BIG15"``; ``None`` → ``""``."""
    return (code or "").strip().upper()
