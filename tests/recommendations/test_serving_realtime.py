"""Real time and the cache: what a shopper does shows in their next list; a warm list costs no
computation; a changed rule or model version is seen at once by every process."""

import pytest
from django.core.cache import caches

from commerce.audit.models import DomainEvent
from commerce.catalog.models import Product
from recommendations.services.serving import recommendations_generate
from recommendations.serving import cache
from recommendations.serving.serve import Context, recommendations_serve
from recommendations.serving.shopper import Shopper
from tests.factories import CustomerFactory
from tests.orders.factories import filled_cart, stocked_product
from tests.recommendations.serving_factories import pairs_rebuilt, shopper_of, view

pytestmark = pytest.mark.django_db


def ids(served):
    return [p.pk for p in served.products]


def test_a_product_view_shows_in_the_next_list_at_once():
    a, b = stocked_product(), stocked_product()
    customer = CustomerFactory()
    first = recommendations_serve(placement="home_recently_viewed", shopper=shopper_of(customer))
    assert first.products == []
    view(a, customer=customer)  # the journey's signal bumps the customer's version
    assert ids(recommendations_serve(placement="home_recently_viewed", shopper=shopper_of(customer))) == [a.pk]
    view(b, customer=customer)
    assert ids(recommendations_serve(placement="home_recently_viewed", shopper=shopper_of(customer))) == [b.pk, a.pk]


def test_an_add_to_cart_leaves_the_list_through_the_bus(django_capture_on_commit_callbacks):
    a, b, c = (stocked_product(quantity=50) for _ in range(3))
    pairs_rebuilt([a, b, c], times=2)
    customer = CustomerFactory()
    before = recommendations_serve(placement="product_bought_together", shopper=shopper_of(customer),
                                   context=Context(product_id=a.pk))
    assert ids(before) == [b.pk, c.pk]
    with django_capture_on_commit_callbacks(execute=True):
        filled_cart(customer, [(b, 1)])
    after = recommendations_serve(placement="product_bought_together", shopper=shopper_of(customer),
                                  context=Context(product_id=a.pk))
    assert ids(after) == [c.pk]
    generated = DomainEvent.objects.filter(event_type="recommendations.generated", customer_id=customer.pk)
    assert generated.count() == 1 and generated.get().payload["trigger"] == "orders.cart.item_added"


def test_generate_warms_the_customers_list_and_records_one_event():
    a, b = stocked_product(quantity=50), stocked_product(quantity=50)
    pairs_rebuilt([a, b], times=2)
    customer = CustomerFactory()
    view(a, customer=customer)
    product_ids = recommendations_generate(customer_id=customer.pk, trigger="orders.order.created")
    assert product_ids[0] == b.pk
    served = recommendations_serve(placement="home_for_you", shopper=shopper_of(customer))
    assert served.source == "local" and ids(served) == product_ids
    assert DomainEvent.objects.filter(event_type="recommendations.generated").count() == 1


def test_the_two_levels_local_then_redis_then_computed(django_assert_num_queries):
    a = stocked_product()
    for _ in range(3):
        view(a, session_id="crowd")
    shopper = Shopper(session_id="me")
    assert recommendations_serve(placement="home_trending", shopper=shopper).source == "computed"
    with django_assert_num_queries(2):  # the products, the list's INSERT: nothing computed again
        warm = recommendations_serve(placement="home_trending", shopper=shopper)
    assert warm.source == "local"
    caches["local"].clear()  # another process: Redis has it, and it fills the local level again
    assert recommendations_serve(placement="home_trending", shopper=shopper).source == "shared"
    assert recommendations_serve(placement="home_trending", shopper=shopper).source == "local"
    cache.bump_global()  # a new model or rule: computed again everywhere
    assert recommendations_serve(placement="home_trending", shopper=shopper).source == "computed"


def test_a_product_out_of_stock_leaves_a_cached_list_at_once():
    from tests.orders.factories import stock_drops

    a, b, c = (stocked_product(quantity=50) for _ in range(3))
    pairs_rebuilt([a, b, c], times=2)
    assert ids(recommendations_serve(placement="product_bought_together", shopper=Shopper(),
                                     context=Context(product_id=a.pk))) == [b.pk, c.pk]
    stock_drops(b, to=0)
    served = recommendations_serve(placement="product_bought_together", shopper=Shopper(), context=Context(product_id=a.pk))
    assert served.source == "local" and ids(served) == [c.pk]


def _record_timeouts(monkeypatch, alias):
    store, seen = caches[alias], {}
    original = store.set

    def spy(key, value, timeout=None, **kwargs):
        seen[key] = timeout
        return original(key, value, timeout, **kwargs)

    monkeypatch.setattr(store, "set", spy)
    return seen


def test_both_levels_keep_their_own_ttls_and_a_customers_behaviour_or_a_new_model_empties_both(
        monkeypatch, django_capture_on_commit_callbacks):
    a, b, c = (stocked_product(quantity=50) for _ in range(3))
    pairs_rebuilt([a, b, c], times=2)
    customer, neighbour = CustomerFactory(), CustomerFactory()
    for someone in (customer, neighbour):
        view(a, customer=someone)
    local, shared = _record_timeouts(monkeypatch, "local"), _record_timeouts(monkeypatch, "default")

    def serve(who):
        return recommendations_serve(placement="home_for_you", shopper=shopper_of(who))

    # computed once, then kept: 5 minutes in the process, 30 in Redis
    assert serve(customer).source == "computed" and serve(neighbour).source == "computed"
    lists = [key for key in local if key.startswith("rec:list:")]
    assert len(lists) == 2 and {local[k] for k in lists} == {300} and {shared[k] for k in lists} == {1800}
    assert {local[k] for k in local if k.startswith("rec:excl:")} == {300}
    assert serve(customer).source == "local"
    caches["local"].clear()  # another process
    assert serve(customer).source == "shared" and serve(neighbour).source == "shared"

    # the customer's behaviour (a view): their lists only, on both levels
    view(b, customer=customer)
    assert serve(customer).source == "computed" and b.pk not in ids(serve(customer))
    assert serve(neighbour).source == "local"
    caches["local"].clear()
    assert serve(neighbour).source == "shared"  # untouched in Redis too

    # an add to cart (through the bus after commit): the customer's list and exclusions are computed
    # again at once (GenerateRecommendations warms them), without the product now in the cart
    before = ids(serve(customer))
    with django_capture_on_commit_callbacks(execute=True):
        filled_cart(customer, [(Product.objects.get(pk=before[0]), 1)])
    after = serve(customer)
    assert after.source == "local" and before[0] not in ids(after)
    assert len([k for k in local if k.startswith(f"rec:excl:c{customer.pk}:")]) == 2

    # a new model activated (its stamp changes in the shared cache, as activation sets it after
    # commit): every list is computed again, in every process
    caches["default"].set("recommendations:active-model:for_you", 999, None)
    assert serve(neighbour).source == "computed" and serve(customer).source == "computed"
