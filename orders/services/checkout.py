"""CreateOrderFromCart: the whole order with its reservations and events, or nothing.

Order of side effects: the cart row is locked, then stock (batch rows, in id order, inside the
inventory service), then coupons (inside the discount provider); the order is written; payment
is taken afterwards, by ``payments.order_pay``, so losing a race never needs a refund.
"""

from __future__ import annotations

import datetime
from decimal import Decimal

from django.conf import settings
from django.core.exceptions import ValidationError as DjangoValidationError
from django.core.validators import validate_email
from django.db import transaction
from django.db.models import OuterRef, Subquery
from django.utils import timezone

from commerce import telemetry
from commerce.accounts import access
from commerce.accounts.models import Address, CustomerProfile
from commerce.accounts.selectors import address_get
from commerce.audit.events import record
from commerce.catalog.inventory import stock_release_reference, stock_reserve_many
from commerce.locks import Kind, inserted, lock_get, lock_one
from orders import events, idempotency
from orders.discounts import discount_provider
from orders.errors import (
    AddressInvalid,
    AddressRequired,
    CartEmpty,
    CartNeedsReview,
    CartNotFound,
    CouponsNoLongerApply,
    GuestEmailInvalid,
    NotAllowedToOrder,
    OrderNotFound,
    PaymentDeclined,
    PaymentGatewayError,
    PaymentInProgress,
    PaymentMethodInvalid,
    PaymentPending,
    ShippingMethodInvalid,
)
from orders.gateways import CardDetails
from orders.guests import Guest, is_buyer
from orders.models import Cart, Order, OrderLine, Payment
from orders.pricing import LineInput, Pricing, price_lines
from orders.services.payments import order_pay, payment_outcome
from orders.shipping.selectors import shipping_option_for
from orders.shipping.services import cart_choose_shipping_method, shipping_method_offered


def _pricing_issues(pricing: Pricing) -> list[dict]:
    return [
        {"product_id": line.product_id, "code": line.product_code, "issues": line.issues,
         "unit_price": str(line.unit_price.amount),
         "seen_unit_price": str(line.seen_unit_price.amount) if line.seen_unit_price else None,
         "available": max(line.available, 0), "quantity": line.quantity}
        for line in pricing.lines
        if "unavailable" in line.issues or "price_changed" in line.issues
    ]


def _lock_open_cart(*, customer, guest: Guest | None = None, **filters) -> Cart | None:
    """The customer's open cart, locked, with the customer's sales region read in the same statement
    (``customer_region_id``; a subquery takes no lock). Found through ``open_for``: one row of a
    unique index, so the lock never reaches a cart the customer checked out before. A guest's: the
    open cart filed under their session's token (a guest has no sales region)."""
    if customer is None:
        open_guest = Cart.objects.filter(customer__isnull=True, session_key=guest.token, status=Cart.Status.OPEN)
        return lock_one(Kind.CART, open_guest.filter(**filters))
    region = CustomerProfile.objects.filter(user_id=OuterRef("customer_id")).values("sales_region_id")[:1]
    return lock_one(Kind.CART, Cart.objects.annotate(customer_region_id=Subquery(region)).filter(open_for=customer, **filters))


def guest_address_value(fields: dict | None) -> dict:
    """A guest's delivery address, checked as an address book entry is, as the order's snapshot."""
    if not fields:
        raise AddressRequired("Enter a delivery address.", fields={"address": ["Required."]})
    allowed = {"recipient", "street", "city", "state", "zip_code", "country", "latitude", "longitude"}
    unknown = set(fields) - allowed
    if unknown:
        raise AddressInvalid("The address is not valid.", fields={name: ["Unknown field."] for name in sorted(unknown)})
    address = Address(**{name: value for name, value in fields.items() if value is not None})
    try:
        address.full_clean(exclude=["customer", "default_for", "is_default", "label"])
    except DjangoValidationError as exc:
        raise AddressInvalid("The address is not valid.", fields=exc.message_dict) from exc
    return address.as_value()


def _check_guest(guest: Guest) -> None:
    if not settings.ORDERS_GUEST_CHECKOUT:
        raise NotAllowedToOrder("Log in or sign up to place an order.")
    try:
        validate_email(guest.email)
    except DjangoValidationError:
        raise GuestEmailInvalid("Enter a valid e-mail address.", fields={"email": ["Enter a valid e-mail address."]}) from None


