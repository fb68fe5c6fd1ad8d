"""The base of every domain event and the one way to record one.

An app declares its events as small frozen dataclasses (past tense) in its ``events.py``::

    @dataclass(frozen=True, kw_only=True)
    class PriceChanged(DomainEventData):
        event_type: ClassVar[str] = "catalog.product.price_changed"
        stream_type: ClassVar[str] = "product"
        product_id: int
        old_price: dict
        new_price: dict

        @property
        def stream_id(self): return self.product_id

and a service records it inside its atomic block with ``record(PriceChanged(...))``. That sends the
``domain_event_recorded`` signal; the audit receiver writes the row in the same transaction.

Every class that declares an ``event_type`` registers it (``event_types()``, ``event_class()``): the
bus refuses a subscription to a type nobody declares. Events are ``kw_only`` and their fields have
no defaults: a fact the caller forgot (an amount, an id) is a ``TypeError`` where the event is
built, never a silent ``"0"``; a field that may be absent is typed ``X | None`` and passed as
``None`` on purpose.
"""

import dataclasses
from typing import ClassVar

from django.db import transaction
from django.dispatch import Signal

domain_event_recorded = Signal()  # kwargs: event
domain_events_recorded = Signal()  # kwargs: events (a list, written in one statement)
# Sent by the store after it wrote rows, inside the same transaction: for synchronous read-model
# projections that must never disagree with the event table.
events_stored = Signal()  # kwargs: rows (DomainEvent instances with version and occurred_at)

SECRET_KEYS = ("password", "secret", "token", "card_number", "cvc", "cvv", "pan", "iban", "api_key", "signature")
MASK = "***"


def mask_secrets(value):
    """Mask values under secret-looking keys, at any depth."""
    if isinstance(value, dict):
        return {
            k: (MASK if any(s in str(k).lower() for s in SECRET_KEYS) and v not in (None, "") else mask_secrets(v))
            for k, v in value.items()
        }
    if isinstance(value, (list, tuple)):
        return [mask_secrets(v) for v in value]
    return value


class DuplicateEventType(TypeError):
    pass


_registry: dict[str, type["DomainEventData"]] = {}


def event_types() -> frozenset[str]:
    """The event types declared by the event classes imported so far (see ``discover``)."""
    return frozenset(_registry)


def event_class(event_type: str) -> type["DomainEventData"] | None:
    return _registry.get(event_type)


def discover() -> None:
    """Import every installed app's ``events`` module, so that all event types are registered."""
    from django.utils.module_loading import autodiscover_modules

    autodiscover_modules("events")


@dataclasses.dataclass(frozen=True)
class DomainEventData:
    event_type: ClassVar[str]
    stream_type: ClassVar[str]

    def __init_subclass__(cls, **kwargs):
        """Register a class that declares its own ``event_type`` (bases such as ``_OrderEvent`` do not)."""
        super().__init_subclass__(**kwargs)
        event_type = cls.__dict__.get("event_type")
        if event_type is None:
            return
        known = _registry.get(event_type)
        if known is not None and f"{known.__module__}.{known.__qualname__}" != f"{cls.__module__}.{cls.__qualname__}":
            raise DuplicateEventType(f"{event_type} is declared by {known.__module__}.{known.__qualname__} already")
        _registry[event_type] = cls

    @property
    def stream_id(self) -> str:  # pragma: no cover - every event defines it
        raise NotImplementedError

    @property
    def customer(self) -> int | None:
        return getattr(self, "customer_id", None)

    @property
    def product(self) -> int | None:
        return getattr(self, "product_id", None)

    @property
    def session(self) -> str:
        return getattr(self, "session_id", "") or ""

    def payload(self) -> dict:
        return mask_secrets(dataclasses.asdict(self))


def record(event: DomainEventData) -> None:
    """Record a domain event. Call inside the command's ``transaction.atomic`` block."""
    if transaction.get_autocommit():
        raise RuntimeError(f"{event.event_type} recorded outside a transaction: wrap the command in transaction.atomic")
    domain_event_recorded.send(sender=type(event), event=event)


def record_many(events: list[DomainEventData]) -> None:
    """Record several events at once (one version query, one insert): for commands whose event
    count grows with their input, so their SQL count does not."""
    if not events:
        return
    if transaction.get_autocommit():
        raise RuntimeError(f"{events[0].event_type} recorded outside a transaction: wrap the command in transaction.atomic")
    domain_events_recorded.send(sender=type(events[0]), events=list(events))
