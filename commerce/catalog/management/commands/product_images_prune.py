"""``manage.py product_images_prune``: delete product picture files that no picture row names, left
by rolled-back commands (see ``commerce.catalog.product_images``). Options and grace period:
``commerce.images.PruneCommand``. Run it daily (cron or a beat entry)."""

from commerce.catalog.product_images import UPLOAD_PREFIX, delete_files, orphan_files
from commerce.images import PruneCommand


class Command(PruneCommand):
    help = "Delete product picture files that no picture row names (older than the grace period)."
    prefix = UPLOAD_PREFIX
    find = staticmethod(orphan_files)
    delete = staticmethod(delete_files)
