from django.apps import AppConfig

#: the orders events logistics reacts to, and the reaction (``logistics/reactions.py``)
SUBSCRIPTIONS = (
    ("orders.order.ready_to_ship", "logistics.reactions.order_ready_to_ship"),
    ("orders.order.cancelled", "logistics.reactions.order_cancelled"),
)


class LogisticsConfig(AppConfig):
    name = "logistics"
    verbose_name = "Logistics"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self):
        from commerce.audit import bus

        for event_type, handler in SUBSCRIPTIONS:
            bus.subscribe(event_type, handler)
