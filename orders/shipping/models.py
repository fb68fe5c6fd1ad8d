"""The shop's shipping methods and the days nothing ships (imported by ``orders.models``)."""

from __future__ import annotations

import datetime

from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import F, Q

from commerce.money import CURRENCY_CHOICES, Money, default_currency
from orders.shipping.estimates import DeliveryRule

AMOUNT = {"max_digits": 12, "decimal_places": 2}


class ShippingMethod(models.Model):
    """A way the shop delivers (standard, express, ...): its price, when it is free, and its promise."""

    code = models.SlugField(max_length=30, unique=True, help_text="Stable identifier, used by the API (standard, express).")
    name = models.CharField(max_length=60)
    description = models.CharField(max_length=200, blank=True)
    price_amount = models.DecimalField(**AMOUNT, validators=[MinValueValidator(0)])
    currency = models.CharField(max_length=3, choices=CURRENCY_CHOICES, default=default_currency)
    free_over_amount = models.DecimalField(
        **AMOUNT, null=True, blank=True, validators=[MinValueValidator(0)],
        help_text="Free when the cart's subtotal reaches this amount; empty: never free.",
    )
    cutoff_time = models.TimeField(default=datetime.time(14, 0),
                                   help_text="Orders placed after this time (shop's time) start processing the next working day.")
    processing_days = models.PositiveSmallIntegerField(default=1, validators=[MaxValueValidator(30)],
                                                       help_text="Working days in the warehouse before it ships.")
    transit_days_min = models.PositiveSmallIntegerField(default=2, validators=[MaxValueValidator(60)])
    transit_days_max = models.PositiveSmallIntegerField(default=3, validators=[MaxValueValidator(60)])
    saturday_delivery = models.BooleanField(default=False, help_text="The carrier delivers on Saturdays.")
    is_active = models.BooleanField(default=True)
    is_default = models.BooleanField(default=False, help_text="Chosen for a cart until the shopper picks another.")
    position = models.PositiveSmallIntegerField(default=0)

    class Meta:
        ordering = ("position", "price_amount", "id")
        constraints = [
            models.CheckConstraint(condition=Q(transit_days_max__gte=F("transit_days_min")), name="orders_shipping_transit_range"),
            models.CheckConstraint(condition=Q(price_amount__gte=0), name="orders_shipping_price_not_negative"),
        ]

    def __str__(self):
        return self.name

    @property
    def price(self) -> Money:
        return Money.of(self.price_amount, self.currency)

    @property
    def free_over(self) -> Money | None:
        return Money.of(self.free_over_amount, self.currency) if self.free_over_amount is not None else None

    @property
    def rule(self) -> DeliveryRule:
        return DeliveryRule(cutoff=self.cutoff_time, processing_days=self.processing_days,
                            transit_days_min=self.transit_days_min, transit_days_max=self.transit_days_max,
                            saturday_delivery=self.saturday_delivery)


class ShippingHoliday(models.Model):
    """A day nothing ships and nothing is delivered (a public holiday)."""

    date = models.DateField(unique=True)
    name = models.CharField(max_length=80)

    class Meta:
        ordering = ("date",)

    def __str__(self):
        return f"{self.name} ({self.date:%Y-%m-%d})"
