from django.apps import AppConfig


class OrdersConfig(AppConfig):
    name = "orders"
    verbose_name = "Orders"

    def ready(self):
        from commerce.audit import bus
        from orders import checks, dashboard, receivers, signals_auth  # noqa: F401
        from orders.mails import SUBSCRIPTIONS

        dashboard.register()
        # The order mails: sent after commit, once per event (orders/mails.py).
        for event_type, handler in SUBSCRIPTIONS.items():
            bus.subscribe(event_type, handler)
