"""A/B tests of recommendations: draft an experiment on a placement, give it a control and treatments
(another model version, intent or list size), start it, stop it.

Each command locks the experiment (``Kind.EXPERIMENT``), records its ``recommendations.ab_test.*``
event and, when what serves changes (start, stop), bumps the serving cache's global version after
commit, so every process splits the placement's shoppers (or stops) on its next list. Variants
change only while the experiment is a draft: a running test's split and treatments are fixed, so
a shopper's variant (a hash of the experiment's salt and the shopper) never changes under them.
"""

from __future__ import annotations

import datetime
import secrets
from decimal import Decimal, InvalidOperation

from django.db import IntegrityError, transaction
from django.utils import timezone

from commerce import telemetry
from commerce.audit.events import record
from commerce.locks import Kind, lock_one
from recommendations import events
from recommendations.errors import ExperimentInvalid, ExperimentNotFound, ExperimentState
from recommendations.models import Experiment, ExperimentVariant, Intent, ModelVersion, Placement, Purpose
from recommendations.serving import cache
from recommendations.serving.placements import DEFAULTS

#: the intents a model version can rank, by its purpose
MODEL_INTENTS = {Purpose.FOR_YOU: Intent.FOR_YOU, Purpose.SIMILAR: Intent.SIMILAR}


def _locked(experiment_id: int) -> Experiment:
    experiment = lock_one(Kind.EXPERIMENT, Experiment.objects.filter(pk=experiment_id))
    if experiment is None:
        raise ExperimentNotFound("No such A/B test.")
    return experiment


def _placement_intent(key: str) -> str | None:
    found = Placement.objects.filter(key=key).values_list("intent", flat=True).first()
    if found is None and key in DEFAULTS:
        found = str(DEFAULTS[key][1])
    return found


def experiment_create(*, name: str, placement: str, minimum_effect: Decimal | str = "0.10") -> Experiment:
    """Draft an A/B test of a placement (no variants yet)."""
    errors = {}
    if not isinstance(name, str) or not name.strip() or len(name) > 100:
        errors["name"] = ["1 to 100 characters."]
    if not isinstance(placement, str) or _placement_intent(placement) is None:
        errors["placement"] = ["No such placement."]
    try:
        effect = Decimal(str(minimum_effect))
        if not Decimal("0.01") <= effect <= Decimal("5"):
            raise InvalidOperation
    except (InvalidOperation, ValueError):
        errors["minimum_effect"] = ["A relative change from 0.01 (1 %) to 5 (500 %)."]
    if errors:
        raise ExperimentInvalid("The A/B test was not created.", fields=errors)
    with telemetry.command_span("commerce.recommendation.ab_test_create", attributes={"placement": placement}), \
            transaction.atomic():
        experiment = Experiment.objects.create(name=name.strip(), placement=placement, salt=secrets.token_hex(8),
                                               minimum_effect=effect.quantize(Decimal("0.01")))
        record(events.ExperimentCreated(experiment_id=experiment.pk, placement=placement, name=experiment.name,
                                        minimum_effect=str(experiment.minimum_effect)))
    return experiment


def _variant_errors(*, experiment: Experiment, key, name, is_control, weight, intent, model_version_id, size,
                    variant_id) -> dict:
    errors = {}
    if not isinstance(key, str) or not key or len(key) > 30 or not key.replace("-", "").replace("_", "").isalnum():
        errors["key"] = ["1 to 30 letters, digits, - or _."]
    elif experiment.variants.filter(key=key).exclude(pk=variant_id).exists():
        errors["key"] = ["Another variant has this key."]
    if not isinstance(name, str) or not name.strip() or len(name) > 100:
        errors["name"] = ["1 to 100 characters."]
    if not isinstance(weight, int) or isinstance(weight, bool) or not 1 <= weight <= 1000:
        errors["weight"] = ["From 1 to 1000."]
    if intent and intent not in Intent.values:
        errors["intent"] = [f"One of: {', '.join(Intent.values)}."]
    if size is not None and (not isinstance(size, int) or not 1 <= size <= 24):
        errors["size"] = ["From 1 to 24."]
    if model_version_id is not None:
        version = ModelVersion.objects.filter(pk=model_version_id).values_list("purpose", flat=True).first()
        served_intent = intent or _placement_intent(experiment.placement)
        if version is None:
            errors["model_version"] = ["No such model version."]
        elif MODEL_INTENTS.get(version) != served_intent:
            errors["model_version"] = [f"A {version} model cannot rank a {served_intent} list."]
    if is_control and (intent or model_version_id is not None or size is not None):
        errors["is_control"] = ["The control serves the placement as it is: no intent, model or size of its own."]
    if is_control and experiment.variants.filter(is_control=True).exclude(pk=variant_id).exists():
        errors["is_control"] = ["The test has a control already."]
    return errors


