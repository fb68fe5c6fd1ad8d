"""The whole OpenAPI schema, fuzzed with schemathesis as anonymous, customer, merchandiser and superuser.

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
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    response_schema_conformance,
    status_code_conformance,
)

from tests.conftest import REAL_SERVICES
from tests.core.api_world import ROLES, build_world

# On MariaDB + Redis (CI's second run) the fuzzing runs in full; on the embedded default it is a
# quick pass over every operation, with the same checks.
MAX_EXAMPLES = int(os.environ.get("API_FUZZ_MAX_EXAMPLES", 12 if REAL_SERVICES else 3))


def valid_input_is_accepted_as_well_formed(ctx, response, case):
    """A body the schema calls valid is never refused as malformed input: the server enforces no
    bound, required field, pattern or type on it that the schema does not declare. (It may still be
    refused by a business rule, with that rule's own code: `insufficient_stock`, `invalid_transition`.)"""
    if case.meta is None or not case.meta.generation.mode.is_positive or response.status_code != 400:
        return None
    body = response.json()
    sent = set(case.body) if isinstance(case.body, dict) else set()
    about_body = [name for name in body.get("fields", {}) if re.split(r"[.\[]", name)[0] in sent]
    if body.get("code") in ("invalid", "unknown_field", "malformed_request") and about_body:
        raise AssertionError(f"A body valid by the schema was refused as {body['code']}: {body['fields']}")
    return None


CHECKS = [
    not_a_server_error, status_code_conformance, content_type_conformance, response_schema_conformance,
    valid_input_is_accepted_as_well_formed,
]


def _openapi() -> dict:
    generator = SchemaGenerator()
    return json.loads(OpenApiJsonRenderer().render(generator.get_schema(request=None, public=True)))


schema = schemathesis.openapi.from_dict(
    _openapi(),
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
    """The shop, built once for the module in a transaction rolled back at its end."""
    with django_db_blocker.unblock(), transaction.atomic():
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


@pytest.fixture(params=ROLES)
def role(request):
    return request.param


@schema.parametrize()
@hypothesis.settings(deadline=None, suppress_health_check=list(hypothesis.HealthCheck))
def test_api_conforms_to_its_schema(case, world, role, app, unthrottled, db):
    case.call_and_validate(app=app, headers=world.headers(role), checks=CHECKS)
