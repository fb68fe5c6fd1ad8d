"""The merchandising console: promotions, coupons, campaigns, segments and redemptions in Admin.

Nothing here writes a promotions row itself. A promotion is edited on one screen (its conditions,
its benefit, its tiers and targets) and saved by ``promotion_create`` / ``promotion_update`` with
the many-to-many fields and the tiers in the same call; state (status, usage, spent budget) is
read-only and changes only through actions that call the services. When a service refuses a save
(``PromotionInvalid``...), the page comes back with its errors next to the fields and nothing is
written. Each object of an action runs in its own transaction and each outcome is reported.

Who may do what: the model permissions, or ``accounts.manage_promotions`` (the Merchandisers'
permission for this console, see ``commerce.accounts.groups``), which grants them all. Simulating a
cart, generating and exporting coupons, and every state-changing action need ``manage_promotions``
(superusers have it).
"""

from __future__ import annotations

from decimal import Decimal

from django.contrib import admin, messages
from django.contrib.admin.actions import delete_selected as django_delete_selected
from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.db.models import Count, Q, Sum
from django.forms.models import model_to_dict
from django.http import Http404, HttpResponseNotAllowed, HttpResponseRedirect
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils import timezone
from django.utils.html import format_html
from django.utils.translation import gettext_lazy

from commerce.accounts import access
from commerce.admin_services import (
    ReadOnlyAdminMixin,
    SafeChangeListMixin,
    ServiceErrorsOnFormMixin,
    ServiceSaveMixin,
    add_domain_error,
    copy_saved,
)
from commerce.audit.admin import StaffAuditMixin, _jsonable
from commerce.csv_export import csv_response
from commerce.errors import DomainError
from commerce.money import Money
from commerce.parsing import parse_id
from promotions import selectors, services
from promotions.admin_forms import (
    CouponAdminForm,
    DistributeCouponsForm,
    GenerateCouponsForm,
    PromotionAdminForm,
    SegmentAdminForm,
    SimulateForm,
)
from promotions.models import Campaign, Coupon, CouponBatch, Promotion, PromotionTier, Redemption, Segment
from promotions.provider import promotion_id_of

MANAGE_PROMOTIONS = "manage_promotions"
# Arguments of promotion_create given by name, not through **fields.
_CREATE_ARGS = ("name", "discount_class", "benefit_type")


def can_manage(user) -> bool:
    return access.has_permission(user, MANAGE_PROMOTIONS)


def _when(value) -> str:
    return timezone.localtime(value).strftime("%Y-%m-%d %H:%M") if value else ""


def _percent(value) -> str:
    if value is None:
        return "?"
    text = format(Decimal(value).normalize(), "f")
    return text


def _money(amount, currency: str) -> str:
    return str(Money.of(amount, currency)) if amount is not None else "-"


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
        return f"{_money(promotion.amount, promotion.currency)} off"
    if kind == benefit.BUY_X_GET_Y:
        get = "free" if promotion.get_percent == 100 else f"at {_percent(promotion.get_percent)} % off"
        return f"buy {promotion.buy_quantity or '?'} get {promotion.get_quantity or '?'} {get}"
    if kind == benefit.QUANTITY_TIERS:
        tiers = list(promotion.tiers.all()) if tiers is None else tiers
        return ", ".join(f"{t.min_quantity}+: {_percent(t.percent)} %" for t in tiers) or "tiers not set"
    if kind == benefit.FREE_SHIPPING:
        return "free shipping"
    if kind == benefit.BUNDLE_PRICE:
        return f"{promotion.bundle_quantity or '?'} for {_money(promotion.amount, promotion.currency)}"
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


class ServiceActionsMixin:
    """Runs one service call per selected object, each in its own transaction, and reports each."""

    def run_each(self, request, objects, *, call, done: str, describe=None) -> list:
        succeeded = []
        for obj in objects:
            try:
                with transaction.atomic():
                    result = call(obj)
                    self.log_change(request, obj, f"{done} (admin).")
            except DomainError as exc:
                text = exc.message if str(obj) in exc.message else f"{obj}: {exc.message}"
                self.message_user(request, text, messages.ERROR)
            else:
                succeeded.append((obj, result))
        if succeeded:
            self.message_user(
                request,
                f"{done}: {', '.join(describe(obj, result) if describe else str(obj) for obj, result in succeeded)}.",
                messages.SUCCESS,
            )
        return succeeded

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


# --- promotions ---------------------------------------------------------------------------------------
class PromotionTierInline(admin.TabularInline):
    """The steps of a quantity-tier promotion; saved by the promotion's service with the rest."""

    model = PromotionTier
    extra = 1
    fields = ("min_quantity", "percent")
    verbose_name_plural = "quantity tiers (for the “Quantity tiers” benefit: from N qualifying units, P % off)"

    def _may(self, request, perm: str) -> bool:
        return request.user.has_perm(f"promotions.{perm}_promotion") or can_manage(request.user)

    @staticmethod
    def _archived(obj) -> bool:
        return obj is not None and obj.status == Promotion.Status.ARCHIVED

    def has_view_permission(self, request, obj=None):
        return self._may(request, "view") or self._may(request, "change")

    def has_add_permission(self, request, obj=None):
        return not self._archived(obj) and self._may(request, "change" if obj is not None else "add")

    def has_change_permission(self, request, obj=None):
        return not self._archived(obj) and self._may(request, "change")

    def has_delete_permission(self, request, obj=None):
        return not self._archived(obj) and self._may(request, "change")