def experiment_variant_save(*, experiment_id: int, key: str, name: str, is_control: bool = False, weight: int = 50,
                            intent: str = "", model_version_id: int | None = None, size: int | None = None,
                            variant_id: int | None = None) -> ExperimentVariant:
    """Add a variant to a draft (or change one, ``variant_id``)."""
    with telemetry.command_span("commerce.recommendation.ab_test_variant_save", attributes={"experiment.id": experiment_id}), \
            transaction.atomic():
        experiment = _locked(experiment_id)
        if experiment.status != Experiment.Status.DRAFT:
            raise ExperimentState("Variants change only while the A/B test is a draft.")
        variant = None
        if variant_id is not None:
            variant = experiment.variants.filter(pk=variant_id).first()
            if variant is None:
                raise ExperimentNotFound("No such variant.")
        errors = _variant_errors(experiment=experiment, key=key, name=name, is_control=is_control, weight=weight,
                                 intent=intent or "", model_version_id=model_version_id, size=size, variant_id=variant_id)
        if errors:
            raise ExperimentInvalid("The variant was not saved.", fields=errors)
        values = {"key": key, "name": name.strip(), "is_control": bool(is_control), "weight": weight, "intent": intent or "",
                  "model_version_id": model_version_id, "size": size}
        if variant is None:
            variant = ExperimentVariant.objects.create(experiment=experiment, **values)
        else:
            for field, value in values.items():
                setattr(variant, field, value)
            variant.save()
        record(events.ExperimentVariantSaved(experiment_id=experiment.pk, placement=experiment.placement,
                                             variant_id=variant.pk, key=variant.key, values=values))
    return variant


def experiment_variant_remove(*, variant_id: int) -> None:
    with telemetry.command_span("commerce.recommendation.ab_test_variant_remove", attributes={"variant.id": variant_id}), \
            transaction.atomic():
        found = ExperimentVariant.objects.filter(pk=variant_id).values_list("experiment_id", flat=True).first()
        if found is None:
            raise ExperimentNotFound("No such variant.")
        experiment = _locked(found)
        if experiment.status != Experiment.Status.DRAFT:
            raise ExperimentState("Variants change only while the A/B test is a draft.")
        variant = experiment.variants.get(pk=variant_id)
        variant.delete()
        record(events.ExperimentVariantRemoved(experiment_id=experiment.pk, placement=experiment.placement,
                                               variant_id=variant_id, key=variant.key))


def experiment_start(*, experiment_id: int, now: datetime.datetime | None = None) -> Experiment:
    """Split the placement's shoppers between the variants from now on: a draft with one control and at
    least one treatment, on a placement no other test is running on. ``now``: the start recorded (the
    demo's test started two weeks ago)."""
    with telemetry.command_span("commerce.recommendation.ab_test_start", attributes={"experiment.id": experiment_id}), \
            transaction.atomic():
        experiment = _locked(experiment_id)
        if experiment.status != Experiment.Status.DRAFT:
            raise ExperimentState(f"The A/B test is {experiment.get_status_display().lower()}: only a draft starts.")
        variants = list(experiment.variants.order_by("pk"))
        if sum(v.is_control for v in variants) != 1 or len(variants) < 2:
            raise ExperimentInvalid("An A/B test needs one control and at least one other variant.",
                                    fields={"variants": ["One control and at least one other variant."]})
        experiment.status, experiment.running_for, experiment.started_at = (
            Experiment.Status.RUNNING, experiment.placement, now or timezone.now())
        try:
            with transaction.atomic():
                experiment.save(update_fields=["status", "running_for", "started_at"])
        except IntegrityError:
            raise ExperimentState(f"Another A/B test is running on {experiment.placement}: stop it first.") from None
        record(events.ExperimentStarted(experiment_id=experiment.pk, placement=experiment.placement, variants=[
            {"id": v.pk, "key": v.key, "weight": v.weight, "control": v.is_control, "intent": v.intent,
             "model_version": v.model_version_id, "size": v.size} for v in variants]))
        transaction.on_commit(cache.bump_global)
    return experiment


def experiment_stop(*, experiment_id: int, reason: str = "") -> Experiment:
    """End a running test: the placement serves as it is again; its results stay."""
    with telemetry.command_span("commerce.recommendation.ab_test_stop", attributes={"experiment.id": experiment_id}), \
            transaction.atomic():
        experiment = _locked(experiment_id)
        if experiment.status != Experiment.Status.RUNNING:
            raise ExperimentState(f"The A/B test is {experiment.get_status_display().lower()}: only a running one stops.")
        experiment.status, experiment.running_for, experiment.stopped_at = Experiment.Status.STOPPED, None, timezone.now()
        experiment.save(update_fields=["status", "running_for", "stopped_at"])
        record(events.ExperimentStopped(experiment_id=experiment.pk, placement=experiment.placement,
                                        reason=(reason or "")[:200]))
        transaction.on_commit(cache.bump_global)
    return experiment
