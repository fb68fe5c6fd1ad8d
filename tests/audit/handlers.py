"""Subscribers used by the event bus tests."""

seen: list = []


def remember(event):
    seen.append((event.pk, event.event_type))


def explode(event):
    raise RuntimeError("this reaction fails on its own")
