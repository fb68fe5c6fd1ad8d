"""The checkout's side of the promotions: count an order's promotions and coupons, or give them back.

``redemptions_record`` runs inside the checkout transaction (the orders discount port's
``order_placed``): it locks the campaigns, then the promotions involved (each in id order, so two
checkouts never deadlock), re-checks every limit under those locks, counts coupon uses with a
conditional UPDATE and writes the redemptions; raising a ``DomainError`` rolls the whole checkout
back. ``redemptions_cancel`` (``order_cancelled``) gives the usage back, under the same locks in the
same order. Both run in the caller's transaction (no savepoint of their own). These are the only
commands that change the usage counters (``usage_count``, ``used_count``, ``spent_amount``).
"""

from __future__ import annotations

from collections import defaultdict
from decimal import Decimal

from django.db.models import Case, Count, DecimalField, F, Q, Value, When
from django.utils import timezone

from commerce.audit.events import record_many
from commerce.coupon_codes import normalise_coupon_code
from commerce.locks import Kind, lock
from orders.discounts import AppliedDiscount
from orders.selectors import order_facts
from promotions import events
from promotions.discount_keys import promotion_id_of
from promotions.errors import (
    CampaignBudgetSpent,
    CouponExhausted,
    CouponExpired,
    CouponNoLongerValid,
    CouponNotYours,
    PromotionCustomerLimitReached,
    PromotionNotLive,
    PromotionUsageLimitReached,
)
from promotions.models import Campaign, Coupon, Promotion, Redemption
from promotions.selectors.lookups import still_live


