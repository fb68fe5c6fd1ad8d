"""The driver app's commands: a driver moves their own route along, stop by stop.

Each command is the dispatcher's transition (``routes.route_start``, ``deliveries.delivery_arrive``,
``delivery_complete``, ``delivery_fail``, ``routes.route_complete``) with three things more:

- **Whose**: the route is locked first and must be the driver's; anyone else's route or stop is
  not found (``RouteNotFound``, ``StopNotFound``), as if it did not exist.
- **Retries**: a phone on a flaky network sends the same request again. A command that finds its
  stop (or route) already where it would put it answers with that state and records nothing: the
  same request twice has the same answer and one event. The check happens under the route's lock,
  so two copies racing each other are serialised and the second finds the first's work.
  ``Outcome.replayed`` says which it was.
- **Proof**: completing a stop asks for what the delivery method's ``ProofPolicy`` requires
  (recipient's name, photo, signature: required, optional or off; off parts sent are dropped).
  Pictures are checked and cleaned by ``commerce.images`` before the transaction (decoding is slow)
  and stored through Django's storage under unguessable names inside it.

A stop closed the other way (a delivered stop failed, a failed one delivered) is refused with 409
``stop_transition_invalid``; a stop of a route not under way with 409 ``route_not_started``.
"""

from __future__ import annotations

import secrets
from dataclasses import dataclass

from django.core.files.base import ContentFile
from django.db import transaction
from django.utils import timezone

from commerce import telemetry
from commerce.audit.events import record
from commerce.images import CleanImage, clean_image
from commerce.locks import Kind, lock_get
from commerce.private_files import private_storage
from logistics import events
from logistics.errors import (
    FailureInvalid,
    ProofMissing,
    ProofPolicyInvalid,
    RouteNotFound,
    RouteNotStarted,
    StopNotFound,
    StopTransitionInvalid,
)
from logistics.models import DeliveryMethod, Driver, FailureReason, ProofPolicy, Route, Stop
from logistics.services import deliveries, routes
from logistics.services.deliveries import Position, Proof

REQ = ProofPolicy.Requirement
#: the proof each method asks for when the admin has not set one: (recipient name, photo, signature)
DEFAULT_PROOF = {
    DeliveryMethod.STANDARD: (REQ.REQUIRED, REQ.OPTIONAL, REQ.OFF),
    DeliveryMethod.CASH_ON_DELIVERY: (REQ.REQUIRED, REQ.OPTIONAL, REQ.REQUIRED),
}
PROOF_PARTS = ("recipient_name", "photo", "signature")
SIGNATURE_MAX_BYTES = 1024 * 1024


@dataclass(frozen=True)
class Outcome:
    """What a driver command did: the object as it is now, and whether this was a retry of a change already made."""

    value: object
    replayed: bool


# --- proof policies -------------------------------------------------------------------------------
@dataclass(frozen=True)
class ProofRequirements:
    method: str
    recipient_name: str
    photo: str
    signature: str

    def of(self, part: str) -> str:
        return getattr(self, part)


def proof_requirements() -> dict[str, ProofRequirements]:
    """Every delivery method's proof: its policy row, else the default (one query)."""
    rows = {p.method: p for p in ProofPolicy.objects.all()}
    made = {}
    for method in DeliveryMethod.values:
        row = rows.get(method)
        values = (row.recipient_name, row.photo, row.signature) if row else DEFAULT_PROOF[DeliveryMethod(method)]
        made[method] = ProofRequirements(method, *values)
    return made


def proof_policy_save(*, method: str, recipient_name: str, photo: str, signature: str) -> ProofPolicy:
    """Set what proof the drivers bring back for a delivery method (the admin's form)."""
    values = {"recipient_name": recipient_name, "photo": photo, "signature": signature}
    bad = {part: ["One of: required, optional, off."] for part, value in values.items() if value not in REQ.values}
    if method not in DeliveryMethod.values:
        bad["method"] = [f"One of: {', '.join(DeliveryMethod.values)}."]
    if bad:
        raise ProofPolicyInvalid("The proof policy is not valid.", fields=bad)
    with telemetry.command_span("commerce.proof_policy.save"), transaction.atomic():
        policy, _ = ProofPolicy.objects.update_or_create(method=method, defaults=values)
        record(events.ProofPolicyChanged(method=method, **values))
        return policy


