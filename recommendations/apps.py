from django.apps import AppConfig


class RecommendationsConfig(AppConfig):
    name = "recommendations"
    verbose_name = "Reviews and recommendations"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self):
        from commerce.catalog import product_sections
        from recommendations import receivers  # noqa: F401 (connects the rating read model)
        from recommendations.views.reviews import reviews_section

        product_sections.register("reviews", reviews_section, order=10)
