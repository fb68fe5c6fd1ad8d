"""The error pages (Django's handler400/403/404/500, and the CSRF failure view).

Each answers in the look of where the request was going: the API's JSON error format under
``/api/``, the admin's look (menu, breadcrumbs, a link back to the admin index) under ``/admin/``,
and the shop's pages elsewhere. Every page says what happened and links back.

400, 413 and 500 render a self-contained page with no request context: the request may be the
broken part (a bad Host header, an unreadable body) and a 500 may come from the database or a
context processor, so that page runs no context processor, no query and no URL lookup that could
fail in turn. A 403/404 page that cannot be drawn with the site's menus falls back to it too.
"""

import logging

from django.contrib import admin
from django.core.exceptions import RequestDataTooBig, TooManyFieldsSent, TooManyFilesSent
from django.http import Http404, HttpResponse, JsonResponse
from django.template import loader
from django.urls import Resolver404

from commerce.errors import CoreError

logger = logging.getLogger("commerce.errors")

STANDALONE_TEMPLATE = "errors/standalone.html"
SHOP_TEMPLATE = "errors/page.html"
ADMIN_TEMPLATE = "admin/error_page.html"

TOO_LARGE = (RequestDataTooBig, TooManyFieldsSent, TooManyFilesSent)

#: status -> (API code, title, what happened, in words for people)
PAGES = {
    400: (CoreError.BAD_REQUEST, "Bad request", "The request could not be understood. Please go back and try again."),
    403: (CoreError.PERMISSION_DENIED, "Access denied", "You do not have permission to see this page."),
    404: (CoreError.NOT_FOUND, "Page not found", "There is no page at this address. It may have moved, or the link may be wrong."),
    413: (CoreError.REQUEST_TOO_LARGE, "Request too large", "What you sent is larger than this site accepts. Please send less at once."),
    500: (CoreError.SERVER_ERROR, "Something went wrong", "Something went wrong on our side; we have been told. Please try again later."),
}
#: status -> the API's ``detail`` (the same words as the API's own views use)
API_DETAILS = {
    400: "The request could not be understood.",
    403: "You do not have permission to perform this action.",
    404: "No such resource.",
    500: "Something went wrong on our side.",
}
CSRF_REASON = "The form had expired or came from another site. Please go back, reload the page and send it again."


def _is_api(request) -> bool:
    return request.path.startswith("/api/")


def _is_admin(request) -> bool:
    return request.path.startswith("/admin/")


def _reason(status: int, exception) -> str:
    """The exception's own message when it is one written for people (``Http404("No such order.")``)."""
    if exception is None or isinstance(exception, Resolver404) or status not in (403, 404):
        return ""
    message = exception.args[0] if exception.args else ""
    return message if isinstance(message, str) else ""


def _api_response(status: int, detail: str = "") -> JsonResponse:
    from commerce.api.errors import error_body

    code = PAGES[status][0]
    if status == 413:
        from commerce.api.errors import request_too_large_error

        detail = request_too_large_error().message
    return JsonResponse(error_body(code, detail or API_DETAILS[status]), status=status)


def standalone_page(status: int, message: str = "", *, admin_area: bool = False) -> HttpResponse:
    """The page that renders with nothing from the request (no context processors, no queries)."""
    _code, title, text = PAGES[status]
    home, home_label = ("/admin/", "Back to the back office") if admin_area else ("/", "Back to the shop")
    html = loader.get_template(STANDALONE_TEMPLATE).render(
        {"status": status, "title": title, "message": message or text, "home": home, "home_label": home_label}
    )
    return HttpResponse(html, status=status)


def _page(request, status: int, exception=None, *, message: str = "") -> HttpResponse:
    reason = message or _reason(status, exception)
    if _is_api(request):
        return _api_response(status, reason)
    _code, title, text = PAGES[status]
    context = {"status": status, "title": title, "message": text, "reason": reason}
    try:
        if _is_admin(request):
            context = {**admin.site.each_context(request), **context}
            html = loader.render_to_string(ADMIN_TEMPLATE, context, request=request)
        else:
            html = loader.render_to_string(SHOP_TEMPLATE, context, request=request)
    except Exception:
        logger.exception("The %s page could not be drawn with the site's menus", status)
        return standalone_page(status, reason, admin_area=_is_admin(request))
    return HttpResponse(html, status=status)


def bad_request(request, exception=None):
    """400, or 413 when the body was over ``DATA_UPLOAD_MAX_MEMORY_SIZE`` (or had too many fields)."""
    status = 413 if isinstance(exception, TOO_LARGE) else 400
    if _is_api(request):
        return _api_response(status)
    return standalone_page(status, admin_area=_is_admin(request))


def permission_denied(request, exception=None):
    return _page(request, 403, exception)


def page_not_found(request, exception=None):
    if exception is not None and not isinstance(exception, Http404):
        exception = None
    return _page(request, 404, exception)


def server_error(request):
    if _is_api(request):
        return _api_response(500)
    return standalone_page(500, admin_area=_is_admin(request))


def csrf_failure(request, reason=""):
    """A refused CSRF check (``CSRF_FAILURE_VIEW``): the styled 403, with what to do about it."""
    return _page(request, 403, message=CSRF_REASON)
