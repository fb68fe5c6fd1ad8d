"""Reviews, questions and answers share one screen (``recommendations.screening``) and its flag codes:
the reviews' ``links`` and ``banned_words`` become ``link`` and ``banned_word``."""

from django.db import migrations

RENAMED = {"links": "link", "banned_words": "banned_word"}


def rename(apps, schema_editor, mapping=RENAMED):
    Review = apps.get_model("recommendations", "Review")
    for pk, reasons in Review.objects.values_list("id", "held_reasons").iterator(chunk_size=5000):
        if reasons and any(r in mapping for r in reasons):
            Review.objects.filter(pk=pk).update(held_reasons=[mapping.get(r, r) for r in reasons])


def rename_back(apps, schema_editor):
    rename(apps, schema_editor, mapping={new: old for old, new in RENAMED.items()})


class Migration(migrations.Migration):
    dependencies = [("recommendations", "0002_reviews")]
    operations = [migrations.RunPython(rename, rename_back)]
