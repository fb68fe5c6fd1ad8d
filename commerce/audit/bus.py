"""Reactions to domain events that reach outside the database run in Celery, after commit.

An app subscribes a handler to an event type (usually in its ``AppConfig.ready``)::

    bus.subscribe("orders.order.placed", "recommendations.reactions.order_placed")

When such an event is recorded, the audit receiver writes the row and, with
``transaction.on_commit``, queues one ``audit.event_dispatch`` task per subscriber carrying the
event's primary key. A rolled-back command queues nothing; each reaction fails, and is retried,
on its own.
"""

from collections import defaultdict

from django.db import transaction
from django.utils.module_loading import import_string

_subscribers: dict[str, list[str]] = defaultdict(list)


def subscribe(event_type: str, handler_path: str) -> None:
    if handler_path not in _subscribers[event_type]:
        _subscribers[event_type].append(handler_path)


def unsubscribe(event_type: str, handler_path: str) -> None:
    if handler_path in _subscribers.get(event_type, []):
        _subscribers[event_type].remove(handler_path)


def subscribers(event_type: str) -> list[str]:
    return list(_subscribers.get(event_type, ())) + list(_subscribers.get("*", ()))


def schedule(event_id: int, event_type: str) -> None:
    """Queue the reactions to an event once the surrounding transaction commits."""
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
