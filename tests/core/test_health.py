"""Liveness stays cheap; readiness checks the database, the cache and the broker, and names what failed."""

import socket

import pytest
from django.db import OperationalError, connections


def closed_port() -> int:
    """A local TCP port nothing listens on (bound, then released)."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def test_healthz_is_liveness_and_touches_no_database(client):
    # no django_db mark: a query would fail the test
    response = client.get("/healthz")

    assert response.status_code == 200
    assert response.json() == {"status": "ok"}


@pytest.mark.django_db
def test_readyz_is_ready_when_the_database_and_cache_answer(client, settings):
    settings.CELERY_BROKER_URL, settings.CELERY_TASK_ALWAYS_EAGER = "memory://localhost/", True

    response = client.get("/readyz")

    assert response.status_code == 200
    body = response.json()
    assert body["status"] == "ready" and body["failed"] == []
    assert body["checks"] == {"database": "ok", "cache": "ok", "broker": "not configured"}
    assert "no-cache" in response["Cache-Control"]


@pytest.mark.django_db
def test_readyz_answers_503_naming_the_cache_when_it_does_not_answer(client, settings):
    settings.CACHES = {"default": {
        "BACKEND": "django_redis.cache.RedisCache",
        "LOCATION": f"redis://127.0.0.1:{closed_port()}/0",
        "OPTIONS": {"CLIENT_CLASS": "django_redis.client.DefaultClient", "SOCKET_CONNECT_TIMEOUT": 1},
    }}

    response = client.get("/readyz")

    assert response.status_code == 503
    body = response.json()
    assert body["status"] == "unavailable"
    assert body["failed"] == ["cache"]
    assert body["checks"]["database"] == "ok"
    assert body["checks"]["cache"].startswith("failed: ")
    assert "127.0.0.1" not in response.content.decode()  # the log has the detail, the answer does not


@pytest.mark.django_db
def test_readyz_checks_a_configured_broker_and_names_it_when_it_does_not_answer(client, settings):
    settings.CELERY_BROKER_URL, settings.CELERY_TASK_ALWAYS_EAGER = f"redis://127.0.0.1:{closed_port()}/0", False

    response = client.get("/readyz")

    assert response.status_code == 503
    assert response.json()["failed"] == ["broker"]
    assert response.json()["checks"]["database"] == "ok" and response.json()["checks"]["cache"] == "ok"


@pytest.mark.django_db
def test_readyz_answers_503_naming_the_database_when_it_does_not_answer(client, settings, monkeypatch):
    settings.CELERY_BROKER_URL, settings.CELERY_TASK_ALWAYS_EAGER = "memory://localhost/", True

    def refuse(*args, **kwargs):
        raise OperationalError("Can't connect to server")

    monkeypatch.setattr(connections["default"], "cursor", refuse)
    response = client.get("/readyz")

    assert response.status_code == 503
    assert response.json()["failed"] == ["database"]
    assert response.json()["checks"]["cache"] == "ok"
    assert "connect" not in response.content.decode()


@pytest.mark.integration
@pytest.mark.django_db
def test_readyz_pings_the_real_broker_and_cache(client, settings):
    if not settings.REDIS_URL:
        pytest.skip("needs REDIS_URL")
    settings.CELERY_BROKER_URL, settings.CELERY_TASK_ALWAYS_EAGER = settings.REDIS_URL, False

    response = client.get("/readyz")

    assert response.status_code == 200, response.content
    assert response.json()["checks"] == {"database": "ok", "cache": "ok", "broker": "ok"}