def order_create_from_cart(
    *,
    customer=None,
    guest: Guest | None = None,
    cart: Cart | None = None,
    address_id: int | None = None,
    guest_address: dict | None = None,
    payment_method: str,
    expected_total: Decimal | None = None,
    shipping_method: str | None = None,
) -> Order:
    """Turn the customer's (or the guest's) open cart into a pending order holding reserved stock.

    A customer ships to an address of their book (``address_id``); a guest (``guest``: their e-mail
    address and session cart token, no account) to the address they typed (``guest_address``,
    checked as a book entry is). A guest's order belongs to no customer: it is priced as a guest's
    cart is (codes for customers refused, asking to log in or sign up) and its mails go to the
    guest's address.

    ``cart``: the cart the shopper is looking at; None takes the customer's open cart (found and
    locked in one statement; none at all is refused first, with ``cart_empty``).

    Refuses (and changes nothing) when: the customer may not place orders, the cart is empty or
    not theirs, a price changed or a product went off sale since the shopper saw it (or the
    client's ``expected_total`` differs from ours), the address is not theirs, the payment
    method is unknown, or stock is short (``insufficient_stock``).
    """
    with telemetry.command_span(
        "commerce.order.create",
        attributes={
            "order.customer_id": customer.pk if customer is not None else 0,
            "order.guest": guest is not None,
            "order.payment_method": payment_method,
            "order.shipping_method": "standard",
            "commerce.operation": "create_order",
        },
    ) as span, transaction.atomic():
        if (customer is None) == (guest is None):
            raise ValueError("order_create_from_cart needs a customer or a guest")
        if idempotency.resumed():  # this request ran before, and its worker died: did it place the order?
            _lock_open_cart(customer=customer, guest=guest)  # waits for a run still placing it (it holds this lock)
            earlier = idempotency.order_made_under_key(customer=customer, guest_email=guest.email if guest else "")
            if earlier is not None:
                return earlier
        locked = None
        if cart is None:  # no open cart at all is refused before anything else
            locked = _lock_open_cart(customer=customer, guest=guest)
            if locked is None:
                raise CartEmpty("Your cart is empty.")
        if guest is not None:
            _check_guest(guest)
        elif not access.has_permission(customer, "place_orders"):
            raise NotAllowedToOrder("This account may not place orders.")
        if payment_method not in Order.PaymentMethod.values or payment_method not in settings.ORDERS_PAYMENT_GATEWAYS:
            raise PaymentMethodInvalid(
                "Choose a payment method.", fields={"payment_method": [f"One of: {', '.join(Order.PaymentMethod.values)}."]}
            )
        if guest is not None:
            address, shipping_address = None, guest_address_value(guest_address)
        else:
            if not address_id:
                raise AddressRequired("Choose a shipping address.", fields={"address_id": ["Required."]})
            address = address_get(customer=customer, address_id=address_id)
            shipping_address = address.as_value()

        if locked is None:
            locked = _lock_open_cart(customer=customer, guest=guest, pk=cart.pk)
            if locked is None:
                raise CartNotFound("There is no open cart to check out.")
        cart = locked
        cart_lines = list(cart.lines.order_by("id"))
        if not cart_lines:
            raise CartEmpty("Your cart is empty.")
        span.set_attribute("order.cart_items", len(cart_lines))
        if shipping_method:  # the API's choice at checkout: the cart keeps it, as the page's choice
            method = shipping_method_offered(code=shipping_method, currency=cart.currency)
            if cart.shipping_method_id != method.pk:
                cart.shipping_method = method
                cart.save(update_fields=["shipping_method", "updated_at"])
        shipping = shipping_option_for(method_id=cart.shipping_method_id, currency=cart.currency)
        span.set_attribute("order.shipping_method", shipping.code if shipping else "")

        pricing = price_lines(
            [LineInput(line.product_id, line.quantity, line.seen_unit_price, line.pk) for line in cart_lines],
            currency=cart.currency, customer_id=cart.customer_id, coupon_codes=cart.coupon_codes, shipping_option=shipping,
        )
        issues = _pricing_issues(pricing)
        if issues:
            raise CartNeedsReview("Some items changed since you added them; please review your cart.", extra={"lines": issues})
        if expected_total is not None and Decimal(expected_total) != pricing.total.amount:
            raise CartNeedsReview(
                f"The total is {pricing.total}, not {expected_total}; please review your cart.",
                extra={"total": str(pricing.total.amount)},
            )
        rejected = [c for c in pricing.coupons if not c.accepted]
        if rejected:
            raise CouponsNoLongerApply(
                f"The code {rejected[0].code} can no longer be used: {rejected[0].message}",
                extra={"coupons": [c.__dict__ for c in rejected]},
            )

        now = timezone.now()
        order = Order.objects.create(
            customer=customer,
            guest_email=guest.email if guest is not None else "",
            status=Order.Status.PENDING,
            payment_method=payment_method,
            payment_status=Order.PaymentStatus.UNPAID,
            currency=pricing.currency,
            subtotal_amount=pricing.subtotal.amount,
            discount_amount=pricing.discount_total.amount,
            shipping_amount=pricing.shipping.amount,  # before its discount, which discount_amount holds
            shipping_discount_amount=pricing.shipping_discount.amount,
            total_amount=pricing.total.amount,
            shipping_address=shipping_address,
            address=address,
            region_id=getattr(cart, "customer_region_id", None),
            applied_promotions=[d.as_dict() for d in pricing.discounts],
            coupon_codes=list(cart.coupon_codes),
            hold_until=now + datetime.timedelta(minutes=settings.ORDERS_UNPAID_HOLD_MINUTES),
            shipping_method_code=shipping.code if shipping else "",
            shipping_method_name=shipping.name if shipping else "",
            delivery_earliest=shipping.window.earliest if shipping else None,
            delivery_latest=shipping.window.latest if shipping else None,
        )
        inserted(Kind.ORDER, [order.pk])  # a new row: held by this transaction, as if locked
        lines = OrderLine.objects.bulk_create(
            [
                OrderLine(
                    order=order,
                    product_id=line.product_id,
                    product_code=line.product_code,
                    product_name=line.product_name,
                    quantity=line.quantity,
                    unit_price_amount=line.unit_price.amount,
                    discount_amount=line.discount.amount,
                    line_total_amount=line.total.amount,
                )
                for line in pricing.lines
            ]
        )
        # Stock: every line or none, batches locked in id order (raises insufficient_stock).
        stock_reserve_many(lines=[(line.product, line.quantity) for line in pricing.lines], reference=order.reference)
        # Coupons and usage limits: locked and counted by the promotions hook, in this transaction.
        discount_provider().order_placed(
            order_id=order.pk, customer_id=order.customer_id, discounts=pricing.discounts, coupon_codes=list(cart.coupon_codes)
        )
        cart.status, cart.open_for = Cart.Status.CHECKED_OUT, None
        cart.save(update_fields=["status", "open_for", "updated_at"])
        idempotency.link_order(order)
        record(
            events.OrderCreated(
                order_id=order.pk,
                order_number=order.number,
                customer_id=order.customer_id,
                total_amount=str(order.total_amount),
                currency=order.currency,
                subtotal_amount=str(order.subtotal_amount),
                discount_amount=str(order.discount_amount),
                shipping_amount=str(order.shipping_amount),
                shipping_discount_amount=str(order.shipping_discount_amount),
                payment_method=payment_method,
                region_id=order.region_id,
                shipping_address=order.shipping_address,
                applied_promotions=order.applied_promotions,
                placed_at=order.placed_at.isoformat(),
                shipping_method=order.shipping_method_code,
                delivery_promise={"earliest": order.delivery_earliest.isoformat(), "latest": order.delivery_latest.isoformat()}
                if shipping else None,
                items=[
                    {
                        "line_id": ol.pk,
                        "product_id": pl.product_id,
                        "product_code": pl.product_code,
                        "product_name": pl.product_name,
                        "category_id": pl.category_id,
                        "quantity": pl.quantity,
                        "unit_price": str(pl.unit_price.amount),
                        "discount": str(pl.discount.amount),
                        "line_total": str(pl.total.amount),
                    }
                    for ol, pl in zip(lines, pricing.lines, strict=True)
                ],
            )
        )
        span.set_attribute("order.id", order.pk)
        span.set_attribute("order.total_amount", str(order.total_amount))
        return order


