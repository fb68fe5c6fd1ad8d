"""Recompute every customer segment now (the nightly beat task does the same)."""

from django.core.management.base import BaseCommand

from promotions.services.segments import segments_refresh_all


class Command(BaseCommand):
    help = "Recompute the members of every customer segment from purchase history."

    def handle(self, *args, **options):
        counts = segments_refresh_all()
        for code, members in counts.items():
            self.stdout.write(f"  {code}: {members} members")
        self.stdout.write(self.style.SUCCESS(f"Refreshed {len(counts)} segments."))
