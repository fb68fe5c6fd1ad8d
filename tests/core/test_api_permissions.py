"""has_access: one DRF permission class per access permission, asking commerce.accounts.access."""

import pytest
from rest_framework.test import APIRequestFactory

from commerce.api.permissions import has_access
from tests.factories import CustomerFactory, StaffFactory

pytestmark = pytest.mark.django_db


def test_has_access_grants_the_holders_of_the_permission_only():
    permission = has_access("accounts.manage_promotions", "You need the manage promotions permission.")()
    request = APIRequestFactory().get("/")

    request.user = StaffFactory(groups=["Merchandisers"])
    assert permission.has_permission(request, None)
    request.user = CustomerFactory()
    assert not permission.has_permission(request, None)
    assert permission.message == "You need the manage promotions permission."
    assert type(permission).__name__ == "HasManagePromotions"
