"""The lists served, written in one INSERT per request.

``list_issue`` gives a list its id at once (a UUID made here, so the page can put it in its links
before any row exists) and keeps the row in the request's buffer; the middleware
(``recommendations.middleware``) writes every list the request served with one ``bulk_create``
after the view. Outside a request (a task, the shell, a test calling the selector) the row is
written at once. Never the audit table: lists are tracking data, many per page view.
"""

from __future__ import annotations

import contextvars
import uuid

from django.utils import timezone

from commerce import context
from recommendations.models import RecommendationList
from recommendations.serving.shopper import Shopper

_buffer: contextvars.ContextVar[list[RecommendationList] | None] = contextvars.ContextVar("rec_lists", default=None)


def list_issue(*, placement: str, intent: str, shopper: Shopper, product_ids: list[int], model_version: int | None,
               impressed: bool, variant_id: int = 0) -> uuid.UUID:
    now = timezone.now()
    row = RecommendationList(
        id=uuid.uuid4(), placement=placement, intent=intent, customer_id=shopper.customer_id,
        session_id=shopper.session_id, product_ids=list(product_ids), model_version=model_version, variant_id=variant_id,
        channel=context.channel(), created_at=now, impressed_at=now if impressed else None,
    )
    pending = _buffer.get()
    if pending is None:
        row.save(force_insert=True)
    else:
        pending.append(row)
    return row.id


def buffering() -> contextvars.Token:
    return _buffer.set([])


def flush(token: contextvars.Token) -> int:
    """Write the buffered lists (one INSERT) and stop buffering; how many were written."""
    pending = _buffer.get() or []
    _buffer.reset(token)
    if len(pending) == 1:  # one INSERT in autocommit: no transaction round trips around it
        pending[0].save(force_insert=True)
    elif pending:
        RecommendationList.objects.bulk_create(pending)
    return len(pending)


def click_interactions(since, config: dict, customer_id: int | None):
    """The engine's interaction source of recommendation clicks (kind ``recommendation_click``): every
    customer's clicks since ``since`` (or one customer's), streamed."""
    from recommendations.models import RecommendationClick

    if not config["weights"].get("recommendation_click"):
        return
    rows = RecommendationClick.objects.filter(clicked_at__gte=since, customer__isnull=False)
    if customer_id is not None:
        rows = rows.filter(customer_id=customer_id)
    for owner, product_id, clicked_at in rows.order_by().values_list("customer_id", "product_id", "clicked_at").iterator(
            chunk_size=5000):
        yield owner, product_id, "recommendation_click", clicked_at, 1.0