def redemptions_record(*, order_id: int, customer_id: int | None, discounts: list[AppliedDiscount], coupon_codes: list[str]) -> None:
    """Count the order's promotions and coupons, under locks, or refuse (rolling the checkout back).

    Refusals (409): ``promotion_not_live`` (deactivated meanwhile), ``promotion_usage_limit_reached``,
    ``promotion_customer_limit_reached``, ``campaign_budget_spent`` (granting it would overspend),
    ``coupon_exhausted`` (another order took the last use first).
    """
    granted = {}
    for discount in discounts:
        promotion_id = promotion_id_of(discount.key)
        if promotion_id is not None and discount.amount.is_positive():
            granted[promotion_id] = discount
    if not granted:
        return None
    now = timezone.now()
    ids = sorted(granted)
    campaign_ids = sorted(set(
        Promotion.objects.filter(pk__in=ids, campaign__isnull=False).values_list("campaign_id", flat=True)
    ))
    campaigns, promotions = _lock(campaign_ids, ids)

    per_customer_used = {}
    limited = [pk for pk, p in promotions.items() if p.usage_limit_per_customer is not None]
    if limited and customer_id is not None:  # a guest has no history to count (pricing counted none either)
        per_customer_used = dict(
            Redemption.objects.filter(customer_id=customer_id, promotion_id__in=limited, cancelled_at__isnull=True)
            .order_by().values("promotion_id").annotate(n=Count("id")).values_list("promotion_id", "n")
        )
    campaign_grant = defaultdict(Decimal)
    for pk in ids:
        promotion = promotions.get(pk)
        discount = granted[pk]
        if promotion is None or not still_live(promotion, campaigns.get(promotion.campaign_id), now):
            raise PromotionNotLive(
                f"The offer {discount.name} has just ended; please review your cart.", extra={"promotion_id": pk}
            )
        if promotion.usage_limit is not None and promotion.usage_count + 1 > promotion.usage_limit:
            raise PromotionUsageLimitReached(
                f"The offer {promotion.name} has reached its usage limit; please review your cart.",
                extra={"promotion_id": pk},
            )
        if promotion.usage_limit_per_customer is not None and \
                per_customer_used.get(pk, 0) + 1 > promotion.usage_limit_per_customer:
            raise PromotionCustomerLimitReached(
                f"You have already used the offer {promotion.name} as often as allowed.", extra={"promotion_id": pk}
            )
        if promotion.campaign_id is not None:
            campaign_grant[promotion.campaign_id] += discount.amount.amount
    for campaign_id, amount in campaign_grant.items():
        campaign = campaigns[campaign_id]
        if campaign.budget_amount is not None and campaign.spent_amount + amount > campaign.budget_amount:
            raise CampaignBudgetSpent(
                f"The budget of {campaign.name} is spent; please review your cart.", extra={"campaign_id": campaign_id}
            )

    # Coupons: one conditional UPDATE each, re-checking under its row lock what pricing checked
    # (active, not expired, the shopper's, uses left); 0 rows says why in the refusal.
    by_code = {normalise_coupon_code(d.code): pk for pk, d in granted.items() if d.code}
    codes = sorted(by_code)
    for code in codes:
        taken = (
            Coupon.objects.filter(code=code, promotion_id=by_code[code], status=Coupon.Status.ACTIVE)
            .filter(Q(expires_at__isnull=True) | Q(expires_at__gt=now))
            .filter(Q(assigned_to__isnull=True) | Q(assigned_to_id=customer_id))
            .filter(Q(max_uses__isnull=True) | Q(used_count__lt=F("max_uses")))
            .update(used_count=F("used_count") + 1)
        )
        if not taken:
            _refuse_coupon(code, promotion_id=by_code[code], customer_id=customer_id, now=now)
    coupons = {c.code: c for c in Coupon.objects.filter(code__in=codes).only("pk", "code", "promotion_id", "used_count")}

    facts = order_facts(order_id=order_id)
    redemptions = []
    for pk in ids:
        promotion, discount = promotions[pk], granted[pk]
        coupon = coupons.get(normalise_coupon_code(discount.code)) if discount.code else None
        line_amounts = {
            str(facts.line_ids[i]): str(m.amount) for i, m in sorted(discount.line_amounts.items())
            if i < len(facts.line_ids) and m.is_positive()
        }
        units = sum(facts.line_quantities[i] for i, m in discount.line_amounts.items()
                    if i < len(facts.line_quantities) and m.is_positive())
        redemptions.append(Redemption(
            promotion_id=pk, campaign_id=promotion.campaign_id, coupon_id=coupon.pk if coupon else None,
            customer_id=customer_id, order_id=order_id, order_number=facts.number, currency=facts.currency,
            amount=discount.amount.amount, line_amounts=line_amounts,
            shipping_amount=discount.shipping_amount.amount if discount.shipping_amount else Decimal(0),
            units=units, order_subtotal=facts.subtotal_amount, order_total=facts.total_amount, placed_at=facts.placed_at,
        ))
    Redemption.objects.bulk_create(redemptions)
    if not all(r.pk for r in redemptions):  # backends without RETURNING: read the ids back
        by_promotion = dict(Redemption.objects.filter(order_id=order_id).values_list("promotion_id", "pk"))
        for r in redemptions:
            r.pk = by_promotion[r.promotion_id]

    _bump(Promotion, ids, usage=1, amounts={pk: granted[pk].amount.amount for pk in ids})
    if campaign_grant:
        _bump_campaigns({cid: amt for cid, amt in campaign_grant.items()})

    to_record = []
    for r in redemptions:
        promotion = promotions[r.promotion_id]
        to_record.append(events.PromotionRedeemed(
            promotion_id=r.promotion_id, name=promotion.name, redemption_id=r.pk, order_id=order_id,
            order_number=facts.number, customer_id=customer_id, campaign_id=r.campaign_id,
            coupon_code=normalise_coupon_code(granted[r.promotion_id].code), amount=str(r.amount), currency=r.currency,
            usage_count=promotion.usage_count + 1,
        ))
    for code in codes:
        coupon = coupons[code]
        to_record.append(events.CouponRedeemed(
            coupon_id=coupon.pk, code=code, promotion_id=coupon.promotion_id, order_id=order_id,
            order_number=facts.number, customer_id=customer_id, used_count=coupon.used_count,
        ))
    for campaign_id, amount in sorted(campaign_grant.items()):
        campaign = campaigns[campaign_id]
        spent = campaign.spent_amount + amount
        if campaign.budget_amount is not None and spent >= campaign.budget_amount:
            to_record.append(events.CampaignBudgetSpent(
                campaign_id=campaign_id, name=campaign.name, budget_amount=str(campaign.budget_amount),
                spent_amount=str(spent), currency=campaign.currency, order_id=order_id,
            ))
    record_many(to_record)
    return None


