from django.apps import AppConfig


class OrdersConfig(AppConfig):
    name = "orders"
    verbose_name = "Orders"

    def ready(self):
        from orders import checks, dashboard, receivers, signals_auth  # noqa: F401

        dashboard.register()
