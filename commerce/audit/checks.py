"""System checks of the audit app: every bus subscription names an event type that exists."""

from django.core.checks import Error, register


@register()
def subscriptions_name_known_event_types(app_configs=None, **kwargs):
    from commerce.audit import bus

    return [
        Error(
            f"{handler} subscribes to {event_type!r}, which no event class declares.",
            hint="Use the event_type of a DomainEventData subclass (commerce.audit.events.event_types()).",
            id="audit.E001",
        )
        for event_type, handler in bus.unknown_subscriptions()
    ]
