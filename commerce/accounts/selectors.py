from django.db.models import QuerySet

from commerce.accounts import access
from commerce.accounts.errors import AddressNotFound, CustomerNotFound
from commerce.accounts.models import Address, User


def address_list(*, customer: User) -> QuerySet[Address]:
    return Address.objects.filter(customer=customer)


def address_get(*, customer: User, address_id: int) -> Address:
    """A customer's own address; anyone else's is simply not found."""
    address = Address.objects.filter(customer=customer, pk=address_id).first()
    if address is None:
        raise AddressNotFound("No such address.")
    return address


def default_address(*, customer: User) -> Address | None:
    return Address.objects.filter(customer=customer, is_default=True).first()


def user_get_for(*, viewer: User, user_id: int) -> User:
    """A user account ``viewer`` may see (``access.scope_customer_rows``); any other is not found."""
    user = access.scope_customer_rows(viewer, User.objects.filter(pk=user_id)).first()
    if user is None:
        raise CustomerNotFound("No such user.")
    return user
