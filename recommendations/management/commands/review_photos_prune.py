"""``manage.py review_photos_prune``: delete review photo files that no photo row names.

Such files are left when a transaction is rolled back around a photo command, or a process is
killed in one (the files are written before the row; see ``recommendations.review_photos``).
Files younger than ``--older-than`` seconds (an hour by default) are kept: a command in flight may
not have committed its row yet. Run it daily (cron or a beat entry); ``--dry-run`` only lists.
"""

from django.core.management.base import BaseCommand

from recommendations.review_photos import UPLOAD_PREFIX, delete_files, orphan_files


class Command(BaseCommand):
    help = "Delete review photo files that no photo row names (older than the grace period)."

    def add_arguments(self, parser):
        parser.add_argument("--older-than", type=int, default=3600, help="Keep files younger than this many seconds (3600).")
        parser.add_argument("--dry-run", action="store_true", help="List the files without deleting them.")

    def handle(self, *args, older_than: int, dry_run: bool, **options):
        names = orphan_files(older_than_seconds=max(older_than, 0))
        for name in names:
            self.stdout.write(f"{'would delete' if dry_run else 'deleting'} {name}")
        if not dry_run:
            delete_files(names)
        verb = "found" if dry_run else "deleted"
        self.stdout.write(self.style.SUCCESS(f"{len(names)} unused file(s) under {UPLOAD_PREFIX}/ {verb}."))
