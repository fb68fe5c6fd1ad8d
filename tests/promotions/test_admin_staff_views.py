"""What merchandisers need to see: a coupon batch's codes and a segment's members."""

import csv
import io

import pytest
from django.urls import reverse

from promotions import services
from tests.factories import CustomerFactory
from tests.promotions.factories import PromotionFactory, SegmentFactory

pytestmark = pytest.mark.django_db


def test_a_batch_page_shows_its_first_codes_and_links_to_all_of_them(client, admin_merchandiser):
    batch = services.coupon_generate(promotion=PromotionFactory(requires_coupon=True), quantity=30, prefix="SPRING")
    codes = list(batch.coupons.order_by("id").values_list("code", flat=True))

    html = client.get(reverse("admin:promotions_couponbatch_change", args=[batch.pk])).content.decode()

    assert all(f"<code>{code}</code>" in html for code in codes[:20])
    assert f"<code>{codes[20]}</code>" not in html
    every = f"{reverse('admin:promotions_coupon_changelist')}?batch__id__exact={batch.pk}"
    assert f'href="{every.replace("&", "&amp;")}"' in html and "All 30 codes of this batch" in html
    listed = client.get(every)
    assert listed.status_code == 200 and listed.context["cl"].result_count == 30


def test_a_segment_page_lists_its_members_and_downloads_them_all(client, admin_merchandiser):
    segment = SegmentFactory(name="Friends")
    members = [CustomerFactory(username=f"friend{i:02}", email=f"friend{i:02}@example.com") for i in range(30)]
    services.segment_members_set(segment=segment.pk, customers=members)

    html = client.get(reverse("admin:promotions_segment_change", args=[segment.pk])).content.decode()

    assert "friend00@example.com" in html and "friend24@example.com" in html and "friend25@example.com" not in html
    assert "25 of 30 shown." in html
    response = client.get(reverse("admin:promotions_segment_members_csv", args=[segment.pk]))
    rows = list(csv.reader(io.StringIO(b"".join(response.streaming_content).decode())))
    assert rows[0][:3] == ["username", "name", "email"] and [r[0] for r in rows[1:]] == [f"friend{i:02}" for i in range(30)]


def test_members_csv_of_an_unknown_segment_is_a_404(client, admin_merchandiser):
    assert client.get(reverse("admin:promotions_segment_members_csv", args=[999999])).status_code == 404
