"""``manage.py logistics_kpis_rebuild``: empty the KPI read models and replay the event table into them."""

from django.core.management.base import BaseCommand

from logistics.kpis.projection import rebuild


class Command(BaseCommand):
    help = "Rebuild the logistics KPI read models from the event table (the same rows the events made)."

    def handle(self, *args, **options):
        counts = rebuild()
        self.stdout.write(self.style.SUCCESS(
            f"Logistics KPIs rebuilt: {counts['stops']} stops, {counts['routes']} routes, {counts['days']} planned days, {counts['ratings']} delivery ratings."))
