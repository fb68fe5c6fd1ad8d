"""A small shop for the API fuzz test: every kind of object an endpoint's path or body can name.

Built through the services (and the test factories for the rows a test is not about), once per
fuzz module, inside a transaction that is rolled back afterwards. ``World.values`` maps the names
the OpenAPI schema uses for path parameters and body fields (``product_id``, ``number``, ``code``
...) to the real values of this shop, so that generated requests hit real objects part of the time.
"""

from __future__ import annotations

import dataclasses
import datetime
from decimal import Decimal

from django.contrib.auth.models import Group
from django.utils import timezone
from rest_framework.authtoken.models import Token

from commerce.audit.models import DomainEvent
from commerce.catalog.stock_alerts import stock_alert_subscribe
from logistics import services as logistics_services
from logistics.services.planning import planning_run_request
from orders.guests import Guest
from orders.services import cart as cart_services
from orders.services.checkout import order_create_from_cart
from orders.services.lifecycle import order_allocate, order_cancel
from orders.shipping.services import shipping_method_save
from promotions import services as promotion_services
from promotions.models import Promotion
from recommendations import services as recommendation_services
from recommendations.models import Placement
from recommendations.services import experiments as experiment_services
from recommendations.services import review_moderation, reviews
from recommendations.services.serving import placement_rule_set
from recommendations.services.training import training_run_request
from recommendations.serving.bought_together import bought_together_rebuild
from recommendations.serving.serve import Context, recommendations_serve
from recommendations.serving.shopper import Shopper
from tests.catalog.factories import add_picture
from tests.factories import ProductFactory, StaffFactory, UserFactory, category
from tests.logistics.driver_factories import todays_route
from tests.logistics.factories import centre as logistics_centre
from tests.logistics.factories import driver as logistics_driver
from tests.logistics.factories import scheduled_deliveries, tomorrow
from tests.logistics.factories import vehicle as logistics_vehicle
from tests.orders.factories import customer_with_address, filled_cart, paid_order, placed_order, stocked_product
from tests.promotions.factories import CampaignFactory, CouponFactory, PromotionFactory, SegmentFactory
from tests.recommendations.factories import delivered_order, picture

ROLES = ("anonymous", "customer", "merchandiser", "superuser", "driver")


@dataclasses.dataclass
class World:
    tokens: dict[str, str]  # role -> DRF token key (anonymous has none)
    values: dict[str, list]  # schema parameter or field name -> real values
    streams: list[tuple[str, str]]  # (stream_type, stream_id) pairs of recorded events

    def headers(self, role: str) -> dict[str, str]:
        token = self.tokens.get(role)
        return {"Authorization": f"Token {token}"} if token else {}