# --- the driver's route ---------------------------------------------------------------------------
def _own_route(driver: Driver, route_id: int) -> Route:
    """Lock the route (first, as every route command does) and check it is the driver's."""
    try:
        route = lock_get(Kind.ROUTE, Route.objects.filter(pk=route_id))
    except Route.DoesNotExist:
        raise RouteNotFound("No such route.") from None
    if route.driver_id != driver.pk:
        raise RouteNotFound("No such route.")
    return route


def _own_stop(driver: Driver, stop_id: int) -> tuple[Route, Stop]:
    """Lock the stop's route, check it is the driver's, and read the stop under that lock (a stop
    moved to another route meanwhile is looked up again once)."""
    for _ in range(2):
        route_id = Stop.objects.filter(pk=stop_id).values_list("route_id", flat=True).first()
        if route_id is None:
            raise StopNotFound("No such stop.")
        try:
            route = _own_route(driver, route_id)
        except RouteNotFound:
            raise StopNotFound("No such stop.") from None
        stop = Stop.objects.select_related("delivery").filter(pk=stop_id, route_id=route.pk).first()
        if stop is not None:
            return route, stop
    raise StopNotFound("No such stop.")


def _require_under_way(route: Route, stop: Stop) -> None:
    if route.state != Route.State.IN_PROGRESS:
        raise RouteNotStarted(f"Route {route.number} is {route.get_state_display().lower()}: start it before its stops.",
                              extra={"route_state": route.state, "stop_id": stop.pk})


def _refuse_closed(stop: Stop, action: str) -> None:
    raise StopTransitionInvalid(f"Stop {stop.sequence} is {stop.get_state_display().lower()}; it cannot be {action} now.",
                                extra={"state": stop.state, "action": action, "stop_id": stop.pk})


def driver_route_start(*, driver: Driver, route_id: int) -> Outcome:
    """The driver sets off: their assigned route starts (a retry of a start finds it under way)."""
    with telemetry.command_span("commerce.driver.route_start", route_id=route_id), transaction.atomic():
        route = _own_route(driver, route_id)
        if route.state == Route.State.IN_PROGRESS:
            return Outcome(route, replayed=True)
        return Outcome(routes.route_start(route=route), replayed=False)


def driver_route_complete(*, driver: Driver, route_id: int) -> Outcome:
    """Back at the centre, every stop closed (a retry finds it completed)."""
    with telemetry.command_span("commerce.driver.route_complete", route_id=route_id), transaction.atomic():
        route = _own_route(driver, route_id)
        if route.state == Route.State.COMPLETED:
            return Outcome(route, replayed=True)
        return Outcome(routes.route_complete(route=route), replayed=False)


def stop_arrive(*, driver: Driver, stop_id: int, position: Position | None = None) -> Outcome:
    """At the door. A retry (the stop arrived already) changes nothing; a closed stop is refused."""
    with telemetry.command_span("commerce.driver.stop_arrive", stop_id=stop_id), transaction.atomic():
        route, stop = _own_stop(driver, stop_id)
        if stop.state == Stop.State.ARRIVED:
            return Outcome(stop, replayed=True)
        if stop.state != Stop.State.PENDING:
            _refuse_closed(stop, "arrived at")
        _require_under_way(route, stop)
        deliveries.delivery_arrive(delivery=stop.delivery_id, position=position)
        return Outcome(Stop.objects.get(pk=stop.pk), replayed=False)


def _clean_proof(*, photo, signature) -> tuple[CleanImage | None, CleanImage | None]:
    return (clean_image(photo) if photo is not None else None,
            clean_image(signature, max_bytes=SIGNATURE_MAX_BYTES) if signature is not None else None)


def _check_proof(requirements: ProofRequirements, sent: dict) -> dict:
    """What of the proof sent is kept (parts the policy turns off are dropped); a required part missing is refused."""
    missing = {part: ["Required for this delivery."] for part in PROOF_PARTS
               if requirements.of(part) == REQ.REQUIRED and not sent[part]}
    if missing:
        raise ProofMissing(f"This delivery needs its proof: {', '.join(p.replace('_', ' ') for p in missing)}.", fields=missing)
    return {part: (value if requirements.of(part) != REQ.OFF else None) for part, value in sent.items()}


