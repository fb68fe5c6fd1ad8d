"""Cart commands: create, add, remove, change quantity, set all lines at once, coupons, clear, merge on log-in."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field

from django.db import IntegrityError, transaction
from django.utils import timezone

from commerce import telemetry
from commerce.audit.events import record, record_many
from commerce.catalog.errors import InsufficientStock, ProductInactive, ProductNotFound
from commerce.catalog.inventory import MAX_QUANTITY, available_quantities, validate_quantity
from commerce.catalog.models import Product
from commerce.coupon_codes import normalise_coupon_code
from commerce.locks import Kind, lock, lock_get
from commerce.money import default_currency
from orders import events
from orders.discounts import discount_provider
from orders.errors import (
    CartLineNotFound,
    CouponCodeInvalid,
    DuplicateCartProduct,
    TooManyCartLines,
    TooManyCoupons,
    coupon_refusal,
)
from orders.models import Cart, CartLine
from orders.pricing import LineInput, price_lines

MAX_COUPONS = 5
MAX_CART_LINES = 200  # lines one cart_set_lines request may hold


def _owner_kwargs(cart: Cart) -> dict:
    return {"cart_id": cart.pk, "customer_id": cart.customer_id, "session_id": cart.session_key}


@telemetry.traced("commerce.cart.create")
def cart_get_or_create(*, customer=None, session_key: str = "") -> Cart:
    """The open cart of a customer (persistent) or of an anonymous session."""
    if customer is None and not session_key:
        raise ValueError("A cart belongs to a customer or a session")
    # No transaction of its own: finding the cart is one read of a unique index, creating it one
    # INSERT. ``open_for`` is unique: of concurrent first requests one INSERT wins, the others
    # fail (after waiting for the winner's transaction to end) and read the winner's cart.
    if customer is not None:
        cart = Cart.objects.filter(open_for=customer).first()
        if cart is None:
            try:
                with transaction.atomic():  # a savepoint: losing the race below must not break a caller's transaction
                    cart = Cart.objects.create(customer=customer, open_for=customer, currency=default_currency())
            except IntegrityError:  # a concurrent request created the one open cart first
                cart = Cart.objects.get(open_for=customer)
        return cart
    cart = Cart.objects.filter(customer__isnull=True, session_key=session_key, status=Cart.Status.OPEN).first()
    if cart is None:
        cart = Cart.objects.create(session_key=session_key, currency=default_currency())
    return cart


def _lock(cart: Cart) -> Cart:
    return lock_get(Kind.CART, Cart.objects.filter(pk=cart.pk))


def _lock_and_touch(cart: Cart) -> None:
    """Lock the cart row for the rest of the transaction by stamping ``updated_at``: the UPDATE takes
    the same row lock as ``SELECT ... FOR UPDATE``, so one statement does both."""
    if not Cart.objects.filter(pk=cart.pk).update(updated_at=timezone.now()):
        raise Cart.DoesNotExist("Cart matching query does not exist.")


_PRODUCT_FIELDS = ("id", "name", "is_active", "price_amount")


def _sellable_product(product_id: int) -> Product:
    product = Product.objects.filter(pk=product_id).only(*_PRODUCT_FIELDS).first()
    if product is None:
        raise ProductNotFound("No such product.", extra={"product_id": product_id})
    if not product.is_active:
        raise ProductInactive(f"{product.name} is not for sale.", extra={"product_id": product_id})
    return product


@dataclass(frozen=True)
class CartLineChange:
    """What adding to a line or setting its quantity did: the line, the quantity asked for (the
    line's whole quantity), and whether it was capped at what is available."""

    line: CartLine
    requested: int

    @property
    def capped(self) -> bool:
        return self.line.quantity < self.requested


def _capped_quantity(product: Product, wanted: int) -> int:
    """``wanted``, or the units available when fewer; none available is refused, nothing changes.

    Stock is not held by a cart (checkout reserves it), so this is what is there now: a line can
    still come short later, and is then flagged on the cart (``issues``) until it is changed.
    """
    available = available_quantities([product.pk])[product.pk]
    if available <= 0:
        raise InsufficientStock(f"{product.name} is out of stock.", extra={"product_id": product.pk, "available": 0})
    return min(wanted, available)


def cart_add_item(*, cart: Cart, product_id: int, quantity: int) -> CartLineChange:
    """Add units of a product; adding a product already in the cart adds to its line. The line is
    capped at the units available (``CartLineChange.capped`` says so); an out-of-stock product is
    refused (``insufficient_stock``)."""
    validate_quantity(quantity)
    with telemetry.command_span("commerce.cart.add_item", attributes={"cart.id": cart.pk, "product.id": product_id}), transaction.atomic():
        _lock_and_touch(cart)
        product = _sellable_product(product_id)
        line = CartLine.objects.filter(cart=cart, product=product).first()
        wanted = quantity + (line.quantity if line else 0)
        validate_quantity(wanted)
        allowed = _capped_quantity(product, wanted)
        added = allowed - (line.quantity if line else 0)
        if line is None:
            line = CartLine.objects.create(cart=cart, product=product, quantity=allowed, seen_unit_price=product.price_amount)
        elif added > 0:
            line.quantity = allowed
            line.seen_unit_price = product.price_amount
            line.save(update_fields=["quantity", "seen_unit_price"])
        if added > 0:
            record(events.CartItemAdded(**_owner_kwargs(cart), product_id=product.pk, quantity=added))
        return CartLineChange(line=line, requested=wanted)


@dataclass(frozen=True)
class CartLinesSet:
    """What ``cart_set_lines`` changed: (product id, quantity) pairs added and changed, product ids removed."""

    cart: Cart
    added: list[tuple[int, int]] = field(default_factory=list)
    changed: list[tuple[int, int]] = field(default_factory=list)
    removed: list[int] = field(default_factory=list)


def _wanted_lines(lines: Sequence[tuple[int, int]]) -> dict[int, int]:
    """The requested lines checked as ``cart_add_item`` checks one, before anything is read or locked."""
    if len(lines) > MAX_CART_LINES:
        raise TooManyCartLines(f"At most {MAX_CART_LINES} lines per cart.",
                               fields={"lines": [f"At most {MAX_CART_LINES} lines."]})
    wanted: dict[int, int] = {}
    for index, (product_id, quantity) in enumerate(lines):
        validate_quantity(quantity, field=f"lines[{index}].quantity")
        if product_id in wanted:
            raise DuplicateCartProduct("Each product may appear once; give its whole quantity on one line.",
                                       fields={f"lines[{index}].product_id": ["Already listed."]},
                                       extra={"product_id": product_id})
        wanted[product_id] = quantity
    return wanted


def cart_set_lines(*, cart: Cart, lines: Sequence[tuple[int, int]]) -> CartLinesSet:
    """Replace the cart's lines with ``lines`` ((product id, quantity) pairs), all or nothing.

    Each line is checked as ``cart_add_item`` checks one (whole quantity 1 to 10000, a product
    that exists and is for sale), each product once, at most ``MAX_CART_LINES`` lines; an empty
    list empties the lines. Lines not listed are removed; coupons stay. A new line takes today's
    price as the price the shopper saw, as adding does; a kept line keeps the price it was seen at,
    as a quantity change does, so a price change since is still flagged, never silently accepted.
    The cart's stream gets the events the one-line commands would record (item_added,
    quantity_changed, item_removed), in one insert; an unchanged line records nothing.
    """
    wanted = _wanted_lines(lines)
    with telemetry.command_span("commerce.cart.set_lines", attributes={"cart.id": cart.pk, "cart.lines": len(wanted)}), \
            transaction.atomic():
        _lock_and_touch(cart)
        products = Product.objects.only(*_PRODUCT_FIELDS).in_bulk(list(wanted))
        for index, product_id in enumerate(wanted):
            product = products.get(product_id)
            if product is None:
                raise ProductNotFound("No such product.", extra={"product_id": product_id},
                                      fields={f"lines[{index}].product_id": ["No such product."]})
            if not product.is_active:
                raise ProductInactive(f"{product.name} is not for sale.", extra={"product_id": product_id},
                                      fields={f"lines[{index}].product_id": ["Not for sale."]})
        existing = {line.product_id: line for line in CartLine.objects.filter(cart=cart)}
        result = CartLinesSet(cart=cart)
        new_lines, changed_lines = [], []
        for product_id, quantity in wanted.items():
            line = existing.get(product_id)
            if line is None:
                new_lines.append(CartLine(cart=cart, product_id=product_id, quantity=quantity,
                                          seen_unit_price=products[product_id].price_amount))
                result.added.append((product_id, quantity))
            elif line.quantity != quantity:
                line.quantity = quantity
                changed_lines.append(line)
                result.changed.append((product_id, quantity))
        result.removed.extend(product_id for product_id in existing if product_id not in wanted)
        if result.removed:
            CartLine.objects.filter(pk__in=[existing[product_id].pk for product_id in result.removed]).delete()
        if changed_lines:
            CartLine.objects.bulk_update(changed_lines, ["quantity"])
        if new_lines:
            CartLine.objects.bulk_create(new_lines)
        owner = _owner_kwargs(cart)
        record_many(
            [events.CartItemRemoved(**owner, product_id=product_id) for product_id in result.removed]
            + [events.CartItemQuantityChanged(**owner, product_id=p, quantity=q) for p, q in result.changed]
            + [events.CartItemAdded(**owner, product_id=p, quantity=q) for p, q in result.added]
        )
        return result


def _own_line(cart: Cart, line_id: int) -> CartLine:
    line = CartLine.objects.filter(cart=cart, pk=line_id).select_related("product").first()
    if line is None:
        raise CartLineNotFound("That item is not in your cart.")
    return line


@telemetry.traced("commerce.cart.update_quantity")
def cart_update_quantity(*, cart: Cart, line_id: int, quantity: int) -> CartLineChange:
    """Set a line's quantity, capped at the units available (``CartLineChange.capped``); a product
    now out of stock is refused (``insufficient_stock``) and the line stays as it was."""
    validate_quantity(quantity)
    with transaction.atomic():
        cart = _lock(cart)
        line = _own_line(cart, line_id)
        allowed = _capped_quantity(line.product, quantity)
        if allowed != line.quantity:
            line.quantity = allowed
            line.save(update_fields=["quantity"])
            record(events.CartItemQuantityChanged(**_owner_kwargs(cart), product_id=line.product_id, quantity=allowed))
        cart.save(update_fields=["updated_at"])
        return CartLineChange(line=line, requested=quantity)


@telemetry.traced("commerce.cart.remove_item")
def cart_remove_item(*, cart: Cart, line_id: int) -> None:
    with transaction.atomic():
        cart = _lock(cart)
        line = _own_line(cart, line_id)
        product_id = line.product_id
        line.delete()
        cart.save(update_fields=["updated_at"])
        record(events.CartItemRemoved(**_owner_kwargs(cart), product_id=product_id))


@telemetry.traced("commerce.cart.accept_changes")
def cart_accept_changes(*, cart: Cart) -> Cart:
    """The shopper has seen the new prices: they become the prices the cart shows and charges."""
    with transaction.atomic():
        cart = _lock(cart)
        for line in CartLine.objects.filter(cart=cart).select_related("product"):
            if line.seen_unit_price != line.product.price_amount:
                line.seen_unit_price = line.product.price_amount
                line.save(update_fields=["seen_unit_price"])
        return cart


@telemetry.traced("commerce.cart.apply_coupon")
def cart_apply_coupon(*, cart: Cart, code: str) -> Cart:
    """Check a code through the pricing hook; a code that does not apply is refused with its reason."""
    code = normalise_coupon_code(code)
    if not code or len(code) > 40:
        raise CouponCodeInvalid("Enter a valid coupon code.", fields={"code": ["Enter a valid coupon code."]})
    with transaction.atomic():
        cart = _lock(cart)
        if code in cart.coupon_codes:
            return cart
        if len(cart.coupon_codes) >= MAX_COUPONS:
            raise TooManyCoupons(f"At most {MAX_COUPONS} codes per cart.")
        pricing = price_lines(
            [LineInput(line.product_id, line.quantity) for line in cart.lines.all()],
            currency=cart.currency, customer_id=cart.customer_id, coupon_codes=[*cart.coupon_codes, code],
        )
        result = pricing.coupon_result(code) or discount_provider().check_coupon(code, None)
        if not result.accepted:
            message = result.message or "This code cannot be used."
            # what would make it apply, unless the message says it already ("... log in or sign up to use it.")
            said = not result.hint or result.hint.lower() in message.lower()
            shown = message if said else f"{message} {result.hint}."
            raise coupon_refusal(result.reason)(message, extra={"hint": result.hint} if result.hint else None,
                                                fields={"code": [shown]})
        cart.coupon_codes = [*cart.coupon_codes, code]
        cart.save(update_fields=["coupon_codes", "updated_at"])
        record(events.CartCouponApplied(**_owner_kwargs(cart), code=code))
        return cart


@telemetry.traced("commerce.cart.remove_coupon")
def cart_remove_coupon(*, cart: Cart, code: str) -> Cart:
    code = normalise_coupon_code(code)
    with transaction.atomic():
        cart = _lock(cart)
        if code in cart.coupon_codes:
            cart.coupon_codes = [c for c in cart.coupon_codes if c != code]
            cart.save(update_fields=["coupon_codes", "updated_at"])
            record(events.CartCouponRemoved(**_owner_kwargs(cart), code=code))
        return cart


@telemetry.traced("commerce.cart.clear")
def cart_clear(*, cart: Cart) -> Cart:
    with transaction.atomic():
        cart = _lock(cart)
        CartLine.objects.filter(cart=cart).delete()
        cart.coupon_codes = []
        cart.save(update_fields=["coupon_codes", "updated_at"])
        record(events.CartCleared(**_owner_kwargs(cart)))
        return cart


@telemetry.traced("commerce.cart.merge")
def cart_merge_session(*, customer, session_key: str) -> Cart | None:
    """On log-in, move the session's cart into the customer's cart ("session recovery").

    Quantities are summed and then capped by what is in stock (and the per-line maximum); every
    cap is recorded on the merge event so the cart page can tell the shopper.
    """
    if not session_key:
        return None
    with transaction.atomic():
        open_guest = Cart.objects.filter(customer__isnull=True, session_key=session_key, status=Cart.Status.OPEN)
        guest_id = open_guest.values_list("pk", flat=True).first()
        if guest_id is None:
            return None
        target_id = cart_get_or_create(customer=customer).pk
        # Both carts in one statement, in id order (the lock order), then the guest cart checked again
        # under its lock: a concurrent log-in of the same session may have merged it meanwhile.
        carts = {c.pk: c for c in lock(Kind.CART, Cart.objects.filter(pk__in=[guest_id, target_id]))}
        guest, target = carts[guest_id], carts[target_id]
        if guest.customer_id is not None or guest.status != Cart.Status.OPEN:
            return None
        guest_lines = list(guest.lines.all())
        if not guest_lines and not guest.coupon_codes:
            guest.status = Cart.Status.MERGED
            guest.save(update_fields=["status", "updated_at"])
            return target
        from commerce.catalog.inventory import available_quantities

        existing = {line.product_id: line for line in target.lines.all()}
        stock = available_quantities([line.product_id for line in guest_lines])
        adjusted = []
        for line in guest_lines:
            current = existing.get(line.product_id)
            wanted = line.quantity + (current.quantity if current else 0)
            # Respect stock, but never drop a line: an out-of-stock line stays, flagged in the summary.
            cap = min(MAX_QUANTITY, max(stock.get(line.product_id, 0), current.quantity if current else 0, 1))
            quantity = min(wanted, cap)
            if quantity != wanted:
                adjusted.append({"product_id": line.product_id, "wanted": wanted, "kept": quantity})
            if current:
                current.quantity = quantity
                current.save(update_fields=["quantity"])
            else:
                CartLine.objects.create(cart=target, product_id=line.product_id, quantity=quantity, seen_unit_price=line.seen_unit_price)
        target.coupon_codes = list(dict.fromkeys([*target.coupon_codes, *guest.coupon_codes]))[:MAX_COUPONS]
        target.save(update_fields=["coupon_codes", "updated_at"])
        guest.status = Cart.Status.MERGED
        guest.save(update_fields=["status", "updated_at"])
        record(events.CartMerged(**_owner_kwargs(target), from_cart_id=guest.pk, adjusted=adjusted))
        return target


@telemetry.traced("commerce.order.reorder")
def order_reorder(*, order, customer=None, guest=None) -> tuple[Cart, list[dict]]:
    """One-click reorder: put a past order's items back in the customer's cart at today's prices.

    Products no longer for sale or out of stock are skipped and listed, never silently dropped;
    a line capped at the units available is listed with how many were added.
    """
    from orders.errors import OrderNotFound
    from orders.guests import is_buyer

    if not is_buyer(order, customer=customer, guest=guest):
        raise OrderNotFound("No such order.")
    cart = cart_get_or_create(customer=customer) if customer is not None else cart_get_or_create(session_key=guest.token)
    skipped = []
    with transaction.atomic():
        for line in order.lines.select_related("product").order_by("id"):
            if not line.product.is_active:
                skipped.append({"product_id": line.product_id, "code": line.product_code, "reason": "no longer for sale"})
                continue
            existing = CartLine.objects.filter(cart=cart, product_id=line.product_id).first()
            quantity = min(line.quantity, MAX_QUANTITY - (existing.quantity if existing else 0))
            if quantity <= 0:
                skipped.append({"product_id": line.product_id, "code": line.product_code, "reason": "cart line is full"})
                continue
            try:
                change = cart_add_item(cart=cart, product_id=line.product_id, quantity=quantity)
            except InsufficientStock:
                skipped.append({"product_id": line.product_id, "code": line.product_code, "reason": "out of stock"})
                continue
            if change.capped:
                added = change.line.quantity - (existing.quantity if existing else 0)
                skipped.append({"product_id": line.product_id, "code": line.product_code,
                                "reason": f"only {added} of {quantity} available"})
    return cart, skipped