def checkout_place_and_pay(
    *,
    customer=None,
    guest: Guest | None = None,
    cart: Cart | None = None,
    address_id: int | None = None,
    guest_address: dict | None = None,
    payment_method: str,
    expected_total: Decimal | None = None,
    idempotency_key: str | None = None,
    card: CardDetails | None = None,
    shipping_method: str | None = None,
) -> Order:
    """Checkout: place the order from the cart, then pay it (card) or confirm it (cash on delivery).

    The one checkout policy; the page and the API only present its outcome:

    - paid (or confirmed for cash on delivery): the order;
    - the card is declined, or the payment service fails before charging: nothing was taken, so
      the attempt is voided (``order_void_failed_checkout``): its stock and coupon uses are given
      back, its items and codes put back in the shopper's cart, and it is no order of the
      shopper's history (staff see it, with its declined payment). The error is raised with
      ``extra`` naming the attempt (``order_number``) and the codes that no longer apply
      (``lost_coupons``); the shopper tries another card or cash on delivery;
    - the payment service's answer is lost (money may have moved): the order stays pending and
      is settled by the webhook or the settlement task; ``PaymentGatewayError`` ``payment_pending``
      is raised with ``extra.order_number``.

    Paying an existing pending order again (``payments.order_pay``) is not checkout: a decline
    there leaves the order payable until its hold runs out.
    """
    order = order_create_from_cart(customer=customer, guest=guest, cart=cart, address_id=address_id,
                                   guest_address=guest_address, payment_method=payment_method, expected_total=expected_total,
                                   shipping_method=shipping_method)
    if order.status == Order.Status.VOIDED:
        # A repeat of a checkout whose worker died after its payment was refused and the attempt
        # voided: the same refusal again, nothing charged or voided twice.
        try:
            payment_outcome(order.payments.order_by("-id").first())
        except (PaymentDeclined, PaymentGatewayError) as error:
            error.extra = {**error.extra, "order_number": order.number, "lost_coupons": []}
            raise
    try:
        order_pay(order=order, customer=customer, guest=guest, idempotency_key=idempotency_key, card=card)
    except (PaymentDeclined, PaymentGatewayError) as error:
        error.extra = {**error.extra, "order_number": order.number}
        if isinstance(error, PaymentPending):
            raise
        reason = "payment failed" if isinstance(error, PaymentGatewayError) else "payment declined"
        error.extra["lost_coupons"] = order_void_failed_checkout(order=order, customer=customer, guest=guest, reason=reason)
        raise
    order.refresh_from_db()
    return order


