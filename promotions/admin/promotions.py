"""Promotions in the console: one screen for conditions, benefit, tiers and targets; activate, deactivate, delete or archive; generate coupons; the simulator."""

from __future__ import annotations

from decimal import Decimal

from django.contrib import admin, messages
from django.contrib.admin.actions import delete_selected as django_delete_selected
from django.core.exceptions import ValidationError
from django.db import models, transaction
from django.db.models import Q
from django.http import Http404, HttpResponseNotAllowed, HttpResponseRedirect
from django.urls import path, reverse
from django.utils import timezone
from django.utils.html import format_html, format_html_join
from django.utils.translation import gettext_lazy

from commerce.admin_services import (
    IdAutocompleteMixin,
    LabelledSplitDateTime,
    SafeChangeListMixin,
    ServiceErrorsOnFormMixin,
    ServiceSaveMixin,
    add_domain_error,
    copy_saved,
    status_column,
)
from commerce.audit.staff_edits import StaffAuditMixin, snapshot
from commerce.errors import DomainError
from commerce.money_format import money_text
from commerce.parsing import parse_id
from promotions import selectors, services
from promotions.admin.common import ConsolePermissionsMixin, ServiceActionsMixin, benefit_summary, can_manage, window
from promotions.admin.preview import CREATE_ARGS, PromotionPreviewMixin, create_fields
from promotions.admin_forms import (
    GenerateCouponsForm,
    PromotionAdminForm,
    SimulateForm,
)
from promotions.discount_keys import promotion_id_of
from promotions.models import Promotion, PromotionTier
from promotions.wording import ALL_BENEFIT_FIELDS, promotion_sentences


