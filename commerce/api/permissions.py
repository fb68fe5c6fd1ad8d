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