class StatusFilter(admin.SimpleListFilter):
    """Status, plus "live now": active and inside its validity window at this moment."""

    title = "status"
    parameter_name = "status"

    def lookups(self, request, model_admin):
        return [("live", "Live now"), *Promotion.Status.choices]

    def queryset(self, request, queryset):
        value = self.value()
        if value == "live":
            now = timezone.now()
            return queryset.filter(
                Q(valid_from__isnull=True) | Q(valid_from__lte=now),
                Q(valid_to__isnull=True) | Q(valid_to__gt=now),
                status=Promotion.Status.ACTIVE,
            )
        if value in Promotion.Status.values:
            return queryset.filter(status=value)
        return queryset


@admin.register(Promotion)
class PromotionAdmin(
    SafeChangeListMixin, StaffAuditMixin, ServiceSaveMixin, ServiceErrorsOnFormMixin, ServiceActionsMixin, ConsolePermissionsMixin,
    admin.ModelAdmin,
):
    form = PromotionAdminForm
    list_display = ("name", "discount_class", "benefit", "status", "validity", "usage", "granted", "campaign")
    list_select_related = ("campaign",)
    list_filter = (StatusFilter, "discount_class", "benefit_type", "campaign", "requires_coupon")
    search_fields = ("name", "=coupons__code")
    search_help_text = "Promotion name, or an exact coupon code."
    ordering = ("-priority", "id")
    list_per_page = 50
    actions = ("activate", "deactivate", "generate_coupons", "delete_selected")
    inlines = (PromotionTierInline,)
    autocomplete_fields = ("target_products", "get_products")
    filter_horizontal = ("target_categories", "target_manufacturers", "segments")
    fieldsets = (
        ("General", {"fields": ("name", "description", "badge", "campaign")}),
        ("Combination", {
            "fields": ("discount_class", "priority", "combines_with", "exclusive", "requires_coupon"),
            "description": "Discounts apply product, then order, then shipping; within a class, higher priority "
                           "first. Of the combinations allowed, the shopper gets the one that saves most.",
        }),
        ("Benefit", {
            "fields": ("benefit_type", "percent", ("amount", "currency"), ("buy_quantity", "get_quantity", "get_percent"),
                       "get_products", "bundle_quantity"),
            "description": "Fill in what the benefit needs: percentage → percent; fixed amount → amount; buy X get Y → "
                           "buy and get quantities (and the Y products); quantity tiers → the tiers below; bundle "
                           "price → bundle quantity and amount; free shipping → nothing.",
        }),
        ("Conditions", {
            "fields": (("valid_from", "valid_to"), "min_subtotal", "min_quantity", "target_products",
                       "target_categories", "target_manufacturers", "segments",
                       ("usage_limit", "usage_limit_per_customer")),
            "description": "Empty targets: every product qualifies. Empty segments: every customer.",
        }),
        ("State (changed by the actions only)", {
            "fields": ("status", "usage", "granted", "coupons", "activated_at", "deactivated_at", "created_at",
                       "updated_at"),
        }),
    )
    readonly_fields = ("status", "usage", "granted", "coupons", "activated_at", "deactivated_at", "created_at",
                       "updated_at")

    def get_queryset(self, request):
        return super().get_queryset(request).prefetch_related("tiers")

    def get_fieldsets(self, request, obj=None):
        # A new promotion has no state yet: it is created in draft.
        return self.fieldsets if obj is not None else self.fieldsets[:-1]

    # An archived promotion is history: shown, never changed or deleted again.
    def has_change_permission(self, request, obj=None):
        archived = obj is not None and obj.status == Promotion.Status.ARCHIVED
        return not archived and super().has_change_permission(request, obj)

    def has_delete_permission(self, request, obj=None):
        archived = obj is not None and obj.status == Promotion.Status.ARCHIVED
        return not archived and super().has_delete_permission(request, obj)

    # --- columns ------------------------------------------------------------------------------------
    @admin.display(description="Benefit", ordering="benefit_type")
    def benefit(self, obj):
        return benefit_summary(obj)

    @admin.display(description="Valid")
    def validity(self, obj):
        return window(obj.valid_from, obj.valid_to)

    @admin.display(description="Used (orders)", ordering="usage_count")
    def usage(self, obj):
        return f"{obj.usage_count} / {obj.usage_limit if obj.usage_limit is not None else 'no limit'}"

    @admin.display(description="Discount granted", ordering="discount_granted")
    def granted(self, obj):
        return _money(obj.discount_granted, obj.currency)

    @admin.display(description="Coupons")
    def coupons(self, obj):
        if obj.pk is None:
            return "-"
        count = obj.coupons.count()
        url = f"{reverse('admin:promotions_coupon_changelist')}?promotion__id__exact={obj.pk}"
        return format_html('<a href="{}">{} coupon(s)</a>', url, count)

    # --- saving through the services ----------------------------------------------------------------
    def _create_formsets(self, request, obj, change):
        formsets, inline_instances = super()._create_formsets(request, obj, change)
        # persist() sends the tiers to the service with the rest of the promotion.
        obj._admin_formsets = formsets
        return formsets, inline_instances

    @staticmethod
    def _tiers(obj) -> list[tuple[int, Decimal]] | None:
        """The tiers as the inline holds them, or None when the inline was not changed."""
        formset = next((fs for fs in getattr(obj, "_admin_formsets", ()) if fs.model is PromotionTier), None)
        if formset is None or not formset.has_changed():
            return None
        rows = []
        for form in formset.forms:
            data = getattr(form, "cleaned_data", None) or {}
            if not data or data.get("DELETE") or data.get("min_quantity") is None:
                continue
            rows.append((data["min_quantity"], data["percent"]))
        return sorted(rows)

    def persist(self, request, obj, form, change):
        cleaned = form.cleaned_data
        tiers = self._tiers(obj)
        writable = (*services.EDITABLE_FIELDS, *services.M2M_FIELDS)
        if not change:
            fields = {f: cleaned[f] for f in writable if f in cleaned and f not in _CREATE_ARGS}
            saved = services.promotion_create(
                name=cleaned["name"], discount_class=cleaned["discount_class"], benefit_type=cleaned["benefit_type"],
                tiers=tiers or (), **fields,
            )
        else:
            data = {f: cleaned[f] for f in form.changed_data if f in writable or f in _CREATE_ARGS}
            saved = services.promotion_update(promotion=obj.pk, data=data, tiers=tiers) if data or tiers is not None else obj
        copy_saved(saved, obj)

    def save_related(self, request, form, formsets, change):
        # The service already wrote the many-to-many fields and the tiers (see persist): form.save_m2m()
        # and formset.save() would write around it. The change message only needs these lists.
        for formset in formsets:
            self.save_formset(request, form, formset, change)

    def save_formset(self, request, form, formset, change):
        formset.new_objects, formset.changed_objects, formset.deleted_objects = [], [], []

    @staticmethod
    def _delete(promotion: Promotion) -> bool:
        """``promotion_delete``; True when the promotion was deleted, False when it was archived
        instead (it had been redeemed)."""
        services.promotion_delete(promotion=promotion.pk)
        return selectors.promotion_status(promotion_id=promotion.pk) is None

    def remove(self, request, obj):
        if not self._delete(obj):
            self.message_user(
                request, f"“{obj}” has been redeemed: it is archived (kept for its history), not deleted.",
                messages.WARNING,
            )

    def delete_queryset(self, request, queryset) -> dict[str, int]:
        """Each promotion through ``promotion_delete`` in its own transaction. Returns how many were
        deleted, archived (redeemed) and left as they were (archived already); a refusal is reported
        on its own and counted in none."""
        outcomes = {"deleted": 0, "archived": 0, "unchanged": 0}
        for promotion in queryset.order_by("id"):
            if promotion.status == Promotion.Status.ARCHIVED:
                outcomes["unchanged"] += 1  # promotion_delete would leave it as it is
                continue
            try:
                with transaction.atomic():
                    snapshot = {k: _jsonable(v) for k, v in model_to_dict(promotion).items()}
                    self._audit(promotion, "deleted", {"values": snapshot})
                    deleted = self._delete(promotion)
                    # Logged once the outcome is known (the instance keeps its pk: the service
                    # deleted its own copy of the row).
                    if deleted:
                        self.log_deletions(request, [promotion])
                    else:
                        self.log_change(request, promotion, "Archived: redeemed, kept for its history (admin).")
            except DomainError as exc:
                self.message_user(request, f"{promotion}: {exc.message}", messages.ERROR)
            else:
                outcomes["deleted" if deleted else "archived"] += 1
        return outcomes

    @admin.action(permissions=["delete"], description=gettext_lazy("Delete selected %(verbose_name_plural)s"))
    def delete_selected(self, request, queryset):
        """Django's "Delete selected" (its confirmation page first), saying what was done: a redeemed
        promotion is archived, not deleted, which "Successfully deleted 3 promotions" would hide."""
        if not request.POST.get("post"):
            return django_delete_selected(self, request, queryset)
        # Where Django's action checks that nothing is protected and no permission is missing: neither
        # can be for promotions (see get_deleted_objects), promotion_delete decides what goes.
        outcomes = self.delete_queryset(request, queryset)
        text = deletion_message(**outcomes)
        if text:
            all_deleted = not (outcomes["archived"] or outcomes["unchanged"])
            self.message_user(request, text, messages.SUCCESS if all_deleted else messages.WARNING)
        return None

    def delete_view(self, request, object_id, extra_context=None):
        try:
            return super().delete_view(request, object_id, extra_context)
        except DomainError as exc:
            self.message_user(request, f"Nothing was deleted: {exc.message}", messages.ERROR)
            return HttpResponseRedirect(reverse("admin:promotions_promotion_change", args=[object_id]))

    def response_delete(self, request, obj_display, obj_id):
        if selectors.promotion_status(promotion_id=obj_id) is not None:  # archived, not deleted: remove() said so
            return HttpResponseRedirect(reverse("admin:promotions_promotion_change", args=[obj_id]))
        return super().response_delete(request, obj_display, obj_id)

    def get_deleted_objects(self, objs, request):
        # promotion_delete decides: a promotion never redeemed is deleted with its tiers and coupons, a
        # redeemed one is archived and keeps them. Neither needs delete rights on coupons or redemptions.
        deleted, model_count, _perms_needed, _protected = super().get_deleted_objects(objs, request)
        return deleted, model_count, set(), []

    # --- pages: change form tools, simulate, generate coupons -------------------------------------------
    def get_urls(self):
        view = self.admin_site.admin_view
        return [
            path("simulate/", view(self.simulate_view), name="promotions_promotion_simulate"),
            path("<int:object_id>/generate-coupons/", view(self.generate_coupons_view),
                 name="promotions_promotion_generate_coupons"),
            path("<int:object_id>/transition/<str:action>/", view(self.transition_view),
                 name="promotions_promotion_transition"),
            *super().get_urls(),
        ]

    def changelist_view(self, request, extra_context=None):
        extra_context = dict(extra_context or {})
        if can_manage(request.user):
            extra_context["simulate_url"] = reverse("admin:promotions_promotion_simulate")
        return super().changelist_view(request, extra_context)

    def change_view(self, request, object_id, form_url="", extra_context=None):
        extra_context = dict(extra_context or {})
        promotion = self.get_object(request, object_id) if parse_id(object_id) is not None else None
        if promotion is not None and can_manage(request.user):
            extra_context["promotion_tools"] = self.promotion_tools(promotion)
        return super().change_view(request, object_id, form_url, extra_context)

    def promotion_tools(self, promotion: Promotion) -> list[dict]:
        status = Promotion.Status
        tools = []
        if promotion.status in (status.DRAFT, status.INACTIVE):
            tools.append({"label": "Activate", "post": True,
                          "url": reverse("admin:promotions_promotion_transition", args=[promotion.pk, "activate"])})
        if promotion.status in (status.SCHEDULED, status.ACTIVE):
            tools.append({"label": "Deactivate", "post": True,
                          "url": reverse("admin:promotions_promotion_transition", args=[promotion.pk, "deactivate"])})
        if promotion.status != status.ARCHIVED:
            tools.append({"label": "Generate coupons…",
                          "url": reverse("admin:promotions_promotion_generate_coupons", args=[promotion.pk])})
        tools.append({"label": "Simulate a cart",
                      "url": f"{reverse('admin:promotions_promotion_simulate')}?promotion={promotion.pk}"})
        return tools

    # --- activate / deactivate --------------------------------------------------------------------------
    TRANSITIONS = {
        "activate": (services.promotion_activate, "Activated"),
        "deactivate": (services.promotion_deactivate, "Deactivated"),
    }

    def _transition(self, request, promotions, action: str) -> None:
        service, done = self.TRANSITIONS[action]
        self.run_each(
            request, promotions, done=done, call=lambda p: service(promotion=p.pk),
            describe=lambda p, updated: f"{p} ({updated.get_status_display().lower()})",
        )

    @admin.action(description="Activate selected promotions (scheduled if they start later)",
                  permissions=["manage_promotions"])
    def activate(self, request, queryset):
        self._transition(request, list(queryset.order_by("id")), "activate")

    @admin.action(description="Deactivate selected promotions", permissions=["manage_promotions"])
    def deactivate(self, request, queryset):
        self._transition(request, list(queryset.order_by("id")), "deactivate")

    def transition_view(self, request, object_id, action):
        """The Activate / Deactivate buttons of the promotion's page: the same as the actions."""
        if request.method != "POST":
            return HttpResponseNotAllowed(["POST"])
        self.require_manage(request)
        if action not in self.TRANSITIONS:
            raise Http404("No such action.")
        promotion = self.get_object(request, str(object_id))
        if promotion is None:
            return self._get_obj_does_not_exist_redirect(request, self.opts, str(object_id))
        self._transition(request, [promotion], action)
        return HttpResponseRedirect(reverse("admin:promotions_promotion_change", args=[promotion.pk]))

    # --- coupons ------------------------------------------------------------------------------------------
    @admin.action(description="Generate coupons for the selected promotion…", permissions=["manage_promotions"])
    def generate_coupons(self, request, queryset):
        promotion = self.single(queryset)
        if promotion is None:
            self.message_user(request, "Choose exactly one promotion to generate coupons for.", messages.WARNING)
            return None
        return HttpResponseRedirect(reverse("admin:promotions_promotion_generate_coupons", args=[promotion.pk]))

    def generate_coupons_view(self, request, object_id):
        self.require_manage(request)
        promotion = self.get_object(request, str(object_id))
        if promotion is None:
            return self._get_obj_does_not_exist_redirect(request, self.opts, str(object_id))
        form = GenerateCouponsForm(request.POST or None)
        if request.method == "POST" and form.is_valid():
            try:
                with transaction.atomic():
                    batch = services.coupon_generate(promotion=promotion, created_by=request.user, **form.command())
                    self.log_change(request, promotion, f"Generated {batch.quantity} coupons (admin).")
            except DomainError as exc:
                add_domain_error(form, exc)
            else:
                csv_url = reverse("admin:promotions_couponbatch_csv", args=[batch.pk])
                self.message_user(
                    request,
                    format_html('Generated {} coupon(s) for “{}”. <a href="{}">Download them as CSV</a>.',
                                batch.quantity, promotion, csv_url),
                    messages.SUCCESS,
                )
                return HttpResponseRedirect(reverse("admin:promotions_couponbatch_change", args=[batch.pk]))
        return self.page(
            request, "admin/promotions/promotion/generate_coupons.html", f"Generate coupons for {promotion}",
            form=form, promotion=promotion, object=promotion, media=self.media + form.media,
            needs_coupon_note=not promotion.requires_coupon,
        )

    # --- simulate -----------------------------------------------------------------------------------------
    def simulate_view(self, request):
        """Price a sample cart as the shop would, and say which promotions apply and why not the others."""
        self.require_manage(request)
        focus = parse_id(request.GET.get("promotion", ""))
        focus_promotion = Promotion.objects.filter(pk=focus).first() if focus is not None else None
        submitted = any(key.startswith("product_") for key in request.GET)
        initial = {}
        if focus_promotion is not None and not submitted:
            for i, product in enumerate(focus_promotion.target_products.order_by("name")[:3]):
                initial[f"product_{i}"] = product.pk
                initial[f"quantity_{i}"] = max(focus_promotion.min_quantity or 1, 1) if i == 0 else 1
        form = SimulateForm(request.GET if submitted else None, initial=initial, admin_site=self.admin_site)
        result = report = None
        if submitted and form.is_valid():
            try:
                result = selectors.simulate(**form.command())
            except DomainError as exc:
                add_domain_error(form, exc)
            else:
                report = simulation_report(result, focus_promotion)
        return self.page(
            request, "admin/promotions/promotion/simulate.html", "Simulate a cart",
            form=form, result=result, report=report, focus=focus_promotion, media=self.media + form.media,
        )


