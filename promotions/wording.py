"""A promotion said in words, as a merchandiser checks it before activating it.

"10 % off Cheese (category) and Gouda 500 g. For customers in Regulars. On carts from 20.00 EUR.
From 2026-12-01 09:00 until 2026-12-24 18:00. Needs a coupon. Combines with order discounts.
At most 100 orders in all, 1 per customer."

Pure: it reads the values it is given (a saved promotion through :func:`promotion_sentences`, or a
form's cleaned data through :func:`sentences`), never the database.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from decimal import Decimal

from django.utils import timezone

from commerce.money_format import money_text
from promotions.models import DiscountClass, Promotion

B = Promotion.Benefit
#: the fields each benefit uses (the others are left empty when it is chosen)
BENEFIT_FIELDS = {
    B.PERCENTAGE: ("percent",),
    B.FIXED_AMOUNT: ("amount",),
    B.BUY_X_GET_Y: ("buy_quantity", "get_quantity", "get_percent", "get_products"),
    B.QUANTITY_TIERS: (),
    B.FREE_SHIPPING: (),
    B.BUNDLE_PRICE: ("bundle_quantity", "amount"),
}
ALL_BENEFIT_FIELDS = ("percent", "amount", "buy_quantity", "get_quantity", "get_percent", "get_products", "bundle_quantity")
_LIST_LIMIT = 4


@dataclass(frozen=True)
class Terms:
    """What the sentences need: the promotion's plain values and the names of what it targets."""

    benefit_type: str
    discount_class: str
    currency: str = "EUR"
    percent: Decimal | None = None
    amount: Decimal | None = None
    buy_quantity: int | None = None
    get_quantity: int | None = None
    get_percent: Decimal | None = Decimal(100)
    bundle_quantity: int | None = None
    min_subtotal: Decimal | None = None
    min_quantity: int | None = None
    valid_from: object = None
    valid_to: object = None
    requires_coupon: bool = False
    exclusive: bool = False
    combines_with: Sequence[str] = ()
    usage_limit: int | None = None
    usage_limit_per_customer: int | None = None
    tiers: Sequence[tuple[int, Decimal]] = ()
    products: Sequence[str] = ()
    categories: Sequence[str] = ()
    manufacturers: Sequence[str] = ()
    segments: Sequence[str] = ()
    get_products: Sequence[str] = field(default_factory=tuple)


def _number(value) -> str:
    return format(Decimal(value).normalize(), "f") if value is not None else "?"


def _names(names: Iterable[str]) -> str:
    names = list(names)
    if len(names) > _LIST_LIMIT:
        return f"{', '.join(names[:_LIST_LIMIT])} and {len(names) - _LIST_LIMIT} more"
    if len(names) > 1:
        return f"{', '.join(names[:-1])} and {names[-1]}"
    return names[0] if names else ""


def _when(value) -> str:
    return timezone.localtime(value).strftime("%Y-%m-%d %H:%M")


def _what(terms: Terms) -> str:
    """The products it is about: "Cheese (category) and Gouda", or "every product"."""
    parts = [f"{name} (category)" for name in terms.categories]
    parts += [f"{name} (brand)" for name in terms.manufacturers]
    parts += list(terms.products)
    return _names(parts) if parts else "every product"


def _benefit(terms: Terms) -> str:
    what, kind = _what(terms), terms.benefit_type
    if kind == B.PERCENTAGE:
        if terms.discount_class == DiscountClass.SHIPPING:
            return f"{_number(terms.percent)} % off shipping"
        if terms.discount_class == DiscountClass.ORDER:
            return f"{_number(terms.percent)} % off the order"
        return f"{_number(terms.percent)} % off {what}"
    if kind == B.FIXED_AMOUNT:
        money = money_text(terms.amount, terms.currency) if terms.amount is not None else "?"
        if terms.discount_class == DiscountClass.SHIPPING:
            return f"{money} off shipping"
        if terms.discount_class == DiscountClass.ORDER:
            return f"{money} off the order"
        return f"{money} off {what}, once per cart"
    if kind == B.BUY_X_GET_Y:
        free = terms.get_percent is None or Decimal(terms.get_percent) == 100
        reward = "free" if free else f"at {_number(terms.get_percent)} % off"
        gets = _names(terms.get_products) if terms.get_products else "them"
        return (f"Buy {terms.buy_quantity or '?'} of {what}, get {terms.get_quantity or '?'} of {gets} {reward}")
    if kind == B.QUANTITY_TIERS:
        if not terms.tiers:
            return f"Volume discount on {what}: no tiers yet"
        steps = ", ".join(f"{_number(p)} % from {q} units" for q, p in sorted(terms.tiers))
        return f"Volume discount on {what}: {steps}"
    if kind == B.FREE_SHIPPING:
        return "Free shipping"
    if kind == B.BUNDLE_PRICE:
        money = money_text(terms.amount, terms.currency) if terms.amount is not None else "?"
        return f"Any {terms.bundle_quantity or '?'} of {what} for {money}"
    return str(kind)


