"""Staff notes on an order: added, never edited or deleted (the audit row is the history)."""

from __future__ import annotations

from django.db import transaction

from commerce import telemetry
from commerce.audit.events import record
from orders import events
from orders.errors import NoteInvalid
from orders.models import Order, OrderNote

MAX_NOTE_LENGTH = 2000


def order_note_add(*, order: Order, author, text: str) -> OrderNote:
    """Add a note to an order, written by ``author`` (a member of staff)."""
    text = (text or "").strip()
    if not text:
        raise NoteInvalid("Write the note first.", fields={"text": ["This field is required."]})
    if len(text) > MAX_NOTE_LENGTH:
        raise NoteInvalid(f"A note holds at most {MAX_NOTE_LENGTH} characters.",
                              fields={"text": [f"At most {MAX_NOTE_LENGTH} characters."]})
    with telemetry.command_span("commerce.order.note_add", attributes={"order.id": order.pk}), transaction.atomic():
        note = OrderNote.objects.create(order=order, author=author, text=text)
        record(events.OrderNoteAdded(order_id=order.pk, order_number=order.number, note_id=note.pk, text=text))
        return note
