"""Shipping commands: a shopper choosing how their cart is delivered; staff saving methods and holidays."""

from __future__ import annotations

from django.core.exceptions import ValidationError as DjangoValidationError
from django.db import transaction

from commerce import telemetry
from commerce.audit.events import record
from commerce.locks import Kind, lock_get
from orders import events
from orders.errors import ShippingMethodInvalid
from orders.models import Cart
from orders.shipping.models import ShippingHoliday, ShippingMethod


def shipping_method_offered(*, code: str, currency: str) -> ShippingMethod:
    """The active method ``code`` in ``currency``, or ``shipping_method_invalid``."""
    method = ShippingMethod.objects.filter(code=(code or "").strip()[:30], is_active=True, currency=currency).first()
    if method is None:
        raise ShippingMethodInvalid("Choose one of the shipping methods offered.",
                                    fields={"shipping_method": ["Not a shipping method the shop offers."]})
    return method


def cart_choose_shipping_method(*, cart: Cart, code: str) -> Cart:
    """The shopper's shipping method for this cart (its price is the cart's shipping from now on)."""
    with telemetry.command_span("commerce.cart.shipping_method"), transaction.atomic():
        cart = lock_get(Kind.CART, Cart.objects.filter(pk=cart.pk))
        method = shipping_method_offered(code=code, currency=cart.currency)
        if cart.shipping_method_id != method.pk:
            cart.shipping_method = method
            cart.save(update_fields=["shipping_method", "updated_at"])
            record(events.CartShippingMethodChosen(cart_id=cart.pk, customer_id=cart.customer_id, session_id=cart.session_key,
                                                   shipping_method=method.code))
        return cart


METHOD_FIELDS = ("code", "name", "description", "price_amount", "currency", "free_over_amount", "cutoff_time",
                 "processing_days", "transit_days_min", "transit_days_max", "saturday_delivery", "is_active", "is_default",
                 "position")


def shipping_method_save(*, method: ShippingMethod | None = None, **fields) -> ShippingMethod:
    """Create or change a shipping method (staff). One default at most: making one the default takes
    the flag from the others. Orders placed before keep the price and window they were promised."""
    unknown = set(fields) - set(METHOD_FIELDS)
    if unknown:
        raise ShippingMethodInvalid("Unknown fields.", fields={name: ["Unknown field."] for name in sorted(unknown)})
    with telemetry.command_span("commerce.shipping_method.save"), transaction.atomic():
        method = method if method is not None else ShippingMethod()
        for name, value in fields.items():
            setattr(method, name, value)
        try:
            method.full_clean()
        except DjangoValidationError as exc:
            raise ShippingMethodInvalid("The shipping method is not valid.", fields=exc.message_dict) from exc
        if method.transit_days_max < method.transit_days_min:
            raise ShippingMethodInvalid("The longest transit cannot be shorter than the shortest.",
                                        fields={"transit_days_max": ["At least the shortest transit."]})
        created = method.pk is None
        method.save()
        if method.is_default:
            ShippingMethod.objects.filter(is_default=True).exclude(pk=method.pk).update(is_default=False)
        record(events.ShippingMethodSaved(shipping_method_id=method.pk, code=method.code, created=created,
                                          values={name: str(getattr(method, name)) for name in METHOD_FIELDS}))
        return method


def shipping_holiday_save(*, holiday: ShippingHoliday | None = None, date, name: str) -> ShippingHoliday:
    """A day nothing ships nor arrives (staff): later promises skip it."""
    with telemetry.command_span("commerce.shipping_holiday.save"), transaction.atomic():
        holiday = holiday if holiday is not None else ShippingHoliday()
        holiday.date, holiday.name = date, name
        try:
            holiday.full_clean()
        except DjangoValidationError as exc:
            raise ShippingMethodInvalid("The holiday is not valid.", fields=exc.message_dict) from exc
        holiday.save()
        record(events.ShippingHolidaySaved(holiday_id=holiday.pk, date=holiday.date.isoformat(), name=holiday.name, removed=False))
        return holiday


def shipping_holiday_delete(*, holiday: ShippingHoliday) -> None:
    with telemetry.command_span("commerce.shipping_holiday.delete"), transaction.atomic():
        record(events.ShippingHolidaySaved(holiday_id=holiday.pk, date=holiday.date.isoformat(), name=holiday.name, removed=True))
        holiday.delete()
