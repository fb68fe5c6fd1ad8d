"""seed_demo_placements (run by seed_demo): demo views, the pairs read model and a pinned product that
the home page shows first; a second run changes nothing."""

import pytest
from django.core.management import call_command
from django.urls import reverse

from commerce.audit.models import JourneyStep
from recommendations.models import PlacementRule
from tests.recommendations.test_pages_serving import shelf_ids

pytestmark = pytest.mark.django_db


def run(*args) -> str:
    from io import StringIO

    out = StringIO()
    call_command(*args, stdout=out)
    return out.getvalue()


def test_seed_demo_fills_the_shelves_and_a_second_run_changes_nothing(client, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        output = run("seed_demo", "--products", "20", "--customers", "4")
    assert "Demo recommendations in" in output
    pin = PlacementRule.objects.get(placement__key="home_trending")
    assert pin.kind == "pin" and PlacementRule.objects.filter(placement__key="product_similar", kind="exclude").exists()
    assert JourneyStep.objects.filter(action="product_view", customer__isnull=False).exists()
    home = client.get(reverse("catalog:product_list"))
    shown = shelf_ids(home, "home_trending")
    assert shown[0] == pin.product_id and len(shown) > 1

    views = JourneyStep.objects.count()
    assert "nothing changed" in run("seed_demo_placements")
    assert JourneyStep.objects.count() == views
