"""The shopper's order pages: cart, checkout, confirmation, order history and order detail.

Server-rendered and usable without JavaScript. Every POST checks a form, calls one service (or,
where a page's single action spans two aggregates, a short documented sequence of services) and
redirects on success (post/redirect/get). A refused command puts the service's message on the
form, or in a message on the page it belongs to, and changes nothing.

Anonymous shoppers get a session cart; customers a persistent one. The session cart merges into
the customer's cart on log-in (``orders.signals_auth``).
"""

from __future__ import annotations

import secrets
from dataclasses import dataclass

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.contrib.auth.views import redirect_to_login
from django.core.paginator import Paginator
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.decorators import method_decorator
from django.views import View
from django.views.decorators.http import require_POST

from commerce.accounts import access
from commerce.accounts.selectors import address_list
from commerce.audit.journey import JourneyAction, journey_record_for_request
from commerce.catalog import shelves
from commerce.catalog.errors import CatalogError
from commerce.catalog.inventory import LOW_STOCK_THRESHOLD
from commerce.catalog.selectors import product_queryset
from commerce.coupon_codes import SIGN_IN_HINT, normalise_coupon_code
from commerce.errors import Conflict, DomainError
from commerce.money import Money
from commerce.web import safe_next_url, within_hourly_limit
from orders import order_sections, selectors
from orders.carriers import tracking_url
from orders.errors import CouponRejected, IdempotencyConflict, OrderNotFound, OrdersError, PaymentDeclined, PaymentGatewayError
from orders.forms import GUEST_ADDRESS_FIELDS, AddToCartForm, CancelOrderForm, CartLineForm, CheckoutForm, CouponForm, PayForm
from orders.guests import Guest, normalise_email, order_link_token
from orders.idempotency import run_idempotent
from orders.models import Cart, Order, Payment
from orders.pricing import PricedLine, Pricing
from orders.services import cart as cart_services
from orders.services.checkout import checkout_place_and_pay
from orders.services.lifecycle import CUSTOMER_CANCELLABLE, order_cancel
from orders.services.payments import order_pay
from orders.shipping.selectors import shipping_options
from orders.shipping.views import shipping_choices
from orders.signals_auth import session_cart_key
from orders.timeline import timeline_entry

ORDERS_PER_PAGE = 10
#: run_idempotent scope of the checkout page (the REST API has its own scopes)
CHECKOUT_SCOPE = "web_checkout"
#: where a failed checkout goes back to, by the service's error code
BACK_TO_CART_CODES = {OrdersError.CART_CHANGED, OrdersError.COUPON_NOT_APPLICABLE, CatalogError.INSUFFICIENT_STOCK,
                      OrdersError.CART_EMPTY, OrdersError.CART_NOT_FOUND}

TOO_MANY_CHECKOUTS = "Too many checkout attempts from your connection. Nothing was ordered or charged; please try again in an hour."

#: the sandbox gateway's documented test cards, for the hint on card forms
TEST_CARDS = [
    ("4242 4242 4242 4242", "succeeds"),
    ("4000 0000 0000 0002", "declined"),
    ("4000 0000 0000 9995", "declined: insufficient funds"),
    ("4000 0000 0000 0119", "gateway error, nothing charged"),
]


# --- helpers -----------------------------------------------------------------------------------------

def _find_cart(request) -> Cart | None:
    """The shopper's open cart, if they have one (never creates one)."""
    if request.user.is_authenticated:
        return selectors.cart_find(customer=request.user)
    key = session_cart_key(request)
    return selectors.cart_find(session_key=key) if key else None


def _cart_for_update(request) -> Cart:
    """The shopper's open cart, created on first use (an anonymous shopper's session too)."""
    if request.user.is_authenticated:
        return cart_services.cart_get_or_create(customer=request.user)
    return cart_services.cart_get_or_create(session_key=session_cart_key(request, create=True))


def _new_key() -> str:
    return secrets.token_urlsafe(24)


def _first_error(form) -> str:
    """The form's first error as one sentence, for a message on the page the form came from."""
    for name, errors in form.errors.items():
        return f"Quantity: {errors[0]}" if name == "quantity" else errors[0]
    return "Please check your input."


