"""The small forms behind the order actions that need more than a click: ship, cancel, refund."""

from __future__ import annotations

from decimal import Decimal

from django import forms

from commerce.forms import AsciiDecimalField, AsciiIntegerField


class ShipForm(forms.Form):
    carrier = forms.CharField(max_length=60, help_text="The carrier that takes the parcels, e.g. Colissimo.")

    def __init__(self, *args, orders, **kwargs):
        super().__init__(*args, **kwargs)
        self.orders = orders
        for order in orders:
            self.fields[f"tracking_{order.pk}"] = forms.CharField(max_length=80, label=f"Tracking number of {order.number}")

    def rows(self):
        return [(order, self[f"tracking_{order.pk}"]) for order in self.orders]

    def main_fields(self):
        return [self["carrier"]]


class CancelForm(forms.Form):
    reason = forms.CharField(
        max_length=200, help_text="Kept on the order and in its history; paid orders are refunded in full."
    )

    def main_fields(self):
        return [self["reason"]]


class RefundForm(forms.Form):
    FULL, AMOUNT, LINES = "full", "amount", "lines"
    kind = forms.ChoiceField(
        label="Refund",
        choices=((FULL, "everything still refundable"), (AMOUNT, "an amount"), (LINES, "units of the lines below")),
        widget=forms.RadioSelect,
        initial=FULL,
    )
    amount = AsciiDecimalField(required=False, max_digits=12, decimal_places=2, min_value=Decimal("0.01"),
                                help_text="Only for a refund of an amount.")
    reason = forms.CharField(max_length=200, help_text="Kept on the refund and in the order's history.")

    def __init__(self, *args, lines, **kwargs):
        super().__init__(*args, **kwargs)
        self.lines = []
        for line in lines:
            left = line.quantity - line.refunded_quantity
            if left > 0:
                self.fields[f"line_{line.pk}"] = AsciiIntegerField(
                    required=False, min_value=0, max_value=left, label=f"Units of {line.product_code} to refund"
                )
                self.lines.append(line)

    def main_fields(self):
        return [self["kind"], self["amount"], self["reason"]]

    def rows(self):
        return [(line, line.quantity - line.refunded_quantity, self[f"line_{line.pk}"]) for line in self.lines]

    def clean(self):
        cleaned = super().clean()
        kind = cleaned.get("kind")
        units = [(line, cleaned.get(f"line_{line.pk}") or 0) for line in self.lines]
        chosen = [{"line_id": line.pk, "quantity": quantity} for line, quantity in units if quantity > 0]
        if kind == self.AMOUNT and cleaned.get("amount") is None and "amount" not in self.errors:
            self.add_error("amount", "Enter the amount to refund.")
        if kind == self.LINES and not chosen and not any(f"line_{line.pk}" in self.errors for line in self.lines):
            self.add_error(None, "Choose at least one unit to refund.")
        if kind != self.AMOUNT and cleaned.get("amount") is not None:
            self.add_error("amount", "An amount is only for a refund of an amount.")
        if kind != self.LINES and chosen:
            self.add_error(None, "Units are only for a refund of units; choose “units of the lines below”.")
        cleaned["lines"] = chosen
        return cleaned

    def command(self) -> dict:
        """The keyword arguments of ``order_refund`` for this form's choice."""
        kind = self.cleaned_data["kind"]
        return {
            "amount": self.cleaned_data["amount"] if kind == self.AMOUNT else None,
            "lines": self.cleaned_data["lines"] if kind == self.LINES else None,
            "reason": self.cleaned_data["reason"],
        }


class OrderNoteForm(forms.Form):
    text = forms.CharField(label="Add a note", max_length=2000, strip=True,
                           widget=forms.Textarea(attrs={"rows": 3, "cols": 80, "form": "order-note-form"}),
                           help_text="For staff only: the customer never sees notes.")
