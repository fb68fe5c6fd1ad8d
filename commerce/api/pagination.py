from rest_framework import pagination
from rest_framework.response import Response


class PageNumberPagination(pagination.PageNumberPagination):
    """``?page=N&page_size=M``; a page size above 100 is served as 100."""

    page_size_query_param = "page_size"
    max_page_size = 100


def paginated_response(*, queryset, serializer_class, request, view, context: dict | None = None) -> Response:
    """One page of ``queryset`` in the paginated envelope (count, next, previous, results).

    For plain ``APIView`` list endpoints: the view declares ``pagination_class`` (which the
    OpenAPI schema reads) and calls this with what its selector returned.
    """
    paginator = view.pagination_class()
    page = paginator.paginate_queryset(queryset, request, view=view)
    serializer = serializer_class(page, many=True, context={"request": request, **(context or {})})
    return paginator.get_paginated_response(serializer.data)