def _own_order(request, number: str) -> Order:
    """An order the signed-in customer placed; anyone else's is a 404, as if it did not exist."""
    try:
        order = selectors.order_get(number=number, requester=request.user)
    except OrderNotFound:
        raise Http404("No such order.")
    if order.customer_id != request.user.pk:
        raise Http404("No such order.")
    return order


# --- cart ----------------------------------------------------------------------------------------------
@dataclass
class CartRow:
    """A priced cart line with its quantity form and what the shopper must be told about it."""

    line: PricedLine
    form: CartLineForm

    @property
    def out_of_stock(self) -> bool:
        return self.line.available <= 0

    @property
    def low_stock(self) -> bool:
        return 0 < self.line.available <= LOW_STOCK_THRESHOLD


def _line_form(line_id: int, data=None, **kwargs) -> CartLineForm:
    # One form per line on one page: ids must differ, the field name need not.
    return CartLineForm(data, auto_id=f"line{line_id}-%s", **kwargs)


def _cart_context(cart: Cart | None, *, line_errors: dict | None = None, coupon_form: CouponForm | None = None,
                  coupon_sign_in: bool = False) -> dict:
    options = shipping_options(currency=cart.currency) if cart is not None else []
    pricing: Pricing | None = selectors.cart_summary(cart=cart, shipping_options=options) if cart is not None else None
    line_errors = line_errors or {}
    rows = []
    for line in pricing.lines if pricing else []:
        bound = line_errors.get(line.line_id)
        rows.append(CartRow(line=line, form=bound or _line_form(line.line_id, initial={"quantity": line.quantity})))
    return {
        "cart": cart,
        "pricing": pricing,
        "rows": rows,
        "coupon_form": coupon_form or CouponForm(),
        "coupon_sign_in": coupon_sign_in,
        "coupons": [
            {"code": code, "result": pricing.coupon_result(code) if pricing else None} for code in (cart.coupon_codes if cart else [])
        ],
        "price_changes": any(row.line.price_changed for row in rows),
        "can_checkout": bool(rows) and not pricing.has_issues,
        "guest_checkout": settings.ORDERS_GUEST_CHECKOUT,
        "shipping_choices": shipping_choices(pricing, options),
    }


def _render_cart(request, cart: Cart | None, **kwargs):
    return render(request, "orders/cart.html", _cart_context(cart, **kwargs))


OFFERS_SEEN_KEY = "cart_offers_seen"


def _tell_lost_offers(request, pricing: Pricing | None, *, emptied: bool) -> None:
    """Say when an offer the shopper saw on the cart no longer applies (another gives more, a
    minimum is no longer reached, it ended), once: the session keeps the offers last shown. An
    emptied cart says nothing (every offer ends with its last item; "no item qualifies" is noise)."""
    applied = {d.key: d.name for d in pricing.discounts} if pricing else {}
    seen = request.session.get(OFFERS_SEEN_KEY) or {}
    if isinstance(seen, dict) and not emptied:
        why = {hint.key: hint.message for hint in pricing.explanations} if pricing else {}
        for key, name in seen.items():
            if key not in applied and isinstance(name, str):
                reason = why.get(key)
                text = f"{name} no longer applies" + (f": {reason[:1].lower()}{reason[1:]}" if reason else ".")
                messages.info(request, text if text.endswith(".") else f"{text}.")
    if seen != applied:
        request.session[OFFERS_SEEN_KEY] = applied


def cart_view(request):
    cart = _find_cart(request)
    context = _cart_context(cart)
    pricing = context["pricing"]
    _tell_lost_offers(request, pricing, emptied=not context["rows"])
    journey_record_for_request(
        request, JourneyAction.VIEW_CART,
        details={"lines": len(context["rows"]), "total": str(pricing.total.amount) if pricing else "0"},
    )
    # What goes with the cart (another app's shelves, through the catalog's port).
    context["shelves"] = shelves.shelves_for(shelves.CART, request=request,
                                             product_ids=[row.line.product_id for row in context["rows"]])
    return render(request, "orders/cart.html", context)


