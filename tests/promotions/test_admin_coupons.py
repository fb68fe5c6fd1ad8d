"""Coupons in the console: bulk generation with its CSV, distribution to a segment, named codes,
invalidation. Each through its service, each reported."""

import csv
import io

import pytest
from django.urls import reverse

from commerce.audit.models import DomainEvent
from promotions import services
from promotions.models import Coupon, CouponBatch
from tests.factories import events, messages_of
from tests.promotions.factories import CouponFactory, PromotionFactory, SegmentFactory, customer_in_segment

pytestmark = pytest.mark.django_db


def csv_rows(response) -> list[list[str]]:
    body = b"".join(response.streaming_content).decode()
    return list(csv.reader(io.StringIO(body)))


def test_generate_coupons_action_asks_for_the_batch_then_offers_its_csv(client, admin_merchandiser):
    promotion = PromotionFactory(name="Welcome", requires_coupon=True)

    chosen = client.post(reverse("admin:promotions_promotion_changelist"),
                         {"action": "generate_coupons", "_selected_action": [promotion.pk]})
    form_url = reverse("admin:promotions_promotion_generate_coupons", args=[promotion.pk])
    assert chosen.status_code == 302 and chosen["Location"] == form_url
    assert client.get(form_url).status_code == 200

    done = client.post(form_url, {"quantity": "25", "prefix": "welcome", "uses": "single"})

    batch = CouponBatch.objects.get()
    assert done.status_code == 302 and done["Location"] == reverse("admin:promotions_couponbatch_change", args=[batch.pk])
    assert batch.created_by == admin_merchandiser and batch.prefix == "WELCOME" and batch.max_uses == 1
    codes = set(Coupon.objects.filter(batch=batch).values_list("code", flat=True))
    assert len(codes) == 25 and all(code.startswith("WELCOME-") for code in codes)
    [generated] = events("promotions.coupon_batch.generated")
    assert generated.channel == "admin" and generated.actor == admin_merchandiser
    csv_url = reverse("admin:promotions_couponbatch_csv", args=[batch.pk])
    assert any("Generated 25 coupon(s)" in m and csv_url in m for m in messages_of(done))
    assert csv_url in client.get(done["Location"]).content.decode()  # the batch page links the download

    download = client.get(csv_url)

    assert download.status_code == 200 and download["Content-Type"].startswith("text/csv")
    assert download["Content-Disposition"] == f'attachment; filename="coupons-welcome-{batch.pk}.csv"'
    header, *rows = csv_rows(download)
    assert header[0] == "code" and {row[0] for row in rows} == codes


def test_generate_coupons_with_bad_input_shows_the_form_and_generates_nothing(client, admin_merchandiser):
    promotion = PromotionFactory(requires_coupon=True)
    url = reverse("admin:promotions_promotion_generate_coupons", args=[promotion.pk])

    shape = client.post(url, {"quantity": "0", "uses": "limited"})
    refused = client.post(url, {"quantity": "3", "prefix": "NO-DASH", "uses": "unlimited"})  # the service's rule

    assert shape.status_code == 200
    assert set(shape.context["form"].errors) == {"quantity", "max_uses"}
    assert refused.status_code == 200 and refused.context["form"].errors["prefix"] == ["Up to 12 letters and digits."]
    assert not CouponBatch.objects.exists() and not Coupon.objects.exists()


def test_generate_coupons_action_needs_exactly_one_promotion(client, admin_merchandiser):
    a, b = PromotionFactory(), PromotionFactory()

    response = client.post(reverse("admin:promotions_promotion_changelist"),
                           {"action": "generate_coupons", "_selected_action": [a.pk, b.pk]})

    assert response.status_code == 302 and response["Location"].endswith("/promotions/promotion/")
    assert "Choose exactly one promotion to generate coupons for." in messages_of(response)


def test_batch_changelist_counts_assignments_and_uses_without_a_query_per_row(client, admin_merchandiser,
                                                                               django_assert_max_num_queries):
    promotion = PromotionFactory(requires_coupon=True)
    for _ in range(3):
        services.coupon_generate(promotion=promotion, quantity=4, prefix="B")
    first_two = list(Coupon.objects.order_by("id").values_list("pk", flat=True)[:2])
    Coupon.objects.filter(pk__in=first_two).update(used_count=1)

    with django_assert_max_num_queries(12):
        page = client.get(reverse("admin:promotions_couponbatch_changelist"))

    assert page.status_code == 200
    uses = sorted(row.used_total or 0 for row in page.context["cl"].result_list)
    assert uses == [0, 0, 2]


