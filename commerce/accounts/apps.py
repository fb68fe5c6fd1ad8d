from django.apps import AppConfig


class AccountsConfig(AppConfig):
    name = "commerce.accounts"
    label = "accounts"
    verbose_name = "Accounts and access"

    def ready(self):
        from django.db.models.signals import post_migrate

        from commerce.accounts.groups import sync_groups

        # After every app's permissions exist (this app's receiver runs after auth's).
        post_migrate.connect(sync_groups, dispatch_uid="accounts.sync_groups")
