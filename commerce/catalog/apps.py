from django.apps import AppConfig


class CatalogConfig(AppConfig):
    name = "commerce.catalog"
    label = "catalog"
    verbose_name = "Catalog and inventory"

    def ready(self):
        from commerce.catalog import dashboard

        dashboard.register()
