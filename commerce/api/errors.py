"""One error format for every API error: ``{"code", "detail", "fields"}``.

Domain errors raised by services map to their status (400/403/404/409) here and nowhere else.
Anything unexpected is logged and answered with a 500 that reveals nothing. Every ``code`` is a
member of an error ``StrEnum``: a domain error's own, or ``CoreError`` for the format's answers
to what is not a domain error (bad JSON, no credentials, throttling, ...). How the format and the
errors are shown in the OpenAPI schema is ``commerce.api.schema``.
"""

import logging
from enum import StrEnum

from django.conf import settings
from django.core.exceptions import PermissionDenied as DjangoPermissionDenied
from django.core.exceptions import RequestDataTooBig, TooManyFieldsSent, TooManyFilesSent
from django.http import Http404
from rest_framework import exceptions, status
from rest_framework.response import Response
from rest_framework.settings import api_settings
from rest_framework.views import exception_handler as drf_exception_handler

from commerce.errors import CoreError, DomainError, RequestTooLarge

logger = logging.getLogger("commerce.api")

def error_body(code: StrEnum, detail: str, fields: dict | None = None, extra: dict | None = None) -> dict:
    body = {"code": str(code), "detail": detail, "fields": fields or {}}
    if extra:
        body["extra"] = extra
    return body


def request_too_large_error() -> RequestTooLarge:
    limit = settings.DATA_UPLOAD_MAX_MEMORY_SIZE
    size = f" (at most {limit // 1024} KB)" if limit else ""
    return RequestTooLarge(f"The request body is too large{size}.")


def _flat_fields(detail, path: str = "", into: dict | None = None) -> dict[str, list]:
    """DRF's nested error detail as flat keys, the way domain errors name fields.

    ``{"lines": [{}, {"quantity": [...]}]}`` becomes ``{"lines[1].quantity": [...]}``, a nested
    serializer's ``card.number``, a list's own errors (``non_field_errors`` of a nested serializer,
    ``minItems``) are keyed by its name; the request as a whole is ``non_field_errors``. The messages
    keep their codes (DRF ``ErrorDetail``), which the handler reads.
    """
    into = {} if into is None else into
    if isinstance(detail, dict):
        for key, value in detail.items():
            if isinstance(key, int):  # a ListField's or a DictField's item, by index
                _flat_fields(value, f"{path}[{key}]", into)
            elif key == api_settings.NON_FIELD_ERRORS_KEY and path:
                _flat_fields(value, path, into)
            else:
                _flat_fields(value, f"{path}.{key}" if path else str(key), into)
    elif isinstance(detail, list) and any(isinstance(item, (dict, list)) for item in detail):
        for index, item in enumerate(detail):  # a list serializer: one entry per item, empty when valid
            _flat_fields(item, f"{path}[{index}]", into)
    else:
        messages = detail if isinstance(detail, list) else [detail]
        into.setdefault(path or api_settings.NON_FIELD_ERRORS_KEY, []).extend(messages)
    return into


def _domain_codes(cls: type = DomainError) -> dict[str, StrEnum]:
    """The codes the domain errors own, by their text: a field error carrying one keeps it as the answer's code."""
    codes = {}
    for subclass in cls.__subclasses__():
        codes |= {str(subclass.default_code): subclass.default_code} | _domain_codes(subclass)
    return codes


def _validation_error_body(exc: exceptions.ValidationError) -> dict:
    detail = exc.detail if isinstance(exc.detail, dict) else {api_settings.NON_FIELD_ERRORS_KEY: exc.detail}
    fields = _flat_fields(detail)
    codes = {getattr(message, "code", None) for messages in fields.values() for message in messages}
    plain = {name: [str(message) for message in messages] for name, messages in fields.items()}
    unknown = [name for name, messages in fields.items()
               if any(getattr(m, "code", None) == CoreError.UNKNOWN_FIELD for m in messages)]
    if unknown:  # a tampered request is told so first, whatever else is wrong with it
        return error_body(CoreError.UNKNOWN_FIELD, f"The request has fields this endpoint does not take: {', '.join(unknown)}.", plain)
    owned = {text: code for text, code in _domain_codes().items() if code != DomainError.default_code}
    if len(codes) == 1 and (code := codes.pop()) in owned:
        name, messages = next(iter(plain.items()))
        return error_body(owned[code], f"{name}: {messages[0]}", plain)
    return error_body(CoreError.INVALID, "The request is not valid.", plain)


def exception_handler(exc, context):
    if isinstance(exc, (RequestDataTooBig, TooManyFieldsSent, TooManyFilesSent)):
        exc = request_too_large_error()
    if isinstance(exc, DomainError):
        return Response(error_body(exc.code, exc.message, exc.fields, exc.extra), status=exc.status_code)
    if isinstance(exc, Http404):
        exc = exceptions.NotFound()
    elif isinstance(exc, DjangoPermissionDenied):
        exc = exceptions.PermissionDenied()

    if isinstance(exc, exceptions.ValidationError):
        return Response(_validation_error_body(exc), status=status.HTTP_400_BAD_REQUEST)

    response = drf_exception_handler(exc, context)
    if response is None:
        logger.exception("Unhandled API error", exc_info=exc)
        return Response(error_body(CoreError.SERVER_ERROR, "Something went wrong on our side."), status=500)
    if isinstance(exc, exceptions.APIException):
        detail = exc.detail if isinstance(exc.detail, str) else str(exc.default_detail)
        response.data = error_body(_api_exception_code(exc), str(detail))
    return response


def _api_exception_code(exc: exceptions.APIException) -> CoreError:
    """DRF's exceptions answer with their own code (``not_authenticated``, ``throttled``), a ``CoreError``;
    a parse error is ``malformed_request``. One not named there (none is raised today) is logged and
    answered by its kind: ``server_error`` for a 5xx, else ``invalid``."""
    if isinstance(exc, exceptions.ParseError):
        return CoreError.MALFORMED_REQUEST
    code = exc.get_codes() if isinstance(exc.get_codes(), str) else exc.default_code
    try:
        return CoreError(code)
    except ValueError:
        logger.warning("API exception %s has the code %r, which is no CoreError", type(exc).__name__, code)
        return CoreError.SERVER_ERROR if exc.status_code >= 500 else CoreError.INVALID

