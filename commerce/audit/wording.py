"""Domain events in words, for the back office: the audit trail, a batch's history on the recall page.

The audit app is core and never imports a subdomain app, so an app whose events read better as a
sentence registers a provider here in its ``AppConfig.ready``::

    wording.register("orders", order_event_words, generic=CART_EVENTS)

A provider is ``provider(*, event) -> str | None``: ``event`` is a ``DomainEvent`` row (its
``event_type``, ``payload``, ``occurred_at``); the answer is one plain-text sentence that names what
the event is about ("Order A1B2C3: paid 45.00 EUR by card"), or ``None`` for a type it does not
word. The page escapes the sentence. Who did it and when are the page's columns, not the sentence's.

A type no provider words gets the generic sentence: its name in words and its data as
``key: value`` pairs (``Campaign budget spent: name: Summer; spent: 120.00 EUR``). Leaving a type to
it is a decision, said with ``generic=`` when registering: a test walks the event registry and
wants every type worded or declared generic (an app with no wording at all says so with
``leave_generic``). A provider that raises is a bug in that app: it is
logged and the generic sentence shown, so one app's failure never takes the audit trail down.
"""

from __future__ import annotations

import logging
import re
from collections.abc import Callable, Iterable

from django.utils.text import Truncator

from commerce.money_format import money_text
from commerce.registry import Registry

EventWords = Callable[..., "str | None"]
providers: Registry[EventWords] = Registry("event wording", logger=logging.getLogger(__name__))
_generic: dict[str, frozenset[str]] = {}

#: payload keys of a money value ({"amount": "1.00", "currency": "EUR"})
_MONEY_KEYS = frozenset({"amount", "currency"})
MAX_LENGTH = 400


def register(name: str, provider: EventWords, *, generic: Iterable[str] = (), order: int = 100) -> EventWords:
    """Add (or replace) an app's wording; ``generic`` names its types left to the generic sentence on purpose."""
    _generic[name] = frozenset(generic)
    return providers.register(name, provider, order=order)


def leave_generic(name: str, event_types: Iterable[str]) -> None:
    """An app with no wording of its own says which of its types the generic sentence words."""
    _generic[name] = frozenset(event_types)


def unregister(name: str) -> None:
    _generic.pop(name, None)
    providers.unregister(name)


def generic_types() -> frozenset[str]:
    """The event types their apps leave to the generic sentence on purpose."""
    return frozenset().union(*_generic.values())


def worded(event) -> str | None:
    """The first registered provider's sentence for the event, ``None`` when none words it."""
    for _name, sentence in providers.answers(event=event, about=f"for {event.event_type}"):
        if sentence:
            return sentence
    return None


def event_sentence(event) -> str:
    """What happened, in one sentence: the app's wording, else the generic one."""
    return Truncator(worded(event) or generic_sentence(event.event_type, event.payload)).chars(MAX_LENGTH)


# --- the generic sentence -------------------------------------------------------------------------
def humanise(event_type: str) -> str:
    """``promotions.campaign.budget_spent`` -> ``Campaign budget spent`` (the app's name left out)."""
    parts = event_type.split(".")
    words = " ".join(parts[1:] if len(parts) > 1 else parts).replace("_", " ").strip()
    return words[:1].upper() + words[1:]


def key_text(key) -> str:
    return str(key).replace("_", " ")


_CODE = re.compile(r"[a-z]+(?:_[a-z]+)+")


def value_text(value) -> str:
    """A payload value as a person reads it, in one line: money as money, a change as ``before → after``,
    lists joined, mappings as ``key value`` pairs; never a Python or JSON dump."""
    if value is None or value == "" or value == [] or value == {}:
        return "-"
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, str) and _CODE.fullmatch(value):
        return value.replace("_", " ")  # a status or reason code: "ready_to_ship" is "ready to ship"
    if isinstance(value, str | int | float):
        return str(value)
    if isinstance(value, dict):
        if set(value) == _MONEY_KEYS:
            try:
                return money_text(value["amount"], value["currency"] or None)
            except (TypeError, ValueError, ArithmeticError, KeyError, LookupError):
                pass
        if set(value) == {"before", "after"}:
            return f"{value_text(value['before'])} → {value_text(value['after'])}"
        return ", ".join(f"{key_text(k)} {value_text(v)}" for k, v in value.items())
    if isinstance(value, list | tuple):
        if all(isinstance(v, dict) for v in value):
            return "; ".join(f"({value_text(v)})" for v in value)
        return ", ".join(value_text(v) for v in value)
    return str(value)


def changes_text(changes) -> str:
    """A ``changes`` payload (``{field: {"before", "after"}}`` or ``{field: [before, after]}``) as
    ``field: before → after; ...``."""
    if not isinstance(changes, dict):
        return value_text(changes)
    parts = []
    for field, change in changes.items():
        if isinstance(change, list | tuple) and len(change) == 2:
            change = {"before": change[0], "after": change[1]}
        parts.append(f"{key_text(field)}: {value_text(change)}")
    return "; ".join(parts)


def pairs_text(payload, *, leave_out: Iterable[str] = ()) -> str:
    """The payload as ``key: value`` pairs, empty values and the keys in ``leave_out`` left out."""
    if not isinstance(payload, dict):
        return value_text(payload)
    hidden = set(leave_out)
    parts = []
    for key, value in payload.items():
        if key in hidden or value is None or value == "" or value == [] or value == {}:
            continue
        parts.append(f"{key_text(key)}: {changes_text(value) if key == 'changes' else value_text(value)}")
    return "; ".join(parts)


def generic_sentence(event_type: str, payload) -> str:
    pairs = pairs_text(payload)
    return f"{humanise(event_type)}: {pairs}" if pairs else humanise(event_type)