def redemptions_cancel(*, order_id: int) -> None:
    """Mark the order's redemptions cancelled and give their usage, coupon uses and budget back."""
    live = list(Redemption.objects.filter(order_id=order_id, cancelled_at__isnull=True).order_by("promotion_id"))
    if not live:
        return None
    now = timezone.now()
    ids = [r.promotion_id for r in live]
    campaign_ids = sorted({r.campaign_id for r in live if r.campaign_id})
    _, promotions = _lock(campaign_ids, ids)
    Redemption.objects.filter(pk__in=[r.pk for r in live]).update(cancelled_at=now)

    _bump(Promotion, ids, usage=-1, amounts={r.promotion_id: -r.amount for r in live})
    back = defaultdict(Decimal)
    for r in live:
        if r.campaign_id:
            back[r.campaign_id] -= r.amount
    if back:
        _bump_campaigns(dict(back))
    coupon_ids = sorted({r.coupon_id for r in live if r.coupon_id})
    coupons = {}
    if coupon_ids:
        Coupon.objects.filter(pk__in=coupon_ids, used_count__gt=0).update(used_count=F("used_count") - 1)
        coupons = {c.pk: c for c in Coupon.objects.filter(pk__in=coupon_ids).only("pk", "code", "promotion_id", "used_count")}

    to_record = []
    for r in live:
        promotion = promotions[r.promotion_id]
        to_record.append(events.PromotionRedemptionReversed(
            promotion_id=r.promotion_id, name=promotion.name, redemption_id=r.pk, order_id=order_id,
            order_number=r.order_number, customer_id=r.customer_id, campaign_id=r.campaign_id,
            amount=str(r.amount), currency=r.currency, usage_count=max(0, promotion.usage_count - 1),
        ))
        if r.coupon_id:
            coupon = coupons[r.coupon_id]
            to_record.append(events.CouponReleased(
                coupon_id=coupon.pk, code=coupon.code, promotion_id=coupon.promotion_id, order_id=order_id,
                order_number=r.order_number, customer_id=r.customer_id, used_count=coupon.used_count,
            ))
    record_many(to_record)
    return None


def _refuse_coupon(code: str, *, promotion_id: int, customer_id: int, now) -> None:
    """Why a counted coupon could not be taken under its lock, as a 409 (rolling the checkout back)."""
    coupon = Coupon.objects.filter(code=code).only("status", "promotion_id", "expires_at", "assigned_to_id").first()
    extra = {"code": code}
    if coupon is None or coupon.status != Coupon.Status.ACTIVE or coupon.promotion_id != promotion_id:
        raise CouponNoLongerValid(f"The code {code} is no longer valid; please review your cart.", extra=extra)
    if coupon.expires_at is not None and coupon.expires_at <= now:
        raise CouponExpired(f"The code {code} has expired; please review your cart.", extra=extra)
    if coupon.assigned_to_id is not None and coupon.assigned_to_id != customer_id:
        raise CouponNotYours(f"The code {code} belongs to another customer.", extra=extra)
    raise CouponExhausted(f"The code {code} has just been used up; please review your cart.", extra=extra)


def _lock(campaign_ids: list[int], promotion_ids: list[int]) -> tuple[dict, dict]:
    """Lock the campaigns, then the promotions, each in id order: every writer takes them so."""
    campaigns = {c.pk: c for c in lock(Kind.CAMPAIGN, Campaign.objects.filter(pk__in=campaign_ids))} if campaign_ids else {}
    promotions = {p.pk: p for p in lock(Kind.PROMOTION, Promotion.objects.filter(pk__in=sorted(promotion_ids)))}
    return campaigns, promotions



_AMOUNT = DecimalField(max_digits=12, decimal_places=2)


def _bump(model, ids: list[int], *, usage: int, amounts: dict[int, Decimal]) -> None:
    """One UPDATE for every promotion: usage_count += usage, discount_granted += its amount."""
    model.objects.filter(pk__in=ids).update(
        usage_count=F("usage_count") + usage,
        discount_granted=F("discount_granted") + Case(
            *[When(pk=pk, then=Value(amount)) for pk, amount in amounts.items()], default=Value(Decimal(0)),
            output_field=_AMOUNT,
        ),
    )


def _bump_campaigns(amounts: dict[int, Decimal]) -> None:
    Campaign.objects.filter(pk__in=list(amounts)).update(
        spent_amount=F("spent_amount") + Case(
            *[When(pk=pk, then=Value(amount)) for pk, amount in amounts.items()], default=Value(Decimal(0)),
            output_field=_AMOUNT,
        ),
    )

