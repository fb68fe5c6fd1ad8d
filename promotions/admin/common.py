"""What the console's pages share: the permission, formatting helpers, and the service-action plumbing."""

from __future__ import annotations

from decimal import Decimal

from django.core.exceptions import PermissionDenied
from django.template.response import TemplateResponse
from django.utils import timezone

from commerce.accounts import access
from commerce.admin_services import RunEachMixin
from commerce.money_format import money_text
from promotions.models import Promotion

MANAGE_PROMOTIONS = "manage_promotions"


def can_manage(user) -> bool:
    return access.has_permission(user, MANAGE_PROMOTIONS)


def _when(value) -> str:
    return timezone.localtime(value).strftime("%Y-%m-%d %H:%M") if value else ""


def _percent(value) -> str:
    if value is None:
        return "?"
    text = format(Decimal(value).normalize(), "f")
    return text


def window(starts, ends) -> str:
    if starts and ends:
        return f"{_when(starts)} → {_when(ends)}"
    if starts:
        return f"from {_when(starts)}"
    if ends:
        return f"until {_when(ends)}"
    return "always"


def benefit_summary(promotion: Promotion, tiers=None) -> str:
    """What the shopper gets, in a few words: "10 % off", "buy 2 get 1 free", "5+: 5 %, 10+: 10 %"."""
    benefit = Promotion.Benefit
    kind = promotion.benefit_type
    if kind == benefit.PERCENTAGE:
        return f"{_percent(promotion.percent)} % off"
    if kind == benefit.FIXED_AMOUNT:
        return f"{money_text(promotion.amount, promotion.currency)} off"
    if kind == benefit.BUY_X_GET_Y:
        get = "free" if promotion.get_percent == 100 else f"at {_percent(promotion.get_percent)} % off"
        return f"buy {promotion.buy_quantity or '?'} get {promotion.get_quantity or '?'} {get}"
    if kind == benefit.QUANTITY_TIERS:
        tiers = list(promotion.tiers.all()) if tiers is None else tiers
        return ", ".join(f"{t.min_quantity}+: {_percent(t.percent)} %" for t in tiers) or "tiers not set"
    if kind == benefit.FREE_SHIPPING:
        return "free shipping"
    if kind == benefit.BUNDLE_PRICE:
        return f"{promotion.bundle_quantity or '?'} for {money_text(promotion.amount, promotion.currency)}"
    return promotion.get_benefit_type_display()


# --- shared plumbing ----------------------------------------------------------------------------------
class ConsolePermissionsMixin:
    """Model permissions as usual; ``accounts.manage_promotions`` grants all of them in this console."""

    def has_module_permission(self, request):
        return super().has_module_permission(request) or can_manage(request.user)

    def has_view_permission(self, request, obj=None):
        return super().has_view_permission(request, obj) or can_manage(request.user)

    def has_add_permission(self, request, *args):
        return super().has_add_permission(request, *args) or can_manage(request.user)

    def has_change_permission(self, request, obj=None):
        return super().has_change_permission(request, obj) or can_manage(request.user)

    def has_delete_permission(self, request, obj=None):
        return super().has_delete_permission(request, obj) or can_manage(request.user)

    def has_manage_promotions_permission(self, request):
        return can_manage(request.user)


class ServiceActionsMixin(RunEachMixin):
    """Runs one service call per selected object (``run_each``), and the console pages of the actions."""

    def page(self, request, template: str, title: str, **context):
        return TemplateResponse(
            request,
            template,
            {**self.admin_site.each_context(request), "opts": self.model._meta, "title": title, **context},
        )

    def require_manage(self, request) -> None:
        if not (request.user.is_active and request.user.is_staff and can_manage(request.user)):
            raise PermissionDenied

    @staticmethod
    def single(queryset):
        """The one object selected, or None when there are none or several."""
        objects = list(queryset[:2])
        return objects[0] if len(objects) == 1 else None
