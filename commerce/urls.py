"""The root URLconf: the one place the core and the subdomain apps are put together.

The core (``commerce.*``) imports no subdomain app; this module names them, by their URL modules'
dotted paths, for the pages and for the REST API under ``/api/v1/`` (see ``ARCHITECTURE.md``).
"""

from django.conf import settings
from django.conf.urls.static import static
from django.contrib import admin
from django.urls import include, path
from drf_spectacular.views import SpectacularAPIView

from commerce import health
from commerce.api.docs import OfflineRedocView, OfflineSwaggerView, redoc_bundle
from commerce.api.root import ApiRootApi

admin.site.site_header = "Commerce back office"
admin.site.site_title = "Commerce back office"
admin.site.index_title = "Run the business"


# The REST API, version 1: the core's endpoints, then each subdomain app's.
api_v1 = [
    path("", ApiRootApi.as_view(), name="api-root"),
    path("", include("commerce.catalog.api.urls")),
    path("", include("commerce.accounts.api.urls")),
    path("", include("commerce.audit.api.urls")),
    path("", include("orders.api.urls")),
    path("", include("promotions.api.urls")),
    path("", include("recommendations.api.urls")),
    path("", include("logistics.api.urls")),
]

urlpatterns = [
    path("admin/", admin.site.urls),
    path("api/v1/", include(api_v1)),
    path("api/schema/", SpectacularAPIView.as_view(), name="schema"),
    path("api/docs/", OfflineSwaggerView.as_view(url_name="schema"), name="api-docs"),
    path("api/redoc/", OfflineRedocView.as_view(url_name="schema"), name="api-redoc"),
    path("api/redoc/redoc.standalone.js", redoc_bundle, name="api-redoc-bundle"),
    path("accounts/", include("commerce.accounts.urls")),
    path("healthz", health.healthz, name="healthz"),
    path("readyz", health.readyz, name="readyz"),
    path("", include("orders.urls")),
    path("", include("promotions.urls")),
    path("", include("recommendations.urls")),
    path("", include("logistics.urls")),
    path("", include("commerce.catalog.urls")),
]

# Uploaded pictures under MEDIA_URL, served by Django only in development (static() is empty when
# DEBUG is off): in production the storage backend or the web server serves them.
urlpatterns += static(settings.MEDIA_URL, document_root=settings.MEDIA_ROOT)

handler404 = "commerce.error_views.page_not_found"
handler400 = "commerce.error_views.bad_request"
handler403 = "commerce.error_views.permission_denied"
handler500 = "commerce.error_views.server_error"
