from django.apps import AppConfig


class RecommendationsConfig(AppConfig):
    name = "recommendations"
    verbose_name = "Reviews and recommendations"
    default_auto_field = "django.db.models.BigAutoField"