def _store(image: CleanImage | None, kind: str) -> str:
    if image is None:
        return ""
    name = f"logistics/proofs/{timezone.now():%Y/%m}/{kind}-{secrets.token_urlsafe(18)}.{image.extension}"
    return private_storage.save(name, ContentFile(image.content))


def _discard(names) -> None:
    for name in names:
        if name:
            private_storage.delete(name)


def stop_complete(*, driver: Driver, stop_id: int, recipient_name: str = "", photo=None, signature=None,
                  position: Position | None = None) -> Outcome:
    """Delivered, with the proof the delivery method asks for; its order becomes delivered. A retry
    (the stop delivered already) answers with the stored stop and keeps nothing new.

    The pictures are written to storage before the transaction (a storage may be remote and slow; no
    row lock waits on it); what the command does not keep (refused, replayed, a part the policy turns
    off) is deleted again, so no file outlives a completion that did not happen."""
    recipient_name = " ".join((recipient_name or "").split())[:120]
    cleaned_photo, cleaned_signature = _clean_proof(photo=photo, signature=signature)
    stored = {"photo": _store(cleaned_photo, "photo"), "signature": _store(cleaned_signature, "signature")}
    kept_names: set[str] = set()
    try:
        with telemetry.command_span("commerce.driver.stop_complete", stop_id=stop_id), transaction.atomic():
            route, stop = _own_stop(driver, stop_id)
            if stop.state == Stop.State.DELIVERED:
                outcome = Outcome(stop, replayed=True)
            else:
                if stop.state == Stop.State.FAILED:
                    _refuse_closed(stop, "delivered")
                _require_under_way(route, stop)
                requirements = proof_requirements()[stop.delivery.method]
                kept = _check_proof(requirements, {"recipient_name": recipient_name, "photo": cleaned_photo,
                                                   "signature": cleaned_signature})
                proof = Proof(recipient_name=kept["recipient_name"] or "", photo=stored["photo"] if kept["photo"] else "",
                              signature=stored["signature"] if kept["signature"] else "")
                deliveries.delivery_complete(delivery=stop.delivery_id, proof=proof, position=position)
                kept_names = {proof.photo, proof.signature}
                outcome = Outcome(Stop.objects.select_related("delivery").get(pk=stop.pk), replayed=False)
    except BaseException:
        _discard(stored.values())
        raise
    _discard(name for name in stored.values() if name not in kept_names)
    return outcome


def stop_fail(*, driver: Driver, stop_id: int, code: str, note: str = "", position: Position | None = None) -> Outcome:
    """Not delivered, for a reason of ``FailureReason`` (``other`` with the driver's words). A retry with
    the same reason changes nothing; a delivered stop cannot fail."""
    if code not in FailureReason.values:
        raise FailureInvalid(f"Choose a reason: {', '.join(FailureReason.values)}.", fields={"reason": ["Not a known reason."]})
    if code == FailureReason.OTHER and not (note or "").strip():
        raise FailureInvalid("Say what happened: the reason is other.", fields={"note": ["Required with the reason other."]})
    with telemetry.command_span("commerce.driver.stop_fail", stop_id=stop_id), transaction.atomic():
        route, stop = _own_stop(driver, stop_id)
        if stop.state == Stop.State.FAILED and stop.failure_code == code:
            return Outcome(stop, replayed=True)
        if stop.state not in Stop.OPEN:
            _refuse_closed(stop, "failed")
        _require_under_way(route, stop)
        deliveries.delivery_fail(delivery=stop.delivery_id, code=code, reason=note, position=position)
        return Outcome(Stop.objects.select_related("delivery").get(pk=stop.pk), replayed=False)


__all__ = ["DEFAULT_PROOF", "FailureReason", "Outcome", "driver_route_complete", "driver_route_start", "proof_policy_save",
           "proof_requirements", "stop_arrive", "stop_complete", "stop_fail"]
