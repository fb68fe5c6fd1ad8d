"""DATABASE_REPLICA_URL: the router sends reads to the replica and every write to the primary."""

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
from django.db import transaction

from commerce.catalog.models import Product, StockBatch
from commerce.db_router import PrimaryReplicaRouter

ROOT = Path(__file__).resolve().parents[2]

# Runs in a fresh interpreter with DATABASE_URL and DATABASE_REPLICA_URL set (two SQLite files), so
# the real settings module builds DATABASES and DATABASE_ROUTERS, and real connections answer the
# router's autocommit question.
PROBE = """
import json, django
django.setup()
from django.conf import settings
from django.db import router, transaction
from commerce.catalog.models import Product
from commerce.audit.models import DomainEvent

out = {
    "databases": sorted(settings.DATABASES),
    "routers": settings.DATABASE_ROUTERS,
    "replica_name": str(settings.DATABASES["replica"]["NAME"]),
    "replica_test_mirror": settings.DATABASES["replica"].get("TEST", {}).get("MIRROR"),
    "read_outside_transaction": Product.objects.all().db,
    "read_event_outside_transaction": router.db_for_read(DomainEvent),
    "write": router.db_for_write(Product),
    "migrate_on_primary": router.allow_migrate("default", "catalog", model_name="product"),
    "migrate_on_replica": router.allow_migrate("replica", "catalog", model_name="product"),
}
with transaction.atomic():
    out["read_inside_atomic"] = Product.objects.all().db
out["read_after_atomic"] = Product.objects.all().db
print(json.dumps(out))
"""


def _settings_probe(tmp_path, **extra_env):
    env = {k: v for k, v in os.environ.items() if k not in {"DATABASE_URL", "DATABASE_REPLICA_URL", "REDIS_URL", "DJANGO_ENV"}}
    env.update({"DJANGO_SETTINGS_MODULE": "commerce.settings", **extra_env})
    done = subprocess.run([sys.executable, "-c", PROBE], cwd=ROOT, env=env, capture_output=True, text=True, timeout=120)  # noqa: S603 (fixed argv)
    assert done.returncode == 0, done.stderr[-3000:]
    return json.loads(done.stdout.strip().splitlines()[-1])


def test_settings_with_replica_url_add_the_replica_and_the_router(tmp_path):
    # given: a primary and a replica URL in the environment
    primary, replica = tmp_path / "primary.sqlite3", tmp_path / "replica.sqlite3"

    # when: the settings module is loaded afresh
    out = _settings_probe(tmp_path, DATABASE_URL=f"sqlite:///{primary}", DATABASE_REPLICA_URL=f"sqlite:///{replica}")

    # then: both databases are configured, the router is installed, and it routes as promised
    assert out["databases"] == ["default", "replica"]
    assert out["routers"] == ["commerce.db_router.PrimaryReplicaRouter"]
    assert out["replica_name"] == str(replica)
    assert out["replica_test_mirror"] == "default"  # tests read their own writes
    assert out["read_outside_transaction"] == "replica"
    assert out["read_event_outside_transaction"] == "replica"
    assert out["read_inside_atomic"] == "default"
    assert out["read_after_atomic"] == "replica"
    assert out["write"] == "default"
    assert out["migrate_on_primary"] is True
    assert out["migrate_on_replica"] is False


def test_settings_without_replica_url_have_one_database_and_no_router():
    from django.conf import settings

    if os.environ.get("DATABASE_REPLICA_URL"):
        pytest.skip("this run sets DATABASE_REPLICA_URL")
    assert list(settings.DATABASES) == ["default"]
    assert getattr(settings, "DATABASE_ROUTERS", []) == []


def test_router_sends_writes_to_the_primary():
    router = PrimaryReplicaRouter()

    assert router.db_for_write(Product) == "default"
    assert router.db_for_write(StockBatch, instance=None) == "default"


def test_router_migrates_only_the_primary():
    router = PrimaryReplicaRouter()

    assert router.allow_migrate("default", "catalog", model_name="product") is True
    assert router.allow_migrate("replica", "catalog", model_name="product") is False
    assert router.allow_migrate("replica", "auth") is False


def test_router_allows_relations_between_primary_and_replica_rows():
    assert PrimaryReplicaRouter().allow_relation(Product(), StockBatch()) is True


@pytest.mark.django_db
def test_router_reads_from_the_primary_inside_a_transaction():
    # given: a command's transaction on the primary (a pytest-django test runs inside one)
    router = PrimaryReplicaRouter()
    with transaction.atomic():
        # then: its reads stay on the primary, so the command sees its own writes
        assert not transaction.get_autocommit(using="default")
        assert router.db_for_read(Product) == "default"