def build_world() -> World:
    # catalog: a small tree, products in stock
    food = category(name="Food")
    dairy = category(name="Dairy", parent=food)
    products = [stocked_product(quantity=50, price=price, category=dairy if i % 2 else food)
                for i, price in enumerate(("2.50", "9.99", "14.00", "120.00"))]
    pictures = [add_picture(products[0], width=300, height=200, alt_text=f"View {n}") for n in (1, 2)]

    # people: the customer whose token is used, another customer, staff in a group, a superuser
    customer, address = customer_with_address(username="fuzz-customer")
    other, other_address = customer_with_address(username="fuzz-other")
    merchandiser = StaffFactory(username="fuzz-merchandiser")
    merchandiser.groups.add(Group.objects.get(name="Merchandisers"))
    superuser = UserFactory(username="fuzz-superuser", is_staff=True, is_superuser=True)

    # promotions: automatic and coupon-only, a campaign, a segment, a generated batch
    segment = SegmentFactory()
    promotion_services.segment_members_set(segment=segment, customers=[customer])
    campaign = CampaignFactory(budget_amount=Decimal("500.00"))
    PromotionFactory(name="Ten off", campaign=campaign)
    coupon = CouponFactory(code="FUZZ10", max_uses=None)
    PromotionFactory(name="Free shipping", free_shipping=True, requires_coupon=False)
    PromotionFactory(name="Draft", draft=True)
    batch = promotion_services.coupon_generate(promotion=coupon.promotion, quantity=3, prefix="FZ")

    # orders: the customer's in several states, and someone else's
    pending = placed_order([(products[0], 1)], customer=customer, address=address)
    paid = paid_order([(products[1], 2)], customer=customer, address=address)
    allocated = paid_order([(products[2], 1)], customer=customer, address=address)
    order_allocate(order=allocated)
    cancelled = placed_order([(products[0], 2)], customer=customer, address=address)
    order_cancel(order=cancelled, reason="changed my mind")
    cod = placed_order([(products[3], 1)], customer=customer, address=address, payment_method="cod")
    others = paid_order([(products[1], 1)], customer=other, address=other_address)

    # reviews: the customer's (pending, with a photo), others' approved (one with a reply), a banned word
    delivered_order(products[2], customer=other, address=other_address)
    mine = reviews.review_submit(customer=customer, product_id=products[0].pk, title="Mine", text="Good value.",
                                 ratings={"overall": 4, "quality": 4, "price": 5, "utility": 4, "delivery": 3})
    photo = reviews.review_photo_add(review_id=mine.pk, customer=customer, upload=picture())
    theirs = reviews.review_submit(customer=other, product_id=products[2].pk,
                                   ratings={"overall": 5, "quality": 5, "price": 4, "utility": 5, "delivery": 5})
    other_text = reviews.review_submit(customer=other, product_id=products[0].pk, title="Meh", text="Arrived late.",
                                       ratings={"overall": 2, "quality": 3, "price": 2, "utility": 3, "delivery": 1})
    review_moderation.review_approve(review_id=other_text.pk, moderator=superuser)
    review_moderation.review_reply(review_id=other_text.pk, staff=superuser, text="Sorry about the delay.")
    banned = review_moderation.banned_word_add(word="scam", staff=superuser)

    # the customer's open cart, with a code on it
    cart = filled_cart(customer, [(products[0], 2), (products[2], 1)])
    cart_services.cart_apply_coupon(cart=cart, code=coupon.code)

    # questions and answers, official content: a published question answered by the shop and the maker,
    # a pending one, a category, the maker's content on its page and on a product
    moderator = StaffFactory(username="fuzz-moderator", groups=[Group.objects.get(name="Support")])
    faq = recommendation_services.faq_category_save(moderator=moderator, name="Fuzz sizing")
    question = recommendation_services.question_ask(customer=customer, product_id=products[0].pk,
                                                     text="Does it keep well?", category_id=faq.pk)
    recommendation_services.question_approve(question_id=question.pk, moderator=moderator)
    pending_question = recommendation_services.question_ask(customer=other, product_id=products[0].pk, text="Is it spicy?")
    recommendation_services.representative_add(manufacturer_id=products[0].manufacturer_id, user_id=other.pk)
    answers = [recommendation_services.answer_create(question_id=question.pk, author=moderator, text="Yes, a week."),
               recommendation_services.answer_create(question_id=question.pk, author=other, text="Keep it cool.")]
    recommendation_services.answer_vote(answer_id=answers[0].pk, customer=customer, value="up")
    contents = [recommendation_services.official_content_create(manufacturer_id=products[0].manufacturer_id, title="Warranty",
                                                                body="Two years."),
                recommendation_services.official_content_create(manufacturer_id=products[0].manufacturer_id,
                                                                product_id=products[0].pk, title="Care", body="Keep dry.")]
    # recommendations: the pairs read model, a list served to the customer (its id for the tracking commands)
    bought_together_rebuild()
    served = recommendations_serve(placement="product_similar", shopper=Shopper(customer_id=customer.pk),
                                   context=Context(product_id=products[0].pk), impressed=False)
    ab_test = experiment_services.experiment_create(name="Fuzz test", placement="home_trending")
    experiment_services.experiment_variant_save(experiment_id=ab_test.pk, key="control", name="A", is_control=True)
    experiment_services.experiment_variant_save(experiment_id=ab_test.pk, key="b", name="B", size=3)
    # merchandising: a rule of a placement (its id for the removal); a queued training run
    rule = placement_rule_set(placement_id=Placement.objects.get(key="home_for_you").pk, product_id=products[1].pk,
                              kind="pin", position=2)
    training = training_run_request(purpose="for_you", trigger="test")
    # logistics: a centre and its zone, a van and a driver on shift, two deliveries of orders ready
    # to ship, one of them on an assigned route (the other free for a new route)
    depot = logistics_centre("fuzz-depot")
    on_route, free = scheduled_deliveries(2)
    van, courier = logistics_vehicle(depot), logistics_driver(depot, date=tomorrow())
    route = logistics_services.route_create(centre=depot, date=tomorrow(), delivery_ids=[on_route.pk])
    logistics_services.route_assign(route=route, driver=courier, vehicle=van)
    planning_run = planning_run_request(centre=depot, date=tomorrow(), time_limit=1)
    # the driver app: a route of today, under way, its driver the "driver" role
    today_route, today_courier = todays_route(count=2, code="fuzz-today", start=True)

    # shipping methods (the cart and checkout name them by code), and a guest's order; after the
    # logistics orders, which are planned tomorrow (an order with a promise is planned on its day)
    standard = shipping_method_save(code="standard", name="Standard", price_amount=Decimal("4.90"), currency="EUR",
                                    free_over_amount=Decimal("50.00"), is_default=True)
    express = shipping_method_save(code="express", name="Express", price_amount=Decimal("12.90"), currency="EUR",
                                   processing_days=0, transit_days_min=1, transit_days_max=1)
    guest_cart = cart_services.cart_get_or_create(session_key="fuzz-guest")
    cart_services.cart_add_item(cart=guest_cart, product_id=products[1].pk, quantity=1)
    guest_order = order_create_from_cart(guest=Guest(email="guest@example.com", token="fuzz-guest"), cart=guest_cart,
                                         guest_address={"recipient": "G", "street": "1 Rue", "zip_code": "69001", "city": "Lyon",
                                                        "country": "FR"}, payment_method="cod")

    # back-in-stock alerts on a product out of stock: the customer's own and the other customer's
    awaited = ProductFactory(name="Awaited", category=food)
    alerts = [stock_alert_subscribe(product_id=awaited.pk, email=who.email, customer=who) for who in (customer, other)]

    tokens = {role: Token.objects.create(user=user).key
              for role, user in (("customer", customer), ("merchandiser", merchandiser), ("superuser", superuser),
                                 ("driver", today_courier.user))}
    codes = [coupon.code, *batch.coupons.values_list("code", flat=True)]
    values = {
        "product_id": [*(p.pk for p in products), awaited.pk],
        "alert_id": [alert.pk for alert in alerts],
        "image_id": [picture.pk for picture in pictures],
        "image_ids": [picture.pk for picture in pictures],
        "line_id": list(cart.lines.values_list("pk", flat=True)),
        "address_id": [address.pk, other_address.pk],
        "customer_id": [customer.pk, other.pk],
        "number": [o.number for o in (pending, paid, allocated, cancelled, cod, others, guest_order)],
        "shipping_method": [standard.code, express.code],
        "promotion_id": list(Promotion.objects.values_list("pk", flat=True)),
        "promotion_ids": list(Promotion.objects.values_list("pk", flat=True)),
        "campaign_id": [campaign.pk],
        "segment_id": [segment.pk],
        "batch_id": [batch.pk],
        "code": codes,
        "codes": codes,
        "category": [food.pk, dairy.pk],
        "manufacturer": [products[0].manufacturer_id],
        "review_id": [mine.pk, theirs.pk, other_text.pk],
        "photo_id": [photo.pk],
        "banned_word_id": [banned.pk],
        "valid_from": [(timezone.now() - datetime.timedelta(days=1)).isoformat()],
        "question_id": [question.pk, pending_question.pk],
        "answer_id": [a.pk for a in answers],
        "category_id": [faq.pk],
        "manufacturer_id": [products[0].manufacturer_id],
        "user_id": [other.pk, customer.pk],
        "content_id": [c.pk for c in contents],
        "route_id": [route.pk, today_route.pk],
        "stop_id": list(today_route.stops.values_list("pk", flat=True)),
        "run_id": [planning_run.pk, training.pk],
        "rule_id": [rule.pk],
        "key": ["home_for_you", "product_similar"],
        "delivery_id": [on_route.pk, free.pk],
        "delivery_ids": [free.pk],
        "driver_id": [courier.pk],
        "vehicle_id": [van.pk],
        "centre_id": [depot.pk],
        "centre": [depot.pk],
        "date": [tomorrow().isoformat()],
        "list_id": [str(served.list_id)],
        "list_ids": [str(served.list_id)],
        "experiment_id": [ab_test.pk],
        "placement": ["product_similar", "home_for_you"],
    }
    streams = list(DomainEvent.objects.values_list("stream_type", "stream_id").distinct()[:20])
    return World(tokens=tokens, values=values, streams=streams)