def sentences(terms: Terms) -> list[str]:
    """The promotion in a few short sentences, the benefit first."""
    out = [_benefit(terms) + "."]
    if terms.segments:
        out.append(f"For customers in {_names(terms.segments)}.")
    conditions = []
    if terms.min_subtotal:
        conditions.append(f"from {money_text(terms.min_subtotal, terms.currency)}")
    if terms.min_quantity:
        conditions.append(f"with at least {terms.min_quantity} qualifying units")
    if conditions:
        out.append(f"On carts {' and '.join(conditions)}.")
    if terms.valid_from and terms.valid_to:
        out.append(f"From {_when(terms.valid_from)} until {_when(terms.valid_to)}.")
    elif terms.valid_from:
        out.append(f"From {_when(terms.valid_from)}, with no end.")
    elif terms.valid_to:
        out.append(f"Until {_when(terms.valid_to)}.")
    if terms.requires_coupon:
        out.append("Needs a coupon.")
    if terms.exclusive:
        out.append("Applies alone: never with another promotion.")
    elif terms.combines_with:
        labels = [DiscountClass(c).label.lower() + "s" for c in DiscountClass.values if c in terms.combines_with]
        out.append(f"Combines with {_names(labels)}.")
    else:
        out.append("Does not combine with other promotions.")
    limits = []
    if terms.usage_limit:
        limits.append(f"{terms.usage_limit} order{'s' if terms.usage_limit != 1 else ''} in all")
    if terms.usage_limit_per_customer:
        limits.append(f"{terms.usage_limit_per_customer} per customer")
    if limits:
        out.append(f"At most {', '.join(limits)}.")
    return out


#: the plain values of ``Terms``, by their field names on the promotion and its form
_PLAIN = (
    "benefit_type", "discount_class", "currency", "percent", "amount", "buy_quantity", "get_quantity", "get_percent",
    "bundle_quantity", "min_subtotal", "min_quantity", "valid_from", "valid_to", "requires_coupon", "exclusive",
    "combines_with", "usage_limit", "usage_limit_per_customer",
)
#: the names ``Terms`` lists, by the promotion's relation (or form field) they come from
_NAMED = {"products": "target_products", "categories": "target_categories", "manufacturers": "target_manufacturers",
          "segments": "segments", "get_products": "get_products"}


def values_sentences(values, *, tiers: Iterable[tuple[int, Decimal]] = ()) -> list[str]:
    """A promotion's values in words: a form's cleaned data (the editor's preview, before anything is
    saved) or a saved promotion's. ``values`` maps the promotion's field names to values, the relations
    to the objects they hold (named by ``str``)."""
    plain = {name: values[name] for name in _PLAIN if values.get(name) is not None}
    plain["combines_with"] = tuple(plain.get("combines_with") or ())
    named = {key: [str(item) for item in values.get(field) or ()] for key, field in _NAMED.items()}
    return sentences(Terms(**plain, **named, tiers=sorted(tiers)))


def promotion_sentences(promotion: Promotion) -> list[str]:
    """A saved promotion in words (its targets and tiers read through its relations)."""
    values = {name: getattr(promotion, name) for name in _PLAIN}
    values.update({field: getattr(promotion, field).all() for field in _NAMED.values()})
    return values_sentences(values, tiers=[(t.min_quantity, t.percent) for t in promotion.tiers.all()])
