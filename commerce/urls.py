from django.contrib import admin
from django.http import JsonResponse
from django.urls import include, path
from drf_spectacular.views import SpectacularAPIView, SpectacularRedocView, SpectacularSwaggerView

admin.site.site_header = "Commerce back office"
admin.site.site_title = "Commerce back office"
admin.site.index_title = "Run the business"


def healthz(request):
    return JsonResponse({"status": "ok"})


urlpatterns = [
    path("admin/", admin.site.urls),
    path("api/v1/", include("commerce.api.urls")),
    path("api/schema/", SpectacularAPIView.as_view(), name="schema"),
    path("api/docs/", SpectacularSwaggerView.as_view(url_name="schema"), name="api-docs"),
    path("api/redoc/", SpectacularRedocView.as_view(url_name="schema"), name="api-redoc"),
    path("accounts/", include("commerce.accounts.urls")),
    path("healthz", healthz, name="healthz"),
    path("", include("orders.urls")),
    path("", include("promotions.urls")),
    path("", include("commerce.catalog.urls")),
]

handler404 = "commerce.error_views.page_not_found"
handler400 = "commerce.error_views.bad_request"
handler403 = "commerce.error_views.permission_denied"
handler500 = "commerce.error_views.server_error"