@require_POST
def cart_add(request):
    form = AddToCartForm(request.POST)
    back = safe_next_url(request) or reverse("orders:cart")
    if not form.is_valid():
        messages.error(request, f"Nothing was added to your cart. {_first_error(form)}")
        return redirect(back)
    product_id, quantity = form.cleaned_data["product_id"], form.cleaned_data["quantity"]
    try:
        change = cart_services.cart_add_item(cart=_cart_for_update(request), product_id=product_id, quantity=quantity)
    except DomainError as error:
        messages.error(request, f"Nothing was added to your cart. {error.message}")
        return redirect(back)
    line = change.line
    added = line.quantity - (change.requested - quantity)
    journey_record_for_request(request, JourneyAction.ADD_TO_CART, product_id=product_id, details={"quantity": added})
    if not change.capped:
        messages.success(request, f"Added {quantity} × {line.product.name} to your cart.")
    elif added > 0:
        messages.warning(request, f"Only {line.quantity} × {line.product.name} are available: your cart now holds "
                                  f"{line.quantity} (added {added}, not {quantity}).")
    else:
        messages.warning(request, f"Your cart already holds all {line.quantity} × {line.product.name} that are available; nothing was added.")
    return redirect(back)


@require_POST
def cart_update(request, line_id: int):
    cart = _find_cart(request)
    form = _line_form(line_id, request.POST)
    if cart is None:
        messages.error(request, "Your cart is empty.")
        return redirect("orders:cart")
    if form.is_valid() and form.cleaned_data["quantity"] == 0:  # 0 removes the line, as the remove button does
        return cart_remove(request, line_id)
    if form.is_valid():
        try:
            change = cart_services.cart_update_quantity(cart=cart, line_id=line_id, quantity=form.cleaned_data["quantity"])
        except DomainError as error:
            form.add_service_error(error)
        else:
            if change.capped:
                messages.warning(request, f"Only {change.line.quantity} × {change.line.product.name} are available: "
                                          f"the quantity is {change.line.quantity}, not {change.requested}.")
            else:
                messages.success(request, f"{change.line.product.name}: quantity {change.line.quantity}.")
            return redirect("orders:cart")
    if not selectors.cart_items(cart=cart).filter(pk=line_id).exists():
        messages.error(request, "That item is not in your cart.")
        return redirect("orders:cart")
    return _render_cart(request, cart, line_errors={line_id: form})


@require_POST
def cart_remove(request, line_id: int):
    cart = _find_cart(request)
    product_id = selectors.cart_items(cart=cart).filter(pk=line_id).values_list("product_id", flat=True).first() if cart else None
    if product_id is None:
        messages.error(request, "That item is not in your cart.")
        return redirect("orders:cart")
    cart_services.cart_remove_item(cart=cart, line_id=line_id)
    journey_record_for_request(request, JourneyAction.REMOVE_FROM_CART, product_id=product_id)
    messages.success(request, "The item was removed from your cart.")
    return redirect("orders:cart")


@require_POST
def cart_coupon_apply(request):
    cart = _find_cart(request)
    if cart is None or not selectors.cart_items(cart=cart).exists():
        messages.error(request, "Add something to your cart before entering a code.")
        return redirect("orders:cart")
    form = CouponForm(request.POST)
    sign_in = False
    if form.is_valid():
        code = form.cleaned_data["code"]
        try:
            cart_services.cart_apply_coupon(cart=cart, code=code)
        except CouponRejected as error:
            form.add_service_error(error)
            # a guest with a customers-only code: the page links to log-in and sign-up, back to this cart
            sign_in = not request.user.is_authenticated and (error.extra or {}).get("hint") == SIGN_IN_HINT
        journey_record_for_request(request, JourneyAction.APPLY_COUPON, details={"code": code, "accepted": not form.errors})
        if not form.errors:
            messages.success(request, f"The code {code} was applied.")
            return redirect("orders:cart")
    return _render_cart(request, cart, coupon_form=form, coupon_sign_in=sign_in)


@require_POST
def cart_coupon_remove(request):
    cart = _find_cart(request)
    code = (request.POST.get("code") or "")[:40]
    if cart is not None and normalise_coupon_code(code) in cart.coupon_codes:
        cart_services.cart_remove_coupon(cart=cart, code=code)
        messages.success(request, f"The code {normalise_coupon_code(code)} was removed.")
    return redirect("orders:cart")


