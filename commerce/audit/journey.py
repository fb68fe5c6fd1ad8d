"""The shopper journey (search, view, add to cart ... complete order): the clickstream, recorded cheaply.

Not the audit trail: a journey step changes no state, and there are many more of them than of
domain events, so they have their own table (``JourneyStep``), without stream versions: one INSERT
per action, or one bulk INSERT for the steps of one request (``journey_record_many``). Callers
record a step after their command, outside its transaction, so the INSERT holds no lock of the
command's. Each step carries the customer when the shopper is logged in and the digest of the
session, so ``selectors.customer_journey`` rebuilds the path session by session and
``selectors.journey_steps`` streams steps to their readers (recommendations).

``steps_recorded`` is sent after the INSERT (the step is committed: journey writes run outside any
command's transaction) with ``customer_id``, ``session_id`` and ``steps`` (``(action, product_id)``
pairs): the recommendations app listens, so a product view shows in the shopper's lists at once.
A receiver must be cheap (a cache version bump) and never fail the request: its errors are logged.
"""

import logging
from collections.abc import Sequence
from dataclasses import dataclass

from django.db import models
from django.dispatch import Signal
from django.utils import timezone

from commerce import context, telemetry
from commerce.audit.models import JourneyStep
from commerce.context import session_digest

QUERY_LENGTH = JourneyStep._meta.get_field("query").max_length
logger = logging.getLogger(__name__)
steps_recorded = Signal()


def _announce(*, customer_id: int | None, session_id: str, steps: list[tuple[str, int | None]]) -> None:
    for receiver, result in steps_recorded.send_robust(sender=JourneyStep, customer_id=customer_id,
                                                       session_id=session_id, steps=steps):
        if isinstance(result, Exception):
            logger.error("journey receiver %r failed", receiver, exc_info=result)


class JourneyAction(models.TextChoices):
    PRODUCT_SEARCH = "product_search"
    PRODUCT_VIEW = "product_view"
    PRODUCT_COMPARE = "product_compare"
    ADD_TO_CART = "add_to_cart"
    REMOVE_FROM_CART = "remove_from_cart"
    VIEW_CART = "view_cart"
    APPLY_COUPON = "apply_coupon"
    START_CHECKOUT = "start_checkout"
    COMPLETE_ORDER = "complete_order"
    RATE_PRODUCT = "rate_product"
    REVIEW_PRODUCT = "review_product"


def session_id_for(request) -> str:
    """The digest of the request's session, creating the session if the shopper has none yet."""
    session = getattr(request, "session", None)
    if session is None:
        return ""
    if not session.session_key:
        session.save()
    return session_digest(session.session_key)


@dataclass(frozen=True)
class Step:
    """One step of ``journey_record_many``."""

    action: JourneyAction
    product_id: int | None = None
    details: dict | None = None


def _step_row(*, action, session_id: str, customer_id: int | None, product_id: int | None, details: dict | None,
              channel: str, trace_id: str, at) -> JourneyStep:
    details = details or {}
    query = details.get("query", "") if action == JourneyAction.PRODUCT_SEARCH else ""
    return JourneyStep(
        action=str(action),
        customer_id=customer_id,
        session_id=(session_id or "")[:64],
        product_id=product_id,
        query=str(query)[:QUERY_LENGTH],
        payload=details,
        channel=channel,
        trace_id=trace_id,
        occurred_at=at,
    )


def journey_record(
    *,
    action: JourneyAction,
    session_id: str,
    customer_id: int | None = None,
    product_id: int | None = None,
    details: dict | None = None,
) -> None:
    """Record one step: one INSERT into the journey table."""
    with telemetry.command_span(
        "commerce.user_journey",
        attributes={
            "journey.customer_id": customer_id,
            "journey.action": str(action),
            "journey.product_id": product_id,
            "journey.session_id": session_id,
        },
    ):
        _step_row(
            action=action, session_id=session_id, customer_id=customer_id, product_id=product_id, details=details,
            channel=context.channel(), trace_id=telemetry.current_trace_id(), at=timezone.now(),
        ).save(force_insert=True)
    _announce(customer_id=customer_id, session_id=session_id, steps=[(str(action), product_id)])


def journey_record_many(*, steps: Sequence[Step], session_id: str, customer_id: int | None = None) -> None:
    """Several steps of one shopper at once, in their order, in one INSERT (a whole cart put at once)."""
    if not steps:
        return
    with telemetry.command_span(
        "commerce.user_journey",
        attributes={
            "journey.customer_id": customer_id,
            "journey.actions": [str(step.action) for step in steps],
            "journey.product_ids": [step.product_id or 0 for step in steps],
            "journey.session_id": session_id,
        },
    ):
        channel, trace_id, at = context.channel(), telemetry.current_trace_id(), timezone.now()
        JourneyStep.objects.bulk_create([
            _step_row(action=step.action, session_id=session_id, customer_id=customer_id, product_id=step.product_id,
                      details=step.details, channel=channel, trace_id=trace_id, at=at)
            for step in steps
        ])
    _announce(customer_id=customer_id, session_id=session_id, steps=[(str(s.action), s.product_id) for s in steps])


def journey_record_for_request(request, action: JourneyAction, *, product_id: int | None = None, details=None) -> None:
    user = getattr(request, "user", None)
    customer_id = user.pk if user is not None and user.is_authenticated else None
    journey_record(
        action=action,
        session_id=session_id_for(request),
        customer_id=customer_id,
        product_id=product_id,
        details=details,
    )


def journey_record_for_api(request, action: JourneyAction, *, product_id: int | None = None, details=None) -> None:
    """Record an API client's step when it can be tied to someone: a logged-in user or a session.

    Unlike the pages, an API client without a session does not get one created for it: a token
    client would otherwise leave a new empty session behind on every request.
    """
    session_id, customer_id = _api_shopper(request)
    if not session_id and customer_id is None:
        return
    journey_record(action=action, session_id=session_id, customer_id=customer_id, product_id=product_id, details=details)


def journey_record_many_for_api(request, steps: Sequence[Step]) -> None:
    """``journey_record_for_api`` for several steps of one request (see ``journey_record_many``)."""
    session_id, customer_id = _api_shopper(request)
    if not session_id and customer_id is None:
        return
    journey_record_many(steps=steps, session_id=session_id, customer_id=customer_id)


def _api_shopper(request) -> tuple[str, int | None]:
    """The session digest (no session created) and customer id of an API request."""
    user = getattr(request, "user", None)
    session = getattr(request, "session", None)
    session_id = session_digest(session.session_key) if session is not None else ""
    customer_id = user.pk if user is not None and user.is_authenticated else None
    return session_id, customer_id
