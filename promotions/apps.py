from django.apps import AppConfig


class PromotionsConfig(AppConfig):
    name = "promotions"
    verbose_name = "Promotions"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self):
        from commerce.catalog import badges
        from promotions import receivers  # noqa: F401
        from promotions.selectors.shopper import product_badges

        badges.register(product_badges)
