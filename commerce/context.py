"""Who is acting, through which channel, in which session: read by the audit store.

A middleware fills it per request; Celery's task signals set the ``task`` channel. The user is
read lazily from the request at the moment an event is written, so DRF token authentication
(which happens inside the view) is seen too.
"""

import contextvars
import hashlib
import uuid
from dataclasses import dataclass

from django.db import models


class Channel(models.TextChoices):
    WEB = "web", "Web"
    API = "api", "API"
    ADMIN = "admin", "Admin"
    TASK = "task", "Task"
    SYSTEM = "system", "System"


@dataclass
class _Context:
    channel: str = Channel.SYSTEM
    request: object = None
    request_id: str = ""


_current: contextvars.ContextVar[_Context | None] = contextvars.ContextVar("commerce_context", default=None)


def _get() -> _Context:
    ctx = _current.get()
    if ctx is None:
        ctx = _Context()
        _current.set(ctx)
    return ctx


def set_channel(channel: str) -> None:
    _get().channel = channel


def channel() -> str:
    return _get().channel


def clear() -> None:
    _current.set(None)


def request_id() -> str:
    return _get().request_id


def current_request():
    """The request being served (set by ``RequestContextMiddleware``), or None outside one."""
    return _get().request


def actor():
    """The authenticated user behind the current request, or None."""
    request = _get().request
    user = getattr(request, "user", None) if request is not None else None
    if user is not None and user.is_authenticated:
        return user
    return None


def session_digest(key: str | None) -> str:
    """What the audit trail stores for a session: a digest, never the key itself (the key is
    what the session cookie carries, so storing it would let anyone who reads history take
    over the shopper's session)."""
    return hashlib.sha256(key.encode()).hexdigest()[:32] if key else ""


def session_key() -> str:
    """The current session's digest (see ``session_digest``), or ''."""
    request = _get().request
    session = getattr(request, "session", None)
    return session_digest(session.session_key) if session is not None else ""


def channel_for_path(path: str) -> str:
    if path.startswith("/api/"):
        return Channel.API
    if path.startswith("/admin/"):
        return Channel.ADMIN
    return Channel.WEB


class RequestContextMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        ctx = _Context(
            channel=channel_for_path(request.path),
            request=request,
            request_id=(request.headers.get("X-Request-ID") or uuid.uuid4().hex)[:64],
        )
        token = _current.set(ctx)
        try:
            response = self.get_response(request)
        finally:
            _current.reset(token)
        response["X-Request-ID"] = ctx.request_id
        return response
