"""The API docs (Swagger UI and Redoc), served entirely from this site.

The scripts and styles come from drf-spectacular-sidecar's static files; the Redoc page leaves out
the Google Fonts links of drf-spectacular's template; Swagger UI's online validator (a badge image
from validator.swagger.io) is off. Redoc's bundle hard-codes one outside image, the Redocly logo
its side menu loads from cdn.redoc.ly: the bundle is served through ``redoc_bundle`` with that
address replaced by an empty image, which Redoc then leaves out. A Content-Security-Policy limited
to this origin makes the browser refuse anything else a future bundle would fetch.
"""

import hashlib
from functools import lru_cache
from pathlib import Path

from django.contrib.staticfiles import finders
from django.http import HttpResponse, HttpResponseNotModified
from django.urls import reverse
from django.views.decorators.http import require_GET
from drf_spectacular.utils import extend_schema
from drf_spectacular.views import SpectacularRedocView, SpectacularSwaggerView

REDOC_BUNDLE = "drf_spectacular_sidecar/redoc/bundles/redoc.standalone.js"
REDOCLY_LOGO = b"https://cdn.redoc.ly/redoc/logo-mini.svg"
EMPTY_IMAGE = b"data:,"  # fails to load at once; Redoc's onError then drops the <img>

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

    @staticmethod
    def _redoc_standalone():
        return reverse("api-redoc-bundle")


@lru_cache(maxsize=1)
def offline_redoc_bundle() -> tuple[bytes, str]:
    """The sidecar's Redoc bundle without its outside logo, and its ETag (read once per process)."""
    content = Path(finders.find(REDOC_BUNDLE)).read_bytes().replace(REDOCLY_LOGO, EMPTY_IMAGE)
    return content, '"' + hashlib.sha256(content).hexdigest()[:32] + '"'


@require_GET
def redoc_bundle(request):
    content, etag = offline_redoc_bundle()
    if request.headers.get("If-None-Match") == etag:
        return HttpResponseNotModified(headers={"ETag": etag})
    return HttpResponse(
        content,
        content_type="text/javascript; charset=utf-8",
        headers={"ETag": etag, "Cache-Control": "public, max-age=86400"},
    )
