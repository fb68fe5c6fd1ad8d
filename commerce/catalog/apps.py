from django.apps import AppConfig


class CatalogConfig(AppConfig):
    name = "commerce.catalog"
    label = "catalog"
    verbose_name = "Catalog and inventory"

    def ready(self):
        from commerce.audit import bus, wording
        from commerce.catalog import dashboard, event_words
        from commerce.catalog.stock_alerts import SUBSCRIPTIONS

        dashboard.register()
        wording.register("catalog", event_words.audit_words, generic=event_words.GENERIC_EVENTS)
        # "Notify me": a stock event that may bring a product back mails its waiting alerts, after commit.
        for event_type, handler in SUBSCRIPTIONS.items():
            bus.subscribe(event_type, handler)
