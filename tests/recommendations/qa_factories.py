"""Set-up for the product questions and manufacturer content tests: people in each role, through the services."""

from orders.services.lifecycle import order_allocate, order_deliver, order_mark_ready, order_ship
from recommendations import services
from tests.factories import CustomerFactory, StaffFactory
from tests.orders.factories import customer_with_address, paid_order, stocked_product


def delivered_order(product, customer=None, address=None):
    """A paid order of one unit of ``product``, shipped and delivered: its customer is a verified buyer."""
    if customer is None:
        customer, address = customer_with_address()
    order = paid_order([(product, 1)], customer=customer, address=address)
    order_allocate(order=order)
    order_mark_ready(order=order)
    order_ship(order=order, carrier="DHL", tracking_number="TRACK-1")
    return order_deliver(order=order)


def verified_buyer(product):
    """A customer who received ``product``."""
    customer, address = customer_with_address()
    delivered_order(product, customer, address)
    return customer


def moderator(**kwargs):
    """A member of staff in Support (``accounts.moderate_reviews``)."""
    return StaffFactory(groups=["Support"], **kwargs)


def representative(product):
    """A user representing ``product``'s manufacturer."""
    user = CustomerFactory()
    services.representative_add(manufacturer_id=product.manufacturer_id, user_id=user.pk)
    return user


def product():
    return stocked_product(quantity=50, price="12.00")


def approved_question(product, *, text="Does it fit in a small kitchen?", author=None, by=None):
    question = services.question_ask(customer=author or CustomerFactory(), product_id=product.pk, text=text)
    return services.question_approve(question_id=question.pk, moderator=by or moderator())


def staff_answer(question, *, text="Yes, it is 30 cm wide.", by=None):
    return services.answer_create(question_id=question.pk, author=by or moderator(), text=text)
