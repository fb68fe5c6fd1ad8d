"""The whole OpenAPI schema, fuzzed with schemathesis as anonymous, customer, merchandiser, superuser and driver.

Every operation gets the schema's own examples, then generated requests (valid and invalid), sent
in-process to Django's WSGI handler against the test database, with a seeded shop behind it
(``tests/core/api_world.py``): path parameters and body fields that name objects hit real ones
part of the time. Every answer must be a documented status, in the documented content type, with
a body that matches the documented schema; no answer may be a 5xx.
"""

import json
import os
import re

import hypothesis
import pytest
import schemathesis
from django.core.handlers.wsgi import WSGIHandler
from django.core.signals import request_finished, request_started
from django.db import close_old_connections, transaction
from drf_spectacular.generators import SchemaGenerator
from drf_spectacular.renderers import OpenApiJsonRenderer
from hypothesis import strategies as st
from rest_framework.throttling import SimpleRateThrottle
from schemathesis.checks import not_a_server_error
from schemathesis.core.parameters import ParameterLocation
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    negative_data_rejection,
    response_schema_conformance,
    status_code_conformance,
)

from commerce import locks
from tests.conftest import REAL_SERVICES
from tests.core.api_world import ROLES, build_world

pytestmark = pytest.mark.fuzz

# On MariaDB + Redis (CI's second run) the fuzzing runs in full; on the embedded default it is a
# quick pass over every operation, with the same checks.
MAX_EXAMPLES = int(os.environ.get("API_FUZZ_MAX_EXAMPLES", 12 if REAL_SERVICES else 3))


# Rules between fields, or against the clock, which a JSON Schema cannot say: the server checks them
# (400 `invalid`, the field named) and the operation's description says them.
RULES_BETWEEN_FIELDS = {
    "Required for card payments.", "Not used for cash on delivery.", "The card has expired.",
    "Refund either an amount or lines, not both.", "Send latitude and longitude together, or neither.",
}
RANGE_MESSAGES = ("Ensure this value is less than or equal to", "Ensure this value is greater than or equal to")


def _body_property(case, path: str) -> dict:
    """The schema of the body field at a flat error path (``tiers[3].percent``)."""
    operation = RAW_SCHEMA["paths"][case.operation.path][case.method.lower()]
    schema = operation["requestBody"]["content"]["application/json"]["schema"]
    for token in re.findall(r"[^.\[\]]+|\[\d+\]", path):
        while "$ref" in schema:
            schema = RAW_SCHEMA["components"]["schemas"][schema["$ref"].split("/")[-1]]
        schema = schema.get("items", {}) if token.startswith("[") else schema.get("properties", {}).get(token, {})
    return schema


def _schema_cannot_say(case, path: str, message: str) -> bool:
    if message in RULES_BETWEEN_FIELDS:
        return True
    # a decimal string's range is in its description (JSON Schema's minimum is for numbers)
    return message.startswith(RANGE_MESSAGES) and _body_property(case, path).get("format") == "decimal"


def valid_input_is_accepted_as_well_formed(ctx, response, case):
    """A body the schema calls valid is never refused as malformed input: the server enforces no
    bound, required field, pattern or type on it that the schema does not declare. (It may still be
    refused by a business rule, with that rule's own code: `insufficient_stock`, `invalid_transition`.)"""
    if case.meta is None or not case.meta.generation.mode.is_positive or response.status_code != 400:
        return None
    body = response.json()
    if body.get("code") not in ("invalid", "unknown_field", "malformed_request") or not isinstance(case.body, dict):
        return None
    refused = {
        name: messages for name, messages in body["fields"].items()
        if re.split(r"[.\[]", name)[0] in case.body
        and not all(_schema_cannot_say(case, name, message) for message in messages)
    }
    if refused:
        raise AssertionError(f"A body valid by the schema was refused as {body['code']}: {refused}")
    return None


def invalid_bodies_are_refused(ctx, response, case):
    """A body the schema calls invalid (an undeclared field, a bound, a type) is refused with a 4xx:
    the schema promises nothing the server does not enforce. Bodies only: in a query string Django
    reads `?page_size=` as no value and `?page_size=1&page_size=2` as its last value. Not multipart
    bodies (a review photo): schemathesis sends a sample picture for every binary field, so a body it
    negated arrives as a valid upload."""
    if (case.media_type or "").startswith("multipart/"):
        return None
    negated = {location for location, info in (case.meta.components if case.meta else {}).items() if info.mode.is_negative}
    if case.media_type == "multipart/form-data":
        # A form carries text and files only: a number, null or an object for a text field reaches
        # the server as valid text (or not at all), so a "negative" form may be a valid one.
        return None
    if negated == {ParameterLocation.BODY}:
        return negative_data_rejection(ctx, response, case)
    return None


