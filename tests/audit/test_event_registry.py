"""Event types are declared once and known at start-up; event fields have no silent defaults."""

import dataclasses
import os
import subprocess
import sys
from pathlib import Path

import pytest
from django.core import checks

from commerce.audit import bus, events

ROOT = Path(__file__).resolve().parents[2]
APP_PACKAGES = ("commerce.", "orders.", "promotions.", "logistics.")
# Fields that may have a default because their absence means something. None today: an optional
# fact is typed ``X | None`` and passed as ``None`` on purpose.
DELIBERATELY_OPTIONAL: dict[str, set[str]] = {}


def app_event_classes():
    events.discover()
    classes = [events.event_class(t) for t in sorted(events.event_types())]
    return [c for c in classes if c.__module__.startswith(APP_PACKAGES)]


def test_every_app_events_module_registers_its_types():
    types = {c.event_type for c in app_event_classes()}

    assert {"orders.order.created", "catalog.product.price_changed", "accounts.address.added",
            "promotions.coupon.redeemed"} <= types
    assert "orders.order.placed" not in types  # the bus docstring's old example never existed


@pytest.mark.parametrize("cls", app_event_classes(), ids=lambda c: c.event_type)
def test_an_event_cannot_be_built_without_its_facts(cls):
    with pytest.raises(TypeError):
        cls()
    optional = DELIBERATELY_OPTIONAL.get(cls.event_type, set())
    defaulted = {
        f.name for f in dataclasses.fields(cls)
        if f.default is not dataclasses.MISSING or f.default_factory is not dataclasses.MISSING
    }
    assert defaulted <= optional, f"{cls.event_type}: fields with a silent default: {sorted(defaulted - optional)}"
    assert all(f.kw_only for f in dataclasses.fields(cls)), f"{cls.event_type}: fields must be passed by name"


def test_a_forgotten_amount_is_an_error_not_zero():
    from orders.events import OrderPaid

    with pytest.raises(TypeError, match="amount"):
        OrderPaid(order_id=1, order_number="A1", customer_id=2, payment_id=3, currency="EUR", paid_at="2026-12-07T10:00:00Z")


def test_a_type_is_declared_by_one_class_only():
    with pytest.raises(events.DuplicateEventType):
        @dataclasses.dataclass(frozen=True, kw_only=True)
        class AnotherOrderCreated(events.DomainEventData):
            event_type = "orders.order.created"
            stream_type = "order"


def test_subscribing_to_an_unknown_type_fails():
    with pytest.raises(bus.UnknownEventType, match="orders.order.placed"):
        bus.subscribe("orders.order.placed", "tests.audit.handlers.remember")
    assert bus.subscribers("orders.order.placed") == []


def test_subscribing_to_a_known_type_or_to_every_event_works():
    before = bus.subscribers("orders.order.created")  # the apps' own (recommendations reacts to orders)
    try:
        bus.subscribe("orders.order.created", "tests.audit.handlers.remember")
        bus.subscribe(bus.EVERY_EVENT, "tests.audit.handlers.remember")
        after = bus.subscribers("orders.order.created")
        assert sorted(after) == sorted([*before, "tests.audit.handlers.remember", "tests.audit.handlers.remember"])
    finally:
        bus.unsubscribe("orders.order.created", "tests.audit.handlers.remember")
        bus.unsubscribe(bus.EVERY_EVENT, "tests.audit.handlers.remember")


def test_every_existing_subscription_names_a_known_type():
    assert bus.unknown_subscriptions() == []
    assert [e for e in checks.run_checks() if e.id == "audit.E001"] == []


def test_the_system_check_reports_a_subscription_made_before_the_apps_were_loaded(monkeypatch):
    monkeypatch.setitem(bus._subscribers, "orders.order.placed", ["recommendations.reactions.order_placed"])

    [error] = [e for e in checks.run_checks() if e.id == "audit.E001"]

    assert "orders.order.placed" in error.msg and error.level == checks.ERROR


def test_an_app_subscribing_to_an_unknown_type_stops_the_process_at_start_up(tmp_path):
    # A real start-up (django.setup() in a fresh interpreter) with an app whose ready() subscribes
    # to a type nobody declares.
    (tmp_path / "typo_app").mkdir()
    (tmp_path / "typo_app" / "__init__.py").write_text("")
    (tmp_path / "typo_app" / "apps.py").write_text(
        "from django.apps import AppConfig\n\n"
        "class TypoConfig(AppConfig):\n"
        "    name = 'typo_app'\n\n"
        "    def ready(self):\n"
        "        from commerce.audit import bus\n"
        "        bus.subscribe('orders.order.placed', 'typo_app.reactions.order_placed')\n"
    )
    script = (
        "import django\nfrom django.conf import settings\n"
        "import commerce.settings as base\n"
        "settings.configure(**{k: getattr(base, k) for k in dir(base) if k.isupper() and k != 'INSTALLED_APPS'},"
        " INSTALLED_APPS=[*base.INSTALLED_APPS, 'typo_app.apps.TypoConfig'])\n"
        "django.setup()\n"
    )
    env = {**os.environ, "PYTHONPATH": os.pathsep.join([str(tmp_path), str(ROOT)])}
    env.pop("DJANGO_SETTINGS_MODULE", None)
    result = subprocess.run([sys.executable, "-c", script], cwd=ROOT, env=env, capture_output=True, text=True, timeout=120)  # noqa: S603 (fixed argv)

    assert result.returncode != 0
    assert "UnknownEventType" in result.stderr and "orders.order.placed" in result.stderr
