"""``GET /api/v1/``: the API root, listing the resources a client can start from.

The list is read from the URL configuration, so a new app's endpoints (recommendations,
logistics) appear here as soon as their URLs are included; routes with path parameters are
reached from these and are described in the schema (``/api/schema/``) and the docs.
"""

from django.urls import URLResolver, get_resolver, reverse
from rest_framework import serializers
from rest_framework.permissions import AllowAny
from rest_framework.response import Response
from rest_framework.views import APIView

from commerce.api.schema import PUBLIC, answer, documented

API_PREFIX = "api/v1/"


def _api_patterns() -> list:
    """The URL patterns the root URLconf mounts under ``/api/v1/`` (it names the apps; we don't)."""
    for pattern in get_resolver().url_patterns:
        if isinstance(pattern, URLResolver) and str(pattern.pattern) == API_PREFIX:
            return pattern.url_patterns
    return []


def resource_routes(patterns=None, prefix: str = "") -> dict[str, str]:
    """URL name -> route (relative to the API root) of every named route without path parameters."""
    routes = {}
    for pattern in _api_patterns() if patterns is None else patterns:
        route = prefix + str(pattern.pattern)
        if isinstance(pattern, URLResolver):
            routes.update(resource_routes(pattern.url_patterns, route))
        elif pattern.name and "<" not in route and route:
            routes[pattern.name] = route
    return routes


class ApiRootApi(APIView):
    permission_classes = [AllowAny]

    class OutputSerializer(serializers.Serializer):
        name = serializers.CharField()
        version = serializers.CharField()
        docs = serializers.URLField(help_text="Swagger UI.")
        redoc = serializers.URLField()
        schema = serializers.URLField(help_text="The OpenAPI 3 schema.")
        resources = serializers.DictField(
            child=serializers.URLField(), help_text="URL name to the absolute URL of each endpoint without path parameters."
        )

    @documented(
        "api_root",
        "The API root",
        description="Where to start: the docs, the schema and the endpoints that take no path parameters.",
        tags=["api"],
        ok=OutputSerializer,
        access=PUBLIC,
        auth=[],
        examples=[answer("The root", {
            "name": "Commerce API", "version": "v1",
            "docs": "http://127.0.0.1:8000/api/docs/", "redoc": "http://127.0.0.1:8000/api/redoc/",
            "schema": "http://127.0.0.1:8000/api/schema/",
            "resources": {"product_list": "http://127.0.0.1:8000/api/v1/products/",
                          "cart": "http://127.0.0.1:8000/api/v1/cart/"},
        })],
    )
    def get(self, request):
        base = reverse("api-root")
        absolute = request.build_absolute_uri
        return Response({
            "name": "Commerce API",
            "version": "v1",
            "docs": absolute(reverse("api-docs")),
            "redoc": absolute(reverse("api-redoc")),
            "schema": absolute(reverse("schema")),
            "resources": {name: absolute(base + route) for name, route in sorted(resource_routes().items())},
        })
