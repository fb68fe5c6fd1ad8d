"""Proofs of delivery move to the private storage (served only by the access-checked proof views):
the files already kept among the public media are moved there, under the same names."""

from django.core.files.storage import storages
from django.db import migrations, models
from django.db.models import Q

import commerce.private_files


def move_to_private(apps, schema_editor):
    Stop = apps.get_model("logistics", "Stop")
    public, private = storages["default"], storages["private"]
    rows = Stop.objects.filter(~Q(proof_photo="") | ~Q(proof_signature="")).values_list("proof_photo", "proof_signature")
    for names in rows.iterator():
        for name in names:
            if not name or not public.exists(name):
                continue
            if not private.exists(name):
                with public.open(name, "rb") as source:
                    private.save(name, source)
            public.delete(name)


class Migration(migrations.Migration):

    dependencies = [
        ('logistics', '0006_guest_deliveries'),
    ]

    operations = [
        migrations.AlterField(
            model_name='stop',
            name='proof_photo',
            field=models.FileField(blank=True, max_length=200, storage=commerce.private_files.storage, upload_to='logistics/proofs/%Y/%m/'),
        ),
        migrations.AlterField(
            model_name='stop',
            name='proof_signature',
            field=models.FileField(blank=True, max_length=200, storage=commerce.private_files.storage, upload_to='logistics/proofs/%Y/%m/'),
        ),
        migrations.RunPython(move_to_private, migrations.RunPython.noop),
    ]
