"""The dispatch console: a centre's planned day on an offline map (Leaflet and a Natural Earth
basemap served as our own static files, the postcode places we ship) beside the route list.

Dispatchers (``accounts.dispatch_routes``) move stops (drag and drop, or the form on each stop),
lock them, re-optimise around the locked ones, assign drivers and vehicles, start and complete
routes, and reschedule failed deliveries. Each edit is one POST calling one service; success
redirects back to the day (POST/redirect/GET), a refusal renders the day again with the message
and the error's status (400, 404, 409). The page works without JavaScript; with it, the same
forms are posted in the background and the day is redrawn from the answer.
"""

from __future__ import annotations

import datetime
from urllib.parse import urlencode

from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied
from django.http import HttpResponseNotAllowed, HttpResponseRedirect
from django.middleware.csrf import get_token
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils import timezone
from django.utils.html import format_html

from commerce.errors import DomainError
from commerce.money_format import money_text
from commerce.parsing import parse_id
from logistics.admin.console_forms import (
    AssignForm,
    MoveForm,
    ReoptimiseForm,
    RescheduleForm,
    RouteForm,
    StopForm,
)
from logistics.dispatch import services as dispatch
from logistics.dispatch.reoptimise import DEFAULT_TIME_LIMIT, day_reoptimise
from logistics.dispatch.selectors import console_day, console_days, console_map, failed_queue
from logistics.models import DispatchConsole, DistributionCentre, Route
from logistics.selectors import can_dispatch
from logistics.services import route_assign, route_complete, route_start
from logistics.services.optimise import max_optimise_time_limit

#: a stop's own form: which button was pressed, its service, and what is said when it is done
STOP_EDITS = {
    "lock": (lambda f: dispatch.stop_lock(delivery=f["delivery"], locked=True, versions=f["versions"]), "Stop locked to its route."),
    "unlock": (lambda f: dispatch.stop_lock(delivery=f["delivery"], locked=False, versions=f["versions"]), "Stop unlocked."),
    "remove": (lambda f: dispatch.stop_remove(delivery=f["delivery"], versions=f["versions"]), "Stop taken off its route."),
    "move": (lambda f: dispatch.stop_move(delivery=f["delivery"], route=f["route"], position=f["position"], versions=f["versions"]),
             "Stop moved; times and cost recalculated."),
}


def _date(raw: str | None) -> datetime.date | None:
    try:
        return datetime.date.fromisoformat(raw) if raw else None
    except ValueError:
        return None


