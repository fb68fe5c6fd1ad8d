from django.apps import AppConfig

#: the orders events logistics reacts to, and the reaction (``logistics/reactions.py``)
SUBSCRIPTIONS = (
    ("orders.order.ready_to_ship", "logistics.reactions.order_ready_to_ship"),
    ("orders.order.cancelled", "logistics.reactions.order_cancelled"),
    # the shopper's delivery mails (``logistics/mails.py``)
    ("logistics.route.started", "logistics.mails.route_started"),
    ("logistics.stop.completed", "logistics.mails.stop_completed"),
    ("logistics.delivery.failed", "logistics.mails.delivery_failed"),
    # the delivery stars of the reviews, for the satisfaction KPI (``logistics/kpis/projection.py``)
    *((event_type, "logistics.kpis.projection.review_changed") for event_type in (
        "recommendations.review.created", "recommendations.review.updated", "recommendations.review.approved",
        "recommendations.review.rejected", "recommendations.review.deleted")),
)


class LogisticsConfig(AppConfig):
    name = "logistics"
    verbose_name = "Logistics"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self):
        from commerce.audit import bus, wording
        from logistics import history, receivers  # noqa: F401 (receivers: connects the KPI projection)
        from logistics.kpis import panels
        from logistics.services.routes import OWN_FLEET
        from logistics.views import delivery_section
        from orders import carriers, order_sections

        for event_type, handler in SUBSCRIPTIONS:
            bus.subscribe(event_type, handler)
        order_sections.register("delivery", delivery_section, order=10)
        carriers.register_self_notifying(OWN_FLEET)
        panels.register_all()
        wording.register("logistics", history.audit_words, generic=history.GENERIC_EVENTS)
