"""The names staff read in the admin menu: every model of ours has a correct English plural."""

import re

import pytest
from django.apps import apps

OUR_APPS = ("audit", "accounts", "catalog", "orders", "promotions", "logistics")


def naive_plural_is_wrong(singular: str) -> bool:
    """Django's default plural adds an "s": wrong after s, x, z, ch, sh, and after a consonant + y."""
    return bool(re.search(r"(s|x|z|ch|sh|[^aeiou]y)$", singular))


@pytest.mark.parametrize(
    "model", [m for m in apps.get_models() if m._meta.app_label in OUR_APPS], ids=lambda m: f"{m._meta.app_label}.{m.__name__}"
)
def test_every_model_has_a_correct_plural(model):
    singular, plural = str(model._meta.verbose_name), str(model._meta.verbose_name_plural)

    if naive_plural_is_wrong(singular):
        assert plural != f"{singular}s", f"{model.__name__}: '{plural}' (set Meta.verbose_name_plural)"


@pytest.mark.parametrize(
    ("model", "plural"),
    [("promotions.CouponBatch", "coupon batches"), ("orders.OrderSummary", "order summaries"), ("accounts.Access", "access rights")],
)
def test_the_admin_menu_reads_proper_plurals(model, plural):
    assert apps.get_model(model)._meta.verbose_name_plural == plural


@pytest.mark.django_db
def test_the_admin_index_shows_coupon_batches_not_batchs(admin_client):
    html = admin_client.get("/admin/").content.decode()

    assert "Coupon batches" in html
    assert "batchs" not in html.lower() and "summarys" not in html.lower()
