import os

import pytest
from opentelemetry.sdk.trace.export import SimpleSpanProcessor
from opentelemetry.sdk.trace.export.in_memory_span_exporter import InMemorySpanExporter
from rest_framework.test import APIClient

from commerce import telemetry
from tests import clock
from tests.factories import NO_PASSWORD, CustomerFactory, StaffFactory, UserFactory, customer_with_address, token_client

_exporter = InMemorySpanExporter()
telemetry.provider().add_span_processor(SimpleSpanProcessor(_exporter))

REAL_SERVICES = bool(os.environ.get("DATABASE_URL")) and bool(os.environ.get("REDIS_URL"))
XDIST_WORKER = os.environ.get("PYTEST_XDIST_WORKER", "")  # gw0, gw1 ... under `pytest -n N`, else ""


def pytest_configure(config):
    # Before any test module is imported: module-level dates (test cards) see the moved clock too.
    today = clock.install_from_environment()
    if today is not None:
        config.stash[_TODAY] = today
    if XDIST_WORKER and REAL_SERVICES:
        _cache_prefix_of_this_worker(XDIST_WORKER)
    if REAL_SERVICES:
        _redis_clear_within_the_prefix()


def _redis_clear_within_the_prefix() -> None:
    """``cache.clear()`` on django-redis is FLUSHDB: the whole Redis database, the other xdist
    worker's keys in the middle of its test included (a throttle's history gone: no 429 where one
    was due, seen in CI). In tests it deletes this cache's own keys (its prefix) only, wherever a
    test calls it."""
    from django_redis.cache import RedisCache

    def clear(self) -> None:
        self.delete_pattern("*")

    RedisCache.clear = clear


def _cache_prefix_of_this_worker(worker: str) -> None:
    """Under pytest-xdist each worker has its own test database (pytest-django adds ``_gw0``...) and
    here its own cache key prefix, so one worker clearing its cache after a test (``_clean_cache``)
    never empties another's in the middle of a test. Subprocesses (servers, Celery workers) inherit it."""
    from asgiref.local import Local
    from django.conf import settings
    from django.core.cache import caches, close_caches

    prefix = f"{settings.CACHES['default'].get('KEY_PREFIX', '')}-{worker}"
    os.environ["CACHE_KEY_PREFIX"] = prefix
    settings.CACHES = {**settings.CACHES, "default": {**settings.CACHES["default"], "KEY_PREFIX": prefix}}
    close_caches()  # as Django's setting_changed receiver does, should a cache have been opened already
    caches._settings = caches.settings = caches.configure_settings(None)
    caches._connections = Local()


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


@pytest.hookimpl(tryfirst=True)  # before xdist's own hook reads the groups
def pytest_collection_modifyitems(config, items):
    # Under `pytest -n N --dist loadgroup` (scripts/test) the integration tests run one at a time in
    # one worker, as without xdist: they share the Redis broker's queues (real Celery workers, the
    # crash server) and time their races on the machine's cores. The other tests spread over the workers.
    one_at_a_time = pytest.mark.xdist_group("integration")
    for item in items:
        if "integration" in item.keywords:
            item.add_marker(one_at_a_time)
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
    from django.core.cache import cache, caches

    yield
    caches["local"].clear()  # the process-local level (recommendations serving)
    cache.clear()  # on Redis only this worker's key prefix, never FLUSHDB (``_redis_clear_within_the_prefix``)


@pytest.fixture
def celery_eager():
    """Run Celery tasks in-process for this test, even when a real broker is configured."""
    from commerce.celery import app

    previous = app.conf.task_always_eager, app.conf.task_eager_propagates
    app.conf.task_always_eager, app.conf.task_eager_propagates = True, True
    yield app
    app.conf.task_always_eager, app.conf.task_eager_propagates = previous