def test_distribute_action_gives_one_coupon_to_each_member_of_a_segment(client, admin_merchandiser):
    segment = SegmentFactory(name="VIP")
    members = [customer_in_segment(segment) for _ in range(3)]
    batch = services.coupon_generate(promotion=PromotionFactory(requires_coupon=True), quantity=5, prefix="VIP")

    chosen = client.post(reverse("admin:promotions_couponbatch_changelist"),
                         {"action": "distribute_to_segment", "_selected_action": [batch.pk]})
    url = reverse("admin:promotions_couponbatch_distribute", args=[batch.pk])
    assert chosen["Location"] == url
    response = client.post(url, {"segment": str(segment.pk)})

    assert response.status_code == 302
    assigned = set(Coupon.objects.filter(batch=batch, assigned_to__isnull=False).values_list("assigned_to_id", flat=True))
    assert assigned == {m.pk for m in members}
    assert "Assigned 3 coupon(s) to the members of “VIP”." in messages_of(response)
    assert events("promotions.coupon_batch.distributed")[0].payload["assigned"] == 3


def test_distribute_refuses_when_the_batch_is_too_small_and_says_so_on_the_form(client, admin_merchandiser):
    segment = SegmentFactory()
    for _ in range(3):
        customer_in_segment(segment)
    batch = services.coupon_generate(promotion=PromotionFactory(requires_coupon=True), quantity=2)

    response = client.post(reverse("admin:promotions_couponbatch_distribute", args=[batch.pk]),
                           {"segment": str(segment.pk)})

    assert response.status_code == 200
    assert "2 unassigned coupons for 3 customers" in str(response.context["form"].non_field_errors())
    assert not Coupon.objects.filter(assigned_to__isnull=False).exists()


def test_a_named_code_is_added_through_coupon_create_and_a_taken_one_is_refused_on_the_form(client, admin_merchandiser):
    promotion = PromotionFactory(requires_coupon=True)
    url = reverse("admin:promotions_coupon_add")
    assert client.get(url).status_code == 200

    added = client.post(url, {"code": " spring10 ", "promotion": str(promotion.pk), "max_uses": "",
                              "assigned_to": admin_merchandiser.username})
    taken = client.post(url, {"code": "SPRING10", "promotion": str(promotion.pk)})
    unknown = client.post(url, {"code": "OTHER", "promotion": str(promotion.pk), "assigned_to": "nobody"})

    assert added.status_code == 302
    coupon = Coupon.objects.get()
    assert coupon.code == "SPRING10" and coupon.max_uses is None and coupon.assigned_to == admin_merchandiser
    [created] = events("promotions.coupon.created")
    assert created.channel == "admin" and created.payload["code"] == "SPRING10"
    assert created.customer_id == admin_merchandiser.pk  # the staff edit's one row is tied to the assignee
    assert not DomainEvent.objects.filter(event_type__startswith="admin.").exists()
    assert taken.status_code == 200 and "code" in taken.context["adminform"].form.errors
    assert unknown.status_code == 200 and "assigned_to" in unknown.context["adminform"].form.errors
    assert Coupon.objects.count() == 1


def test_invalidate_action_invalidates_active_coupons_and_reports_the_others(client, admin_merchandiser):
    live, other = CouponFactory(code="LIVE1"), CouponFactory(code="KEEP1")
    gone = CouponFactory(code="GONE1", status=Coupon.Status.INVALIDATED)

    response = client.post(reverse("admin:promotions_coupon_changelist"),
                           {"action": "invalidate", "_selected_action": [live.pk, gone.pk]})

    assert response.status_code == 302
    live.refresh_from_db(), other.refresh_from_db()
    assert live.status == Coupon.Status.INVALIDATED and live.invalidated_at is not None
    assert other.status == Coupon.Status.ACTIVE
    [invalidated] = events("promotions.coupon.invalidated", channel="admin")
    assert invalidated.payload["code"] == "LIVE1" and invalidated.channel == "admin"
    assert messages_of(response) == ["Invalidated: LIVE1.", "1 coupon(s) were already invalidated."]


def test_coupons_are_never_edited_or_deleted_in_admin(client, admin_merchandiser):
    coupon = CouponFactory(code="FIXED1")
    url = reverse("admin:promotions_coupon_change", args=[coupon.pk])

    page = client.get(url)
    client.post(url, {"code": "CHANGED", "promotion": str(coupon.promotion_id)})

    assert page.status_code == 200 and 'name="_save"' not in page.content.decode()
    assert Coupon.objects.get(pk=coupon.pk).code == "FIXED1"
    assert client.post(reverse("admin:promotions_coupon_delete", args=[coupon.pk]), {"post": "yes"}).status_code == 403
    assert not DomainEvent.objects.filter(event_type__startswith="admin.promotions.coupon").exists()
