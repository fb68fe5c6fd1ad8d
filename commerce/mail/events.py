"""The mail framework's events, on the stream of each outbox row."""

from dataclasses import dataclass
from typing import ClassVar

from commerce.audit.events import DomainEventData


@dataclass(frozen=True, kw_only=True)
class _MailEvent(DomainEventData):
    stream_type: ClassVar[str] = "mail"
    mail_id: int
    key: str
    template: str
    customer_id: int | None

    @property
    def stream_id(self):
        return self.mail_id


@dataclass(frozen=True, kw_only=True)
class MailQueued(_MailEvent):
    """Recorded in the caller's transaction; sent once it committed."""

    event_type: ClassVar[str] = "mail.mail.queued"
    to: str
    subject: str


@dataclass(frozen=True, kw_only=True)
class MailSent(_MailEvent):
    event_type: ClassVar[str] = "mail.mail.sent"
    attempts: int


@dataclass(frozen=True, kw_only=True)
class MailFailed(_MailEvent):
    """Given up: refused for good by the server, or still failing after the last attempt."""

    event_type: ClassVar[str] = "mail.mail.failed"
    attempts: int
    error: str


@dataclass(frozen=True, kw_only=True)
class MailRequeued(_MailEvent):
    """A failed mail queued again by staff."""

    event_type: ClassVar[str] = "mail.mail.requeued"
    previous_attempts: int
    previous_error: str
