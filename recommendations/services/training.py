"""Training and activating the recommender's models.

``training_run_request`` records a queued ``TrainingRun``; ``training_run_queue`` also sends its task
(``recommendations.train``, the ``recommendations`` queue) after commit; ``training_run_execute``
runs it, never inside a transaction:

1. claim the run (a short transaction: queued -> running);
2. read the interaction matrix (``selectors.interactions``, streamed, bounded memory);
3. unless the run names an algorithm, weigh the purpose's candidates
   (``RECOMMENDATIONS_TRAINING["candidates"]``) on a per-customer hold-out, beside popularity,
   and keep the best on precision@k (then ndcg@k);
4. train the kept one on all the data (the run's progress updated every iteration);
5. write its file through the storage API, then in ONE transaction create the ``ModelVersion``,
   record ``recommendations.model.trained``, activate it (``model_version_activate``) when the run
   says so, and mark the run done.

Anything that fails marks the run failed (``recommendations.training.failed``) and changes
nothing else: a file already written is deleted, and the active version keeps serving.
``model_version_activate`` swaps the active version of a purpose atomically; the serving processes
see the new one on their next call (``selectors.engine.active_recommender``).
"""

from __future__ import annotations

import datetime
import logging
import time

from django.conf import settings
from django.core.cache import cache
from django.core.files.base import ContentFile
from django.db import connection, transaction
from django.utils import timezone

from commerce import telemetry
from commerce.audit.events import record
from commerce.locks import Kind, lock, lock_one
from recommendations import engine, events
from recommendations.engine import evaluate
from recommendations.errors import (
    ModelFileUnreadable,
    ModelVersionNotFound,
    TrainingDataTooSmall,
    TrainingInvalid,
    TrainingRunNotFound,
)
from recommendations.models import ModelVersion, Purpose, TrainingRun
from recommendations.selectors.engine import STAMP_TIMEOUT, read_model, stamp_key
from recommendations.selectors.interactions import interaction_matrix

logger = logging.getLogger(__name__)
S = TrainingRun.Status


def stale_after() -> int:
    """Seconds after which a run still "running" lost its worker: the queue's hard time limit, and a margin."""
    return int(settings.CELERY_QUEUE_TIME_LIMITS.get("recommendations", 900)) + 60


def training_config() -> dict:
    return settings.RECOMMENDATIONS_TRAINING


def candidates_for(purpose: str) -> dict[str, dict]:
    return dict(training_config()["candidates"].get(purpose) or {"als": {}})


# --- requesting -------------------------------------------------------------------------------------
def training_run_request(*, purpose: str, algorithm: str = "", activate: bool = True, trigger: str = "admin",
                         requested_by=None) -> TrainingRun:
    """A queued training of ``purpose`` (``algorithm`` blank: the best of the purpose's candidates)."""
    problems = {}
    if purpose not in Purpose.values:
        problems["purpose"] = [f"Choose from {', '.join(Purpose.values)}."]
    if algorithm and algorithm not in engine.ALGORITHMS:
        problems["algorithm"] = [f"Choose from {', '.join(engine.ALGORITHMS)}, or leave it blank."]
    if problems:
        raise TrainingInvalid("The training request is not valid.", fields=problems)
    with telemetry.command_span("commerce.recommendations.training.request", purpose=purpose), transaction.atomic():
        run = TrainingRun.objects.create(
            purpose=purpose, algorithm=algorithm, activate=activate, trigger=trigger[:10],
            requested_by=requested_by if requested_by is not None and requested_by.pk else None)
        record(events.TrainingRequested(run_id=run.pk, purpose=purpose, algorithm=algorithm, trigger=run.trigger))
        return run


def training_run_queue(*, purpose: str, algorithm: str = "", activate: bool = True, trigger: str = "admin",
                       requested_by=None) -> TrainingRun:
    """Request a run and send its task (``recommendations.train``) once the request is committed."""
    from recommendations.tasks import recommendations_train_task  # late: the tasks import these services

    run = training_run_request(purpose=purpose, algorithm=algorithm, activate=activate, trigger=trigger,
                               requested_by=requested_by)
    run_id = run.pk
    transaction.on_commit(lambda: recommendations_train_task.delay(run_id))
    return run


# --- running ----------------------------------------------------------------------------------------
def _progress(run_id: int, phase: str, done: int = 0, total: int = 0) -> None:
    """One UPDATE of the run's progress, in autocommit: the admin sees it while the run goes on."""
    TrainingRun.objects.filter(pk=run_id).update(phase=phase[:80], progress_done=done, progress_total=total)