@require_POST
def cart_accept_changes(request):
    cart = _find_cart(request)
    if cart is not None:
        cart_services.cart_accept_changes(cart=cart)
        messages.success(request, "Your cart now shows today's prices.")
    return redirect("orders:cart")


# --- checkout ------------------------------------------------------------------------------------------
def _error_body(error: DomainError) -> dict:
    return {"code": str(error.code), "detail": error.message, "fields": error.fields}


class CheckoutView(View):
    """Address book (a guest: e-mail and address), payment method, card, and the order review, submitted at once.

    A guest (no log-in, ``ORDERS_GUEST_CHECKOUT``) checks out with an e-mail address and an address
    typed in; their idempotency keys belong to their session's cart token, and the confirmation is
    their order's signed page (``orders.guest_views``), the same link their mails carry.

    Order of side effects (as the service layer wants): the order is created first, reserving
    its stock; payment is taken last. The whole submit runs under the ``idempotency_key`` minted
    when the page was rendered: posting the same form twice (double click, reload, back button)
    places one order and charges once; the repeat gets the first outcome.

    What a declined card, a payment-service error or a lost answer does is decided once, by
    ``checkout_place_and_pay`` (the API's checkout calls it too); this page only presents it: a
    declined or failed payment shows the checkout again with the error over the shopper's cart
    (the attempt is voided and is not in their history); a lost answer shows the confirmation
    page saying the payment is being confirmed.
    """

    template_name = "orders/checkout.html"

    def dispatch(self, request, *args, **kwargs):
        if not request.user.is_authenticated and not settings.ORDERS_GUEST_CHECKOUT:
            return redirect_to_login(request.get_full_path())
        if request.user.is_authenticated and not access.has_permission(request.user, "place_orders"):
            return render(request, "orders/checkout_not_allowed.html", status=403)
        return super().dispatch(request, *args, **kwargs)

    def _page(self, request, cart: Cart | None, *, form: CheckoutForm | None = None, payment_error: str = ""):
        options = shipping_options(currency=cart.currency) if cart is not None else []
        pricing = selectors.cart_summary(cart=cart, shipping_options=options) if cart is not None else None
        if pricing is None or not pricing.lines:
            messages.info(request, "Your cart is empty.")
            return redirect("orders:cart")
        if pricing.has_issues:
            messages.warning(request, "Some items in your cart changed; please review them before checking out.")
            return redirect("orders:cart")
        guest = not request.user.is_authenticated
        addresses = [] if guest else list(address_list(customer=request.user))
        fresh = {"idempotency_key": _new_key(), "expected_total": pricing.total.amount}
        if form is None:
            default = next((a for a in addresses if a.is_default), addresses[0] if addresses else None)
            form = CheckoutForm(addresses=addresses, guest=guest, initial={
                **fresh, "address": default.pk if default else None, "payment_method": Order.PaymentMethod.CARD,
            })
        elif form.is_bound:
            # Re-rendered: a new key for the next attempt, and the total the page now shows.
            form.data = form.data.copy()
            for name, value in fresh.items():
                form.data[name] = str(value)
            form.clear_card()
        else:
            form.initial.update(fresh)
        return render(
            request,
            self.template_name,
            {"form": form, "pricing": pricing, "addresses": addresses, "payment_error": payment_error,
             "test_cards": TEST_CARDS, "shipping_choices": shipping_choices(pricing, options)},
        )

    def _too_many(self, request, cart: Cart | None, form: CheckoutForm):
        """The checkout again with the limit's message over it (429), the card cleared; nothing placed or charged."""
        form.is_valid()
        form.add_error(None, TOO_MANY_CHECKOUTS)
        response = self._page(request, cart, form=form)
        if response.status_code == 200:
            response.status_code = 429
        return response

    def get(self, request):
        cart = _find_cart(request)
        response = self._page(request, cart)
        if response.status_code == 200:
            journey_record_for_request(request, JourneyAction.START_CHECKOUT, details={"cart_id": cart.pk})
        return response

    def post(self, request):
        # No open cart is not an error yet: a repeated submit finds the cart checked out by the
        # first one, and must get that first outcome (the idempotency record), not "empty cart".
        cart = _find_cart(request)
        is_guest = not request.user.is_authenticated
        addresses = [] if is_guest else list(address_list(customer=request.user))
        form = CheckoutForm(request.POST, addresses=addresses, guest=is_guest)
        # Per client address, before anything else: a submit may try a card (card testing).
        if not within_hourly_limit(request, "checkout", settings.ORDERS_CHECKOUTS_PER_HOUR):
            return self._too_many(request, cart, form)
        if not form.is_valid():
            return self._page(request, cart, form=form)
        data = form.cleaned_data
        key = data["idempotency_key"]
        card = form.card() if data["payment_method"] == Order.PaymentMethod.CARD else None
        customer = None if is_guest else request.user
        guest = None
        if is_guest:
            token = session_cart_key(request)
            if not token:  # never had a cart in this session
                messages.info(request, "Your cart is empty.")
                return redirect("orders:cart")
            guest = Guest(email=normalise_email(data["email"]), token=token)
        guest_address = form.guest_address() if is_guest else None

        def place() -> tuple[int, dict]:
            # No cart: the service takes the open cart, refusing with cart_empty when there is none;
            # a repeat of a request whose worker died gets the order that request placed.
            try:
                order = checkout_place_and_pay(customer=customer, guest=guest, cart=cart, address_id=data.get("address"),
                                               guest_address=guest_address, payment_method=data["payment_method"],
                                               expected_total=data["expected_total"], idempotency_key=key, card=card)
            except (PaymentDeclined, PaymentGatewayError) as error:
                if error.code == OrdersError.PAYMENT_PENDING:
                    return 202, {"order": error.extra["order_number"], "outcome": "payment_pending"}
                return 402, {**_error_body(error), "order": error.extra["order_number"],
                             "lost_coupons": error.extra.get("lost_coupons", [])}
            return 201, {"order": order.number, "outcome": "placed"}

        payload = {"address": data.get("address") or guest_address, "payment_method": data["payment_method"],
                   "expected_total": str(data["expected_total"]), **({"email": guest.email} if guest else {})}
        try:
            status, body, replayed = run_idempotent(user=customer, guest=guest.token if guest else None, scope=CHECKOUT_SCOPE,
                                                    key=key, payload=payload, run=place, error_body=_error_body)
        except IdempotencyConflict:
            return self._page(request, cart, form=form,
                              payment_error="This form was already sent with other choices. Please check and confirm again.")
        except Conflict as error:  # the same form is still being processed (a double click)
            if guest is not None:
                messages.info(request, f"{error.message} Your confirmation mail will follow in a moment.")
                return redirect("orders:cart")
            messages.info(request, f"{error.message} Your order will appear here in a moment.")
            return redirect("orders:order_list")

        if status in (201, 202):
            if not replayed:
                journey_record_for_request(request, JourneyAction.COMPLETE_ORDER, details={"order": body["order"]})
            if guest is not None:
                token = order_link_token(number=body["order"], email=guest.email)
                return redirect(reverse("orders:guest_order", kwargs={"token": token}) + "?placed=1")
            return redirect("orders:order_confirmation", number=body["order"])
        if status == 402:
            if body["code"] == OrdersError.PAYMENT_GATEWAY_ERROR:
                error = f"{body['detail']} Your cart is unchanged."
            else:
                error = f"Your card was not charged: {body['detail']} Your cart is unchanged; try another card or pay on delivery."
            if body.get("lost_coupons"):
                error += f" The code(s) {', '.join(body['lost_coupons'])} could not be applied again."
            # The cart was rebuilt: the page is the checkout again, with the choices but not the card.
            kept = ("payment_method", "exp_month", "exp_year", *(("email", *GUEST_ADDRESS_FIELDS) if guest else ("address",)))
            retry = CheckoutForm(addresses=addresses, guest=is_guest, initial={k: data[k] for k in kept})
            response = self._page(request, _find_cart(request), form=retry, payment_error=error)
            if response.status_code == 302:  # the rebuilt cart needs a look first: say why on the cart page
                messages.error(request, error)
            return response
        if body.get("code") in BACK_TO_CART_CODES:
            messages.error(request, body["detail"])
            return redirect("orders:cart")
        if body.get("code") == OrdersError.CANNOT_PLACE_ORDERS:
            return render(request, "orders/checkout_not_allowed.html", status=403)
        form.add_service_error(DomainError(body["detail"], fields=body.get("fields")))  # the stored answer's message and fields
        return self._page(request, cart, form=form)


