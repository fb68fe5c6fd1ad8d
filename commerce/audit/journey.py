"""Shopper journey events (search, view, add to cart ... complete order), recorded cheaply.

One insert per action into the event store, on the shopper's session stream, with the customer
id when the shopper is logged in, so ``customer_journey`` can rebuild the path later.
"""

from collections.abc import Sequence
from dataclasses import dataclass

from django.db import models

from commerce import telemetry
from commerce.audit.store import append_row, append_rows
from commerce.context import session_digest


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


def journey_record(
    *,
    action: JourneyAction,
    session_id: str,
    customer_id: int | None = None,
    product_id: int | None = None,
    details: dict | None = None,
) -> None:
    details = details or {}
    with telemetry.command_span(
        "commerce.user_journey",
        attributes={
            "journey.customer_id": customer_id,
            "journey.action": str(action),
            "journey.product_id": product_id,
            "journey.session_id": session_id,
        },
    ):
        append_row(
            event_type=f"journey.{action}",
            stream_type="session" if session_id else "customer",
            stream_id=session_id or customer_id or "anonymous",
            payload=details,
            customer_id=customer_id,
            product_id=product_id,
            session_id=session_id,
        )


@dataclass(frozen=True)
class JourneyStep:
    """One step of ``journey_record_many``."""

    action: JourneyAction
    product_id: int | None = None
    details: dict | None = None


def journey_record_many(*, steps: Sequence[JourneyStep], session_id: str, customer_id: int | None = None) -> None:
    """Several steps of one shopper at once, in their order: the rows ``journey_record`` would write
    one by one, in one version query and one insert (a whole cart put at once, for instance)."""
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
        append_rows(
            [
                {
                    "event_type": f"journey.{step.action}",
                    "stream_type": "session" if session_id else "customer",
                    "stream_id": session_id or customer_id or "anonymous",
                    "payload": step.details or {},
                    "customer_id": customer_id,
                    "product_id": step.product_id,
                    "session_id": session_id,
                }
                for step in steps
            ]
        )


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


def journey_record_many_for_api(request, steps: Sequence[JourneyStep]) -> None:
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