def deletion_message(*, deleted: int, archived: int, unchanged: int) -> str:
    """What a bulk delete did, e.g. "Deleted 2, archived 1 (redeemed, kept for history)"."""
    parts = []
    if deleted:
        parts.append(f"deleted {deleted}")
    if archived:
        parts.append(f"archived {archived} (redeemed, kept for history)")
    if unchanged:
        parts.append(f"left {unchanged} already archived")
    text = ", ".join(parts)
    return text[:1].upper() + text[1:]


def _promotion_url(key: str) -> str:
    promotion_id = promotion_id_of(key)
    return reverse("admin:promotions_promotion_change", args=[promotion_id]) if promotion_id else ""


def simulation_report(result, focus: Promotion | None) -> dict:
    """The priced sample cart arranged for the page: each line with the discounts on it, the
    promotions that applied, the live ones that did not (reason and hint), and the verdict on the
    promotion the page was opened from."""
    lines = [{"line": line, "discounts": []} for line in result.lines]
    applied = []
    for discount in result.applied:
        for index, amount in sorted(discount.line_amounts.items()):
            if 0 <= index < len(lines):
                lines[index]["discounts"].append({"name": discount.name, "amount": amount})
        applied.append({"discount": discount, "url": _promotion_url(discount.key),
                        "focus": focus is not None and promotion_id_of(discount.key) == focus.pk})
    not_applied = [
        {"hint": hint, "url": _promotion_url(hint.key),
         "focus": focus is not None and promotion_id_of(hint.key) == focus.pk}
        for hint in result.not_applied
    ]
    verdict = ""
    if focus is not None:
        hit = next((row for row in applied if row["focus"]), None)
        miss = next((row for row in not_applied if row["focus"]), None)
        if hit is not None:
            verdict = f"“{focus}” applies: {hit['discount'].amount} off."
        elif miss is not None:
            hint = miss["hint"]
            verdict = f"“{focus}” does not apply: {hint.message}" + (f" {hint.hint}" if hint.hint else "")
        else:
            verdict = (f"“{focus}” is {focus.get_status_display().lower()}: only live promotions (active, or scheduled "
                       f"and started) are priced. Activate it to see it apply.")
    return {"lines": lines, "applied": applied, "not_applied": not_applied, "verdict": verdict}


