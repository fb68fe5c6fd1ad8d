"""The access questions every app asks (the spec's AccessServiceClient), answered in one place.

Permissions are Django permissions named ``app_label.codename``; the project-wide ones live on
``accounts.Access`` (``accounts.place_orders``, ``accounts.view_all_orders``, ...). Groups are
created by a data migration; see the README for who can do what.
"""

from django.contrib.auth.models import Group

CUSTOMERS = "Customers"
MERCHANDISERS = "Merchandisers"
DISPATCHERS = "Dispatchers"
SUPPORT = "Support"
SALES = "Sales"
GROUP_NAMES = (CUSTOMERS, MERCHANDISERS, DISPATCHERS, SUPPORT, SALES)


def _qualified(perm: str) -> str:
    return perm if "." in perm else f"accounts.{perm}"


def has_permission(user, perm: str) -> bool:
    """``perm`` is ``app_label.codename``; a bare codename means an ``accounts`` permission."""
    return bool(user is not None and user.is_active and user.has_perm(_qualified(perm)))


def effective_permissions(user) -> set[str]:
    if user is None or not user.is_active:
        return set()
    return set(user.get_all_permissions())


def groups_of(user) -> list[str]:
    if user is None or not user.is_authenticated:
        return []
    cached = getattr(user, "_commerce_group_names", None)
    if cached is None:
        cached = sorted(user.groups.values_list("name", flat=True))
        user._commerce_group_names = cached
    return cached


def in_group(user, group: str) -> bool:
    return group in groups_of(user)


def validate_group_access(user, group: str) -> bool:
    """The spec's validateGroupAccess: is the user a member of ``group`` (superusers always are)."""
    return bool(user is not None and user.is_active and (user.is_superuser or in_group(user, group)))


def region_ids_of(user) -> set[int]:
    """The sales regions a staff member may see (empty for everyone not in Sales)."""
    if user is None or not user.is_authenticated or not in_group(user, SALES):
        return set()
    return set(user.sales_regions.values_list("id", flat=True))


def can_view_all_orders(user) -> bool:
    return has_permission(user, "view_all_orders")


def can_view_region(user, region_id: int | None) -> bool:
    """Group-based regional access: Sales staff with ``view_region_orders`` see their regions."""
    if can_view_all_orders(user):
        return True
    if region_id is None or not has_permission(user, "view_region_orders"):
        return False
    return region_id in region_ids_of(user)


def can_access_customer_data(user, customer_id: int, customer_region_id: int | None = None) -> bool:
    """The spec's validateOrderAccess rule: own data, or all-access staff, or the region's Sales staff."""
    if user is None or not user.is_authenticated:
        return False
    if user.pk == customer_id:
        return True
    return can_view_region(user, customer_region_id)


def group(name: str) -> Group:
    return Group.objects.get(name=name)
