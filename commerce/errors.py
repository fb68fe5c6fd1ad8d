"""The one base of every domain error. The API and pages turn these into messages; nothing else."""


class DomainError(Exception):
    """A command refused for a business reason: a stable ``code``, a human message, an HTTP status."""

    status_code = 400
    default_code = "invalid"

    def __init__(self, message: str, *, code: str | None = None, extra: dict | None = None, fields: dict | None = None):
        super().__init__(message)
        self.message = message
        self.code = code or self.default_code
        self.extra = extra or {}
        self.fields = fields or {}


class ValidationError(DomainError):
    status_code = 400
    default_code = "invalid"


class NotFound(DomainError):
    status_code = 404
    default_code = "not_found"


class PermissionDenied(DomainError):
    status_code = 403
    default_code = "permission_denied"


class Conflict(DomainError):
    status_code = 409
    default_code = "conflict"


class RequestTooLarge(DomainError):
    """A body over ``DATA_UPLOAD_MAX_MEMORY_SIZE`` (or with too many form fields): refused unread."""

    status_code = 413
    default_code = "request_too_large"
