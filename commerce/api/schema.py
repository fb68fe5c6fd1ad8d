"""How the API is documented in its OpenAPI schema: the error format, the errors every app answers,
and ``@documented(...)``, one per view method.

A view method says what is particular to it (its operation id, summary, request, answer, its own
errors and examples); ``documented`` adds what every operation of its kind may answer, so the view
module reads as views:

- ``access``: who may call it, and so which refusals it can meet: ``PUBLIC`` (throttling only),
  ``READ`` (a logged-in client: 401, 429; the default) or ``STAFF`` (401, 403, 429).
- a request body (``request=`` a serializer class) adds 400, the shared input errors plus the
  ``invalid`` examples given (``unknown_field`` too, when the serializer is strict and
  ``unknown_field`` is not turned off), and 415.

The answers are listed success first, then the errors by status (``sort=False`` keeps the order
given: the endpoint's 400 and own errors, then the access errors, then 415, as the promotions
endpoints have always listed them).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping

from drf_spectacular.utils import OpenApiExample, OpenApiResponse, extend_schema
from rest_framework import serializers
from rest_framework.fields import empty

from commerce.api.errors import error_body
from commerce.api.serializers import StrictInputSerializer


# --- the error format ---------------------------------------------------------------------------------
class ErrorSerializer(serializers.Serializer):
    """The body of every API error."""

    code = serializers.CharField(help_text="Stable, machine-readable error code, e.g. `product_not_found`.")
    detail = serializers.CharField(help_text="A message for humans.")
    fields = serializers.DictField(
        child=serializers.ListField(child=serializers.CharField()),
        help_text=(
            "Per-field messages (empty when the error is not about a field), flat: keyed by the field's path "
            "in the request body or query, e.g. `quantity`, `card.number`, `lines[1].quantity` (list items by "
            "their 0-based index), `lines` for the list itself, `non_field_errors` for the request as a whole. "
            "Services' errors and input validation use the same keys."
        ),
    )
    extra = serializers.DictField(required=False, help_text="Machine-readable details of domain errors, when any.")


def error_example(code: str, detail: str, fields: dict | None = None, *, name: str | None = None) -> OpenApiExample:
    return OpenApiExample(name or code, value=error_body(code, detail, fields), response_only=True)


def error_response(description: str, *examples: OpenApiExample) -> OpenApiResponse:
    """An error response for ``@extend_schema(responses=...)``: the error body with its examples."""
    return OpenApiResponse(response=ErrorSerializer, description=description, examples=list(examples))


def invalid_response(*examples: OpenApiExample) -> OpenApiResponse:
    """400: the shared input errors (malformed JSON, invalid fields) plus the endpoint's own."""
    return error_response(
        "The request is not valid; `fields` says which input is wrong.",
        *examples,
        error_example("malformed_request", "JSON parse error - Expecting value: line 1 column 1 (char 0)"),
    )


NOT_AUTHENTICATED = error_response(
    "No valid credentials: send `Authorization: Token <key>` or a session cookie.",
    error_example("not_authenticated", "Authentication credentials were not provided."),
)
PERMISSION_DENIED = error_response(
    "Logged in, but not allowed to do this.",
    error_example("permission_denied", "You do not have permission to perform this action."),
)
NOT_FOUND = error_response("No such resource.", error_example("not_found", "Not found."))
UNSUPPORTED_MEDIA_TYPE = error_response(
    "The body is not `application/json`.",
    error_example("unsupported_media_type", 'Unsupported media type "text/plain" in request.'),
)
THROTTLED = error_response(
    "Too many requests; retry after the `Retry-After` header's seconds.",
    error_example("throttled", "Request was throttled. Expected available in 42 seconds."),
)


UNKNOWN_FIELD = error_example(
    "unknown_field", "The request has fields this endpoint does not take: unit_price.", {"unit_price": ["Unknown field."]}
)


# --- who may call: the refusals every operation of that kind may meet ----------------------------------
PUBLIC = {429: THROTTLED}
READ = {401: NOT_AUTHENTICATED, 429: THROTTLED}
STAFF = {401: NOT_AUTHENTICATED, 403: PERMISSION_DENIED, 429: THROTTLED}

# --- errors several apps answer -----------------------------------------------------------------------
PAGE_NOT_FOUND = error_response("The page does not exist.", error_example("not_found", "Invalid page."))


def invalid_filter(description: str, *examples: OpenApiExample) -> dict:
    """The 400 of a read whose query parameters are checked: ``errors={**invalid_filter(...)}``."""
    return {400: error_response(description, *examples)}


# --- examples -----------------------------------------------------------------------------------------
def answer(name: str, value, *statuses: str) -> OpenApiExample:
    """An example answer, shown under the given statuses (all the operation's when none)."""
    return OpenApiExample(name, value=value, response_only=True, status_codes=list(statuses) or None)


def sent(name: str, value) -> OpenApiExample:
    """An example request body."""
    return OpenApiExample(name, value=value, request_only=True)


def _is_strict(request) -> bool:
    serializer = request if isinstance(request, type) else type(request)
    return issubclass(serializer, StrictInputSerializer)


def _names_unknown_field(examples: Iterable[OpenApiExample]) -> bool:
    return any(example.value.get("code") == UNKNOWN_FIELD.value["code"] for example in examples)


def responses_for(
    ok=None,
    *,
    status: int | tuple = 200,
    access: Mapping = READ,
    request=empty,
    invalid: Iterable[OpenApiExample] = (),
    errors: Mapping | None = None,
    sort: bool = True,
    unknown_field: bool = True,
) -> dict:
    """The ``responses`` of an operation: its answer, its own errors, and those its access and body imply."""
    invalid = list(invalid)
    body = request is not empty and request is not None
    if body and unknown_field and _is_strict(request) and not _names_unknown_field(invalid):
        invalid.append(UNKNOWN_FIELD)
    own = {400: invalid_response(*invalid)} if body else {}
    own.update(errors or {})
    own.update(access)
    if body:
        own[415] = UNSUPPORTED_MEDIA_TYPE
    return {status: ok, **(dict(sorted(own.items())) if sort else own)}


def documented(
    operation_id: str,
    summary: str,
    *,
    tags: list[str],
    ok=None,
    status: int | tuple = 200,
    access: Mapping = READ,
    request=empty,
    invalid: Iterable[OpenApiExample] = (),
    errors: Mapping | None = None,
    description: str | None = None,
    parameters: Iterable = (),
    examples: Iterable[OpenApiExample] = (),
    example: tuple[str, object] | None = None,
    sort: bool = True,
    unknown_field: bool = True,
    **more,
):
    """``extend_schema`` for one operation: its own parts, and the errors its ``access`` and body imply
    (``responses_for``). ``example=(name, value)`` is one more example answer, of the success status;
    ``more`` goes to ``extend_schema`` as it is (e.g. ``auth=[]``)."""
    responses = responses_for(ok, status=status, access=access, request=request, invalid=invalid, errors=errors, sort=sort,
                              unknown_field=unknown_field)
    kwargs = {"request": request} if request is not empty else {}
    if description is not None:
        kwargs["description"] = description
    if parameters:
        kwargs["parameters"] = list(parameters)
    examples = [*examples, answer(*example, str(status))] if example else list(examples)
    if examples:
        kwargs["examples"] = examples
    return extend_schema(operation_id=operation_id, summary=summary, tags=tags, responses=responses, **kwargs, **more)
