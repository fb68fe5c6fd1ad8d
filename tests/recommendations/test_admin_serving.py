"""The back office: a merchandiser pins, excludes and boosts products per placement (each rule through
its service, with its event), changes a placement, and browses the lists served."""

import re

import pytest
from django.urls import reverse

from recommendations.models import Placement, PlacementRule
from recommendations.serving.serve import Context, recommendations_serve
from recommendations.serving.shopper import Shopper
from tests.factories import admin_form_data, events
from tests.orders.factories import stocked_product
from tests.recommendations.serving_factories import pairs_rebuilt

pytestmark = pytest.mark.django_db


def test_a_merchandiser_pins_and_excludes_through_the_inline(client, admin_merchandiser, django_capture_on_commit_callbacks):
    a, b, c, star = (stocked_product(quantity=50) for _ in range(4))
    pairs_rebuilt([a, b, c], times=2)
    placement = Placement.objects.get(key="product_bought_together")
    url = reverse("admin:recommendations_placement_change", args=[placement.pk])
    page = client.get(url)
    assert page.status_code == 200
    data = admin_form_data(page, **{
        "size": "3",
        "rules-0-product": str(star.pk), "rules-0-kind": "pin", "rules-0-position": "1", "rules-0-boost": "1",
    })
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(url, data)
    assert response.status_code == 302, response.context["adminform"].form.errors if response.context else ""
    assert list(PlacementRule.objects.values_list("product_id", "kind")) == [(star.pk, "pin")]
    assert [e.channel for e in events("recommendations.placement.rule_set")] == ["admin"]
    served = recommendations_serve(placement="product_bought_together", shopper=Shopper(), context=Context(product_id=a.pk))
    assert [p.pk for p in served.products] == [star.pk, b.pk, c.pk]

    # the pin becomes an exclusion of another product: the old rule goes, the new one is set
    page = client.get(url)
    data = admin_form_data(page, **{"rules-0-product": str(b.pk), "rules-0-kind": "exclude"})
    with django_capture_on_commit_callbacks(execute=True):
        assert client.post(url, data).status_code == 302
    assert list(PlacementRule.objects.values_list("product_id", "kind")) == [(b.pk, "exclude")]
    served = recommendations_serve(placement="product_bought_together", shopper=Shopper(), context=Context(product_id=a.pk))
    assert [p.pk for p in served.products] == [c.pk]


def test_a_bad_boost_is_shown_on_the_form(client, admin_merchandiser):
    star = stocked_product()
    placement = Placement.objects.get(key="home_trending")
    url = reverse("admin:recommendations_placement_change", args=[placement.pk])
    data = admin_form_data(client.get(url), **{"rules-0-product": str(star.pk), "rules-0-kind": "boost",
                                               "rules-0-position": "1", "rules-0-boost": "50"})
    response = client.post(url, data)
    assert response.status_code == 200
    assert not PlacementRule.objects.exists()


def test_lists_are_browsed_read_only(client, admin_merchandiser):
    a, b = stocked_product(quantity=50), stocked_product(quantity=50)
    pairs_rebuilt([a, b], times=2)
    served = recommendations_serve(placement="product_bought_together", shopper=Shopper(), context=Context(product_id=a.pk))
    changelist = client.get(reverse("admin:recommendations_recommendationlist_changelist"))
    assert changelist.status_code == 200 and str(served.list_id) in changelist.content.decode()
    detail = client.get(reverse("admin:recommendations_recommendationlist_change", args=[served.list_id]))
    assert detail.status_code == 200
    assert client.get(reverse("admin:recommendations_placement_add")).status_code == 403
    url = reverse("admin:recommendations_recommendationlist_changelist")
    assert client.get(url, {"q": "not-a-uuid"}).status_code == 200
    assert str(served.list_id) in client.get(url, {"q": str(served.list_id)}).content.decode()


def test_the_rebuild_task_recounts_the_pairs(django_capture_on_commit_callbacks):
    from recommendations.models import ProductPair
    from recommendations.tasks import bought_together_rebuild_task
    from tests.recommendations.serving_factories import baskets

    a, b = stocked_product(quantity=50), stocked_product(quantity=50)
    baskets([a, b], times=2)
    with django_capture_on_commit_callbacks(execute=True):
        assert bought_together_rebuild_task.delay().get() == 2
    assert set(ProductPair.objects.values_list("product_id", "other_id")) == {(a.pk, b.pk), (b.pk, a.pk)}
    assert len(events("recommendations.bought_together.rebuilt")) == 1


def test_two_merchandisers_changing_different_fields_of_one_placement_keep_both(client, admin_merchandiser):
    placement = Placement.objects.get(key="home_trending")
    url = reverse("admin:recommendations_placement_change", args=[placement.pk])
    page = client.get(url)  # both loaded the page before either saved
    # the page's hidden inputs of the values as loaded, which the browser sends back
    loaded = dict(re.findall(r'<input type="hidden" name="(initial-[\w-]+)" value="([^"]*)"', page.content.decode()))
    assert set(loaded) == {"initial-name", "initial-intent", "initial-size", "initial-is_active"}
    first = {**admin_form_data(page, size="5"), **loaded}
    second = {**admin_form_data(page, name="Hot right now"), **loaded}
    assert client.post(url, first).status_code == 302
    assert client.post(url, second).status_code == 302
    placement.refresh_from_db()
    assert (placement.size, placement.name) == (5, "Hot right now")