# --- orders --------------------------------------------------------------------------------------------
@login_required
def order_confirmation(request, number: str):
    order = _own_order(request, number)
    return render(request, "orders/confirmation.html", {"order": order, "pending_payment": _payment_in_flight(order)})


@login_required
def order_list(request):
    paginator = Paginator(selectors.order_history(customer=request.user), ORDERS_PER_PAGE)
    page = paginator.get_page(request.GET.get("page"))
    rows = [
        {"summary": s, "status": Order.Status(s.status).label, "total": Money.of(s.total_amount, s.currency)}
        for s in page.object_list
    ]
    suggestions = selectors.reorder_suggestions(customer=request.user, limit=6)
    products = product_queryset(include_inactive=True).filter(pk__in=[s.product_id for s in suggestions]).in_bulk()
    buy_again = [{"suggestion": s, "product": products[s.product_id]} for s in suggestions if s.product_id in products]
    return render(
        request,
        "orders/order_list.html",
        {"page": page, "rows": rows, "page_range": paginator.get_elided_page_range(page.number, on_each_side=2, on_ends=1),
         "buy_again": buy_again, "low_stock_threshold": LOW_STOCK_THRESHOLD},
    )


def _payment_in_flight(order: Order) -> bool:
    """A card payment whose outcome the gateway has not told us yet (settled by webhook or task)."""
    return any(p.status == Payment.Status.PENDING for p in order.payments.all())


