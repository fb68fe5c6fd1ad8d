"""A/B tests in the back office: draft a test of a placement with its variants (a control and the
treatments: another model version, intent or size), start it, stop it (actions, each through its
service), and read its results on its page: per variant the shoppers, the lists seen, the share
clicked and converted with 95 % intervals, the p-value against the control and the lists seen each
arm needs for the test's minimum effect, with a chart (the vendored Chart.js) over the same figures.
Variants are edited only while the test is a draft."""

from __future__ import annotations

from django import forms
from django.contrib import admin

from commerce.admin_services import RunEachMixin, SafeChangeListMixin, ServiceErrorsOnFormMixin, ServiceSaveMixin, copy_saved
from commerce.dashboard import Chart, Series, chart_values
from commerce.money_format import money_text
from recommendations.models import Experiment, ExperimentVariant, Placement
from recommendations.selectors.experiments import experiment_results
from recommendations.services import experiments as services
from recommendations.serving.placements import DEFAULTS


def placement_choices() -> list[tuple[str, str]]:
    keys = dict(DEFAULTS.items())
    names = {key: name for key, (name, _intent, _size) in keys.items()}
    names.update(dict(Placement.objects.values_list("key", "name")))
    return sorted(names.items())


def _percent(value) -> str:
    return "–" if value is None else f"{value * 100:.2f} %"


def _interval(rate) -> str:
    return "–" if rate.interval is None else f"{rate.interval[0] * 100:.2f}–{rate.interval[1] * 100:.2f} %"


def _p(rate) -> str:
    return "–" if rate.p_value is None else f"{rate.p_value:.3f}"


def results_context(experiment: Experiment) -> dict:
    results = experiment_results(experiment_id=experiment.pk)
    rows = []
    for r in results.variants:
        revenue = ", ".join(money_text(m.amount, m.currency) for m in r.totals.revenue_money) or "–"
        rows.append({
            "variant": r.variant, "shoppers": r.shoppers, "lists": r.totals.lists, "seen": r.totals.impressions,
            "ctr": _percent(r.clicked.value), "ctr_interval": _interval(r.clicked), "ctr_p": _p(r.clicked),
            "conversion": _percent(r.converted.value), "conversion_interval": _interval(r.converted),
            "conversion_p": _p(r.converted), "revenue": revenue,
            "needed_ctr": f"{r.clicked.needed:,}" if r.clicked.needed else "–",
            "needed_conversion": f"{r.converted.needed:,}" if r.converted.needed else "–",
            "enough": r.enough,
        })
    chart = Chart("bar", "Per variant", tuple(r.variant.key for r in results.variants), (
        Series("Lists clicked (%)", chart_values([(r.clicked.value or 0) * 100 for r in results.variants])),
        Series("Lists converted (%)", chart_values([(r.converted.value or 0) * 100 for r in results.variants])),
    ), unit="%") if results.variants else None
    return {"ab_rows": rows, "ab_chart": chart.data() if chart else None,
            "ab_effect": f"{float(experiment.minimum_effect) * 100:.0f} %"}


class VariantInline(admin.TabularInline):
    model = ExperimentVariant
    extra = 2
    fields = ("key", "name", "is_control", "weight", "intent", "model_version", "size")

    def _may(self, request, obj) -> bool:
        return request.user.has_perm("recommendations.change_experiment") and (
            obj is None or obj.status == Experiment.Status.DRAFT)

    def has_view_permission(self, request, obj=None):
        return request.user.has_perm("recommendations.view_experiment")

    def has_add_permission(self, request, obj=None):
        return self._may(request, obj)

    def has_change_permission(self, request, obj=None):
        return self._may(request, obj)

    def has_delete_permission(self, request, obj=None):
        return self._may(request, obj)


@admin.register(Experiment)
class ExperimentAdmin(SafeChangeListMixin, RunEachMixin, ServiceSaveMixin, ServiceErrorsOnFormMixin, admin.ModelAdmin):
    change_form_template = "admin/recommendations/experiment/change_form.html"
    list_display = ("name", "placement", "status", "started_at", "stopped_at")
    list_filter = ("status", "placement")
    inlines = [VariantInline]
    actions = ["start", "stop"]

    def formfield_for_dbfield(self, db_field, request, **kwargs):
        if db_field.name == "placement":
            return forms.ChoiceField(choices=placement_choices, label="Placement")
        return super().formfield_for_dbfield(db_field, request, **kwargs)

    def get_fields(self, request, obj=None):
        if obj is None:
            return ("name", "placement", "minimum_effect")
        return ("name", "placement", "minimum_effect", "status", "started_at", "stopped_at")

    def get_readonly_fields(self, request, obj=None):
        return () if obj is None else ("name", "placement", "minimum_effect", "status", "started_at", "stopped_at")

    def has_delete_permission(self, request, obj=None):
        return False  # a test's results stay; stop it instead

    def persist(self, request, obj, form, change):
        if change:
            return  # a test's own fields are fixed once drafted; its variants are saved below
        data = form.cleaned_data
        copy_saved(services.experiment_create(name=data["name"], placement=data["placement"],
                                              minimum_effect=data["minimum_effect"]), obj)

    def save_formset(self, request, form, formset, change):
        """Each variant through its service: removed rows, then changed and new ones."""
        experiment = form.instance
        for row in formset.deleted_forms:
            if row.instance.pk:
                services.experiment_variant_remove(variant_id=row.instance.pk)
        for row in formset.forms:
            if row in formset.deleted_forms or not row.has_changed() or not row.cleaned_data:
                continue
            data = row.cleaned_data
            services.experiment_variant_save(
                experiment_id=experiment.pk, variant_id=row.instance.pk, key=data["key"], name=data["name"],
                is_control=data["is_control"], weight=data["weight"], intent=data["intent"] or "",
                model_version_id=data["model_version"].pk if data.get("model_version") else None, size=data.get("size"))
        formset.new_objects, formset.changed_objects, formset.deleted_objects = [], [], []

    @admin.action(description="Start the selected A/B tests", permissions=["change"])
    def start(self, request, queryset):
        self.run_each(request, queryset, call=lambda e: services.experiment_start(experiment_id=e.pk), done="Started")

    @admin.action(description="Stop the selected A/B tests", permissions=["change"])
    def stop(self, request, queryset):
        self.run_each(request, queryset, call=lambda e: services.experiment_stop(experiment_id=e.pk, reason="admin"),
                      done="Stopped")

    def change_view(self, request, object_id, form_url="", extra_context=None):
        experiment = self.get_object(request, object_id)
        context = dict(extra_context or {})
        if experiment is not None and experiment.status != Experiment.Status.DRAFT:
            context.update(results_context(experiment))
        return super().change_view(request, object_id, form_url, extra_context=context)
