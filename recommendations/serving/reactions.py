"""Real time: what a shopper does reaches their recommendations within seconds.

- A journey step (a product view, an add to cart; customers and anonymous sessions alike) bumps
  the shopper's cache version at once (``journey_step_recorded``, connected to the journey's
  ``steps_recorded``): their next list is computed again from their history, with the new step.
- A cart change or an order (domain events, through the bus after commit, in Celery) bumps the
  version too and, for a customer, computes their "for you" list again at once
  (``recommendations_generate``), so their next page finds it warm.
"""

from __future__ import annotations

from commerce.audit.journey import JourneyAction
from recommendations.services.serving import recommendations_generate
from recommendations.serving import cache

#: the journey's actions that change what a shopper is recommended
TRIGGERS = frozenset({JourneyAction.PRODUCT_VIEW, JourneyAction.ADD_TO_CART, JourneyAction.REMOVE_FROM_CART,
                      JourneyAction.COMPLETE_ORDER})
#: the domain events whose reaction regenerates the customer's list
EVENT_TYPES = ("orders.cart.item_added", "orders.cart.item_removed", "orders.cart.cleared", "orders.order.created")


def journey_step_recorded(sender, *, customer_id, session_id, steps, **kwargs) -> None:
    actions = {action for action, _product_id in steps}
    if actions & TRIGGERS:
        cache.bump_shopper(customer_id=customer_id, session_id=session_id, cart=bool(actions - {JourneyAction.PRODUCT_VIEW}))


def behaviour_changed(event) -> None:
    """The bus's handler (``event`` is the ``DomainEvent`` row)."""
    customer_id = event.customer_id
    cache.bump_shopper(customer_id=customer_id, session_id=event.session_id or "")
    if customer_id is not None:
        recommendations_generate(customer_id=customer_id, trigger=event.event_type)
