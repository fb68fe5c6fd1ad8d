from django.apps import AppConfig


class RecommendationsConfig(AppConfig):
    name = "recommendations"
    verbose_name = "Reviews and recommendations"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self):
        from commerce.catalog import product_cards, product_sections
        from recommendations import receivers  # noqa: F401 (connects the rating read model)
        from recommendations.views import questions as question_views
        from recommendations.views.reviews import rating_card_extras, reviews_section

        # The product page's sections this app shows (the catalog imports nothing of recommendations).
        product_sections.register("reviews", reviews_section, order=10)
        product_sections.register("official_content", question_views.official_content_section, order=20)
        product_sections.register("questions", question_views.questions_section, order=40)
        # The stars and review count on product cards (lists, search results), from the rating summaries.
        product_cards.register("rating", rating_card_extras, order=10)
