"""The orders pricing hook, implemented by the promotions app (``ORDERS_DISCOUNT_PROVIDER``).

``price`` loads the engine's inputs (``selectors.engine_inputs``, a fixed number of queries) and
runs the pure engine. ``order_placed`` runs inside the checkout transaction: it locks the
campaigns, then the promotions involved (each in id order, so two checkouts never deadlock),
re-checks every limit under those locks, counts coupon uses with a conditional UPDATE and writes
the redemptions; raising a ``DomainError`` rolls the whole checkout back. ``order_cancelled``
gives the usage back, under the same locks in the same order.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import replace
from decimal import Decimal

from django.db.models import Case, Count, DecimalField, F, Q, Value, When
from django.utils import timezone

from commerce.audit.events import record_many
from orders.pricing import AppliedDiscount, CouponResult, DiscountResult, PricingSnapshot, PromotionHint
from promotions import engine, events
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
from promotions.selectors import LIVE_CAMPAIGN_STATUSES, LIVE_PROMOTION_STATUSES, coupon_infos, engine_inputs, from_minor

KEY_PREFIX = "promotion:"


def promotion_key(promotion_id: int) -> str:
    return f"{KEY_PREFIX}{promotion_id}"


def promotion_id_of(key: str) -> int | None:
    if not key.startswith(KEY_PREFIX):
        return None
    try:
        return int(key[len(KEY_PREFIX):])
    except ValueError:
        return None


def _applied(applied: engine.Applied, currency: str) -> AppliedDiscount:
    return AppliedDiscount(
        key=promotion_key(applied.rule_id),
        name=applied.name,
        amount=from_minor(applied.amount, currency),
        line_amounts={i: from_minor(units, currency) for i, units in applied.line_amounts.items() if units},
        shipping_amount=from_minor(applied.shipping_amount, currency) if applied.shipping_amount else None,
        code=applied.code,
    )


def _verdict(verdict: engine.CouponVerdict) -> CouponResult:
    return CouponResult(code=verdict.code, accepted=verdict.accepted, reason=verdict.reason, message=verdict.message,
                        hint=verdict.hint)


def _hint(item: engine.NotApplied) -> PromotionHint:
    return PromotionHint(key=promotion_key(item.rule_id), name=item.name, reason=item.reason, message=item.message,
                         hint=item.hint)


# Reasons a shopper may be told about an automatic promotion they are eligible for. The others
# would leak what they should not see (another segment's offers, upcoming ones) or are noise (a
# product promotion for items not in the cart); the admin and staff simulation show them all.
SHOPPER_REASONS = {"minimum_not_reached", "usage_limit_reached", "customer_limit_reached", "budget_spent", "not_combinable"}


def _shopper_hints(result: engine.Result, rules) -> list[PromotionHint]:
    """Why an automatic promotion the shopper qualifies for did not apply, and what would qualify.

    Coupon-only promotions stay secret: an entered code's own verdict carries its reason and hint.
    """
    coupon_only = {r.id for r in rules if r.requires_coupon}
    return [_hint(n) for n in result.not_applied if n.reason in SHOPPER_REASONS and n.rule_id not in coupon_only]


class PromotionDiscounts:
    """The discounts of the live promotions, through the engine; coupon uses and limits counted at checkout."""

    # --- pricing --------------------------------------------------------------------------------
    def price(self, snapshot: PricingSnapshot) -> DiscountResult:
        cart, rules = engine_inputs(snapshot)
        if not rules and not cart.coupons:
            return DiscountResult()
        result = engine.evaluate(cart, rules)
        currency = snapshot.currency
        return DiscountResult(
            discounts=[_applied(a, currency) for a in result.applied if a.amount > 0],
            coupons=[_verdict(v) for v in result.coupons],
            hints=_shopper_hints(result, rules),
            explanations=[_hint(n) for n in result.not_applied],
        )

    def check_coupon(self, code: str, snapshot: PricingSnapshot | None = None) -> CouponResult:
        """A code's verdict on a cart, or, without one, on its own (known, usable, not expired)."""
        code = (code or "").strip().upper()
        if snapshot is not None:
            codes = list(dict.fromkeys([*[_code(c) for c in snapshot.coupon_codes], code]))
            result = self.price(replace(snapshot, coupon_codes=codes))
            found = next((c for c in result.coupons if c.code == code), None)
            if found is not None:
                return found
        (info,) = coupon_infos([code]) or (engine.CouponInfo(code=code),)
        now = timezone.now()
        if info.promotion_id is None:
            return CouponResult(code, False, "coupon_unknown", f"The code {code} is not known.")
        if info.invalidated:
            return CouponResult(code, False, "coupon_invalidated", f"The code {code} is no longer valid.")
        if info.expires_at is not None and info.expires_at <= now:
            return CouponResult(code, False, "coupon_expired", f"The code {code} has expired.")
        if info.uses_left is not None and info.uses_left <= 0:
            return CouponResult(code, False, "coupon_exhausted", f"The code {code} has been used up.")
        promotion = Promotion.objects.select_related("campaign").filter(pk=info.promotion_id).first()
        if promotion is None or not _still_live(promotion, promotion.campaign, now):
            return CouponResult(code, False, "coupon_not_applicable", f"The code {code} cannot be used now.")
        return CouponResult(code, True)

    # --- checkout -------------------------------------------------------------------------------
    def order_placed(self, *, order_id: int, customer_id: int, discounts: list[AppliedDiscount], coupon_codes: list[str]) -> None:
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
        from orders.selectors import order_facts

        now = timezone.now()
        ids = sorted(granted)
        campaign_ids = sorted(set(
            Promotion.objects.filter(pk__in=ids, campaign__isnull=False).values_list("campaign_id", flat=True)
        ))
        campaigns, promotions = _lock(campaign_ids, ids)

        per_customer_used = {}
        limited = [pk for pk, p in promotions.items() if p.usage_limit_per_customer is not None]
        if limited:
            per_customer_used = dict(
                Redemption.objects.filter(customer_id=customer_id, promotion_id__in=limited, cancelled_at__isnull=True)
                .order_by().values("promotion_id").annotate(n=Count("id")).values_list("promotion_id", "n")
            )
        campaign_grant = defaultdict(Decimal)
        for pk in ids:
            promotion = promotions.get(pk)
            discount = granted[pk]
            if promotion is None or not _still_live(promotion, campaigns.get(promotion.campaign_id), now):
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
        by_code = {_code(d.code): pk for pk, d in granted.items() if d.code}
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
            coupon = coupons.get(_code(discount.code)) if discount.code else None
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
                coupon_code=_code(granted[r.promotion_id].code), amount=str(r.amount), currency=r.currency,
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

    def order_cancelled(self, *, order_id: int) -> None:
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


def _code(code: str) -> str:
    return (code or "").strip().upper()


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
    campaigns = {c.pk: c for c in Campaign.objects.select_for_update().filter(pk__in=campaign_ids).order_by("pk")} \
        if campaign_ids else {}
    promotions = {p.pk: p for p in Promotion.objects.select_for_update().filter(pk__in=sorted(promotion_ids)).order_by("pk")}
    return campaigns, promotions


def _still_live(promotion: Promotion, campaign: Campaign | None, now) -> bool:
    if promotion.status not in LIVE_PROMOTION_STATUSES:
        return False
    if promotion.valid_from is not None and promotion.valid_from > now:
        return False
    if promotion.valid_to is not None and promotion.valid_to <= now:
        return False
    if campaign is None:
        return promotion.campaign_id is None
    if campaign.status not in LIVE_CAMPAIGN_STATUSES or campaign.starts_at > now:
        return False
    return campaign.ends_at is None or campaign.ends_at > now


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

