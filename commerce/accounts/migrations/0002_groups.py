"""Create the staff and customer groups with their permissions (documented in the README)."""

from django.db import migrations

GROUPS = {
    "Customers": ["accounts.place_orders"],
    "Merchandisers": [
        "catalog.view_category", "catalog.add_category", "catalog.change_category",
        "catalog.view_manufacturer", "catalog.add_manufacturer", "catalog.change_manufacturer",
        "catalog.view_product", "catalog.add_product", "catalog.change_product",
        "catalog.view_stockbatch", "catalog.add_stockbatch", "catalog.change_stockbatch",
        "catalog.view_stockmovement", "catalog.view_stockreservation",
        "accounts.manage_inventory", "accounts.recall_batches", "accounts.manage_promotions",
        "audit.view_audit_trail",
    ],
    "Dispatchers": [
        "accounts.view_all_orders", "accounts.manage_orders", "accounts.dispatch_routes",
        "catalog.view_product", "catalog.view_stockbatch",
    ],
    "Support": [
        "accounts.view_all_orders", "accounts.refund_orders", "accounts.view_customers",
        "accounts.moderate_reviews", "accounts.recall_batches",
        "accounts.view_address", "accounts.view_customerprofile", "accounts.view_user",
        "catalog.view_product", "catalog.view_stockbatch", "catalog.view_stockreservation",
        "audit.view_audit_trail",
    ],
    "Sales": [
        "accounts.view_region_orders", "accounts.view_customers",
        "catalog.view_product",
    ],
}


def create_groups(apps, schema_editor):
    from django.contrib.auth.management import create_permissions

    # Permissions are normally created after all migrations; the groups need them now.
    for app_config in apps.get_app_configs():
        app_config.models_module = True
        create_permissions(app_config, apps=apps, verbosity=0)
        app_config.models_module = None

    Group = apps.get_model("auth", "Group")
    Permission = apps.get_model("auth", "Permission")
    for name, perms in GROUPS.items():
        group, _ = Group.objects.get_or_create(name=name)
        for qualified in perms:
            app_label, codename = qualified.split(".")
            permission = Permission.objects.get(content_type__app_label=app_label, codename=codename)
            group.permissions.add(permission)


def remove_groups(apps, schema_editor):
    apps.get_model("auth", "Group").objects.filter(name__in=list(GROUPS)).delete()


class Migration(migrations.Migration):
    dependencies = [
        ("accounts", "0001_initial"),
        ("catalog", "0001_initial"),
        ("audit", "0001_initial"),
        ("auth", "0012_alter_user_first_name_max_length"),
        ("contenttypes", "0002_remove_content_type_name"),
    ]

    operations = [migrations.RunPython(create_groups, remove_groups)]
