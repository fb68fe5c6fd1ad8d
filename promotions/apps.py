from django.apps import AppConfig


class PromotionsConfig(AppConfig):
    name = "promotions"
    verbose_name = "Promotions"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self):
        from commerce.audit import wording
        from commerce.catalog import badges, prices, shelves
        from orders.discounts import register_discount_provider
        from promotions import dashboard, event_words, receivers  # noqa: F401
        from promotions.provider import PromotionDiscounts
        from promotions.selectors.shopper import product_badges, product_prices
        from promotions.shelves import offers_shelf

        badges.register(product_badges)
        prices.register(product_prices)
        # the home page's "On offer now": the live automatic promotions and products they lower
        shelves.register(shelves.HOME, offers_shelf, name="promotions.offers")
        dashboard.register()
        wording.register("promotions", event_words.audit_words, generic=event_words.GENERIC_EVENTS)
        # The one place the orders discount port is wired (orders imports nothing of promotions).
        register_discount_provider(PromotionDiscounts())
