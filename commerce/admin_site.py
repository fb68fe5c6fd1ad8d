"""The back office's admin site: Django's, with the staff member's figures on its home page.

``commerce.admin_apps.CommerceAdminConfig`` replaces ``django.contrib.admin`` in ``INSTALLED_APPS`` (Django's documented
way to change the default site), so ``admin.site`` and every ``@admin.register`` stay as they are.
The figures come from the panels apps register in ``commerce.dashboard``.
"""

from django.contrib.admin.sites import AdminSite

from commerce import dashboard


class CommerceAdminSite(AdminSite):
    # Django's sidebar of every app beside every page took 300 of a laptop's 1,366 px from the lists
    # (their columns ran off the right edge); the home page lists the same sections.
    enable_nav_sidebar = False

    def index(self, request, extra_context=None):
        panels = dashboard.panels_for(request.user)
        charts = [
            {"id": shown.chart_id, "data": shown.panel.chart.data()}
            for shown in panels if shown.panel is not None and shown.panel.chart is not None
        ]
        context = {"dashboard_panels": panels, "dashboard_charts": charts, **(extra_context or {})}
        return super().index(request, context)
