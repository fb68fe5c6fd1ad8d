"""``manage.py load_postcode_centroids [file]``: load the offline geocoder's postcode and city centroids."""

from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from logistics.errors import CentroidsInvalid
from logistics.services.centroids import SHIPPED_FILE, centroids_load


class Command(BaseCommand):
    help = "Load postcode/city centroids (CSV: country,postcode,city,latitude,longitude); idempotent."

    def add_arguments(self, parser):
        parser.add_argument("file", nargs="?", default=str(SHIPPED_FILE),
                            help="The CSV file (default: the Lyon region file shipped with the app).")

    def handle(self, *args, file, **options):
        path = Path(file)
        if not path.is_file():
            raise CommandError(f"No such file: {path}")
        try:
            counts = centroids_load(path=path)
        except CentroidsInvalid as exc:
            raise CommandError(exc.message) from exc
        self.stdout.write(self.style.SUCCESS(
            f"Centroids from {path.name}: {counts['created']} added, {counts['updated']} moved, {counts['unchanged']} unchanged."
        ))
