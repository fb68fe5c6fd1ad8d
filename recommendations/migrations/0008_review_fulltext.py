"""A FULLTEXT index over the reviews' title and text, on MariaDB/MySQL only (``recommendations.review_search``
searches through it there); other databases keep the portable search and get nothing."""

from django.db import migrations

INDEX = "reviews_title_text_ft"


def add_index(apps, schema_editor):
    if schema_editor.connection.vendor != "mysql":
        return
    table = schema_editor.quote_name(apps.get_model("recommendations", "Review")._meta.db_table)
    schema_editor.execute(f"CREATE FULLTEXT INDEX {schema_editor.quote_name(INDEX)} ON {table} (title, text)")


def drop_index(apps, schema_editor):
    if schema_editor.connection.vendor != "mysql":
        return
    table = schema_editor.quote_name(apps.get_model("recommendations", "Review")._meta.db_table)
    schema_editor.execute(f"DROP INDEX {schema_editor.quote_name(INDEX)} ON {table}")


class Migration(migrations.Migration):
    # CREATE FULLTEXT INDEX commits on MariaDB anyway; outside a transaction, so a failure is not half-recorded.
    atomic = False

    dependencies = [
        ("recommendations", "0007_tracking_and_ab_tests"),
    ]

    operations = [
        migrations.RunPython(add_index, drop_index),
    ]
