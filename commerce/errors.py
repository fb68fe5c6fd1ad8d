"""The one base of every domain error, and the core's error codes.

Every error code the shop answers with is a member of one app's ``StrEnum`` of codes: the core's
``CoreError`` (below: the kinds' own codes and the API's error format), ``CatalogError``,
``AccountsError``, ``OrdersError``, ``PromotionsError``, each in its app's ``errors.py``. A
``DomainError`` subclass owns its code (``default_code``); a raise site never chooses one, so the
class a reader finds at the raise is the code the client gets. A code is a ``str`` too, so JSON,
templates and tests that compare with ``"cart_empty"`` keep working; code compares with members.
"""

from enum import StrEnum, unique


@unique
class CoreError(StrEnum):
    """The core's codes: the generic kinds, and the API error format's own (``commerce/api/errors.py``)."""

    # owned by the DomainError kinds below
    INVALID = "invalid"
    NOT_FOUND = "not_found"
    PERMISSION_DENIED = "permission_denied"
    CONFLICT = "conflict"
    REQUEST_TOO_LARGE = "request_too_large"
    IMAGE_INVALID = "image_invalid"  # an uploaded picture refused by commerce.images
    # the API's answers that are not domain errors (DRF's exceptions, the handler's own)
    UNKNOWN_FIELD = "unknown_field"  # a body field the endpoint does not take (StrictInputSerializer)
    BAD_REQUEST = "bad_request"  # Django's 400 (a bad Host header, a suspicious operation): commerce/error_views.py
    MALFORMED_REQUEST = "malformed_request"
    NOT_AUTHENTICATED = "not_authenticated"
    AUTHENTICATION_FAILED = "authentication_failed"
    METHOD_NOT_ALLOWED = "method_not_allowed"
    NOT_ACCEPTABLE = "not_acceptable"
    UNSUPPORTED_MEDIA_TYPE = "unsupported_media_type"
    THROTTLED = "throttled"
    SERVER_ERROR = "server_error"


class DomainError(Exception):
    """A command refused for a business reason: a stable ``code``, a human message, an HTTP status.

    The code is the class's ``default_code``, a member of an error ``StrEnum``; to answer with
    another code, raise (or create) the subclass that owns it.
    """

    status_code = 400
    default_code: StrEnum = CoreError.INVALID

    def __init_subclass__(cls, **kwargs):
        super().__init_subclass__(**kwargs)
        if not isinstance(cls.default_code, StrEnum):
            raise TypeError(f"{cls.__qualname__}.default_code must be a member of an error StrEnum, not {cls.default_code!r}")

    def __init__(self, message: str, *, extra: dict | None = None, fields: dict | None = None):
        super().__init__(message)
        self.message = message
        self.extra = extra or {}
        self.fields = fields or {}

    @property
    def code(self) -> StrEnum:
        return self.default_code


class ValidationError(DomainError):
    status_code = 400
    default_code = CoreError.INVALID


class NotFound(DomainError):
    status_code = 404
    default_code = CoreError.NOT_FOUND


class PermissionDenied(DomainError):
    status_code = 403
    default_code = CoreError.PERMISSION_DENIED


class Conflict(DomainError):
    status_code = 409
    default_code = CoreError.CONFLICT


class RequestTooLarge(DomainError):
    """A body over ``DATA_UPLOAD_MAX_MEMORY_SIZE`` (or with too many form fields): refused unread."""

    status_code = 413
    default_code = CoreError.REQUEST_TOO_LARGE


class ImageInvalid(ValidationError):
    """An uploaded picture is not one the shop takes: not an image, a type it does not take, too
    many bytes or too many pixels (``commerce.images.clean_image``)."""

    default_code = CoreError.IMAGE_INVALID