# --- promotions ---------------------------------------------------------------------------------------
class PromotionTierInline(admin.TabularInline):
    """The steps of a quantity-tier promotion; saved by the promotion's service with the rest."""

    model = PromotionTier
    extra = 1
    fields = ("min_quantity", "percent")
    verbose_name_plural = "quantity tiers (for the “Quantity tiers” benefit: from N qualifying units, P % off)"

    def get_formset(self, request, obj=None, **kwargs):
        formset_class = super().get_formset(request, obj, **kwargs)
        error = getattr(request, "_service_error", None)  # see ServiceErrorsOnFormMixin
        problems = (getattr(error, "fields", None) or {}).get("tiers")
        if not problems:
            return formset_class

        class TiersRefused(formset_class):
            def clean(self):
                super().clean()
                raise ValidationError(list(problems) if isinstance(problems, (list, tuple)) else [problems])

        return TiersRefused

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
    IdAutocompleteMixin, SafeChangeListMixin, StaffAuditMixin, ServiceSaveMixin, ServiceErrorsOnFormMixin, ServiceActionsMixin, ConsolePermissionsMixin,
    PromotionPreviewMixin, admin.ModelAdmin,
):
    form = PromotionAdminForm
    list_display = ("name", "discount_class", "benefit", "status_label", "validity", "usage", "granted", "campaign")
    list_select_related = ("campaign",)
    status_label = status_column("status", {
        Promotion.Status.DRAFT: "muted", Promotion.Status.SCHEDULED: "info", Promotion.Status.ACTIVE: "good",
        Promotion.Status.INACTIVE: "warn", Promotion.Status.EXPIRED: "muted", Promotion.Status.ARCHIVED: "muted",
    })
    list_filter = (StatusFilter, "discount_class", "benefit_type", "campaign", "requires_coupon")
    search_fields = ("name", "=coupons__code")
    search_help_text = "Promotion name, or an exact coupon code."
    ordering = ("-priority", "id")
    list_per_page = 50
    actions = ("activate", "deactivate", "generate_coupons", "delete_selected")
    inlines = (PromotionTierInline,)
    autocomplete_fields = ("target_products", "get_products", "target_categories", "target_manufacturers", "segments")
    radio_fields = {"benefit_type": admin.VERTICAL}
    formfield_overrides = {models.DateTimeField: {"widget": LabelledSplitDateTime}}
    # One screen a merchandiser reads top to bottom: what it does (in words, once saved), the benefit
    # (only the chosen type's fields show: static/css/admin-promotion.css, no JavaScript), who and what
    # qualifies, when; combination, limits and state fold away.
    fieldsets = (
        ("General", {"fields": ("name", "description", "badge", "campaign", "currency")}),
        ("Benefit", {
            "fields": ("benefit_type", "percent", "amount", ("buy_quantity", "get_quantity", "get_percent"),
                       "get_products", "bundle_quantity"),
            "classes": ("benefit-fields",),
            "description": "Choose what the shopper gets; only its fields are shown. Quantity tiers are set in "
                           "the tiers table at the foot of the page.",
        }),
        ("Who and what qualifies", {
            "fields": ("target_products", "target_categories", "target_manufacturers", "segments",
                       ("min_subtotal", "min_quantity")),
            "description": "Empty targets: every product qualifies. Empty segments: every customer.",
        }),
        ("When", {"fields": (("valid_from", "valid_to"),), "description": "Empty: from now on, with no end."}),
        ("Combination", {
            "fields": ("discount_class", "priority", "combines_with", "exclusive", "requires_coupon"),
            "description": "Discounts apply product, then order, then shipping; within a class, higher priority "
                           "first. Of the combinations allowed, the shopper gets the one that saves most.",
        }),
        ("Limits", {"fields": (("usage_limit", "usage_limit_per_customer"),), "classes": ("collapse",)}),
        ("State (changed by the actions only)", {
            "fields": ("status", "usage", "granted", "coupons", "activated_at", "deactivated_at", "created_at",
                       "updated_at"),
            "classes": ("collapse",),
        }),
    )
    readonly_fields = ("in_words", "status", "usage", "granted", "coupons", "activated_at", "deactivated_at",
                       "created_at", "updated_at")

    def get_queryset(self, request):
        return super().get_queryset(request).prefetch_related("tiers")

    def get_fieldsets(self, request, obj=None):
        # A new promotion has no state yet: it is created in draft. A saved one says what it does first.
        if obj is None:
            return self.fieldsets[:-1]
        return (("What it does", {"fields": ("in_words",), "classes": ("promotion-in-words",)}), *self.fieldsets)

    def service_error_on_form(self, form, error: DomainError) -> None:
        """Each refusal on its field; the tiers' on the tiers table (see PromotionTierInline); at the top
        only which fields to correct."""
        fields = dict(error.fields or {})
        labels = []
        for name, problems in fields.items():
            problems = problems if isinstance(problems, (list, tuple)) else [problems]
            if name in form.fields:
                labels.append(str(form.fields[name].label or name))
                for problem in problems:
                    form.add_error(name, problem)
            elif name == "tiers":
                labels.append("Quantity tiers")
            else:
                for problem in problems:
                    form.add_error(None, f"{name}: {problem}")
        if labels:
            form.add_error(None, f"The promotion is not valid: correct {', '.join(dict.fromkeys(labels))} below.")
        else:
            form.add_error(None, error.message)

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

    @admin.display(description="In words")
    def in_words(self, obj):
        if obj is None or obj.pk is None:
            return "-"
        return format_html_join("", "<p>{}</p>", ((sentence,) for sentence in promotion_sentences(obj)))

    @admin.display(description="Valid")
    def validity(self, obj):
        return window(obj.valid_from, obj.valid_to)

    @admin.display(description="Used (orders)", ordering="usage_count")
    def usage(self, obj):
        return f"{obj.usage_count} / {obj.usage_limit if obj.usage_limit is not None else 'no limit'}"

    @admin.display(description="Discount granted", ordering="discount_granted")
    def granted(self, obj):
        return money_text(obj.discount_granted, obj.currency)

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
        if cleaned.get("benefit_type") != Promotion.Benefit.QUANTITY_TIERS:
            tiers = None  # rows left in the hidden tiers table are not this benefit's: the service drops them
        writable = (*services.EDITABLE_FIELDS, *services.M2M_FIELDS)
        if not change:
            saved = services.promotion_create(
                name=cleaned["name"], discount_class=cleaned["discount_class"], benefit_type=cleaned["benefit_type"],
                tiers=tiers or (), **create_fields(cleaned),
            )
        else:
            data = {f: cleaned[f] for f in form.changed_data if f in writable or f in CREATE_ARGS}
            if "benefit_type" in data:  # the other types' fields were emptied by the form
                data.update({f: cleaned[f] for f in ALL_BENEFIT_FIELDS if f in cleaned})
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
                    with self.staff_edit(request, promotion, "deleted", {"values": snapshot(promotion)}):
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
            path("<id:object_id>/generate-coupons/", view(self.generate_coupons_view),
                 name="promotions_promotion_generate_coupons"),
            path("<id:object_id>/transition/<str:action>/", view(self.transition_view),
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