@pytest.fixture(autouse=True)
def _tasks_in_process(request):
    """Outside the integration tests, Celery tasks run in the test's process on every backend, as on
    the embedded default. With REDIS_URL set they would otherwise be sent to a Redis no worker of
    the test reads (reactions to every order event: the order mails), and wait there for the
    integration tests' real worker, with event ids of rolled-back tests."""
    if request.node.get_closest_marker("integration"):
        yield
        return
    from commerce.celery import app

    previous = app.conf.task_always_eager, app.conf.task_eager_propagates
    app.conf.task_always_eager, app.conf.task_eager_propagates = True, True
    yield
    app.conf.task_always_eager, app.conf.task_eager_propagates = previous


@pytest.fixture(autouse=True, scope="session")
def _lock_order_checked():
    """Every test checks its row locks against the lock order (``commerce.locks``), as development
    does: a service that locks out of order fails its tests (Django runs them with DEBUG off)."""
    from django.conf import settings

    settings.LOCK_ORDER_CHECKS = True


@pytest.fixture(autouse=True)
def _quick_planning(settings):
    """Planning a day searches for 1 s in tests (30 s by default), optimising a route at most 2 s (the API
    answers when it is done): the route planner answers within its limit."""
    settings.LOGISTICS_PLAN_TIME_LIMIT = 1
    settings.LOGISTICS_ROUTE_OPTIMISE_MAX_TIME_LIMIT = 2


@pytest.fixture(autouse=True)
def _fast_password_hashing(settings):
    """Hashing with PBKDF2 at production strength costs ~0.3 s a user; tests need no strength."""
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture(autouse=True)
def _media_in_memory(settings):
    """Uploaded files (product pictures, review photos, proofs of delivery) go to in-memory storages
    in tests, never to var/media or var/private: each test starts with empty ones."""
    memory = {"BACKEND": "django.core.files.storage.InMemoryStorage"}
    settings.STORAGES = {**settings.STORAGES, "default": memory, "private": memory}


# --- clients and users every app's tests share ---------------------------------------------------
# API clients (``rest_framework.test.APIClient``) authenticate with a token, as the mobile app does;
# ``admin_*`` fixtures log the Django test ``client`` in and return the user; ``shopper`` is that
# client logged in as a customer with an address, for the shop pages.


@pytest.fixture
def api_client():
    """An anonymous API client."""
    return APIClient()


@pytest.fixture
def customer():
    """A shopper in the Customers group, with a profile and no address."""
    return CustomerFactory()


@pytest.fixture
def customer_client(customer):
    """An API client authenticated as ``customer``."""
    return token_client(customer)


def _staff_client(group: str):
    return token_client(StaffFactory(groups=[group]))


@pytest.fixture
def merchandiser():
    """An API client authenticated as a member of staff in the Merchandisers group."""
    return _staff_client("Merchandisers")


@pytest.fixture
def dispatcher():
    """An API client authenticated as a member of staff in the Dispatchers group."""
    return _staff_client("Dispatchers")


@pytest.fixture
def support():
    """An API client authenticated as a member of staff in the Support group."""
    return _staff_client("Support")


def _log_in_staff(client, username: str, group: str):
    user = StaffFactory(username=username, groups=[group], password=NO_PASSWORD)
    client.force_login(user)
    return user


@pytest.fixture
def admin_merchandiser(client):
    """A Merchandiser (``merch``) logged in to the back office with ``client``."""
    return _log_in_staff(client, "merch", "Merchandisers")


@pytest.fixture
def admin_dispatcher(client):
    """A Dispatcher (``dispatch``) logged in to the back office with ``client``."""
    return _log_in_staff(client, "dispatch", "Dispatchers")


@pytest.fixture
def admin_support(client):
    """A member of Support (``helpdesk``) logged in to the back office with ``client``."""
    return _log_in_staff(client, "helpdesk", "Support")


@pytest.fixture
def superuser():
    """A superuser (``root``), not logged in."""
    return UserFactory(username="root", is_staff=True, is_superuser=True, password=NO_PASSWORD)


@pytest.fixture
def admin_superuser(client, superuser):
    """The superuser, logged in to the back office with ``client``."""
    client.force_login(superuser)
    return superuser


@pytest.fixture
def shopper(client):
    """The test ``client`` logged in as a customer with an address (``client.customer``, ``client.address``)."""
    customer, address = customer_with_address()
    client.force_login(customer)
    client.customer, client.address = customer, address
    return client
