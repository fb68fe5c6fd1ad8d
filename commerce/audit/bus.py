"""Reactions to domain events that reach outside the database run in Celery, after commit.

An app subscribes a handler to an event type (usually in its ``AppConfig.ready``)::

    bus.subscribe("orders.order.created", "recommendations.reactions.order_created")

The type must be one an event class declares (``commerce.audit.events.event_types()``; ``"*"``
means every event): a subscription to an unknown type raises ``UnknownEventType`` at once, so a
typo (``orders.order.placed``) stops the process at start-up instead of never firing. A
subscription made before the apps are loaded is checked by the system check ``audit.E001``.

When such an event is recorded, the audit receiver writes the row and, with
``transaction.on_commit``, queues one ``audit.event_dispatch`` task per subscriber carrying the
event's primary key. A rolled-back command queues nothing; each reaction fails, and is retried,
on its own. Events recorded inside ``paused()`` queue no reaction (demo data: it must reach nothing
outside the database, no mail above all), and the outbox records no mail (``is_paused``).
"""

import contextlib
import contextvars
from collections import defaultdict

from django.apps import apps
from django.core.exceptions import ImproperlyConfigured
from django.db import transaction
from django.utils.module_loading import import_string

from commerce.audit import events

_subscribers: dict[str, list[str]] = defaultdict(list)
_paused: contextvars.ContextVar[bool] = contextvars.ContextVar("bus_paused", default=False)
EVERY_EVENT = "*"


class UnknownEventType(ImproperlyConfigured):
    pass


def is_known(event_type: str) -> bool:
    """Whether an event class declares this type (importing every app's ``events`` module first)."""
    if event_type == EVERY_EVENT or event_type in events.event_types():
        return True
    events.discover()
    return event_type in events.event_types()


def unknown_subscriptions() -> list[tuple[str, str]]:
    """(event type, handler) of every subscription to a type no event class declares."""
    return [(t, h) for t, handlers in _subscribers.items() if not is_known(t) for h in handlers]


def subscribe(event_type: str, handler_path: str) -> None:
    """Run ``handler_path`` (a dotted path to a function taking the ``DomainEvent`` row) in Celery
    after each committed event of ``event_type``. Call from ``AppConfig.ready``."""
    if apps.models_ready and not is_known(event_type):
        raise UnknownEventType(f"{handler_path} subscribes to {event_type!r}, which no event class declares")
    if handler_path not in _subscribers[event_type]:
        _subscribers[event_type].append(handler_path)


def unsubscribe(event_type: str, handler_path: str) -> None:
    if handler_path in _subscribers.get(event_type, []):
        _subscribers[event_type].remove(handler_path)


def subscribers(event_type: str) -> list[str]:
    return list(_subscribers.get(event_type, ())) + list(_subscribers.get(EVERY_EVENT, ()))


@contextlib.contextmanager
def paused():
    """Inside the block, recorded events queue no reaction (``seed_demo``: dozens of demo orders would
    otherwise mail their customers, flood the console of ``make run`` and slow the seeding down)."""
    token = _paused.set(True)
    try:
        yield
    finally:
        _paused.reset(token)


def is_paused() -> bool:
    """Whether the caller runs inside ``paused()``: what would reach outside the database (the outbox's
    mails, which some commands write directly rather than as a reaction) is left out too."""
    return _paused.get()


def schedule(event_id: int, event_type: str) -> None:
    """Queue the reactions to an event once the surrounding transaction commits."""
    if _paused.get():
        return
    handlers = subscribers(event_type)
    if not handlers:
        return
    from commerce.audit.tasks import event_dispatch_task

    for handler in handlers:
        transaction.on_commit(lambda handler=handler: event_dispatch_task.delay(event_id, handler))


def run_handler(event_id: int, handler_path: str) -> None:
    from commerce.audit.models import DomainEvent

    event = DomainEvent.objects.get(pk=event_id)
    import_string(handler_path)(event)
