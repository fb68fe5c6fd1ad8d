"""The API docs (Swagger UI and Redoc), served entirely from this site.

The scripts and styles come from drf-spectacular-sidecar's static files; the Redoc page leaves out
the Google Fonts links of drf-spectacular's template; Swagger UI's online validator (a badge image
from validator.swagger.io) is off. A Content-Security-Policy limited to this origin makes the
browser refuse anything else the bundles would fetch, such as the Redocly logo Redoc's side menu
loads from cdn.redoc.ly (it then shows the link without the image).
"""

from drf_spectacular.utils import extend_schema
from drf_spectacular.views import SpectacularRedocView, SpectacularSwaggerView

# The policy is about origins, not about hardening the bundles: the docs' inline configuration
# scripts and the styles the bundles inject need 'unsafe-inline', the JSON-schema validator in the
# bundles compiles with `new Function` ('unsafe-eval'), Redoc's search runs in a blob worker.
DOCS_CONTENT_SECURITY_POLICY = "; ".join([
    "default-src 'self'",
    "script-src 'self' 'unsafe-inline' 'unsafe-eval'",
    "style-src 'self' 'unsafe-inline'",
    "img-src 'self' data: blob:",
    "font-src 'self' data:",
    "connect-src 'self'",
    "worker-src 'self' blob:",
    "frame-ancestors 'none'",
    "base-uri 'self'",
    "form-action 'self'",
])


class _SameOriginOnly:
    @extend_schema(exclude=True)  # the docs pages are not API operations
    def get(self, request, *args, **kwargs):
        response = super().get(request, *args, **kwargs)
        response["Content-Security-Policy"] = DOCS_CONTENT_SECURITY_POLICY
        return response


class OfflineSwaggerView(_SameOriginOnly, SpectacularSwaggerView):
    pass


class OfflineRedocView(_SameOriginOnly, SpectacularRedocView):
    template_name = "api_docs/redoc.html"