@admin.register(DispatchConsole)
class DispatchConsoleAdmin(admin.ModelAdmin):
    """Not a list of rows: the console page, for dispatchers only."""

    def has_module_permission(self, request):
        return can_dispatch(request.user)

    def has_view_permission(self, request, obj=None):
        return can_dispatch(request.user)

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False

    def get_urls(self):
        view = self.admin_site.admin_view
        # The list is the console (``changelist_view``); a centre's own page stays read-only.
        return [path("edit/<str:action>/", view(self.edit_view), name="logistics_dispatchconsole_edit"), *super().get_urls()]

    # --- the page ---------------------------------------------------------------------------------
    def _require(self, request) -> None:
        if not (request.user.is_active and request.user.is_staff and can_dispatch(request.user)):
            raise PermissionDenied

    def _where(self, request) -> tuple[DistributionCentre | None, datetime.date]:
        data = request.POST if request.method == "POST" else request.GET
        centres = DistributionCentre.objects.filter(is_active=True).order_by("code")
        centre_id = parse_id(data.get("centre", ""))
        centre = (centres.filter(pk=centre_id).first() if centre_id else None) or centres.first()
        date = _date(data.get("date"))
        if date is None and centre is not None:
            today = timezone.localdate()
            date = (Route.objects.filter(centre=centre, date__gte=today).exclude(state=Route.State.CANCELLED)
                    .order_by("date").values_list("date", flat=True).first()) or today
        return centre, date or timezone.localdate()

    def console_url(self, centre: DistributionCentre | None, date: datetime.date) -> str:
        query = {"date": date.isoformat(), **({"centre": centre.pk} if centre else {})}
        return f"{reverse('admin:logistics_dispatchconsole_changelist')}?{urlencode(query)}"

    def console_view(self, request, extra_context=None, *, error: DomainError | None = None, status: int = 200):
        self._require(request)
        centre, date = self._where(request)
        context = {**self.admin_site.each_context(request), "opts": self.model._meta, "title": "Dispatch console",
                   "centre": centre, "date": date, "error": error,
                   "centres": DistributionCentre.objects.filter(is_active=True).order_by("code")}
        if centre is not None:
            day = console_day(centre=centre, date=date)
            totals = day.totals
            versions = ",".join(f"{pk}:{v}" for pk, v in sorted(day.versions.items()))
            context.update(
                day=day, map_data=console_map(day), totals=totals, cost_text=money_text(totals["cost_amount"], totals["currency"]),
                # What every edit carries, rendered once (a day of 100 stops has a form on each).
                edit_fields=format_html('<input type="hidden" name="csrfmiddlewaretoken" value="{}"><input type="hidden" '
                                        'name="centre" value="{}"><input type="hidden" name="date" value="{}"><input '
                                        'type="hidden" name="versions" value="{}">', get_token(request), centre.pk,
                                        date.isoformat(), versions),
                urls={action: reverse("admin:logistics_dispatchconsole_edit", args=[action]) for action in self.EDITS},
                days=console_days(centre=centre, around=date), failed=failed_queue(centre=centre),
                previous_day=date - datetime.timedelta(days=1), next_day=date + datetime.timedelta(days=1),
                editable_routes=[r for r in day.routes if r.editable],
                reoptimise_max=max_optimise_time_limit(), reoptimise_default=min(DEFAULT_TIME_LIMIT, max_optimise_time_limit()),
                tomorrow=max(timezone.localdate() + datetime.timedelta(days=1), date + datetime.timedelta(days=1)),
            )
        return TemplateResponse(request, "admin/logistics/console.html", context, status=status)

    def changelist_view(self, request, extra_context=None):
        return self.console_view(request, extra_context)

    # --- the edits --------------------------------------------------------------------------------
    EDITS = {
        "move": (MoveForm, lambda f, r: dispatch.stop_move(delivery=f["delivery"], route=f["route"], position=f["position"],
                                                           versions=f["versions"]), "Stop moved; times and cost recalculated."),
        "stop": (StopForm, lambda f, r: STOP_EDITS[f["do"]][0](f), None),
        "reoptimise": (ReoptimiseForm, None, None),
        "assign": (AssignForm, lambda f, r: route_assign(route=f["route"], driver=f["driver"], vehicle=f["vehicle"]),
                   "Driver and vehicle assigned."),
        "start": (RouteForm, lambda f, r: route_start(route=f["route"]), "Route started: its orders are shipped."),
        "complete": (RouteForm, lambda f, r: route_complete(route=f["route"]), "Route completed."),
        "reschedule": (RescheduleForm, lambda f, r: dispatch.failed_reschedule(delivery=f["delivery"], date=f["new_date"]),
                       "Failed delivery scheduled again."),
    }

    def edit_view(self, request, action: str):
        self._require(request)
        if request.method != "POST":
            return HttpResponseNotAllowed(["POST"])
        if action not in self.EDITS:
            return self.console_view(request, error=DomainError("No such edit."), status=404)
        form_class, call, done = self.EDITS[action]
        form = form_class(request.POST)
        centre, date = self._where(request)
        if not form.is_valid():
            problems = "; ".join(f"{name}: {' '.join(errors)}" if name != "__all__" else " ".join(errors)
                                 for name, errors in form.errors.items())
            return self.console_view(request, error=DomainError(f"Nothing changed: {problems}"), status=400)
        data = form.cleaned_data
        try:
            if action == "reoptimise":
                if centre is None:
                    raise DomainError("No distribution centre to re-optimise.")
                run = day_reoptimise(centre=centre, date=date, versions=data["versions"], time_limit=data["time_limit"],
                                     requested_by=request.user)
                done = (f"Re-optimised around the locked stops in {run.wall_time:.1f} s: {run.routes} route(s), "
                        f"{run.stops} stop(s), {len(run.unassigned)} unassigned.")
            else:
                call(data, request)
                if action == "stop":
                    done = STOP_EDITS[data["do"]][1]
        except DomainError as error:
            return self.console_view(request, error=error, status=error.status_code)
        messages.success(request, done)
        return HttpResponseRedirect(self.console_url(centre, date) + "#console")