# --- coupon batches -----------------------------------------------------------------------------------
@admin.register(CouponBatch)
class CouponBatchAdmin(SafeChangeListMixin, ReadOnlyAdminMixin, ServiceActionsMixin, ConsolePermissionsMixin, admin.ModelAdmin):
    list_display = ("id", "promotion", "prefix", "quantity", "uses_per_code", "assigned", "redeemed", "created_by",
                    "created_at", "csv_link")
    list_display_links = ("id", "promotion")
    list_select_related = ("promotion", "created_by")
    list_filter = (("created_at", admin.DateFieldListFilter),)
    search_fields = ("promotion__name", "prefix")
    ordering = ("-created_at", "-id")
    actions = ("distribute_to_segment",)
    fields = ("promotion", "prefix", "quantity", "uses_per_code", "expires_at", "assigned", "redeemed", "created_by",
              "created_at", "csv_link")
    readonly_fields = fields

    def get_queryset(self, request):
        # Two aggregates in the page's one query: no query per row.
        return super().get_queryset(request).annotate(
            assigned_total=Count("coupons", filter=Q(coupons__assigned_to__isnull=False)),
            used_total=Sum("coupons__used_count"),
        )

    @admin.display(description="Uses per code", ordering="max_uses")
    def uses_per_code(self, obj):
        return {None: "unlimited", 1: "single-use"}.get(obj.max_uses, obj.max_uses)

    @admin.display(description="Assigned", ordering="assigned_total")
    def assigned(self, obj):
        return getattr(obj, "assigned_total", 0)

    @admin.display(description="Uses", ordering="used_total")
    def redeemed(self, obj):
        return getattr(obj, "used_total", None) or 0

    @admin.display(description="CSV")
    def csv_link(self, obj):
        return format_html('<a href="{}">Download CSV</a>', reverse("admin:promotions_couponbatch_csv", args=[obj.pk]))

    def get_urls(self):
        view = self.admin_site.admin_view
        return [
            path("<int:object_id>/csv/", view(self.csv_view), name="promotions_couponbatch_csv"),
            path("<int:object_id>/distribute/", view(self.distribute_view), name="promotions_couponbatch_distribute"),
            *super().get_urls(),
        ]

    def change_view(self, request, object_id, form_url="", extra_context=None):
        extra_context = dict(extra_context or {})
        batch_id = parse_id(object_id)
        if batch_id is not None and can_manage(request.user):
            extra_context["batch_tools"] = [
                {"label": "Download CSV", "url": reverse("admin:promotions_couponbatch_csv", args=[batch_id])},
                {"label": "Distribute to a segment…",
                 "url": reverse("admin:promotions_couponbatch_distribute", args=[batch_id])},
            ]
        return super().change_view(request, object_id, form_url, extra_context)

    def csv_view(self, request, object_id):
        """The batch's codes as CSV, streamed: a batch may hold ten thousand of them."""
        self.require_manage(request)
        batch = self.get_object(request, str(object_id))
        if batch is None:
            raise Http404("No such batch.")
        name = f"coupons-{batch.prefix.lower() or 'batch'}-{batch.pk}.csv"
        return csv_response(selectors.coupon_batch_csv_rows(batch=batch), filename=name)

    @admin.action(description="Distribute the selected batch to a segment…", permissions=["manage_promotions"])
    def distribute_to_segment(self, request, queryset):
        batch = self.single(queryset)
        if batch is None:
            self.message_user(request, "Choose exactly one batch to distribute.", messages.WARNING)
            return None
        return HttpResponseRedirect(reverse("admin:promotions_couponbatch_distribute", args=[batch.pk]))

    def distribute_view(self, request, object_id):
        self.require_manage(request)
        batch = self.get_object(request, str(object_id))
        if batch is None:
            return self._get_obj_does_not_exist_redirect(request, self.opts, str(object_id))
        form = DistributeCouponsForm(request.POST or None)
        if request.method == "POST" and form.is_valid():
            segment = form.cleaned_data["segment"]
            try:
                with transaction.atomic():
                    assigned = services.coupon_distribute(batch=batch.pk, segment=segment.pk)
                    self.log_change(request, batch, f"Distributed {assigned} coupons to {segment} (admin).")
            except DomainError as exc:
                add_domain_error(form, exc)
            else:
                self.message_user(request, f"Assigned {assigned} coupon(s) to the members of “{segment}”.",
                                  messages.SUCCESS)
                return HttpResponseRedirect(reverse("admin:promotions_couponbatch_change", args=[batch.pk]))
        unassigned = batch.coupons.filter(assigned_to__isnull=True, status=Coupon.Status.ACTIVE).count()
        return self.page(
            request, "admin/promotions/couponbatch/distribute.html", f"Distribute batch {batch.pk} to a segment",
            form=form, batch=batch, object=batch, unassigned=unassigned,
        )


