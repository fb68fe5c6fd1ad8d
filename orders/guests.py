"""Who a guest is, and the signed links that stand in for a log-in.

A guest checks out with an e-mail address and no account. What identifies them afterwards:

- ``normalise_email``: the one form an address is stored and compared in (stripped, lower case),
  so ``Ann@Example.com`` finds the orders of ``ann@example.com `` on every backend. The column is
  compared byte for byte (``ExactCharField``): MariaDB's default collation would otherwise also
  equate accents and trailing spaces, which SQLite does not.
- ``Guest``: a guest at checkout, their address and the token of their session's cart (the owner
  of their idempotency keys, as the user is a customer's).
- ``order_link_token`` / ``order_link_read``: the signed token of a guest's order page, in the
  order mails and given by the look-up page. It names the order and the address; nobody can make
  one without the secret key, so the page needs no log-in.
- ``claim_token`` / ``claim_read``: the signed token of the link that lets a customer claim the
  guest orders placed with their address: mailed to that address, so following it proves the
  address is theirs.
"""

from __future__ import annotations

import hmac
from dataclasses import dataclass

from django.core import signing

ORDER_LINK_SALT = "orders.guest.order_link"
CLAIM_SALT = "orders.guest.claim"
#: how long a claim link works (seconds)
CLAIM_MAX_AGE = 14 * 24 * 3600


def normalise_email(email: str) -> str:
    """An e-mail address as stored on a guest's order and compared: stripped, lower case."""
    return (email or "").strip().lower()


@dataclass(frozen=True)
class Guest:
    """A shopper checking out without an account."""

    email: str  # normalised
    token: str  # the session cart's token: owns the guest's idempotency keys

    def __post_init__(self):
        if self.email != normalise_email(self.email):
            raise ValueError("Guest.email must be normalised")


def is_buyer(order, *, customer=None, guest: Guest | None = None) -> bool:
    """Whether ``order`` is this customer's, or (no customer) this guest's unclaimed order."""
    if customer is not None:
        return order.customer_id == customer.pk
    return guest is not None and order.customer_id is None and hmac.compare_digest(order.guest_email, guest.email)


def order_link_token(*, number: str, email: str) -> str:
    return signing.dumps({"n": number, "e": normalise_email(email)}, salt=ORDER_LINK_SALT, compress=True)


def order_link_read(token: str) -> tuple[str, str] | None:
    """(order number, e-mail) of a genuine order link, or None."""
    try:
        data = signing.loads(token, salt=ORDER_LINK_SALT)
    except signing.BadSignature:
        return None
    if not isinstance(data, dict) or not isinstance(data.get("n"), str) or not isinstance(data.get("e"), str):
        return None
    return data["n"], data["e"]


def claim_token(*, customer_id: int, email: str) -> str:
    return signing.dumps({"u": customer_id, "e": normalise_email(email)}, salt=CLAIM_SALT, compress=True)


def claim_read(token: str) -> tuple[int, str] | None:
    """(customer id, e-mail) of a genuine claim link not older than ``CLAIM_MAX_AGE``, or None."""
    try:
        data = signing.loads(token, salt=CLAIM_SALT, max_age=CLAIM_MAX_AGE)
    except signing.BadSignature:  # SignatureExpired is one
        return None
    if not isinstance(data, dict) or not isinstance(data.get("u"), int) or not isinstance(data.get("e"), str):
        return None
    return data["u"], data["e"]
