from django.apps import AppConfig


class OrdersConfig(AppConfig):
    name = "orders"
    verbose_name = "Orders"

    def ready(self):
        from commerce.audit import bus, wording
        from orders import checks, dashboard, receivers, signals_auth, timeline  # noqa: F401
        from orders.mails import SUBSCRIPTIONS

        dashboard.register()
        wording.register("orders", timeline.audit_words, generic=timeline.GENERIC_EVENTS)
        # The order mails: sent after commit, once per event (orders/mails.py).
        for event_type, handler in SUBSCRIPTIONS.items():
            bus.subscribe(event_type, handler)
