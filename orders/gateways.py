"""Payment gateways: one interface (authorize, capture, refund, void), chosen by settings.

``settings.ORDERS_PAYMENT_GATEWAYS`` maps a payment method to a gateway class; a real gateway is
added there without touching the order code. Every call carries the payment's idempotency key,
so a retried call never charges twice on the gateway's side either.

Sandbox test cards (any future expiry, any CVC):

============================  =============================================================
4242 4242 4242 4242           succeeds
4000 0000 0000 0002           declined (card_declined)
4000 0000 0000 9995           declined (insufficient_funds)
4000 0000 0000 0119           gateway error before charging (processing_error), nothing taken
4000 0000 0000 0259           charged, but the answer is lost (timeout): the payment stays
                              pending until the gateway's webhook or a status lookup settles it
============================  =============================================================
"""

from __future__ import annotations

import secrets
from dataclasses import dataclass

from django.conf import settings
from django.db import IntegrityError, transaction
from django.utils.module_loading import import_string

from commerce.locks import Kind, lock_one
from commerce.money import Money


class GatewayError(Exception):
    """The gateway could not be reached or failed; whether money moved is unknown or no."""

    def __init__(self, message: str, *, code: str = "gateway_error", outcome_unknown: bool = False):
        super().__init__(message)
        self.code = code
        self.outcome_unknown = outcome_unknown


@dataclass(frozen=True)
class GatewayResult:
    status: str  # authorized, captured, declined, voided, refunded
    reference: str = ""
    error_code: str = ""
    message: str = ""
    card_last4: str = ""

    @property
    def succeeded(self) -> bool:
        return self.status in ("authorized", "captured", "voided", "refunded")


@dataclass(frozen=True)
class CardDetails:
    number: str
    exp_month: int
    exp_year: int
    cvc: str

    @property
    def last4(self) -> str:
        return self.number[-4:]


class PaymentGateway:
    name = "base"
    #: whether the money is taken at checkout (card) or later (cash on delivery)
    charges_at_checkout = True

    def authorize(self, *, amount: Money, card: CardDetails | None, idempotency_key: str) -> GatewayResult:
        raise NotImplementedError

    def capture(self, *, reference: str, amount: Money, idempotency_key: str) -> GatewayResult:
        raise NotImplementedError

    def charge(self, *, amount: Money, card: CardDetails | None, idempotency_key: str) -> GatewayResult:
        """Authorize and capture in one go (what the shop does at checkout)."""
        auth = self.authorize(amount=amount, card=card, idempotency_key=idempotency_key)
        if auth.status != "authorized":
            return auth
        return self.capture(reference=auth.reference, amount=amount, idempotency_key=idempotency_key)

    def refund(self, *, reference: str, amount: Money, idempotency_key: str) -> GatewayResult:
        raise NotImplementedError

    def void(self, *, reference: str, idempotency_key: str) -> GatewayResult:
        raise NotImplementedError

    def lookup(self, *, idempotency_key: str) -> GatewayResult | None:
        """What the gateway knows of a charge made with this key (None: nothing)."""
        return None


