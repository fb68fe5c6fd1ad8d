"""``manage.py review_photos_prune``: delete review photo files that no photo row names, left by
rolled-back commands (see ``recommendations.review_photos``). Options and grace period:
``commerce.images.PruneCommand``. Run it daily (cron or a beat entry)."""

from commerce.images import PruneCommand
from recommendations.review_photos import UPLOAD_PREFIX, delete_files, orphan_files


class Command(PruneCommand):
    help = "Delete review photo files that no photo row names (older than the grace period)."
    prefix = UPLOAD_PREFIX
    find = staticmethod(orphan_files)
    delete = staticmethod(delete_files)
