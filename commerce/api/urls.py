from django.urls import include, path

urlpatterns = [
    path("", include("commerce.catalog.api.urls")),
    path("", include("commerce.accounts.api.urls")),
    path("", include("commerce.audit.api.urls")),
    path("", include("orders.api.urls")),
    path("", include("promotions.api.urls")),
]