class SandboxCardGateway(PaymentGateway):
    name = "sandbox"
    SUCCESS = "4242424242424242"
    DECLINED = "4000000000000002"
    INSUFFICIENT_FUNDS = "4000000000009995"
    PROCESSING_ERROR = "4000000000000119"
    LOST_RESPONSE = "4000000000000259"

    def _charge_model(self):
        from orders.models import SandboxCharge

        return SandboxCharge

    def authorize(self, *, amount, card, idempotency_key):
        if card is None:
            return GatewayResult("declined", error_code="card_missing", message="Card details are required.")
        return GatewayResult("authorized", reference=f"auth_{idempotency_key[-16:]}", card_last4=card.last4)

    def charge(self, *, amount, card, idempotency_key):
        SandboxCharge = self._charge_model()
        existing = SandboxCharge.objects.filter(idempotency_key=idempotency_key).first()
        if existing is not None:  # a retried call: the same answer, no second charge
            return GatewayResult(existing.status, reference=existing.reference, card_last4=existing.card_last4,
                                 error_code="" if existing.status == "captured" else "card_declined")
        if card is None:
            return GatewayResult("declined", error_code="card_missing", message="Card details are required.")
        number = card.number
        if number == self.PROCESSING_ERROR:
            raise GatewayError("The card processor had an error; nothing was charged.", code="processing_error")
        if number in (self.DECLINED, self.INSUFFICIENT_FUNDS) or number != self.SUCCESS and number != self.LOST_RESPONSE:
            reason = "insufficient_funds" if number == self.INSUFFICIENT_FUNDS else "card_declined"
            message = "The card has insufficient funds." if reason == "insufficient_funds" else "The card was declined."
            return GatewayResult("declined", error_code=reason, message=message, card_last4=card.last4)
        charge = self._record(idempotency_key, amount, card.last4)
        if number == self.LOST_RESPONSE:
            raise GatewayError("The gateway did not answer in time.", code="gateway_timeout", outcome_unknown=True)
        return GatewayResult("captured", reference=charge.reference, card_last4=card.last4)

    def _record(self, idempotency_key: str, amount: Money, last4: str):
        SandboxCharge = self._charge_model()
        # The shop calls the gateway outside its own transactions, so these books commit at once,
        # like a remote gateway's would.
        if transaction.get_autocommit():  # one INSERT commits on its own: no transaction around it
            try:
                return SandboxCharge.objects.create(
                    idempotency_key=idempotency_key, reference=f"ch_{secrets.token_hex(10)}", amount=amount.amount,
                    currency=amount.currency, status="captured", card_last4=last4,
                )
            except IntegrityError:
                return SandboxCharge.objects.get(idempotency_key=idempotency_key)
        try:
            with transaction.atomic():
                return SandboxCharge.objects.create(
                    idempotency_key=idempotency_key,
                    reference=f"ch_{secrets.token_hex(10)}",
                    amount=amount.amount,
                    currency=amount.currency,
                    status="captured",
                    card_last4=last4,
                )
        except IntegrityError:
            return SandboxCharge.objects.get(idempotency_key=idempotency_key)

    def capture(self, *, reference, amount, idempotency_key):
        return GatewayResult("captured", reference=reference)

    def refund(self, *, reference, amount, idempotency_key):
        """Refund once per idempotency key: a repeated call answers what the first one did."""
        from orders.models import SandboxRefund

        SandboxCharge = self._charge_model()
        done = SandboxRefund.objects.filter(idempotency_key=idempotency_key).first()
        if done is not None:
            return GatewayResult("refunded", reference=done.reference)
        try:
            with transaction.atomic():  # the gateway's own books, committed at once like a remote gateway's
                charge = lock_one(Kind.GATEWAY_CHARGE, SandboxCharge.objects.filter(reference=reference))
                if charge is None:
                    raise GatewayError(f"Unknown charge {reference}.", code="unknown_charge")
                if charge.refunded_amount + amount.amount > charge.amount:
                    return GatewayResult("declined", reference=reference, error_code="refund_exceeds_charge",
                                         message="The refund is larger than what is left of the charge.")
                charge.refunded_amount += amount.amount
                charge.save(update_fields=["refunded_amount"])
                done = SandboxRefund.objects.create(idempotency_key=idempotency_key, charge_reference=reference,
                                                    reference=f"re_{secrets.token_hex(8)}", amount=amount.amount)
        except IntegrityError:  # the same key racing: the other call refunded
            done = SandboxRefund.objects.get(idempotency_key=idempotency_key)
        return GatewayResult("refunded", reference=done.reference)

    def void(self, *, reference, idempotency_key):
        return GatewayResult("voided", reference=reference)

    def lookup(self, *, idempotency_key):
        charge = self._charge_model().objects.filter(idempotency_key=idempotency_key).first()
        if charge is None:
            return None
        return GatewayResult(charge.status, reference=charge.reference, card_last4=charge.card_last4)


class CashOnDeliveryGateway(PaymentGateway):
    """Nothing is taken at checkout; the driver collects the total on delivery."""

    name = "cod"
    charges_at_checkout = False

    def authorize(self, *, amount, card, idempotency_key):
        return GatewayResult("authorized", reference=f"cod_{idempotency_key[-16:]}")

    def capture(self, *, reference, amount, idempotency_key):
        return GatewayResult("captured", reference=reference)

    def charge(self, *, amount, card, idempotency_key):
        return GatewayResult("captured", reference=f"cod_{idempotency_key[-16:]}")

    def refund(self, *, reference, amount, idempotency_key):
        # Cash is handed back by the courier or support; the record is what matters here.
        return GatewayResult("refunded", reference=f"cod_re_{secrets.token_hex(6)}")

    def void(self, *, reference, idempotency_key):
        return GatewayResult("voided", reference=reference)


def gateway_for(method: str) -> PaymentGateway:
    path = settings.ORDERS_PAYMENT_GATEWAYS[method]
    return import_string(path)()

