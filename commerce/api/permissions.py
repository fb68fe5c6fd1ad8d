"""DRF permission classes built on ``commerce.accounts.access``, so every app asks the same way."""

from rest_framework.permissions import BasePermission

from commerce.accounts import access


def has_access(permission: str, message: str) -> type[BasePermission]:
    """A DRF permission class granting requests whose user holds ``permission`` (``accounts.manage_orders``).

    The refusal is a 403 ``permission_denied`` carrying ``message``; an anonymous user is refused
    by the ``IsAuthenticated`` listed before it (401).
    """

    def has_permission(self, request, view):
        return access.has_permission(request.user, permission)

    name = "Has" + "".join(part.title() for part in permission.split(".")[-1].split("_"))
    return type(name, (BasePermission,), {"message": message, "has_permission": has_permission, "__doc__": message})


class CanViewCustomer(BasePermission):
    """Customer data addressed by the URL's ``customer_id``: ``access.can_access_customer_data``.

    Sets ``view.customer_exists``, so a view may answer 404 for an unknown customer to staff who
    may see every region; everyone else is refused alike, with no hint whether the customer exists.
    """

    message = "You may only read your own data, or that of customers in the sales regions you look after."

    def has_permission(self, request, view):
        user, customer_id = request.user, view.kwargs["customer_id"]
        if not user.is_authenticated:
            return False
        if user.pk == customer_id:
            view.customer_exists = True
            return True
        exists, region_id = access.customer_region_id(customer_id)
        view.customer_exists = exists
        return access.can_access_customer_data(user, customer_id, region_id)