def _claim(run_id: int) -> TrainingRun | None:
    with transaction.atomic():
        run = lock_one(Kind.TRAINING_RUN, TrainingRun.objects.filter(pk=run_id))
        if run is None:
            raise TrainingRunNotFound("No such training run.")
        stale = run.started_at is None or timezone.now() - run.started_at > datetime.timedelta(seconds=stale_after())
        if run.status == S.DONE or (run.status == S.RUNNING and not stale):
            return None
        run.status, run.started_at, run.finished_at, run.error = S.RUNNING, timezone.now(), None, ""
        run.phase, run.progress_done, run.progress_total = "starting", 0, 0
        run.save(update_fields=["status", "started_at", "finished_at", "error", "phase", "progress_done", "progress_total"])
        return run


def _weigh(run: TrainingRun, data: engine.InteractionMatrix) -> tuple[str, dict, dict]:
    """The algorithm and parameters to train, and the hold-out figures that chose them."""
    if run.algorithm:
        return run.algorithm, candidates_for(run.purpose).get(run.algorithm, {}), {}
    candidates = candidates_for(run.purpose)
    holdout = training_config()["holdout"]
    split = evaluate.holdout_split(data, fraction=holdout["fraction"], seed=holdout["seed"], min_items=holdout["min_items"])
    similar = run.purpose == Purpose.SIMILAR
    names = [*candidates, *([] if similar else ["popularity"])]
    metrics = {}
    for number, name in enumerate(names, start=1):
        _progress(run.pk, f"weighing {name} ({number}/{len(names)})", number - 1, len(names))
        started = time.perf_counter()
        model = engine.fit(name, split.train, candidates.get(name, {}))
        metrics[name] = evaluate.score(model, split, k=holdout["k"], similar=similar,
                                       fit_seconds=time.perf_counter() - started).as_dict()
    ranked = sorted(candidates, key=lambda name: (-metrics[name]["precision"], -metrics[name]["ndcg"], name))
    chosen = ranked[0]
    return chosen, candidates[chosen], {"k": holdout["k"], "seed": holdout["seed"], "chosen": chosen, "candidates": metrics}


def _finish(run: TrainingRun, model: engine.Recommender, data: engine.InteractionMatrix, metrics: dict,
            fit_seconds: float) -> TrainingRun:
    content = model.to_bytes()
    version = ModelVersion(purpose=run.purpose, algorithm=model.algorithm, params=model.params, metrics=metrics,
                           users=len(data.user_ids), items=len(data.item_ids), interactions=data.nnz,
                           fit_seconds=round(fit_seconds, 3), file_size=len(content), training_run=run)
    # The file first, outside the transaction (a storage may be remote); removed again if the write fails.
    version.file.save(f"{run.purpose}-{model.algorithm}-run{run.pk}-{timezone.now():%Y%m%d%H%M%S}.npz",
                      ContentFile(content), save=False)
    try:
        with telemetry.command_span("commerce.recommendations.model.create", purpose=run.purpose), transaction.atomic():
            version.save(force_insert=True)
            record(events.ModelTrained(
                version_id=version.pk, purpose=version.purpose, algorithm=version.algorithm, run_id=run.pk,
                params=version.params, metrics=metrics, users=version.users, items=version.items,
                interactions=version.interactions, fit_seconds=version.fit_seconds, file=version.file.name))
            if run.activate:
                _activate(version)
            run = lock_one(Kind.TRAINING_RUN, TrainingRun.objects.filter(pk=run.pk))
            run.status, run.finished_at, run.phase = S.DONE, timezone.now(), "done"
            run.progress_done = run.progress_total = max(run.progress_total, 1)
            run.interactions, run.metrics = data.nnz, metrics
            run.save()
            return run
    except BaseException:
        version.file.storage.delete(version.file.name)
        raise


def _fail(run_id: int, error: str) -> TrainingRun:
    with telemetry.command_span("commerce.recommendations.training.fail"), transaction.atomic():
        run = lock_one(Kind.TRAINING_RUN, TrainingRun.objects.filter(pk=run_id))
        run.status, run.finished_at, run.error, run.phase = S.FAILED, timezone.now(), error[:500], "failed"
        run.save(update_fields=["status", "finished_at", "error", "phase"])
        record(events.TrainingFailed(run_id=run.pk, purpose=run.purpose, error=run.error))
        return run


