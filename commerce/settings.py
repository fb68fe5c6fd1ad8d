"""Settings for the commerce project, read from the environment (12-factor).

With nothing set this is the embedded default: SQLite in ``var/``, a local-memory cache and
Celery tasks run eagerly, so a newcomer's first command works anywhere.

``DATABASE_URL`` (mysql://...) and ``REDIS_URL`` switch to MySQL/MariaDB and Redis with real
Celery workers. ``DATABASE_REPLICA_URL`` adds a read replica used by selectors and reports.
``DJANGO_ENV=production`` turns on the deployment hardening that ``check --deploy`` asks for.
"""

from pathlib import Path

import environ
from celery.schedules import crontab
from django.core.exceptions import ImproperlyConfigured

from commerce import envvars
from commerce.money import MINOR_UNITS

BASE_DIR = Path(__file__).resolve().parent.parent
VAR_DIR = BASE_DIR / "var"

env = environ.Env()

# Fail closed: only the documented values start the process (`Production`, `prod` or `staging` are
# refused, never silently development). See the README's table of environment variables.
DJANGO_ENV = envvars.choice("DJANGO_ENV", choices=("development", "production"), default="development")
PRODUCTION = DJANGO_ENV == "production"
DEV_SECRET_KEY = "dev-only-insecure-key-do-not-use-in-production-0123456789"  # noqa: S105 (refused in production)
DEV_WEBHOOK_SECRET = "sandbox-webhook-secret-for-development-only"  # noqa: S105 (refused in production)

if PRODUCTION:
    SECRET_KEY = envvars.required("DJANGO_SECRET_KEY", why="in production", forbidden=(DEV_SECRET_KEY,))
    if envvars.boolean("DJANGO_DEBUG", default=False):
        raise ImproperlyConfigured("DJANGO_DEBUG=true is refused in production: it shows settings and code to anyone.")
    DEBUG = False
    ALLOWED_HOSTS = envvars.host_list("DJANGO_ALLOWED_HOSTS", allow_wildcard=False)
else:
    SECRET_KEY = env.str("DJANGO_SECRET_KEY", default=DEV_SECRET_KEY)
    DEBUG = envvars.boolean("DJANGO_DEBUG", default=True)
    ALLOWED_HOSTS = envvars.host_list("DJANGO_ALLOWED_HOSTS", default=["localhost", "127.0.0.1", "[::1]", "testserver"])

INSTALLED_APPS = [
    "commerce.admin_apps.CommerceAdminConfig",  # django.contrib.admin with the dashboard home
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "rest_framework",
    "rest_framework.authtoken",
    "django_filters",
    "drf_spectacular",
    "drf_spectacular_sidecar",
    "django_celery_beat",
    "treebeard",
    "commerce.audit",
    "commerce.accounts",
    "commerce.catalog",
    "commerce.mail",
    "orders",
    "promotions",
    "recommendations",
    "logistics",
]

MIDDLEWARE = [
    # First: the tracing middleware, inserted second by commerce.telemetry, reads the path it restores.
    "commerce.telemetry.WsgiPathInfoMiddleware",
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "commerce.context.RequestContextMiddleware",
    # The recommendation lists a request served are written in one INSERT after the view (tracking).
    "recommendations.middleware.RecommendationListsMiddleware",
]

ROOT_URLCONF = "commerce.urls"
# A refused CSRF check answers the styled 403 page (commerce/error_views.py), not Django's bare one.
CSRF_FAILURE_VIEW = "commerce.error_views.csrf_failure"
WSGI_APPLICATION = "commerce.wsgi.application"
ASGI_APPLICATION = "commerce.asgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "commerce.catalog.context_processors.navigation",
                "orders.context_processors.cart",
            ],
        },
    },
]

# --- Database -----------------------------------------------------------------------------------
(VAR_DIR / "staticfiles").mkdir(parents=True, exist_ok=True)
DATABASES = {
    "default": env.db_url("DATABASE_URL", default=f"sqlite:///{VAR_DIR / 'commerce.sqlite3'}"),
}
if env.str("DATABASE_REPLICA_URL", default=""):
    DATABASES["replica"] = env.db_url("DATABASE_REPLICA_URL")
    DATABASE_ROUTERS = ["commerce.db_router.PrimaryReplicaRouter"]


def _tune_database(db: dict) -> None:
    if db["ENGINE"] == "django.db.backends.mysql":
        db.setdefault("OPTIONS", {}).update(
            {
                "charset": "utf8mb4",
                "isolation_level": "read committed",
                # Strict mode: bad data is an error, never silently truncated. UTC sessions:
                # MariaDB's time-zone tables may be empty on a fresh machine.
                "init_command": "SET sql_mode='STRICT_TRANS_TABLES', time_zone='+00:00'",
            }
        )
        db["CONN_MAX_AGE"] = envvars.integer("DATABASE_CONN_MAX_AGE", default=60, minimum=0)
        db["CONN_HEALTH_CHECKS"] = True
        db.setdefault("TEST", {}).update({"CHARSET": "utf8mb4", "COLLATION": "utf8mb4_unicode_ci"})
    elif db["ENGINE"] == "django.db.backends.sqlite3":
        db.setdefault("OPTIONS", {}).update({"timeout": 20})


