"""Settings from the environment: the embedded default, MariaDB/Redis, and production hardening.

Each case loads the settings module afresh in a subprocess with exactly the environment it names.
"""

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
LONG_SECRET = "k3v9-Q2x7_pZr8Lw4TnY6mB1cHs5dJf0gVeRaUiOoPlKjHgFdSaQwErTyUiOp-7xZ"
PRODUCTION = {
    "DJANGO_ENV": "production",
    "DJANGO_SECRET_KEY": LONG_SECRET,
    "DJANGO_ALLOWED_HOSTS": "shop.example.com",
    "ORDERS_WEBHOOK_SECRET": "whsec-" + LONG_SECRET[::-1],
    "SITE_URL": "https://shop.example.com",
    "EMAIL_URL": "smtp+tls://shop:s3cret@mail.example.com:587",
    "DEFAULT_FROM_EMAIL": "Shop <shop@example.com>",
}
SERVICE_VARS = {
    "DATABASE_URL", "DATABASE_REPLICA_URL", "REDIS_URL", "DJANGO_ENV", "DJANGO_SECRET_KEY", "DJANGO_ALLOWED_HOSTS",
    "DJANGO_DEBUG", "CELERY_BROKER_URL", "CELERY_RESULT_BACKEND", "CELERY_TASK_ALWAYS_EAGER", "CACHE_KEY_PREFIX",
    "DJANGO_SECURE_SSL_REDIRECT", "ORDERS_WEBHOOK_SECRET", "DJANGO_HSTS_SECONDS", "LOG_LEVEL", "NEAR_EXPIRY_DAYS",
    "CELERY_VISIBILITY_TIMEOUT", "CELERY_MAX_COUNTDOWN", "CELERY_TIME_LIMIT_DEFAULT",
    "CELERY_TIME_LIMIT_RECOMMENDATIONS", "CELERY_TIME_LIMIT_LOGISTICS", "API_THROTTLE_ANON", "API_THROTTLE_USER",
    "API_THROTTLE_AUTH", "ORDERS_SHIPPING_FLAT_RATE", "ORDERS_FREE_SHIPPING_OVER", "PROMOTIONS_VIP_LIFETIME_VALUE",
    "DEFAULT_CURRENCY", "OTEL_TRACES_EXPORTER", "OTEL_EXPORTER_OTLP_ENDPOINT",
    "SITE_URL", "SHOP_NAME", "EMAIL_URL", "EMAIL_HOST", "EMAIL_PORT", "EMAIL_HOST_USER", "EMAIL_HOST_PASSWORD",
    "EMAIL_USE_TLS", "EMAIL_USE_SSL", "EMAIL_TIMEOUT", "DEFAULT_FROM_EMAIL", "MAIL_MAX_ATTEMPTS", "MAIL_RETRY_SECONDS",
    "MAIL_SWEEP_AFTER_SECONDS",
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


def refused(**env_vars) -> str:
    """Start the settings with ``env_vars``; they must be refused. Returns what the process said."""
    done = run(["manage.py", "check"], **env_vars)
    assert done.returncode != 0, f"started with {env_vars}:\n{done.stdout}"
    assert "ImproperlyConfigured" in done.stderr
    return done.stderr.strip().splitlines()[-1]


@pytest.mark.parametrize("value", ["Production", "prod", "PRODUCTION", "staging", "dev", "productions"])
def test_an_unknown_django_env_is_refused_at_start_with_the_accepted_values(value):
    # given a value that used to run development mode silently (known secret key, default webhook secret)
    message = refused(**{**PRODUCTION, "DJANGO_ENV": value})

    assert f"DJANGO_ENV={value!r}" in message
    assert "accepted: development, production" in message


def test_the_documented_django_env_values_start():
    assert settings_with(DJANGO_ENV="development")["debug"] is True
    assert settings_with(**PRODUCTION)["debug"] is False


@pytest.mark.parametrize(
    ("name", "value", "base"),
    [
        ("DJANGO_DEBUG", "flase", {}),
        ("DJANGO_DEBUG", "Y", {}),
        ("CELERY_TASK_ALWAYS_EAGER", "maybe", {}),
        ("DJANGO_SECURE_SSL_REDIRECT", "flase", PRODUCTION),
    ],
)
def test_booleans_accept_only_true_or_false_spellings(name, value, base):
    message = refused(**{**base, name: value})

    assert f"{name}={value!r}" in message and "true/false" in message


def test_booleans_read_their_documented_spellings():
    assert settings_with(DJANGO_DEBUG="false")["debug"] is False
    assert settings_with(DJANGO_DEBUG="Off")["debug"] is False
    assert settings_with(DJANGO_DEBUG="1")["debug"] is True
    assert settings_with(**PRODUCTION, DJANGO_SECURE_SSL_REDIRECT="false")["secure"]["SECURE_SSL_REDIRECT"] is False


@pytest.mark.parametrize(
    ("name", "value"),
    [("NEAR_EXPIRY_DAYS", "fourteen"), ("NEAR_EXPIRY_DAYS", "\u00b9\u2074"), ("DJANGO_HSTS_SECONDS", "-1"),
     ("ORDERS_UNPAID_HOLD_MINUTES", "0"), ("LOG_LEVEL", "verbose")],
)
def test_numbers_and_choices_are_parsed_strictly(name, value):
    message = refused(**{**PRODUCTION, name: value})

    assert f"{name}=" in message and "accepted" in message


def test_production_refuses_debug_on():
    message = refused(**PRODUCTION, DJANGO_DEBUG="true")

    assert "DJANGO_DEBUG" in message


@pytest.mark.parametrize("name", ["DJANGO_SECRET_KEY", "ORDERS_WEBHOOK_SECRET"])
def test_production_refuses_an_empty_secret_and_the_development_default(name):
    from django.conf import settings

    default = {"DJANGO_SECRET_KEY": settings.DEV_SECRET_KEY, "ORDERS_WEBHOOK_SECRET": settings.DEV_WEBHOOK_SECRET}[name]

    assert name in refused(**{**PRODUCTION, name: ""})
    assert "development default" in refused(**{**PRODUCTION, name: default})
    unset = {k: v for k, v in PRODUCTION.items() if k != name}
    assert name in refused(**unset)


@pytest.mark.parametrize("hosts", ["*", "shop.example.com,*", "shop.example.com,,api.example.com", " , "])
def test_production_refuses_a_wildcard_or_empty_allowed_host(hosts):
    assert "DJANGO_ALLOWED_HOSTS" in refused(**{**PRODUCTION, "DJANGO_ALLOWED_HOSTS": hosts})


def test_allowed_hosts_are_trimmed():
    out = settings_with(**{**PRODUCTION, "DJANGO_ALLOWED_HOSTS": "shop.example.com, api.example.com"})

    assert out["allowed_hosts"] == ["shop.example.com", "api.example.com"]


def test_a_visibility_timeout_shorter_than_a_task_may_be_held_is_refused():
    # countdown 600 + logistics' hard limit 900: a 1,000 s timeout would hand running tasks to a second worker
    message = refused(CELERY_VISIBILITY_TIMEOUT="1000", CELERY_TIME_LIMIT_LOGISTICS="900", CELERY_MAX_COUNTDOWN="600")

    assert "CELERY_VISIBILITY_TIMEOUT=1000" in message and "1500" in message


def test_the_visibility_timeout_is_read_from_the_environment():
    done = run(["-c", "import django; django.setup()\nfrom commerce.celery import app\n"
                      "print(app.conf.broker_transport_options['visibility_timeout'])"],
               CELERY_VISIBILITY_TIMEOUT="8", CELERY_MAX_COUNTDOWN="1", CELERY_TIME_LIMIT_DEFAULT="3",
               CELERY_TIME_LIMIT_RECOMMENDATIONS="3", CELERY_TIME_LIMIT_LOGISTICS="3")

    assert done.returncode == 0, done.stderr[-2000:]
    assert done.stdout.strip().splitlines()[-1] == "8"


@pytest.mark.parametrize(
    ("name", "value"),
    [
        ("API_THROTTLE_ANON", "120 per minute"),  # DRF would fail on the first request: a 500
        ("API_THROTTLE_AUTH", "10/fortnight"),
        ("ORDERS_SHIPPING_FLAT_RATE", "4,90"),
        ("ORDERS_FREE_SHIPPING_OVER", "-1"),
        ("PROMOTIONS_VIP_LIFETIME_VALUE", "lots"),
        ("DEFAULT_CURRENCY", "eur"),
        ("DEFAULT_CURRENCY", "XXX"),
        ("OTEL_TRACES_EXPORTER", "jaeger"),
        ("REDIS_URL", "cache.internal:6379"),
        ("CELERY_BROKER_URL", "rabbit://broker"),
    ],
)
def test_values_read_later_are_checked_at_start(name, value):
    message = refused(**{name: value})

    assert f"{name}={value!r}" in message and "accepted" in message


def test_values_read_later_accept_their_documented_forms():
    done = run(["-c", "import django; django.setup()\nfrom django.conf import settings as s\n"
                      "print(s.REST_FRAMEWORK['DEFAULT_THROTTLE_RATES']['anon'], s.ORDERS_SHIPPING_FLAT_RATE, s.DEFAULT_CURRENCY)"],
               API_THROTTLE_ANON="50/s", ORDERS_SHIPPING_FLAT_RATE="5", DEFAULT_CURRENCY="JPY", OTEL_TRACES_EXPORTER="none",
               CELERY_RESULT_BACKEND="cache+memory://")

    assert done.returncode == 0, done.stderr[-2000:]
    assert done.stdout.strip().splitlines()[-1] == "50/s 5 JPY"


MAIL_PROBE = """
import json
from django.conf import settings as s
print(json.dumps({k: getattr(s, k) for k in (
    "SITE_URL", "EMAIL_BACKEND", "EMAIL_HOST", "EMAIL_PORT", "EMAIL_HOST_USER", "EMAIL_HOST_PASSWORD", "EMAIL_USE_TLS",
    "EMAIL_USE_SSL", "EMAIL_TIMEOUT", "DEFAULT_FROM_EMAIL")}))
"""


def mail_settings(**env_vars) -> dict:
    done = run(["-c", "import django; django.setup()\n" + MAIL_PROBE], **env_vars)
    assert done.returncode == 0, done.stderr[-3000:]
    return json.loads(done.stdout.strip().splitlines()[-1])


def test_mail_goes_to_the_console_in_development_with_links_to_the_local_shop():
    out = mail_settings()

    assert out["EMAIL_BACKEND"] == "django.core.mail.backends.console.EmailBackend"
    assert out["SITE_URL"] == "http://127.0.0.1:8000" and out["EMAIL_TIMEOUT"] == 20


def test_mail_is_sent_over_smtp_from_one_url_or_from_the_email_host_variables():
    out = mail_settings(EMAIL_URL="smtp+tls://shop%40example.com:p%2Fss@mail.example.com", SITE_URL="https://shop.example.com/")

    assert out["EMAIL_BACKEND"] == "django.core.mail.backends.smtp.EmailBackend"
    assert (out["EMAIL_HOST"], out["EMAIL_PORT"], out["EMAIL_USE_TLS"], out["EMAIL_USE_SSL"]) == ("mail.example.com", 587, True, False)
    assert (out["EMAIL_HOST_USER"], out["EMAIL_HOST_PASSWORD"]) == ("shop@example.com", "p/ss")
    assert out["SITE_URL"] == "https://shop.example.com"
    out = mail_settings(EMAIL_HOST="relay.internal", EMAIL_PORT="2525", EMAIL_USE_TLS="yes")
    assert (out["EMAIL_HOST"], out["EMAIL_PORT"], out["EMAIL_USE_TLS"]) == ("relay.internal", 2525, True)


def test_production_refuses_to_start_without_its_site_url_or_mail_delivery_or_sender():
    for missing, word in (("SITE_URL", "SITE_URL"), ("EMAIL_URL", "Mail delivery"), ("DEFAULT_FROM_EMAIL", "DEFAULT_FROM_EMAIL")):
        env = {k: v for k, v in PRODUCTION.items() if k != missing}
        done = run(["manage.py", "check"], **env)
        assert done.returncode != 0 and word in done.stderr, missing
    # printing mails is allowed in production when asked for by name, with no sender needed
    env = {k: v for k, v in PRODUCTION.items() if k != "DEFAULT_FROM_EMAIL"}
    assert mail_settings(**{**env, "EMAIL_URL": "console://"})["EMAIL_BACKEND"].endswith("console.EmailBackend")


@pytest.mark.parametrize(
    ("name", "value", "base"),
    [
        ("SITE_URL", "http://shop.example.com", PRODUCTION),  # links in production mails are https
        ("SITE_URL", "shop.example.com", {}),
        ("SITE_URL", "https://shop.example.com/shop/", {}),
        ("SITE_URL", "https://shop.example.com:99999", {}),
        ("EMAIL_URL", "smtps://mail.example.com", {}),
        ("EMAIL_URL", "smtp://", {}),
        ("EMAIL_TIMEOUT", "0", {}),
    ],
)
def test_mail_settings_are_read_strictly(name, value, base):
    message = refused(**{**base, name: value})

    assert f"{name}=" in message and "accepted" in message


def test_a_refused_mail_url_does_not_show_its_password():
    message = refused(EMAIL_URL="smtps://shop:hunter2@mail.example.com")

    assert "EMAIL_URL=" in message and "hunter2" not in message
