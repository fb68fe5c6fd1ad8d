"""Set-up for the product questions and manufacturer content tests: people in each role, through the services."""

from recommendations import services
from tests.factories import CustomerFactory
from tests.orders.factories import stocked_product
from tests.recommendations.factories import delivered_order, moderator, verified_buyer

__all__ = ["delivered_order", "moderator", "product", "representative", "verified_buyer"]  # the roles, in one place


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
