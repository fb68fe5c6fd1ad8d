from django.apps import AppConfig


class RecommendationsConfig(AppConfig):
    name = "recommendations"
    verbose_name = "Reviews and recommendations"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self):
        from commerce.audit import bus, wording
        from commerce.audit.journey import steps_recorded
        from commerce.catalog import product_cards, product_sections, shelves
        from recommendations import event_words, receivers  # noqa: F401 (receivers: the rating read model)
        from recommendations.selectors import interactions
        from recommendations.serving import attribution, reactions, tracking
        from recommendations.views import questions as question_views
        from recommendations.views import shelves as shelf_views
        from recommendations.views.reviews import rating_card_extras, reviews_section

        wording.register("recommendations", event_words.audit_words, generic=event_words.GENERIC_EVENTS)
        # The product page's sections this app shows (the catalog imports nothing of recommendations).
        product_sections.register("reviews", reviews_section, order=10)
        product_sections.register("official_content", question_views.official_content_section, order=20)
        product_sections.register("questions", question_views.questions_section, order=40)
        # The stars and review count on product cards (lists, search results), from the rating summaries.
        product_cards.register("rating", rating_card_extras, order=10)
        product_sections.register("bought_together", shelf_views.bought_together_section, order=5)
        product_sections.register("similar", shelf_views.similar_section, order=50)
        # The shelves of the home page, an empty search and the cart (the catalog's port).
        shelves.register(shelves.HOME, shelf_views.home_shelves)
        shelves.register(shelves.SEARCH_EMPTY, shelf_views.search_empty_shelves)
        shelves.register(shelves.CART, shelf_views.cart_shelves)
        # Real time: a journey step, a cart change or an order reaches the shopper's lists.
        steps_recorded.connect(reactions.journey_step_recorded, dispatch_uid="recommendations.journey_step_recorded")
        for event_type in reactions.EVENT_TYPES:
            bus.subscribe(event_type, "recommendations.serving.reactions.behaviour_changed")
        # Attribution: an add to cart (the journey, guests too) or an order counted for the list last clicked.
        steps_recorded.connect(attribution.journey_step_recorded, dispatch_uid="recommendations.attribute_add_to_cart")
        bus.subscribe("orders.order.created", "recommendations.serving.attribution.order_created")
        # A purchase proved after the review (a claimed guest order, a later delivery) verifies it.
        for event_type in ("orders.order.claimed", "orders.order.delivered"):
            bus.subscribe(event_type, "recommendations.services.reviews.purchases_proved")
        # What the model learns from: the clicks on the lists served, beside orders, views and ratings.
        interactions.register_source("recommendation_clicks", tracking.click_interactions)
