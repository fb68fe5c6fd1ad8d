from django.apps import AppConfig


class RecommendationsConfig(AppConfig):
    name = "recommendations"
    verbose_name = "Reviews and recommendations"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self):
        from commerce.catalog import product_sections
        from recommendations import views

        # The product page's sections this app shows (the catalog imports nothing of recommendations).
        product_sections.register("official_content", views.official_content_section, order=20)
        product_sections.register("questions", views.questions_section, order=40)
