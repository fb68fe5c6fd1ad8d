"""The groups and their permissions: created by migration 0002 and kept in sync after every
``migrate`` (and every test-database flush) by a post_migrate receiver, so a permission that a
later app adds to a group reaches existing databases too."""

from django.contrib.auth.models import Group, Permission

GROUP_PERMISSIONS = {
    "Customers": ["accounts.place_orders"],
    "Merchandisers": [
        "catalog.view_category", "catalog.add_category", "catalog.change_category",
        "catalog.view_manufacturer", "catalog.add_manufacturer", "catalog.change_manufacturer",
        "catalog.view_product", "catalog.add_product", "catalog.change_product",
        "catalog.view_productimage", "catalog.add_productimage", "catalog.change_productimage",
        "catalog.delete_productimage",
        "catalog.view_stockbatch", "catalog.add_stockbatch", "catalog.change_stockbatch",
        "catalog.view_stockmovement", "catalog.view_stockreservation",
        "catalog.view_stockalert", "catalog.change_stockalert",
        "accounts.manage_inventory", "accounts.recall_batches", "accounts.manage_promotions",
        "audit.view_audit_trail",
        "recommendations.view_placement", "recommendations.change_placement", "recommendations.view_recommendationlist",
        "recommendations.view_recommendationdaystat", "recommendations.view_recommendationconversion",
        "recommendations.view_experiment", "recommendations.add_experiment", "recommendations.change_experiment",
        "recommendations.view_experimentvariant", "recommendations.add_experimentvariant",
        "recommendations.change_experimentvariant", "recommendations.delete_experimentvariant",
        "recommendations.view_modelversion", "recommendations.change_modelversion",
        "recommendations.view_trainingrun", "recommendations.add_trainingrun",
    ],
    "Dispatchers": [
        "accounts.view_all_orders", "accounts.manage_orders", "accounts.dispatch_routes",
        "catalog.view_product", "catalog.view_productimage", "catalog.view_stockbatch",
        "orders.view_order",
    ],
    "Support": [
        "accounts.view_all_orders", "accounts.refund_orders", "accounts.view_customers",
        "accounts.moderate_reviews", "accounts.recall_batches",
        "accounts.view_address", "accounts.view_customerprofile", "accounts.view_user",
        "catalog.view_product", "catalog.view_productimage", "catalog.view_stockbatch", "catalog.view_stockreservation",
        "catalog.view_stockalert", "catalog.change_stockalert",
        "audit.view_audit_trail",
        "orders.view_order",
        "mail.view_mail", "mail.resend_mail",
    ],
    "Sales": [
        "accounts.view_region_orders", "accounts.view_customers",
        "catalog.view_product", "catalog.view_productimage",
        "orders.view_order",
    ],
}


def sync_groups(**_kwargs) -> None:
    """Create missing groups and grant their permissions (never removes anything staff added)."""
    wanted = {tuple(p.split(".")) for perms in GROUP_PERMISSIONS.values() for p in perms}
    known = {
        (app_label, codename): pk
        for pk, app_label, codename in Permission.objects.values_list("pk", "content_type__app_label", "codename")
        if (app_label, codename) in wanted
    }
    for name, perms in GROUP_PERMISSIONS.items():
        group, _ = Group.objects.get_or_create(name=name)
        ids = [known[tuple(p.split("."))] for p in perms if tuple(p.split(".")) in known]
        group.permissions.add(*ids)
