from django.contrib import admin
from django.urls import include, path
from drf_spectacular.views import SpectacularAPIView

from commerce import health
from commerce.api.docs import OfflineRedocView, OfflineSwaggerView, redoc_bundle

admin.site.site_header = "Commerce back office"
admin.site.site_title = "Commerce back office"
admin.site.index_title = "Run the business"


urlpatterns = [
    path("admin/", admin.site.urls),
    path("api/v1/", include("commerce.api.urls")),
    path("api/schema/", SpectacularAPIView.as_view(), name="schema"),
    path("api/docs/", OfflineSwaggerView.as_view(url_name="schema"), name="api-docs"),
    path("api/redoc/", OfflineRedocView.as_view(url_name="schema"), name="api-redoc"),
    path("api/redoc/redoc.standalone.js", redoc_bundle, name="api-redoc-bundle"),
    path("accounts/", include("commerce.accounts.urls")),
    path("healthz", health.healthz, name="healthz"),
    path("readyz", health.readyz, name="readyz"),
    path("", include("orders.urls")),
    path("", include("promotions.urls")),
    path("", include("commerce.catalog.urls")),
]

handler404 = "commerce.api.errors.not_found"
