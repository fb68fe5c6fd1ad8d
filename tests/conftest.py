import os

import pytest
from opentelemetry.sdk.trace.export import SimpleSpanProcessor
from opentelemetry.sdk.trace.export.in_memory_span_exporter import InMemorySpanExporter

from commerce import telemetry
from tests import clock

_exporter = InMemorySpanExporter()
telemetry.provider().add_span_processor(SimpleSpanProcessor(_exporter))

REAL_SERVICES = bool(os.environ.get("DATABASE_URL")) and bool(os.environ.get("REDIS_URL"))


def pytest_configure(config):
    # Before any test module is imported: module-level dates (test cards) see the moved clock too.
    today = clock.install_from_environment()
    if today is not None:
        config.stash[_TODAY] = today


def pytest_report_header(config):
    today = config.stash.get(_TODAY, None)
    return f"clock moved: today is {today} (TEST_TODAY)" if today else None


_TODAY = pytest.StashKey()


@pytest.fixture
def frozen_clock(monkeypatch):
    """Pin ``timezone.now`` to one moment: ``frozen_clock(datetime(2031, 1, 15, 10, tzinfo=UTC))``."""
    from django.utils import timezone

    def freeze(moment):
        monkeypatch.setattr(timezone, "now", lambda: moment)
        return moment

    return freeze


def pytest_collection_modifyitems(config, items):
    if REAL_SERVICES:
        return
    skip = pytest.mark.skip(reason="integration test: needs DATABASE_URL (MariaDB) and REDIS_URL (Redis)")
    for item in items:
        if "integration" in item.keywords:
            item.add_marker(skip)


@pytest.fixture
def spans():
    """Spans finished during the test, read from an in-memory exporter."""
    _exporter.clear()
    yield _exporter
    _exporter.clear()


@pytest.fixture(autouse=True)
def _clean_cache():
    from django.core.cache import cache

    yield
    if REAL_SERVICES:
        cache.delete_pattern("*")  # only this project's key prefix, never FLUSHDB
    else:
        cache.clear()


@pytest.fixture
def celery_eager():
    """Run Celery tasks in-process for this test, even when a real broker is configured."""
    from commerce.celery import app

    previous = app.conf.task_always_eager, app.conf.task_eager_propagates
    app.conf.task_always_eager, app.conf.task_eager_propagates = True, True
    yield app
    app.conf.task_always_eager, app.conf.task_eager_propagates = previous


@pytest.fixture(autouse=True)
def _fast_password_hashing(settings):
    """Hashing with PBKDF2 at production strength costs ~0.3 s a user; tests need no strength."""
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
