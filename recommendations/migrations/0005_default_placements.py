"""The placements the pages and the API serve (recommendations.serving.placements.DEFAULTS)."""

from django.db import migrations

DEFAULTS = {  # a copy: a migration never imports the app's code, which changes after it
    "home_for_you": ("Home: for you", "for_you", 8),
    "home_trending": ("Home: trending now", "trending", 8),
    "home_recently_viewed": ("Home: recently viewed", "recently_viewed", 8),
    "product_similar": ("Product page: similar products", "similar", 6),
    "product_bought_together": ("Product page: frequently bought together", "bought_together", 4),
    "cart_bought_together": ("Cart: goes well with your cart", "bought_together", 4),
    "search_popular": ("Empty search: popular in the category", "popular", 6),
}


def create(apps, schema_editor):
    Placement = apps.get_model("recommendations", "Placement")
    for key, (name, intent, size) in DEFAULTS.items():
        Placement.objects.get_or_create(key=key, defaults={"name": name, "intent": intent, "size": size})


class Migration(migrations.Migration):
    dependencies = [("recommendations", "0004_serving")]
    operations = [migrations.RunPython(create, migrations.RunPython.noop)]
