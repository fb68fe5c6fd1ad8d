"""The recommender's back office: model versions with their offline figures (activate one: the
previous version retires), training runs with their progress, and "Retrain" (a form on the runs'
list that queues a run on the ``recommendations`` queue). The runs' list reloads itself every few
seconds while a run is going (a meta refresh: no JavaScript)."""

from __future__ import annotations

from django import forms
from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied
from django.shortcuts import redirect
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils.html import format_html, format_html_join

from commerce.admin_services import ReadOnlyAdminMixin, RunEachMixin
from commerce.errors import DomainError
from recommendations.models import ModelVersion, Purpose, TrainingRun
from recommendations.services.training import model_version_activate, training_run_queue

ALGORITHM_CHOICES = [("", "The best of the purpose's candidates (weighed on a hold-out)"),
                     ("als", "ALS"), ("bpr", "BPR"), ("item_knn", "Item-item nearest neighbours"),
                     ("popularity", "Popularity")]


def metrics_table(metrics: dict):
    candidates = (metrics or {}).get("candidates") or {}
    if not candidates:
        return "-"
    rows = format_html_join("", "<tr><td>{}{}</td><td>{}</td><td>{}</td><td>{}</td><td>{}</td><td>{}</td></tr>", (
        (name, " (kept)" if name == metrics.get("chosen") else "", f"{m['precision']:.3f}", f"{m['ndcg']:.3f}",
         f"{m['coverage']:.3f}", m["users"], f"{m['fit_seconds']:.2f}") for name, m in candidates.items()))
    k = metrics.get("k", 10)
    return format_html("<table><thead><tr><th>model</th><th>precision@{}</th><th>ndcg@{}</th><th>coverage</th>"
                       "<th>customers</th><th>fit s</th></tr></thead><tbody>{}</tbody></table>", k, k, rows)


@admin.register(ModelVersion)
class ModelVersionAdmin(RunEachMixin, ReadOnlyAdminMixin, admin.ModelAdmin):
    list_display = ("id", "purpose", "algorithm", "state", "precision", "ndcg", "interactions", "users", "items",
                    "file_size", "created_at", "activated_at")
    list_filter = ("purpose", "state", "algorithm")
    readonly_fields = ("purpose", "algorithm", "state", "figures", "params", "file", "file_size", "users", "items",
                       "interactions", "fit_seconds", "training_run", "created_at", "activated_at")
    fields = readonly_fields
    actions = ["activate"]

    def has_change_permission(self, request, obj=None):
        return request.user.has_perm("recommendations.change_modelversion") and obj is None

    def _chosen(self, obj, key):
        chosen = (obj.metrics or {}).get("chosen")
        figure = ((obj.metrics or {}).get("candidates") or {}).get(chosen, {}).get(key)
        return "-" if figure is None else f"{figure:.3f}"

    @admin.display(description="Precision@k")
    def precision(self, obj):
        return self._chosen(obj, "precision")

    @admin.display(description="nDCG@k")
    def ndcg(self, obj):
        return self._chosen(obj, "ndcg")

    @admin.display(description="Hold-out figures")
    def figures(self, obj):
        return metrics_table(obj.metrics)

    @admin.action(description="Activate the selected version (the one serving its purpose retires)",
                  permissions=["change"])
    def activate(self, request, queryset):
        self.run_each(request, queryset.order_by("id"), call=lambda version: model_version_activate(version=version),
                      done="Activated")


class RetrainForm(forms.Form):
    purpose = forms.ChoiceField(choices=Purpose.choices)
    algorithm = forms.ChoiceField(choices=ALGORITHM_CHOICES, required=False)
    activate = forms.BooleanField(required=False, initial=True, help_text="Serve the new version as soon as it is trained.")


@admin.register(TrainingRun)
class TrainingRunAdmin(ReadOnlyAdminMixin, admin.ModelAdmin):
    list_display = ("id", "purpose", "algorithm_asked", "status", "progress", "trigger", "interactions", "created_at",
                    "finished_at", "error")
    list_filter = ("status", "purpose", "trigger")
    readonly_fields = ("purpose", "algorithm", "activate", "status", "phase", "progress", "trigger", "requested_by",
                       "created_at", "started_at", "finished_at", "interactions", "figures", "error")
    fields = readonly_fields
    change_list_template = "admin/recommendations/trainingrun/change_list.html"

    @admin.display(description="Algorithm")
    def algorithm_asked(self, obj):
        return obj.algorithm or "best of the candidates"

    @admin.display(description="Progress")
    def progress(self, obj):
        if obj.status in (TrainingRun.Status.DONE, TrainingRun.Status.FAILED):
            return obj.phase
        figures = f" {obj.progress_done}/{obj.progress_total} ({obj.percent}%)" if obj.progress_total else ""
        return format_html('<progress value="{}" max="100"></progress> {}{}', obj.percent, obj.phase or obj.status,
                           figures)

    @admin.display(description="Hold-out figures")
    def figures(self, obj):
        return metrics_table(obj.metrics)

    def get_urls(self):
        return [path("retrain/", self.admin_site.admin_view(self.retrain_view), name="recommendations_trainingrun_retrain"),
                *super().get_urls()]

    def changelist_view(self, request, extra_context=None):
        extra = {"running": TrainingRun.objects.filter(status__in=[TrainingRun.Status.QUEUED, TrainingRun.Status.RUNNING]).exists(),
                 "may_retrain": request.user.has_perm("recommendations.add_trainingrun"),
                 "retrain_url": reverse("admin:recommendations_trainingrun_retrain"), **(extra_context or {})}
        return super().changelist_view(request, extra_context=extra)

    def retrain_view(self, request):
        if not request.user.has_perm("recommendations.add_trainingrun"):
            raise PermissionDenied
        form = RetrainForm(request.POST or None)
        if request.method == "POST" and form.is_valid():
            try:
                run = training_run_queue(purpose=form.cleaned_data["purpose"], algorithm=form.cleaned_data["algorithm"],
                                         activate=form.cleaned_data["activate"], trigger="admin", requested_by=request.user)
            except DomainError as error:
                form.add_error(None, error.message)
            else:
                self.message_user(request, f"Training of {run.get_purpose_display()} queued (run {run.pk}).", messages.SUCCESS)
                return redirect("admin:recommendations_trainingrun_changelist")
        context = {**self.admin_site.each_context(request), "title": "Retrain a recommender model", "form": form,
                   "opts": self.model._meta}
        return TemplateResponse(request, "admin/recommendations/trainingrun/retrain.html", context)
