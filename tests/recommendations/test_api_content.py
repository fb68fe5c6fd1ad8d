"""The official content API: public reads, staff edits, representatives."""

import pytest

from recommendations.models import ManufacturerRepresentative, OfficialContent
from tests.factories import CustomerFactory, ManufacturerFactory, ProductFactory, StaffFactory, token_client

pytestmark = pytest.mark.django_db


@pytest.fixture
def merch():
    return token_client(StaffFactory(groups=["Merchandisers"]))


def test_staff_publish_content_and_anyone_reads_it(merch, api_client):
    maker = ManufacturerFactory(description="Porcelain since 1921.")
    item = ProductFactory(manufacturer=maker)
    created = merch.post("/api/v1/official-content/", {"manufacturer_id": maker.pk, "kind": "warranty", "title": "Warranty",
                                                       "body": "Two years."}, format="json")
    assert created.status_code == 201 and created.json()["official"] is True
    merch.post("/api/v1/official-content/", {"manufacturer_id": maker.pk, "product_id": item.pk, "title": "Care",
                                             "body": "Hand wash."}, format="json")
    info = api_client.get(f"/api/v1/manufacturers/{maker.pk}/info/").json()
    assert info["description"] == "Porcelain since 1921." and info["product_count"] == 1
    assert [c["title"] for c in info["official_content"]] == ["Warranty"]
    assert [c["title"] for c in api_client.get(f"/api/v1/products/{item.pk}/official-content/").json()] == ["Care"]
    content_id = created.json()["id"]
    hidden = merch.patch(f"/api/v1/official-content/{content_id}/", {"is_published": False}, format="json")
    assert hidden.status_code == 200 and hidden.json()["is_published"] is False
    assert api_client.get(f"/api/v1/manufacturers/{maker.pk}/info/").json()["official_content"] == []
    assert merch.delete(f"/api/v1/official-content/{content_id}/").status_code == 204
    assert merch.get(f"/api/v1/official-content/{content_id}/").status_code == 404


def test_content_refusals_change_nothing(merch):
    maker = ManufacturerFactory()
    customer = token_client(CustomerFactory())
    body = {"manufacturer_id": maker.pk, "title": "Warranty", "body": "Two years."}
    assert customer.post("/api/v1/official-content/", body, format="json").status_code == 403
    for bad, code in [({**body, "body": "<script>x</script>"}, "content_invalid"),
                      ({**body, "body": "y" * 100_000}, "invalid"),
                      ({**body, "product_id": ProductFactory().pk}, "content_invalid"),
                      ({**body, "manufacturer_id": 10**12}, "manufacturer_not_found")]:
        response = merch.post("/api/v1/official-content/", bad, format="json")
        assert response.json()["code"] == code and response.status_code in (400, 404)
    assert not OfficialContent.objects.exists()


def test_representatives_added_and_removed_by_staff(merch):
    maker = ManufacturerFactory()
    user = CustomerFactory()
    url = f"/api/v1/manufacturers/{maker.pk}/representatives/"
    assert merch.post(url, {"user_id": user.pk}, format="json").status_code == 201
    assert merch.post(url, {"user_id": user.pk}, format="json").json()["code"] == "representative_invalid"
    assert [r["user_id"] for r in merch.get(url).json()] == [user.pk]
    assert merch.delete(f"{url}{user.pk}/").status_code == 204
    assert merch.delete(f"{url}{user.pk}/").status_code == 404
    assert not ManufacturerRepresentative.objects.exists()


@pytest.mark.parametrize("segment", ["9" * 30, str(2**63)])
def test_ids_past_the_id_range_are_404(merch, segment):
    assert merch.delete(f"/api/v1/manufacturers/{segment}/representatives/{segment}/").status_code == 404
    assert merch.get(f"/api/v1/manufacturers/{segment}/info/").status_code == 404
    assert merch.get(f"/api/v1/official-content/{segment}/").status_code == 404
    assert merch.post(f"/api/v1/answers/{segment}/vote/", {"value": "up"}, format="json").status_code == 404
    assert merch.get(f"/api/v1/questions/{segment}/").status_code == 404
