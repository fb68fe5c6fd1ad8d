"""``manage.py search_index_rebuild``: build the product search index from the catalog.

The catalog's commands keep the index as products, categories and manufacturers change; this
rebuilds it whole (after a bulk import that bypassed the services, or a change of how text is
folded), in one transaction, recording ``catalog.search_index.rebuilt``.
"""

from django.core.management.base import BaseCommand

from commerce.catalog.models import SearchTerm
from commerce.catalog.search.index import search_index_rebuild


class Command(BaseCommand):
    help = "Rebuild the product search index (terms of every active product) from the catalog."

    def handle(self, *args, **options):
        indexed = search_index_rebuild()
        self.stdout.write(self.style.SUCCESS(f"search index rebuilt: {indexed} products, {SearchTerm.objects.count()} terms"))