# --- coupons ------------------------------------------------------------------------------------------
@admin.register(Coupon)
class CouponAdmin(SafeChangeListMixin, StaffAuditMixin, ServiceSaveMixin, ServiceErrorsOnFormMixin, ServiceActionsMixin,
                  ConsolePermissionsMixin, admin.ModelAdmin):
    form = CouponAdminForm
    list_display = ("code", "promotion", "status", "uses", "assigned_to", "expires_at", "batch")
    list_select_related = ("promotion", "assigned_to", "batch")
    list_filter = ("status", ("expires_at", admin.EmptyFieldListFilter), ("promotion", admin.RelatedOnlyFieldListFilter))
    search_fields = ("code",)
    ordering = ("-created_at", "-id")
    list_per_page = 100
    show_full_result_count = False
    actions = ("invalidate",)
    autocomplete_fields = ("promotion",)
    add_fields = ("code", "promotion", "max_uses", "expires_at", "assigned_to")
    view_fields = ("code", "promotion", "batch", "status", "uses", "assigned_to", "assigned_at", "expires_at",
                   "invalidated_at", "created_at")

    def get_fields(self, request, obj=None):
        return self.add_fields if obj is None else self.view_fields

    def get_readonly_fields(self, request, obj=None):
        return () if obj is None else self.view_fields

    # A code is created (one here, many by "Generate coupons") and invalidated, never edited or deleted.
    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False

    @admin.display(description="Used / max", ordering="used_count")
    def uses(self, obj):
        return f"{obj.used_count} / {obj.max_uses if obj.max_uses is not None else 'unlimited'}"

    def audit_customer_id(self, obj):
        return obj.assigned_to_id

    def persist(self, request, obj, form, change):
        data = form.cleaned_data
        saved = services.coupon_create(
            promotion=data["promotion"], code=data["code"], max_uses=data.get("max_uses"),
            expires_at=data.get("expires_at"), assigned_to=data.get("assigned_to"),
        )
        copy_saved(saved, obj)

    @admin.action(description="Invalidate selected coupons (they can no longer be redeemed)",
                  permissions=["manage_promotions"])
    def invalidate(self, request, queryset):
        active = list(queryset.filter(status=Coupon.Status.ACTIVE).order_by("id"))
        skipped = queryset.exclude(status=Coupon.Status.ACTIVE).count()
        self.run_each(request, active, done="Invalidated", call=lambda c: services.coupon_invalidate(coupon=c.pk),
                      describe=lambda c, _updated: c.code)
        if skipped:
            self.message_user(request, f"{skipped} coupon(s) were already invalidated.", messages.INFO)


