from django.apps import AppConfig


class PromotionsConfig(AppConfig):
    name = "promotions"
    verbose_name = "Promotions"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self):
        from commerce.catalog import badges, prices
        from orders.discounts import register_discount_provider
        from promotions import dashboard, receivers  # noqa: F401
        from promotions.provider import PromotionDiscounts
        from promotions.selectors.shopper import product_badges, product_prices

        badges.register(product_badges)
        prices.register(product_prices)
        dashboard.register()
        # The one place the orders discount port is wired (orders imports nothing of promotions).
        register_discount_provider(PromotionDiscounts())
