from django.apps import AppConfig


class AccountsConfig(AppConfig):
    name = "commerce.accounts"
    label = "accounts"
    verbose_name = "Accounts and access"

    def ready(self):
        from django.db.models.signals import post_migrate

        from commerce.accounts.groups import sync_groups
        from commerce.audit import wording

        # After every app's permissions exist (this app's receiver runs after auth's).
        post_migrate.connect(sync_groups, dispatch_uid="accounts.sync_groups")
        # Accounts' events read well as their data ("Customer registered: customer: 4; username: ada").
        wording.leave_generic("accounts", (
            "accounts.address.added", "accounts.address.removed", "accounts.address.updated",
            "accounts.customer.profile_updated", "accounts.customer.registered", "accounts.sales_region.saved",
            "accounts.user.anonymised", "accounts.user.deleted",
        ))