# --- campaigns ----------------------------------------------------------------------------------------
class CampaignPromotionInline(admin.TabularInline):
    """The campaign's promotions, at a glance; each is edited on its own page."""

    model = Promotion
    extra = 0
    can_delete = False
    show_change_link = True
    fields = ("name", "status", "benefit", "usage", "granted")
    readonly_fields = fields
    verbose_name_plural = "promotions of this campaign"

    def get_queryset(self, request):
        return super().get_queryset(request).prefetch_related("tiers")

    @admin.display(description="Benefit")
    def benefit(self, obj):
        return benefit_summary(obj)

    @admin.display(description="Used (orders)")
    def usage(self, obj):
        return f"{obj.usage_count} / {obj.usage_limit if obj.usage_limit is not None else 'no limit'}"

    @admin.display(description="Discount granted")
    def granted(self, obj):
        return _money(obj.discount_granted, obj.currency)

    def has_view_permission(self, request, obj=None):
        return request.user.has_perm("promotions.view_promotion") or can_manage(request.user)

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(Campaign)
class CampaignAdmin(SafeChangeListMixin, StaffAuditMixin, ServiceSaveMixin, ServiceErrorsOnFormMixin, ServiceActionsMixin,
                    ConsolePermissionsMixin, admin.ModelAdmin):
    list_display = ("name", "status", "window", "budget", "spent", "spent_share", "revenue", "roi")
    list_filter = ("status",)
    search_fields = ("name",)
    ordering = ("-starts_at", "-id")
    list_per_page = 50
    actions = ("launch", "end")
    inlines = (CampaignPromotionInline,)
    fieldsets = (
        (None, {"fields": ("name", "description", ("starts_at", "ends_at"), ("budget_amount", "currency"))}),
        ("State (changed by the actions only)", {
            "fields": ("status", "spent", "spent_share", "performance", "launched_at", "ended_at", "created_at",
                       "updated_at"),
        }),
    )
    readonly_fields = ("status", "spent", "spent_share", "performance", "launched_at", "ended_at", "created_at",
                       "updated_at")
    EDITABLE = ("name", "description", "starts_at", "ends_at", "budget_amount", "currency")

    def has_delete_permission(self, request, obj=None):
        # Promotions and redemptions refer to campaigns: end a campaign instead of deleting it.
        return False

    def get_changelist_instance(self, request):
        changelist = super().get_changelist_instance(request)
        # The figures of every campaign on the page in two queries, before the rows render (the
        # page's queryset is evaluated here and its cached rows are the ones the template shows).
        page = list(changelist.result_list)
        figures = selectors.campaign_roi_many(campaigns=page)
        for campaign in page:
            campaign.roi_figures = figures[campaign.pk]
        return changelist

    @staticmethod
    def _figures(obj) -> dict:
        figures = getattr(obj, "roi_figures", None)
        return figures if figures is not None else selectors.campaign_roi(campaign=obj)

    # --- columns ------------------------------------------------------------------------------------
    @admin.display(description="Window", ordering="starts_at")
    def window(self, obj):
        return window(obj.starts_at, obj.ends_at)

    @admin.display(description="Budget", ordering="budget_amount")
    def budget(self, obj):
        return str(obj.budget) if obj.budget is not None else "no budget"

    @admin.display(description="Spent", ordering="spent_amount")
    def spent(self, obj):
        return str(obj.spent)

    @admin.display(description="% of budget spent")
    def spent_share(self, obj):
        if not obj.budget_amount:
            return "-"
        return f"{(obj.spent_amount * 100 / obj.budget_amount).quantize(Decimal('0.1'))} %"

    @admin.display(description="Revenue")
    def revenue(self, obj):
        return _money(self._figures(obj)["revenue"], obj.currency)

    @admin.display(description="ROI")
    def roi(self, obj):
        return _format_roi(self._figures(obj)["roi"])

    @admin.display(description="Performance")
    def performance(self, obj):
        if obj.pk is None:
            return "-"
        figures = selectors.campaign_roi(campaign=obj)
        return (
            f"{figures['orders']} order(s), revenue {_money(figures['revenue'], obj.currency)}, "
            f"discount granted {_money(figures['discount'], obj.currency)}, ROI {_format_roi(figures['roi'])}"
        )

    # --- saving ---------------------------------------------------------------------------------------
    def persist(self, request, obj, form, change):
        data = form.cleaned_data
        if change:
            changes = {f: data[f] for f in form.changed_data if f in self.EDITABLE}
            saved = services.campaign_update(campaign=obj.pk, data=changes) if changes else obj
        else:
            saved = services.campaign_create(
                name=data["name"], starts_at=data["starts_at"], ends_at=data.get("ends_at"),
                budget_amount=data.get("budget_amount"), currency=data.get("currency") or "EUR",
                description=data.get("description", ""),
            )
        copy_saved(saved, obj)

    # --- actions --------------------------------------------------------------------------------------
    @admin.action(description="Launch selected campaigns", permissions=["manage_promotions"])
    def launch(self, request, queryset):
        self.run_each(request, list(queryset.order_by("starts_at", "id")), done="Launched",
                      call=lambda c: services.campaign_launch(campaign=c.pk),
                      describe=lambda c, updated: f"{c} ({updated.get_status_display().lower()})")

    @admin.action(description="End selected campaigns", permissions=["manage_promotions"])
    def end(self, request, queryset):
        self.run_each(request, list(queryset.order_by("starts_at", "id")), done="Ended",
                      call=lambda c: services.campaign_end(campaign=c.pk), describe=lambda c, _updated: str(c))