def _can_pay(order: Order) -> bool:
    return (
        order.status == Order.Status.PENDING
        and order.payment_method == Order.PaymentMethod.CARD
        and order.balance_due.is_positive()
        and not _payment_in_flight(order)
    )


def can_cancel(order: Order) -> bool:
    # Not while a payment is in flight: cancelling then could leave money taken for a cancelled order.
    return order.status in CUSTOMER_CANCELLABLE and not _payment_in_flight(order)


@login_required
def order_detail(request, number: str):
    try:
        order = selectors.order_get(number=number, requester=request.user)
    except OrderNotFound:
        raise Http404("No such order.")
    own = order.customer_id == request.user.pk
    return render(request, "orders/order_detail.html",
                  order_page_context(order, request=request, own=own, show_batches=access.can_view_stock_details(request.user)))


def order_page_context(order: Order, *, request, own: bool, show_batches: bool) -> dict:
    """What the order page shows; ``own``: the shopper's actions (pay, cancel, reorder) are offered."""
    lines = list(order.lines.all())
    for line in lines:
        line.best_before = sorted({a.expires_on for a in line.allocations.all() if a.expires_on})
    return {
            "order": order,
            "lines": lines,
            "has_allocations": any(line.allocations.all() for line in lines),
            # batch numbers are for staff; the customer sees the best-before dates of what they got
            "show_batches": show_batches,
            "totals": {
                "subtotal": order.money(order.subtotal_amount),
                "discount": order.money(order.discount_amount),
                "shipping": order.money(order.shipping_amount),  # before its discount, which the promotions list
                "shipping_discount": order.money(order.shipping_discount_amount),
                "total": order.total,
                "paid": order.money(order.paid_amount),
                "refunded": order.money(order.refunded_amount),
            },
            "timeline": [timeline_entry(event) for event in selectors.order_timeline(order=order)],
            "sections": order_sections.sections_for(request=request, order=order),
            "own": own,
            "can_cancel": own and can_cancel(order),
            "can_pay": own and _can_pay(order),
            "payment_pending": _payment_in_flight(order),
            "tracking_link": tracking_url(order.carrier, order.tracking_number) if order.tracking_number else "",
    }


