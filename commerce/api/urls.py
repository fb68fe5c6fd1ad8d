from django.urls import include, path

from commerce.api.root import ApiRootApi

urlpatterns = [
    path("", ApiRootApi.as_view(), name="api-root"),
    path("", include("commerce.catalog.api.urls")),
    path("", include("commerce.accounts.api.urls")),
    path("", include("commerce.audit.api.urls")),
    path("", include("orders.api.urls")),
    path("", include("promotions.api.urls")),
]
