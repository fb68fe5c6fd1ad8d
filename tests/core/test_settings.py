"""Settings from the environment: the embedded default, MariaDB/Redis, and production hardening.

Each case loads the settings module afresh in a subprocess with exactly the environment it names.
"""

import json
import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
LONG_SECRET = "k3v9-Q2x7_pZr8Lw4TnY6mB1cHs5dJf0gVeRaUiOoPlKjHgFdSaQwErTyUiOp-7xZ"
PRODUCTION = {
    "DJANGO_ENV": "production",
    "DJANGO_SECRET_KEY": LONG_SECRET,
    "DJANGO_ALLOWED_HOSTS": "shop.example.com",
    "ORDERS_WEBHOOK_SECRET": "whsec-" + LONG_SECRET[::-1],
}
SERVICE_VARS = {
    "DATABASE_URL", "DATABASE_REPLICA_URL", "REDIS_URL", "DJANGO_ENV", "DJANGO_SECRET_KEY", "DJANGO_ALLOWED_HOSTS",
    "DJANGO_DEBUG", "CELERY_BROKER_URL", "CELERY_RESULT_BACKEND", "CELERY_TASK_ALWAYS_EAGER", "CACHE_KEY_PREFIX",
    "DJANGO_SECURE_SSL_REDIRECT", "ORDERS_WEBHOOK_SECRET",
}

SETTINGS_PROBE = """
import json
from django.conf import settings
db = settings.DATABASES["default"]
print(json.dumps({
    "debug": settings.DEBUG,
    "allowed_hosts": settings.ALLOWED_HOSTS,
    "engine": db["ENGINE"], "name": str(db["NAME"]), "options": db.get("OPTIONS", {}),
    "conn_max_age": db.get("CONN_MAX_AGE"), "conn_health_checks": db.get("CONN_HEALTH_CHECKS"),
    "test": db.get("TEST", {}),
    "cache": settings.CACHES["default"],
    "broker": settings.CELERY_BROKER_URL, "result_backend": settings.CELERY_RESULT_BACKEND,
    "eager": settings.CELERY_TASK_ALWAYS_EAGER,
    "secure": {k: getattr(settings, k, None) for k in (
        "SESSION_COOKIE_SECURE", "CSRF_COOKIE_SECURE", "SECURE_SSL_REDIRECT", "SECURE_HSTS_SECONDS",
        "SECURE_HSTS_INCLUDE_SUBDOMAINS", "SECURE_HSTS_PRELOAD", "SECURE_PROXY_SSL_HEADER")},
}))
"""


def run(args, **env_vars):
    env = {k: v for k, v in os.environ.items() if k not in SERVICE_VARS}
    env.update({"DJANGO_SETTINGS_MODULE": "commerce.settings", **env_vars})
    return subprocess.run([sys.executable, *args], cwd=ROOT, env=env, capture_output=True, text=True, timeout=120)  # noqa: S603 (fixed argv)


def settings_with(**env_vars) -> dict:
    done = run(["-c", "import django; django.setup()\n" + SETTINGS_PROBE], **env_vars)
    assert done.returncode == 0, done.stderr[-3000:]
    return json.loads(done.stdout.strip().splitlines()[-1])


def test_production_settings_pass_check_deploy_with_no_warnings():
    done = run(["manage.py", "check", "--deploy", "--fail-level", "WARNING"], **PRODUCTION)

    assert done.returncode == 0, done.stdout + done.stderr
    assert "System check identified no issues" in done.stdout


def test_check_deploy_fails_on_a_weak_secret_key():
    # the check above is not vacuous: a short key is a warning, and warnings fail it
    done = run(["manage.py", "check", "--deploy", "--fail-level", "WARNING"], **{**PRODUCTION, "DJANGO_SECRET_KEY": "too-short"})

    assert done.returncode != 0
    assert "security.W009" in done.stderr + done.stdout


def test_production_refuses_to_start_without_a_secret_key():
    env = {k: v for k, v in PRODUCTION.items() if k != "DJANGO_SECRET_KEY"}

    done = run(["manage.py", "check"], **env)

    assert done.returncode != 0
    assert "DJANGO_SECRET_KEY" in done.stderr


def test_production_refuses_to_start_without_allowed_hosts():
    env = {k: v for k, v in PRODUCTION.items() if k != "DJANGO_ALLOWED_HOSTS"}

    done = run(["manage.py", "check"], **env)

    assert done.returncode != 0
    assert "DJANGO_ALLOWED_HOSTS" in done.stderr


def test_production_settings_are_hardened():
    out = settings_with(**PRODUCTION)

    assert out["debug"] is False
    assert out["allowed_hosts"] == ["shop.example.com"]
    secure = out["secure"]
    assert secure["SESSION_COOKIE_SECURE"] is True and secure["CSRF_COOKIE_SECURE"] is True
    assert secure["SECURE_SSL_REDIRECT"] is True
    assert secure["SECURE_HSTS_SECONDS"] >= 31536000
    assert secure["SECURE_HSTS_INCLUDE_SUBDOMAINS"] is True and secure["SECURE_HSTS_PRELOAD"] is True
    assert secure["SECURE_PROXY_SSL_HEADER"] == ["HTTP_X_FORWARDED_PROTO", "https"]


def test_embedded_default_is_sqlite_locmem_and_eager_celery():
    out = settings_with()

    assert out["debug"] is True
    assert out["engine"] == "django.db.backends.sqlite3"
    assert out["name"] == str(ROOT / "var" / "commerce.sqlite3")
    assert out["cache"]["BACKEND"] == "django.core.cache.backends.locmem.LocMemCache"
    assert out["eager"] is True
    assert out["broker"] == "memory://localhost/"


def test_database_url_mysql_uses_utf8mb4_read_committed_strict_mode_and_reuses_connections():
    out = settings_with(DATABASE_URL="mysql://shop:s3cret@db.internal:3306/commerce")

    assert out["engine"] == "django.db.backends.mysql"
    assert out["name"] == "commerce"
    assert out["options"]["charset"] == "utf8mb4"
    assert out["options"]["isolation_level"] == "read committed"
    assert "STRICT_TRANS_TABLES" in out["options"]["init_command"]
    assert out["conn_max_age"] > 0
    assert out["conn_health_checks"] is True
    assert out["test"]["CHARSET"] == "utf8mb4"


def test_redis_url_switches_cache_broker_and_results_to_redis_and_turns_off_eager():
    out = settings_with(REDIS_URL="redis://cache.internal:6379/2", CACHE_KEY_PREFIX="shop")

    assert out["cache"]["BACKEND"] == "django_redis.cache.RedisCache"
    assert out["cache"]["LOCATION"] == "redis://cache.internal:6379/2"
    assert out["cache"]["KEY_PREFIX"] == "shop"
    assert out["broker"] == "redis://cache.internal:6379/2"
    assert out["result_backend"] == "redis://cache.internal:6379/2"
    assert out["eager"] is False