for _db in DATABASES.values():
    _tune_database(_db)
if "replica" in DATABASES:
    # Tests use the primary for both, so routed reads see the test's own writes.
    DATABASES["replica"].setdefault("TEST", {})["MIRROR"] = "default"

DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"
AUTH_USER_MODEL = "accounts.User"

# --- Cache and Celery ---------------------------------------------------------------------------
REDIS_SCHEMES = ("redis", "rediss", "unix")
REDIS_URL = envvars.url("REDIS_URL", schemes=REDIS_SCHEMES)
if REDIS_URL:
    CACHES = {
        "default": {
            "BACKEND": "django_redis.cache.RedisCache",
            "LOCATION": REDIS_URL,
            "KEY_PREFIX": env.str("CACHE_KEY_PREFIX", default="commerce"),
            # A Redis that stops answering fails a request in seconds instead of hanging it.
            "OPTIONS": {"CLIENT_CLASS": "django_redis.client.DefaultClient", "SOCKET_CONNECT_TIMEOUT": 2, "SOCKET_TIMEOUT": 5},
        }
    }
else:
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}
# The process-local level in front of Redis (recommendations serving: 5 minutes here, 30 in Redis);
# its keys carry versions kept in the default cache, so a change seen by one process reaches all.
CACHES["local"] = {"BACKEND": "django.core.cache.backends.locmem.LocMemCache", "LOCATION": "local",
                   "OPTIONS": {"MAX_ENTRIES": 20_000}}

CELERY_BROKER_URL = envvars.url(  # memory:// with a host, or kombu warns on every start
    "CELERY_BROKER_URL", schemes=(*REDIS_SCHEMES, "memory", "amqp", "amqps"), default=REDIS_URL or "memory://localhost/"
)
CELERY_RESULT_BACKEND = envvars.url(
    "CELERY_RESULT_BACKEND", schemes=(*REDIS_SCHEMES, "cache+memory"), default=REDIS_URL or "cache+memory://"
)
CELERY_TASK_ALWAYS_EAGER = envvars.boolean("CELERY_TASK_ALWAYS_EAGER", default=not REDIS_URL)
CELERY_TASK_EAGER_PROPAGATES = True
CELERY_TASK_ACKS_LATE = True
CELERY_TASK_REJECT_ON_WORKER_LOST = True
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
# A task that lost its broker connection cannot be acknowledged any more and will be delivered
# again: stop it rather than run it twice at once.
CELERY_WORKER_CANCEL_LONG_RUNNING_TASKS_ON_CONNECTION_LOSS = True