def order_void_failed_checkout(*, order: Order | int, customer=None, guest: Guest | None = None, reason: str) -> list[str]:
    """Void a checkout whose payment was declined or failed with nothing charged, in one
    transaction: the stock it held is released, the coupon uses and promotion usage given back,
    its items put back in the customer's open cart with the codes that still apply. Returns the
    codes that no longer apply, and its shipping method while the shop still offers it (the shopper
    chose it and saw its price). Refused while a payment is in flight or after money was taken."""
    from orders.errors import CouponRejected
    from orders.services.cart import cart_apply_coupon, cart_get_or_create, order_reorder
    from orders.services.lifecycle import check_transition, lock_order

    with telemetry.command_span("commerce.order.void"), transaction.atomic():
        # The cart the items go back to, before the order: the lock order (cart, then order).
        owner = {"customer": customer} if customer is not None else {"session_key": guest.token}
        lock_get(Kind.CART, Cart.objects.filter(pk=cart_get_or_create(**owner).pk))
        order = lock_order(order)
        if not is_buyer(order, customer=customer, guest=guest):
            raise OrderNotFound("No such order.")
        target = check_transition(order, "void")
        if order.paid_amount or order.payments.exclude(status__in=[Payment.Status.DECLINED, Payment.Status.FAILED]).exists():
            raise PaymentInProgress("A payment of this order is in flight or was taken; it cannot be voided.")
        stock_release_reference(reference=order.reference)
        discount_provider().order_cancelled(order_id=order.pk)
        order.status, order.cancel_reason, order.hold_until = target, reason[:200], None
        order.save(update_fields=["status", "cancel_reason", "hold_until", "updated_at"])
        cart, _ = order_reorder(order=order, customer=customer, guest=guest)
        lost = []
        for code in order.coupon_codes:
            try:
                cart_apply_coupon(cart=cart, code=code)
            except CouponRejected:
                lost.append(code)
        if order.shipping_method_code:
            try:
                cart_choose_shipping_method(cart=cart, code=order.shipping_method_code)
            except ShippingMethodInvalid:  # withdrawn meanwhile: the cart is priced with the default again
                pass
        record(events.OrderVoided(order_id=order.pk, order_number=order.number, customer_id=order.customer_id,
                                  reason=order.cancel_reason, lost_coupons=lost))
    return lost
