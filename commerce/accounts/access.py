"""The access questions every app asks (the spec's AccessServiceClient), answered in one place.

Permissions are Django permissions named ``app_label.codename``; the project-wide ones live on
``accounts.Access`` (``accounts.place_orders``, ``accounts.view_all_orders``, ...). Groups are
created by a data migration; see the README for who can do what.
"""

from django.contrib.auth.models import Group
from django.db.models import Q, QuerySet

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


def can_view_stock_details(user) -> bool:
    """Batch numbers and exact stock counts are for staff who may see the stock
    (``catalog.view_stockbatch``); shoppers see "in stock", "only N left" or "out of stock". A shopper
    (not staff) is answered without reading their permissions: the product page asks for everyone."""
    return bool(user is not None and user.is_staff and has_permission(user, "catalog.view_stockbatch"))


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
    """The one rule for a customer's data (profile, addresses, orders, journey, figures).

    The customer themselves; staff holding ``view_customers`` who may see the customer's sales
    region (every region with ``view_all_orders``, their own with ``view_region_orders``);
    superusers. A customer with no region is visible only to all-region staff.
    """
    if user is None or not user.is_authenticated or not user.is_active:
        return False
    if user.pk == customer_id:
        return True
    return has_permission(user, "view_customers") and can_view_region(user, customer_region_id)


def customer_region_id(customer_id: int) -> tuple[bool, int | None]:
    """Whether the customer exists, and their sales region (None without one)."""
    from django.contrib.auth import get_user_model

    found = list(
        get_user_model().objects.filter(pk=customer_id).values_list("customer_profile__sales_region_id", flat=True)[:1]
    )
    return bool(found), (found[0] if found else None)


def scope_customer_rows(user, queryset: QuerySet, customer_path: str = "") -> QuerySet:
    """The rows of customer data ``user`` may see, by ``can_access_customer_data``'s rule.

    ``customer_path`` leads from the queryset's model to the customer (``"customer"`` for
    addresses, ``"user"`` for profiles, ``""`` for users themselves).
    """
    to_customer = f"{customer_path}__" if customer_path else ""
    if user is None or not user.is_authenticated or not user.is_active:
        return queryset.none()
    own = Q(**{f"{to_customer}pk": user.pk})
    if not has_permission(user, "view_customers"):
        return queryset.filter(own)
    if can_view_all_orders(user):
        return queryset
    regions = region_ids_of(user) if has_permission(user, "view_region_orders") else set()
    return queryset.filter(own | Q(**{f"{to_customer}customer_profile__sales_region__in": regions}))


def group(name: str) -> Group:
    return Group.objects.get(name=name)