def _format_roi(value) -> str:
    """ROI as a ratio, e.g. "4.25" (each euro of discount brought 4.25 euros net); "-" when nothing granted."""
    if value is None:
        return "-"
    return f"{Decimal(value).quantize(Decimal('0.01'))}"


# --- segments -----------------------------------------------------------------------------------------
KIND_FIELDS = {
    Segment.Kind.MANUAL: ("members",),
    Segment.Kind.GROUP: ("group",),
    Segment.Kind.SALES_REGION: ("sales_region",),
    Segment.Kind.NEW_CUSTOMERS: (),
    Segment.Kind.LIFETIME_VALUE: ("min_lifetime_value",),
    Segment.Kind.RFM: ("rfm_label",),
}
SEGMENT_FIELDS = ("description", "group", "sales_region", "min_lifetime_value", "rfm_label")


@admin.register(Segment)
class SegmentAdmin(SafeChangeListMixin, StaffAuditMixin, ServiceSaveMixin, ServiceErrorsOnFormMixin, ServiceActionsMixin,
                   ConsolePermissionsMixin, admin.ModelAdmin):
    form = SegmentAdminForm
    list_display = ("name", "code", "kind", "member_count", "refreshed_at", "promotion_count")
    list_filter = ("kind",)
    search_fields = ("name", "code")
    ordering = ("name",)
    actions = ("refresh",)
    prepopulated_fields = {"code": ("name",)}
    state_fields = ("member_count", "refreshed_at", "created_at")

    def get_queryset(self, request):
        return super().get_queryset(request).annotate(promotion_total=Count("promotions", distinct=True))

    @admin.display(description="Promotions", ordering="promotion_total")
    def promotion_count(self, obj):
        return getattr(obj, "promotion_total", 0)

    def get_fieldsets(self, request, obj=None):
        if obj is None:
            return (
                (None, {"fields": ("name", "code", "description", "kind")}),
                ("What the kind needs", {
                    "fields": ("group", "sales_region", "min_lifetime_value", "rfm_label", "members"),
                    "description": "Group → the group; sales region → the region; lifetime value → the threshold; "
                                   "purchase history → the label; hand-picked → the members. New customers need "
                                   "nothing.",
                }),
            )
        return (
            (None, {"fields": ("name", "code", "description", "kind", *KIND_FIELDS.get(obj.kind, ()))}),
            ("State", {"fields": self.state_fields}),
        )

    def get_readonly_fields(self, request, obj=None):
        # The kind and the code define the segment: fixed once created.
        return (*self.state_fields, "kind", "code") if obj is not None else self.state_fields

    def get_prepopulated_fields(self, request, obj=None):
        return self.prepopulated_fields if obj is None else {}

    def persist(self, request, obj, form, change):
        data = form.cleaned_data
        if change:
            changes = {f: data[f] for f in form.changed_data if f in ("name", *SEGMENT_FIELDS)}
            saved = services.segment_update(segment=obj.pk, data=changes) if changes else obj
        else:
            fields = {f: data[f] for f in SEGMENT_FIELDS if data.get(f) not in (None, "")}
            saved = services.segment_create(code=data["code"], name=data["name"], kind=data["kind"], **fields)
        if saved.kind == Segment.Kind.MANUAL and "members" in form.changed_data:
            services.segment_members_set(segment=saved.pk, customers=data["members"])
            saved = Segment.objects.get(pk=saved.pk)
        copy_saved(saved, obj)

    @admin.action(description="Refresh selected segments (recompute their members)", permissions=["manage_promotions"])
    def refresh(self, request, queryset):
        self.run_each(request, list(queryset.order_by("name", "id")), done="Refreshed",
                      call=lambda s: services.segment_refresh(segment=s.pk),
                      describe=lambda s, count: f"{s} ({count} member{'s' if count != 1 else ''})")


