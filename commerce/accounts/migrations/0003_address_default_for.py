"""One default address per customer, enforced by the database on every backend.

The conditional UniqueConstraint ``accounts_one_default_address`` never existed on MariaDB (no
partial indexes; Django only warns, W036), so customers there may have several default
addresses. ``default_for`` (unique, NULL unless default) replaces it. The backfill keeps each
customer's newest default address (highest id) as the default and clears the others.
"""

from django.conf import settings
from django.db import migrations, models


def keep_one_default(apps, schema_editor):
    Address = apps.get_model("accounts", "Address")
    keep, demote = {}, []
    for pk, customer_id in Address.objects.filter(is_default=True).order_by("customer_id", "-id").values_list("id", "customer_id"):
        if customer_id in keep:
            demote.append(pk)
        else:
            keep[customer_id] = pk
    for start in range(0, len(demote), 1000):
        Address.objects.filter(pk__in=demote[start:start + 1000]).update(is_default=False)
    Address.objects.filter(is_default=True).update(default_for=models.F("customer"))


class Migration(migrations.Migration):

    dependencies = [
        ("accounts", "0002_groups"),
    ]

    operations = [
        migrations.RemoveConstraint(
            model_name="address",
            name="accounts_one_default_address",
        ),
        migrations.AddField(
            model_name="address",
            name="default_for",
            field=models.OneToOneField(blank=True, editable=False, null=True, on_delete=models.deletion.CASCADE,
                                       related_name="+", to=settings.AUTH_USER_MODEL),
        ),
        migrations.RunPython(keep_one_default, migrations.RunPython.noop),
        migrations.AddConstraint(
            model_name="address",
            constraint=models.CheckConstraint(
                condition=models.Q(models.Q(("default_for", models.F("customer")), ("default_for__isnull", False), ("is_default", True)),
                                   models.Q(("default_for__isnull", True), ("is_default", False)), _connector="OR"),
                name="accounts_address_default_for_customer",
            ),
        ),
    ]