CHECKS = [
    not_a_server_error, status_code_conformance, content_type_conformance, response_schema_conformance,
    valid_input_is_accepted_as_well_formed, invalid_bodies_are_refused,
]


def _openapi() -> dict:
    generator = SchemaGenerator()
    return json.loads(OpenApiJsonRenderer().render(generator.get_schema(request=None, public=True)))


RAW_SCHEMA = _openapi()
schema = schemathesis.openapi.from_dict(
    RAW_SCHEMA,
    config=schemathesis.Config.from_dict({
        "phases": {"coverage": {"enabled": False}, "stateful": {"enabled": False}},
        "generation": {"mode": "all", "max-examples": MAX_EXAMPLES, "deterministic": True, "database": "none"},
    }),
)

WORLD = {}  # the seeded shop of this module, read when examples are drawn (after seeding)


def _real(name: str, index: int):
    choices = WORLD["world"].values.get(name)
    return choices[index % len(choices)] if choices else None


def _with_real_values(data: dict | None, picks: list[int]) -> dict | None:
    if not data or "world" not in WORLD:  # the schema's examples are drawn at collection, before the shop exists
        return data
    data = dict(data)
    for position, name in enumerate(sorted(data)):
        if name in WORLD["world"].values and picks[position % len(picks)] % 2:
            real = _real(name, picks[position % len(picks)] // 2)
            data[name] = [real] if isinstance(data[name], list) else real
    if {"stream_type", "stream_id"} <= set(data) and picks[0] % 2 and WORLD["world"].streams:
        data["stream_type"], data["stream_id"] = WORLD["world"].streams[picks[0] // 2 % len(WORLD["world"].streams)]
    return data


@schema.hook
def before_generate_case(context, strategy):
    """Point valid requests at real objects part of the time (an invalid one stays as generated)."""

    def with_real_values(case):
        if case.meta is None or not case.meta.generation.mode.is_positive:
            return st.just(case)

        def substitute(picks):
            if case.path_parameters:
                case.path_parameters = _with_real_values(case.path_parameters, picks)
            if isinstance(case.body, dict):
                case.body = _with_real_values(case.body, picks)
            return case

        return st.lists(st.integers(0, 64), min_size=1, max_size=4).map(substitute)

    return strategy.flatmap(with_real_values)


@pytest.fixture(scope="module")
def world(django_db_setup, django_db_blocker):
    """The shop, built once for the module in a transaction rolled back at its end (a lock batch:
    each service building it is checked against the lock order as its own transaction)."""
    with django_db_blocker.unblock(), locks.batch():
        WORLD["world"] = build_world()
        yield WORLD["world"]
        transaction.set_rollback(True)
    WORLD.clear()


@pytest.fixture
def app():
    """Django's WSGI handler, without the per-request connection closing (the test holds a transaction)."""
    request_started.disconnect(close_old_connections)
    request_finished.disconnect(close_old_connections)
    try:
        yield WSGIHandler()
    finally:
        request_started.connect(close_old_connections)
        request_finished.connect(close_old_connections)


@pytest.fixture
def unthrottled(settings, monkeypatch):
    """Rates far above what the fuzzing sends, so it meets the endpoints rather than 429."""
    rates = {scope: "1000000/minute" for scope in settings.REST_FRAMEWORK["DEFAULT_THROTTLE_RATES"]}
    settings.REST_FRAMEWORK = {**settings.REST_FRAMEWORK, "DEFAULT_THROTTLE_RATES": rates}
    monkeypatch.setattr(SimpleRateThrottle, "THROTTLE_RATES", rates)


@schema.parametrize()
@hypothesis.settings(deadline=None, suppress_health_check=list(hypothesis.HealthCheck))
def test_api_conforms_to_its_schema(case, world, app, unthrottled, db):
    """Each generated request is sent once as every role, in turn: the cases are drawn once per
    operation, not once per role (generation is deterministic, so per-role tests drew the same cases
    five times over)."""
    for role in ROLES:
        try:
            case.call_and_validate(app=app, headers=world.headers(role), checks=CHECKS)
        except BaseException as failure:
            failure.add_note(f"(sent as {role})")
            raise