# --- redemptions --------------------------------------------------------------------------------------
class CancelledFilter(admin.SimpleListFilter):
    title = "cancelled"
    parameter_name = "cancelled"

    def lookups(self, request, model_admin):
        return [("yes", "Cancelled"), ("no", "Standing")]

    def queryset(self, request, queryset):
        if self.value() == "yes":
            return queryset.filter(cancelled_at__isnull=False)
        if self.value() == "no":
            return queryset.filter(cancelled_at__isnull=True)
        return queryset


@admin.register(Redemption)
class RedemptionAdmin(SafeChangeListMixin, ReadOnlyAdminMixin, ConsolePermissionsMixin, admin.ModelAdmin):
    """Who got which promotion on which order: written by checkout, reversed by a cancellation."""

    list_display = ("placed_at", "order_number", "promotion", "campaign", "coupon", "customer", "discount",
                    "order_revenue", "cancelled_at")
    list_select_related = ("promotion", "campaign", "coupon", "customer")
    list_filter = ("promotion", "campaign", CancelledFilter, ("placed_at", admin.DateFieldListFilter))
    search_fields = ("=order_number", "=coupon__code", "customer__username", "customer__email")
    date_hierarchy = "placed_at"
    ordering = ("-placed_at", "-id")
    list_per_page = 100
    show_full_result_count = False
    readonly_fields = [f.name for f in Redemption._meta.fields]

    @admin.display(description="Discount", ordering="amount")
    def discount(self, obj):
        return _money(obj.amount, obj.currency)

    @admin.display(description="Order total", ordering="order_total")
    def order_revenue(self, obj):
        return _money(obj.order_total, obj.currency)