def in_transaction() -> bool:
    """Whether the code opened a transaction around this call (a test case's own blocks do not count)."""
    return any(not block._from_testcase for block in connection.atomic_blocks)


def training_run_execute(*, run_id: int) -> TrainingRun:
    """Run a queued (or failed, or stale) training: never inside a transaction. A run done, or
    running and not stale, is returned as it is (a task delivered twice trains once)."""
    if in_transaction():
        raise RuntimeError("a training runs outside any transaction (it would hold it for minutes)")
    claimed = _claim(run_id)
    if claimed is None:
        return TrainingRun.objects.get(pk=run_id)
    run = claimed
    try:
        with telemetry.command_span("commerce.recommendations.train", purpose=run.purpose):
            _progress(run.pk, "reading interactions")
            data = interaction_matrix()
            least = int(training_config()["min_interactions"])
            if data.nnz < least:
                raise TrainingDataTooSmall(f"{data.nnz} interactions: at least {least} are needed to train.")
            algorithm, params, metrics = _weigh(run, data)
            iterations = int(params.get("iterations", 1)) if algorithm in ("als", "bpr") else 1
            _progress(run.pk, f"training {algorithm}", 0, iterations)
            started = time.perf_counter()
            model = engine.fit(algorithm, data, params,
                               progress=lambda done, total: _progress(run.pk, f"training {algorithm}", done, total))
            fit_seconds = time.perf_counter() - started
            _progress(run.pk, "storing the model", iterations, iterations)
            return _finish(run, model, data, metrics, fit_seconds)
    except Exception as error:  # nothing but the run changes: the active version keeps serving
        if not isinstance(error, TrainingDataTooSmall):
            logger.exception("training run %s failed", run.pk)
        return _fail(run.pk, str(error) if isinstance(error, TrainingDataTooSmall) else f"{type(error).__name__}: {error}")


def train_now(*, purpose: str, algorithm: str = "", activate: bool = True, trigger: str = "command",
              requested_by=None) -> TrainingRun:
    """Request and execute a run in this process (the demo, the commands, the shell)."""
    run = training_run_request(purpose=purpose, algorithm=algorithm, activate=activate, trigger=trigger,
                               requested_by=requested_by)
    return training_run_execute(run_id=run.pk)


# --- activating -------------------------------------------------------------------------------------
def _activate(version: ModelVersion) -> ModelVersion:
    rows = lock(Kind.MODEL_VERSION, ModelVersion.objects.filter(purpose=version.purpose, state=ModelVersion.State.ACTIVE)
                | ModelVersion.objects.filter(pk=version.pk))
    previous = [row for row in rows if row.pk != version.pk and row.state == ModelVersion.State.ACTIVE]
    for row in previous:
        row.state = ModelVersion.State.RETIRED
        row.save(update_fields=["state"])
    version.state, version.activated_at = ModelVersion.State.ACTIVE, timezone.now()
    version.save(update_fields=["state", "activated_at"])
    record(events.ModelActivated(version_id=version.pk, purpose=version.purpose, algorithm=version.algorithm,
                                 previous_version_id=previous[0].pk if previous else None))
    key, stamp = stamp_key(version.purpose), version.pk
    transaction.on_commit(lambda: cache.set(key, stamp, STAMP_TIMEOUT))
    return version


def model_version_activate(*, version: ModelVersion | int) -> ModelVersion:
    """Make ``version`` the one serving its purpose (the one before it retired), atomically. Its file
    is read first, outside the transaction: a file that cannot be read is refused, and nothing changes."""
    version_id = version.pk if isinstance(version, ModelVersion) else version
    found = ModelVersion.objects.filter(pk=version_id).first()
    if found is None:
        raise ModelVersionNotFound("No such model version.")
    try:
        read_model(found)
    except (OSError, ValueError) as error:
        raise ModelFileUnreadable(f"Model version {found.pk} cannot be read: {error}") from error
    with telemetry.command_span("commerce.recommendations.model.activate", purpose=found.purpose), transaction.atomic():
        # the purpose's active version and this one, in one statement in id order (this one alone first,
        # then the active one with a lower id, was out of order: a deadlock between two activations)
        rows = lock(Kind.MODEL_VERSION, ModelVersion.objects.filter(purpose=found.purpose, state=ModelVersion.State.ACTIVE)
                    | ModelVersion.objects.filter(pk=version_id))
        found = next(row for row in rows if row.pk == version_id)
        if found.state == ModelVersion.State.ACTIVE:
            return found
        return _activate(found)
