"""Days a client chooses at the calendar's ends (0001-01-01, 9999-12-31) in the API's date filters.

Each is a valid date, so it reaches the code: the logistics KPIs went 29 days back from
0001-01-01 and a promotion's performance went to the day after 9999-12-31 (``OverflowError``, a
500). Every date filter answers them with figures or a 400, never a 500.
"""

import pytest
from rest_framework.test import APIClient

from tests.factories import UserFactory
from tests.promotions.factories import PromotionFactory

pytestmark = pytest.mark.django_db

FIRST, LAST = "0001-01-01", "9999-12-31"
URLS = [
    "/api/v1/logistics/kpis/delivery-performance/", "/api/v1/logistics/kpis/route-efficiency/",
    "/api/v1/logistics/kpis/capacity-utilization/", "/api/v1/logistics/kpis/delivery-time-analytics/",
    "/api/v1/logistics/kpis/customer-satisfaction/", "/api/v1/logistics/kpis/cost-analysis/",
    "/api/v1/promotions/{promotion}/performance/", "/api/v1/orders/statistics/", "/api/v1/orders/best-sellers/",
    "/api/v1/orders/average-order-value/", "/api/v1/orders/",
]
PERIODS = [{"date_to": FIRST}, {"date_from": FIRST}, {"date_to": LAST}, {"date_from": LAST},
           {"date_from": FIRST, "date_to": FIRST}, {"date_from": LAST, "date_to": LAST}, {"date_from": FIRST, "date_to": LAST}]


@pytest.mark.parametrize("url", URLS)
def test_date_filters_at_the_calendars_ends_are_answered_without_a_server_error(url):
    client = APIClient()
    client.force_authenticate(UserFactory(is_staff=True, is_superuser=True))
    url = url.format(promotion=PromotionFactory().pk)

    answers = {str(period): client.get(url, period).status_code for period in PERIODS}

    assert {period: status for period, status in answers.items() if status >= 500} == {}
    assert answers[str({"date_from": LAST, "date_to": LAST})] == 200
