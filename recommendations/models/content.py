"""The manufacturers' official content.

The catalog's ``Manufacturer`` holds the maker's description, website and support contacts; this
adds what a maker publishes beyond that: blocks of official content (usage guides, care, safety,
warranty terms, specifications), each either on the manufacturer's page (``product`` empty) or on
one of its products' pages, marked "official" wherever it is shown. Edited by staff in the admin.
"""

from django.conf import settings
from django.db import models

from commerce.catalog.models import Manufacturer, Product

CONTENT_TITLE_MAX_LENGTH = 120
CONTENT_BODY_MAX_LENGTH = 20_000


class OfficialContent(models.Model):
    class Kind(models.TextChoices):
        OVERVIEW = "overview", "Overview"
        GUIDE = "guide", "How to use"
        CARE = "care", "Care and storage"
        SAFETY = "safety", "Safety information"
        WARRANTY = "warranty", "Warranty"
        SPECIFICATIONS = "specifications", "Specifications"

    manufacturer = models.ForeignKey(Manufacturer, on_delete=models.CASCADE, related_name="official_content")
    product = models.ForeignKey(Product, null=True, blank=True, on_delete=models.CASCADE, related_name="official_content",
                                help_text="Empty: on the manufacturer's page. A product of this manufacturer: on its page.")
    kind = models.CharField(max_length=16, choices=Kind.choices, default=Kind.OVERVIEW)
    title = models.CharField(max_length=CONTENT_TITLE_MAX_LENGTH)
    body = models.TextField(max_length=CONTENT_BODY_MAX_LENGTH, help_text="Plain text; blank lines separate paragraphs.")
    position = models.PositiveSmallIntegerField(default=0, help_text="Lower comes first.")
    is_published = models.BooleanField(default=True)
    updated_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["position", "id"]
        verbose_name = "official content"
        verbose_name_plural = "official content"
        indexes = [
            models.Index(fields=["manufacturer", "product", "is_published", "position"], name="recs_content_maker"),
            models.Index(fields=["product", "is_published", "position"], name="recs_content_product"),
        ]

    def __str__(self):
        return f"{self.title} ({self.manufacturer_id}{f', product {self.product_id}' if self.product_id else ''})"