# Time limits and the visibility timeout (README: "When a worker dies"). A task's hard time limit
# (seconds) is its queue's; the soft limit (SoftTimeLimitExceeded, time to clean up) comes 10 %
# earlier. Tasks are routed to queues by name (CELERY_TASK_ROUTES), so the limits follow the name.
CELERY_QUEUE_TIME_LIMITS = {
    "default": envvars.integer("CELERY_TIME_LIMIT_DEFAULT", default=300, minimum=1),
    "recommendations": envvars.integer("CELERY_TIME_LIMIT_RECOMMENDATIONS", default=900, minimum=1),
    "logistics": envvars.integer("CELERY_TIME_LIMIT_LOGISTICS", default=900, minimum=1),
}
# The longest delay a message may wait in a worker before it runs: a countdown, an ETA or a retry's
# backoff (Celery caps retry_backoff at 600 s). Longer delays belong in beat's schedule.
CELERY_MAX_COUNTDOWN = envvars.integer("CELERY_MAX_COUNTDOWN", default=600, minimum=0)
# On Redis a delivered message stays "unacked" until the worker acknowledges it after the task ran
# (acks_late). If the whole worker dies, the message is delivered again once it has been unacked
# for the visibility timeout. It must exceed the longest a live worker may hold a message (the
# longest countdown plus the longest hard limit), or a running or waiting task runs twice.
CELERY_LONGEST_UNACKED = CELERY_MAX_COUNTDOWN + max(CELERY_QUEUE_TIME_LIMITS.values())
CELERY_VISIBILITY_TIMEOUT = envvars.integer(
    "CELERY_VISIBILITY_TIMEOUT", default=CELERY_LONGEST_UNACKED + max(60, CELERY_LONGEST_UNACKED // 5), minimum=1
)
if CELERY_VISIBILITY_TIMEOUT <= CELERY_LONGEST_UNACKED:
    raise ImproperlyConfigured(
        f"CELERY_VISIBILITY_TIMEOUT={CELERY_VISIBILITY_TIMEOUT} must exceed the longest a worker may hold a task, "
        f"{CELERY_LONGEST_UNACKED} s (CELERY_MAX_COUNTDOWN + the longest CELERY_TIME_LIMIT_*): "
        "a shorter one delivers running tasks a second time."
    )
CELERY_BROKER_TRANSPORT_OPTIONS = {
    "visibility_timeout": CELERY_VISIBILITY_TIMEOUT,
    # Look for abandoned messages every few seconds (kombu's default sweeps every 100 s).
    "unacked_restore_interval": max(1, min(10, CELERY_VISIBILITY_TIMEOUT // 10)),
    "unacked_restore_throttle": 1,
    "socket_connect_timeout": 5,
}
CELERY_TASK_SOFT_TIME_LIMIT = CELERY_QUEUE_TIME_LIMITS["default"] - max(1, CELERY_QUEUE_TIME_LIMITS["default"] // 10)
CELERY_TASK_TIME_LIMIT = CELERY_QUEUE_TIME_LIMITS["default"]
CELERY_TASK_ANNOTATIONS = ["commerce.celery.QueueTimeLimits"]
# Results (the Redis result backend; the visibility timeout is a broker matter, not a result one):
# kept a day, then expired by Redis itself; a store that fails on a lost connection is retried for
# at most 20 s, so a Redis outage cannot hold a finished task (and its unacked message) for long.
CELERY_RESULT_EXPIRES = 24 * 3600
CELERY_REDIS_SOCKET_CONNECT_TIMEOUT = 5
CELERY_RESULT_BACKEND_TRANSPORT_OPTIONS = {"retry_policy": {"timeout": 20.0}}
CELERY_TASK_DEFAULT_QUEUE = "default"
CELERY_TASK_QUEUES_NAMES = ("default", "recommendations", "logistics")
CELERY_TASK_ROUTES = {
    # attribution is a quick tracking write: it must not wait behind a training on its queue
    "recommendations.add_to_cart_attribute": {"queue": "default"},
    "recommendations.*": {"queue": "recommendations"},
    "logistics.*": {"queue": "logistics"},
}
CELERY_TASK_SERIALIZER = "json"
CELERY_RESULT_SERIALIZER = "json"
CELERY_ACCEPT_CONTENT = ["json"]
CELERY_TIMEZONE = "UTC"
CELERY_BEAT_SCHEDULER = "django_celery_beat.schedulers:DatabaseScheduler"
# Initial beat entries; `manage.py sync_beat_schedule` copies them into django-celery-beat's
# tables, where staff see and change them in Admin.
CELERY_BEAT_SCHEDULE = {
    "catalog-stock-reconcile-nightly": {
        "task": "catalog.stock_reconcile",
        "schedule": crontab(hour=3, minute=15),
    },
    "orders-expire-unpaid": {"task": "orders.expire_unpaid", "schedule": crontab(minute="*/5")},
    "orders-settle-pending-payments": {"task": "orders.payments_settle_pending", "schedule": crontab(minute="*")},
    "promotions-sync-schedule": {"task": "promotions.sync_schedule", "schedule": crontab(minute="*")},
    "promotions-segments-refresh-nightly": {"task": "promotions.segments_refresh", "schedule": crontab(hour=2, minute=30)},
    "logistics-deliveries-sweep": {"task": "logistics.deliveries_sweep", "schedule": crontab(minute="*/15")},
    "logistics-plan-tomorrow-nightly": {"task": "logistics.plan_tomorrow", "schedule": crontab(hour=1, minute=0)},
    "mail-sweep": {"task": "mail.sweep", "schedule": crontab(minute="*")},
    "recommendations-review-requests-hourly": {"task": "recommendations.review_requests_send", "schedule": crontab(minute=17)},
    "recommendations-bought-together-nightly": {"task": "recommendations.bought_together_rebuild",
                                                "schedule": crontab(hour=2, minute=40)},
    "recommendations-retrain-nightly": {"task": "recommendations.retrain", "schedule": crontab(hour=3, minute=40)},
    "recommendations-stats-nightly": {"task": "recommendations.stats_aggregate", "schedule": crontab(hour=0, minute=50)},
}

# --- Logistics: offline geography (README: "Logistics") -----------------------------------------------
# Dotted paths to the geocoder and the distance-matrix provider: the offline ones by default (a
# postcode centroid table, haversine distances times a road factor); a real provider replaces them here.
LOGISTICS_GEOCODER = env.str("LOGISTICS_GEOCODER", default="logistics.geography.CentroidGeocoder")
LOGISTICS_DISTANCE_MATRIX = env.str("LOGISTICS_DISTANCE_MATRIX", default="logistics.geography.HaversineMatrix")
# Road distance / straight-line distance (about 1.3 in towns).
LOGISTICS_ROAD_FACTOR = envvars.decimal("LOGISTICS_ROAD_FACTOR", default="1.3")
# How long a computed distance matrix stays in the cache (seconds).
LOGISTICS_MATRIX_CACHE_SECONDS = envvars.integer("LOGISTICS_MATRIX_CACHE_SECONDS", default=7 * 24 * 3600, minimum=0)
# Seconds the route planner searches for one centre's day (README: "Planning a day").
LOGISTICS_PLAN_TIME_LIMIT = envvars.integer("LOGISTICS_PLAN_TIME_LIMIT", default=30, minimum=1)
# The longest a client (REST re-plan, admin) may ask a centre's solve to search, in seconds: a worker on the
# logistics queue is busy that long.
LOGISTICS_PLAN_MAX_TIME_LIMIT = envvars.integer("LOGISTICS_PLAN_MAX_TIME_LIMIT", default=300, minimum=1)
# The longest a route's optimisation may search (REST answers when it is done, so a web worker waits).
LOGISTICS_ROUTE_OPTIMISE_MAX_TIME_LIMIT = envvars.integer("LOGISTICS_ROUTE_OPTIMISE_MAX_TIME_LIMIT", default=10, minimum=1)
# How long the tracking link of a delivery (order page, mails) works, in days.
LOGISTICS_TRACKING_LINK_MAX_AGE_DAYS = envvars.integer("LOGISTICS_TRACKING_LINK_MAX_AGE_DAYS", default=60, minimum=1)

# --- Auth, i18n, static -------------------------------------------------------------------------
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
LOGIN_URL = "accounts:login"
LOGIN_REDIRECT_URL = "catalog:product_list"
LOGOUT_REDIRECT_URL = "catalog:product_list"

LANGUAGE_CODE = "en-us"
TIME_ZONE = "UTC"
USE_I18N = True
USE_TZ = True

STATIC_URL = "static/"
STATICFILES_DIRS = [BASE_DIR / "static"]
STATIC_ROOT = VAR_DIR / "staticfiles"
# Uploaded files (product pictures, review photos) go through Django's storage API: the default
# storage below writes under var/media; an S3-like backend is a change of STORAGES["default"].
MEDIA_URL = "media/"
MEDIA_ROOT = VAR_DIR / "media"
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    # Files only a view that checks who asks may serve (commerce.private_files: proofs of delivery),
    # outside MEDIA_ROOT; the base URL is never routed, so no link can reach them.
    "private": {"BACKEND": "django.core.files.storage.FileSystemStorage",
                "OPTIONS": {"location": VAR_DIR / "private", "base_url": "/private-files-not-served/"}},
    "staticfiles": {
        "BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage"
        if PRODUCTION
        else "django.contrib.staticfiles.storage.StaticFilesStorage"
    },
}

# --- Commerce -----------------------------------------------------------------------------------
# Uploaded pictures (commerce.images): at most this many bytes and pixels (a decompression bomb
# is refused before it is decoded).
IMAGE_MAX_BYTES = envvars.integer("IMAGE_MAX_BYTES", default=8 * 1024 * 1024, minimum=1024)
IMAGE_MAX_PIXELS = envvars.integer("IMAGE_MAX_PIXELS", default=40_000_000, minimum=10_000)
DEFAULT_CURRENCY = envvars.choice("DEFAULT_CURRENCY", choices=tuple(sorted(MINOR_UNITS)), default="EUR")
# Batches expiring within this many days show as "near expiry" in Admin and reports.
NEAR_EXPIRY_DAYS = envvars.integer("NEAR_EXPIRY_DAYS", default=14, minimum=0)
# Check every row lock against the lock order (commerce.locks): a lock taken out of order raises.
# On in development and in the tests; production only locks, in the same order, unchecked.
LOCK_ORDER_CHECKS = DEBUG

# The seller on invoices and packing slips (orders admin).
SHOP_DETAILS = {
    "name": env.str("SHOP_LEGAL_NAME", default="Commerce demo shop"),
    "address": env.str("SHOP_LEGAL_ADDRESS", default="12 Quai Saint-Antoine, 69002 Lyon, France"),
    "email": env.str("SHOP_ORDERS_EMAIL", default="orders@shop.example"),
    "vat_id": env.str("SHOP_VAT_ID", default=""),
}

# "Notify me when it is back in stock" requests per client address and hour (each may mail a stranger).
CATALOG_STOCK_ALERTS_PER_HOUR = envvars.integer("CATALOG_STOCK_ALERTS_PER_HOUR", default=20, minimum=1)

# Orders: shipping, unpaid hold, payment gateways by payment method, the promotions hook.
ORDERS_SHIPPING_FLAT_RATE = envvars.decimal("ORDERS_SHIPPING_FLAT_RATE", default="4.90")
ORDERS_FREE_SHIPPING_OVER = envvars.decimal("ORDERS_FREE_SHIPPING_OVER", default="50.00")
# A shopper without an account may check out with an e-mail address (orders.guests).
ORDERS_GUEST_CHECKOUT = envvars.boolean("ORDERS_GUEST_CHECKOUT", default=True)
# Guest order look-ups (order number + e-mail) per client address and hour.
ORDERS_GUEST_LOOKUPS_PER_HOUR = envvars.integer("ORDERS_GUEST_LOOKUPS_PER_HOUR", default=10, minimum=1)
# Checkout and pay-again page submits (customers and guests) per client address and hour: each may try a card.
ORDERS_CHECKOUTS_PER_HOUR = envvars.integer("ORDERS_CHECKOUTS_PER_HOUR", default=30, minimum=1)
ORDERS_UNPAID_HOLD_MINUTES = envvars.integer("ORDERS_UNPAID_HOLD_MINUTES", default=30, minimum=1)
# How long a request with an Idempotency-Key holds it; longer than any request may run (gunicorn's
# timeout is 30 s): a repeat after that takes over the key of a request whose worker died.
ORDERS_IDEMPOTENCY_LEASE_SECONDS = envvars.integer("ORDERS_IDEMPOTENCY_LEASE_SECONDS", default=60)
ORDERS_PAYMENT_GATEWAYS = {
    "card": env.str("ORDERS_CARD_GATEWAY", default="orders.gateways.SandboxCardGateway"),
    "cod": "orders.gateways.CashOnDeliveryGateway",
}
# The promotions app wires its discount provider in PromotionsConfig.ready (see orders/discounts.py); this
# override (a dotted path to a provider class) replaces it, e.g. orders.discounts.NoDiscounts: no promotions.
ORDERS_DISCOUNT_PROVIDER = env.str("ORDERS_DISCOUNT_PROVIDER", default="")
# Promotions: the lifetime spend (with at least 3 orders) that makes a customer VIP in RFM segments.
PROMOTIONS_VIP_LIFETIME_VALUE = envvars.decimal("PROMOTIONS_VIP_LIFETIME_VALUE", default="500.00")
# Product questions and answers: approve a question or a buyer's answer at once when the spam screen
# notices nothing (otherwise every one waits for a moderator); staff and representatives' answers
# are always approved at once.
RECOMMENDATIONS_QA_AUTO_APPROVE = envvars.boolean("RECOMMENDATIONS_QA_AUTO_APPROVE", default=False)
# Recommendations, the engine (README "Recommendations: the engine"). What the model learns from, in
# one place: the weight of each kind of interaction (an order line, an add to cart, a product view, a
# click on a recommendation, an approved rating of at least rating_min_score, scaled by score/5), halved
# every half_life_days of age, read back lookback_days.
RECOMMENDATIONS_INTERACTIONS = {
    "weights": {"order": 5.0, "add_to_cart": 3.0, "product_view": 1.0, "recommendation_click": 2.0, "rating": 4.0},
    "rating_min_score": 3,
    "half_life_days": envvars.integer("RECOMMENDATIONS_HALF_LIFE_DAYS", default=90, minimum=1),
    "lookback_days": envvars.integer("RECOMMENDATIONS_LOOKBACK_DAYS", default=730, minimum=1),
}
# Training (recommendations.services.training): per purpose the candidates weighed on a hold-out
# (the best on precision@10 is kept; tuned on MovieLens 100k, README), the hold-out, and the least data
# worth a model. A run with an algorithm named trains that one with its parameters here, unweighed.
RECOMMENDATIONS_TRAINING = {
    "candidates": {
        "for_you": {
            "als": {"factors": 24, "regularization": 0.1, "alpha": 1.0, "iterations": 15, "weighting": "none"},
            "bpr": {"factors": 64, "learning_rate": 0.01, "regularization": 0.01, "iterations": 100},
            "item_knn": {"neighbours": 50, "similarity": "bm25"},
        },
        "similar": {
            "als": {"factors": 24, "regularization": 0.1, "alpha": 1.0, "iterations": 15, "weighting": "none"},
            "item_knn": {"neighbours": 50, "similarity": "cosine"},
        },
    },
    "holdout": {"fraction": 0.2, "seed": 42, "min_items": 5, "k": 10},
    "min_interactions": envvars.integer("RECOMMENDATIONS_MIN_INTERACTIONS", default=20, minimum=1),
}
# Recommendations, reviews (recommendations.services.reviews): the weights of the five rating axes in
# a review's weighted score (one place), who may review, what is published without moderation.
REVIEW_RATING_WEIGHTS = {"overall": "0.40", "quality": "0.20", "price": "0.15", "utility": "0.15", "delivery": "0.10"}
REVIEW_VERIFIED_BUYERS_ONLY = envvars.boolean("REVIEW_VERIFIED_BUYERS_ONLY", default=False)
REVIEW_AUTO_APPROVE_VERIFIED_STAR_ONLY = envvars.boolean("REVIEW_AUTO_APPROVE_VERIFIED_STAR_ONLY", default=True)
REVIEW_FLAG_HIDE_THRESHOLD = envvars.integer("REVIEW_FLAG_HIDE_THRESHOLD", default=3, minimum=1)
REVIEW_MAX_PHOTOS = envvars.integer("REVIEW_MAX_PHOTOS", default=5, minimum=0)
# Days after delivery before the customer is asked to review the order's products; how long its link works.
REVIEW_REQUEST_DELAY_DAYS = envvars.integer("REVIEW_REQUEST_DELAY_DAYS", default=7, minimum=0)
REVIEW_REQUEST_LINK_MAX_AGE_DAYS = envvars.integer("REVIEW_REQUEST_LINK_MAX_AGE_DAYS", default=60, minimum=1)
REVIEW_PHOTO_MAX_BYTES = envvars.integer("REVIEW_PHOTO_MAX_BYTES", default=5 * 1024 * 1024, minimum=1024)
# Recommendations, serving (recommendations.serving): the two cache levels' lifetimes (seconds); how
# long a product bought once stays out of the customer's lists; trending's window (hours) against the
# week before it; "frequently bought together": the least orders with both products (support), the
# least share of the first product's orders that have the second (confidence) and the least lift.
RECOMMENDATIONS_CACHE_LOCAL_SECONDS = envvars.integer("RECOMMENDATIONS_CACHE_LOCAL_SECONDS", default=300, minimum=0)
RECOMMENDATIONS_CACHE_SHARED_SECONDS = envvars.integer("RECOMMENDATIONS_CACHE_SHARED_SECONDS", default=1800, minimum=0)
RECOMMENDATIONS_RECENT_PURCHASE_DAYS = envvars.integer("RECOMMENDATIONS_RECENT_PURCHASE_DAYS", default=30, minimum=0)
RECOMMENDATIONS_TRENDING_HOURS = envvars.integer("RECOMMENDATIONS_TRENDING_HOURS", default=48, minimum=1)
RECOMMENDATIONS_PAIR_MIN_SUPPORT = envvars.integer("RECOMMENDATIONS_PAIR_MIN_SUPPORT", default=2, minimum=1)
RECOMMENDATIONS_PAIR_MIN_CONFIDENCE = envvars.decimal("RECOMMENDATIONS_PAIR_MIN_CONFIDENCE", default="0.05")
RECOMMENDATIONS_PAIR_MIN_LIFT = envvars.decimal("RECOMMENDATIONS_PAIR_MIN_LIFT", default="1.0")
# Recommendations, attribution (recommendations.serving.attribution): an add to cart or a purchase of a
# product counts for the list the shopper last clicked it in, if that click is at most this old. The
# nightly stats recompute the days a purchase can still reach (purchase_days + 1).
RECOMMENDATIONS_ATTRIBUTION = {
    "add_to_cart_hours": envvars.integer("RECOMMENDATIONS_ATTRIBUTION_ADD_TO_CART_HOURS", default=24, minimum=1),
    "purchase_days": envvars.integer("RECOMMENDATIONS_ATTRIBUTION_PURCHASE_DAYS", default=7, minimum=1),
}
ORDERS_WEBHOOK_SECRET = env.str("ORDERS_WEBHOOK_SECRET", default=DEV_WEBHOOK_SECRET)
if PRODUCTION:
    ORDERS_WEBHOOK_SECRET = envvars.required("ORDERS_WEBHOOK_SECRET", why="in production", forbidden=(DEV_WEBHOOK_SECRET,))

# --- Mail (commerce.mail: the outbox; README "Mail") --------------------------------------------------
# The shop's name (the mails' layout) and public address (absolute links in mails): required in
# production, https there.
SHOP_NAME = env.str("SHOP_NAME", default="Commerce")
SITE_URL = envvars.site_url("SITE_URL", default="http://127.0.0.1:8000", https_only=PRODUCTION)
# Delivery: the console (mails printed to the output of `make run` or the worker) unless the
# environment says otherwise, with EMAIL_URL or EMAIL_HOST and friends. Production must say (console://
# is allowed, on purpose), and with SMTP, whom the mails come from.
_email = envvars.email_url("EMAIL_URL")
if _email is None and env.str("EMAIL_HOST", default=""):
    _email = {
        "EMAIL_BACKEND": "django.core.mail.backends.smtp.EmailBackend",
        "EMAIL_HOST": env.str("EMAIL_HOST"),
        "EMAIL_PORT": envvars.integer("EMAIL_PORT", default=25, minimum=1),
        "EMAIL_HOST_USER": env.str("EMAIL_HOST_USER", default=""),
        "EMAIL_HOST_PASSWORD": env.str("EMAIL_HOST_PASSWORD", default=""),
        "EMAIL_USE_TLS": envvars.boolean("EMAIL_USE_TLS", default=False),
        "EMAIL_USE_SSL": envvars.boolean("EMAIL_USE_SSL", default=False),
    }
if _email is None and PRODUCTION:
    raise ImproperlyConfigured(
        "Mail delivery must be set in production: EMAIL_URL (smtp+tls://user:password@host:587, or console:// "
        "to print mails) or EMAIL_HOST with EMAIL_PORT, EMAIL_HOST_USER, EMAIL_HOST_PASSWORD, EMAIL_USE_TLS."
    )
_email = _email or {"EMAIL_BACKEND": "django.core.mail.backends.console.EmailBackend"}
EMAIL_BACKEND = _email["EMAIL_BACKEND"]
EMAIL_HOST = _email.get("EMAIL_HOST", "localhost")
EMAIL_PORT = _email.get("EMAIL_PORT", 25)
EMAIL_HOST_USER = _email.get("EMAIL_HOST_USER", "")
EMAIL_HOST_PASSWORD = _email.get("EMAIL_HOST_PASSWORD", "")
EMAIL_USE_TLS = _email.get("EMAIL_USE_TLS", False)
EMAIL_USE_SSL = _email.get("EMAIL_USE_SSL", False)
if EMAIL_USE_TLS and EMAIL_USE_SSL:
    raise ImproperlyConfigured("EMAIL_USE_TLS and EMAIL_USE_SSL exclude each other: STARTTLS on 587, or TLS from the start on 465.")
# A server that stops answering fails one attempt in seconds, never holds a worker (Django: no timeout).
EMAIL_TIMEOUT = envvars.integer("EMAIL_TIMEOUT", default=20, minimum=1)
if PRODUCTION and EMAIL_BACKEND.endswith(".smtp.EmailBackend"):
    DEFAULT_FROM_EMAIL = envvars.required("DEFAULT_FROM_EMAIL", why="in production with SMTP: the mails' sender")
else:
    DEFAULT_FROM_EMAIL = env.str("DEFAULT_FROM_EMAIL", default=f"{SHOP_NAME} <shop@localhost>")
SERVER_EMAIL = DEFAULT_FROM_EMAIL
# Attempts before a mail is marked failed (each transient failure waits MAIL_RETRY_SECONDS x 2^n,
# at most CELERY_MAX_COUNTDOWN). A send holds its mail for the default queue's hard time limit and a
# minute (the lease): the sweep re-sends a queued mail only once no live worker can still hold it.
MAIL_MAX_ATTEMPTS = envvars.integer("MAIL_MAX_ATTEMPTS", default=8, minimum=1)
MAIL_RETRY_SECONDS = envvars.integer("MAIL_RETRY_SECONDS", default=30, minimum=1)
MAIL_SEND_LEASE_SECONDS = CELERY_QUEUE_TIME_LIMITS["default"] + 60
MAIL_SWEEP_AFTER_SECONDS = envvars.integer("MAIL_SWEEP_AFTER_SECONDS", default=60, minimum=0)

# --- REST API -----------------------------------------------------------------------------------
REST_FRAMEWORK = {
    # Token first: its WWW-Authenticate header makes "not logged in" a 401 (session auth alone gives 403).
    "DEFAULT_AUTHENTICATION_CLASSES": [
        "rest_framework.authentication.TokenAuthentication",
        "rest_framework.authentication.SessionAuthentication",
    ],
    "DEFAULT_PERMISSION_CLASSES": ["rest_framework.permissions.IsAuthenticatedOrReadOnly"],
    "DEFAULT_FILTER_BACKENDS": ["django_filters.rest_framework.DjangoFilterBackend"],
    "DEFAULT_PAGINATION_CLASS": "commerce.api.pagination.PageNumberPagination",
    "PAGE_SIZE": 20,
    "DEFAULT_THROTTLE_CLASSES": [
        "rest_framework.throttling.AnonRateThrottle",
        "rest_framework.throttling.UserRateThrottle",
    ],
    "DEFAULT_THROTTLE_RATES": {
        "anon": envvars.rate("API_THROTTLE_ANON", default="120/minute"),
        "user": envvars.rate("API_THROTTLE_USER", default="1200/minute"),
        "auth": envvars.rate("API_THROTTLE_AUTH", default="10/minute"),
        # Payment gateway notifications, per client address: a gateway's retry bursts fit easily.
        "webhook": envvars.rate("API_THROTTLE_WEBHOOK", default="600/minute"),
        # Guest checkout and order look-ups over REST, per client address: card testing and guessing.
        "guest_checkout": envvars.rate("API_THROTTLE_GUEST_CHECKOUT", default="20/hour"),
        "guest_lookup": envvars.rate("API_THROTTLE_GUEST_LOOKUP", default="10/hour"),
        # A customer's checkouts and payments of an order over REST, per user: each may try a card (as the pages' limit).
        "checkout": envvars.rate("API_THROTTLE_CHECKOUT", default="30/hour"),
        # "Notify me" requests over REST, per client: each may mail a stranger a confirmation link (as the page's form).
        "stock_alert": envvars.rate("API_THROTTLE_STOCK_ALERT", default="20/hour"),
    },
    "DEFAULT_PARSER_CLASSES": ["commerce.api.parsers.JSONParser"],
    "DEFAULT_SCHEMA_CLASS": "drf_spectacular.openapi.AutoSchema",
    "EXCEPTION_HANDLER": "commerce.api.errors.exception_handler",
}
SPECTACULAR_SETTINGS = {
    "TITLE": "Commerce API",
    "DESCRIPTION": "Catalog, accounts, orders, promotions, recommendations and logistics.",
    "VERSION": "1.0.0",
    "SERVE_INCLUDE_SCHEMA": False,
    "SWAGGER_UI_DIST": "SIDECAR",
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    "REDOC_DIST": "SIDECAR",
    # Offline docs (commerce/api/docs.py): no online validator badge, Redoc in the system fonts.
    "SWAGGER_UI_SETTINGS": {"deepLinking": True, "validatorUrl": None},
    "REDOC_UI_SETTINGS": {
        "theme": {
            "typography": {
                "fontFamily": "system-ui, -apple-system, 'Segoe UI', Roboto, 'Helvetica Neue', Arial, sans-serif",
                "headings": {"fontFamily": "system-ui, -apple-system, 'Segoe UI', Roboto, 'Helvetica Neue', Arial, sans-serif"},
                "code": {"fontFamily": "ui-monospace, SFMono-Regular, Menlo, Consolas, monospace"},
            },
        },
    },
    "COMPONENT_SPLIT_REQUEST": True,
    # Choice sets shared by several components under a field name other sets use too (by dotted path: not an import)
    "ENUM_NAME_OVERRIDES": {
        "ModerationStatusEnum": "recommendations.models.questions.ModerationStatus",
        "OfficialContentKindEnum": "recommendations.models.content.OfficialContent.Kind",
        "KindEnum": "promotions.models.Segment.Kind",  # its name before another "kind" came
        "RouteStateEnum": "logistics.models.Route.State",
        "ABTestStatusEnum": "recommendations.models.experiments.Experiment.Status",
        "StopStateEnum": "logistics.models.Stop.State",
        "FailureReasonEnum": "logistics.models.FailureReason",
        "ProofRequirementEnum": "logistics.models.ProofPolicy.Requirement",
        "TrainingRunStatusEnum": "recommendations.models.engine.TrainingRun.Status",
        "PlacementRuleKindEnum": "recommendations.models.serving.PlacementRule.Kind",
        "StockAlertStatusEnum": "commerce.catalog.models.StockAlert.Status",
    },
    "SCHEMA_PATH_PREFIX": r"/api/v[0-9]+",
}

# --- Telemetry: read by commerce.telemetry; checked here so a misspelt exporter stops the start
# instead of exporting nothing.
envvars.choice("OTEL_TRACES_EXPORTER", choices=("none", "console", "otlp"), default="none")

# --- Logging: every line carries the trace id ----------------------------------------------------
LOG_LEVELS = ("DEBUG", "INFO", "WARNING", "ERROR", "CRITICAL")
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "filters": {"trace": {"()": "commerce.telemetry.TraceIdLogFilter"}},
    "formatters": {
        "plain": {"format": "%(asctime)s %(levelname)s %(name)s trace=%(trace_id)s %(message)s"},
    },
    "handlers": {
        "console": {"class": "logging.StreamHandler", "filters": ["trace"], "formatter": "plain"},
    },
    "root": {"handlers": ["console"], "level": envvars.choice("LOG_LEVEL", choices=LOG_LEVELS, default="INFO")},
    "loggers": {"django.db.backends": {"level": "INFO"}},
}

# --- Production hardening (check --deploy clean) -------------------------------------------------
if PRODUCTION:
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
    SECURE_SSL_REDIRECT = envvars.boolean("DJANGO_SECURE_SSL_REDIRECT", default=True)
    SESSION_COOKIE_SECURE = True
    CSRF_COOKIE_SECURE = True
    SECURE_HSTS_SECONDS = envvars.integer("DJANGO_HSTS_SECONDS", default=31536000, minimum=0)
    SECURE_HSTS_INCLUDE_SUBDOMAINS = True
    SECURE_HSTS_PRELOAD = True
    SECURE_CONTENT_TYPE_NOSNIFF = True
    SECURE_REFERRER_POLICY = "same-origin"
    X_FRAME_OPTIONS = "DENY"
    CSRF_TRUSTED_ORIGINS = env.list("DJANGO_CSRF_TRUSTED_ORIGINS", default=[])