@method_decorator(login_required, name="dispatch")
class OrderCancelView(View):
    template_name = "orders/order_cancel.html"

    @staticmethod
    def _refuse(request, order: Order):
        if _payment_in_flight(order):
            messages.error(request, "Your payment is still being confirmed; you can cancel once it is settled.")
        else:
            messages.error(request, f"Order {order.number} is already being prepared; contact support to cancel it.")
        return redirect(order)

    def get(self, request, number: str):
        order = _own_order(request, number)
        if not can_cancel(order):
            return self._refuse(request, order)
        return render(request, self.template_name, {"order": order, "form": CancelOrderForm()})

    def post(self, request, number: str):
        order = _own_order(request, number)
        if not can_cancel(order):
            return self._refuse(request, order)
        form = CancelOrderForm(request.POST)
        if not form.is_valid():
            return render(request, self.template_name, {"order": order, "form": form})
        try:
            order_cancel(order=order, reason=form.cleaned_data["reason"] or "cancelled by the customer", by_customer=request.user)
        except DomainError as error:
            messages.error(request, error.message)
            return redirect(order)
        refunded = " What you paid is being refunded to your card." if order.paid_amount else ""
        messages.success(request, f"Order {order.number} was cancelled.{refunded}")
        return redirect(order)


@login_required
@require_POST
def order_reorder(request, number: str):
    order = _own_order(request, number)
    try:
        _, skipped = cart_services.order_reorder(order=order, customer=request.user)
    except DomainError as error:
        messages.error(request, error.message)
        return redirect(order)
    left_out = [s for s in skipped if not s["reason"].startswith("only ")]
    fewer = [s for s in skipped if s["reason"].startswith("only ")]
    if len(order.lines.all()) > len(left_out):
        messages.success(request, f"The items of order {order.number} are in your cart, at today's prices.")
    if fewer:
        messages.warning(request, "Fewer than ordered: " + "; ".join(f"{s['code']} ({s['reason']})" for s in fewer) + ".")
    if left_out:
        listed = "; ".join(f"{s['code']} ({s['reason']})" for s in left_out)
        messages.warning(request, f"Not added: {listed}.")
    return redirect("orders:cart")


@method_decorator(login_required, name="dispatch")
class OrderPayView(View):
    """Pay a pending card order (again). A decline leaves the order pending and payable; the same
    form posted twice is one payment (the key travels to the payment row and the gateway)."""

    template_name = "orders/order_pay.html"

    def _page(self, request, order: Order, form: PayForm | None = None, error: str = "", expiry: dict | None = None):
        if form is None:
            form = PayForm(initial={"idempotency_key": _new_key(), **(expiry or {})})
        else:
            form.data = form.data.copy()
            form.data["idempotency_key"] = _new_key()
            form.clear_card()
        return render(request, self.template_name, {"order": order, "form": form, "payment_error": error, "test_cards": TEST_CARDS})

    @staticmethod
    def _nothing_to_pay(request, order: Order):
        messages.info(request, f"Order {order.number} has nothing to pay online.")
        return redirect(order)

    def get(self, request, number: str):
        order = _own_order(request, number)
        if not _can_pay(order):
            return self._nothing_to_pay(request, order)
        return self._page(request, order)

    def post(self, request, number: str):
        order = _own_order(request, number)
        if not _can_pay(order):  # paid meanwhile (or the same form posted again): never charge twice
            return self._nothing_to_pay(request, order)
        if not within_hourly_limit(request, "checkout", settings.ORDERS_CHECKOUTS_PER_HOUR):  # the checkout's count: cards tried
            response = self._page(request, order, error=TOO_MANY_CHECKOUTS)
            response.status_code = 429
            return response
        form = PayForm(request.POST)
        if not form.is_valid():
            return self._page(request, order, form)
        expiry = {name: form.cleaned_data[name] for name in ("exp_month", "exp_year")}
        try:
            order_pay(order=order, customer=request.user, idempotency_key=form.cleaned_data["idempotency_key"], card=form.card())
        except PaymentGatewayError as error:
            if error.code == OrdersError.PAYMENT_PENDING:
                messages.info(request, error.message)
                return redirect(order)
            return self._page(request, order, error=error.message, expiry=expiry)
        except DomainError as error:
            return self._page(request, order, error=f"Your card was not charged: {error.message}", expiry=expiry)
        return redirect("orders:order_confirmation", number=order.number)
