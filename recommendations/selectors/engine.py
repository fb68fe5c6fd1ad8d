"""The trained models: which version serves a purpose, and the loaded model itself.

``active_recommender(purpose)`` is what serving code calls. Each process keeps the model it
loaded; every call compares the loaded version's id with a stamp in the cache (one cache read,
``recommendations:active-model:<purpose>``), which ``model_version_activate`` sets after its
commit, so a version activated in another process is loaded on the next call, and nothing is read
from the database or the storage while the stamp is unchanged. A stamp missing from the cache
(evicted, a cold cache) is read again from the database and put back.
"""

from __future__ import annotations

import logging
import threading

from django.core.cache import cache
from django.db.models import QuerySet

from recommendations import engine
from recommendations.errors import ModelVersionNotFound, TrainingRunNotFound
from recommendations.models import ModelVersion, TrainingRun

logger = logging.getLogger(__name__)
STAMP_TIMEOUT = 24 * 3600
_NONE = 0  # the stamp of "no active version"
_loaded: dict[str, tuple[int, engine.Recommender | None]] = {}
_loading = threading.Lock()


def stamp_key(purpose: str) -> str:
    return f"recommendations:active-model:{purpose}"


def active_version(*, purpose: str) -> ModelVersion | None:
    return ModelVersion.objects.filter(purpose=purpose, state=ModelVersion.State.ACTIVE).order_by("-activated_at", "-id").first()


def _active_stamp(purpose: str) -> int:
    stamp = cache.get(stamp_key(purpose))
    if stamp is None:
        found = (ModelVersion.objects.filter(purpose=purpose, state=ModelVersion.State.ACTIVE)
                 .order_by("-activated_at", "-id").values_list("pk", flat=True).first())
        stamp = found or _NONE
        cache.set(stamp_key(purpose), stamp, STAMP_TIMEOUT)
    return int(stamp)


def read_model(version: ModelVersion) -> engine.Recommender:
    """The version's file, read through the storage and loaded (``ModelFormatError`` if damaged)."""
    with version.file.open("rb") as handle:
        return engine.load(handle.read())


def active_recommender(purpose: str) -> engine.Recommender | None:
    """The model serving ``purpose`` (``Purpose``), or None when none is active or its file cannot
    be read (the caller falls back, e.g. to popularity). One cache read while nothing changed."""
    stamp = _active_stamp(purpose)
    loaded = _loaded.get(purpose)
    if loaded is not None and loaded[0] == stamp:
        return loaded[1]
    with _loading:
        loaded = _loaded.get(purpose)
        if loaded is not None and loaded[0] == stamp:
            return loaded[1]
        model = None
        if stamp != _NONE:
            version = ModelVersion.objects.filter(pk=stamp).first()
            try:
                model = read_model(version) if version is not None else None
            except (OSError, engine.ModelFormatError):
                logger.exception("model version %s of %s cannot be read", stamp, purpose)
        _loaded[purpose] = (stamp, model)
        return model


_versions: dict[int, engine.Recommender | None] = {}
VERSIONS_KEPT = 4  # model versions an A/B test names, kept loaded per process


def recommender_of_version(version_id: int) -> engine.Recommender | None:
    """A given version's model (an A/B test's variant names one), loaded once per process; None when it
    is gone or cannot be read (the caller serves the active model instead)."""
    if version_id in _versions:
        return _versions[version_id]
    with _loading:
        if version_id not in _versions:
            version = ModelVersion.objects.filter(pk=version_id).first()
            model = None
            try:
                model = read_model(version) if version is not None else None
            except (OSError, engine.ModelFormatError):
                logger.exception("model version %s cannot be read", version_id)
            while len(_versions) >= VERSIONS_KEPT:
                _versions.pop(next(iter(_versions)))
            _versions[version_id] = model
        return _versions[version_id]


def loaded_version(purpose: str) -> int | None:
    """The id of the version ``active_recommender(purpose)`` answered with last in this process (serving
    records it with each list), or None."""
    loaded = _loaded.get(purpose)
    return loaded[0] if loaded is not None and loaded[1] is not None else None


def forget_loaded() -> None:
    """Drop this process's loaded models (tests; a worker told to start afresh)."""
    _loaded.clear()
    _versions.clear()


def model_version_get(*, version_id: int) -> ModelVersion:
    version = ModelVersion.objects.filter(pk=version_id).first()
    if version is None:
        raise ModelVersionNotFound("No such model version.")
    return version


def model_version_list(*, purpose: str | None = None) -> QuerySet[ModelVersion]:
    qs = ModelVersion.objects.all()
    return qs.filter(purpose=purpose) if purpose else qs


def training_run_list(*, purpose: str | None = None, status: str | None = None) -> QuerySet[TrainingRun]:
    """Training runs, newest first (with their progress while they run)."""
    qs = TrainingRun.objects.all()
    if purpose:
        qs = qs.filter(purpose=purpose)
    return qs.filter(status=status) if status else qs


def training_run_get(*, run_id: int) -> TrainingRun:
    run = TrainingRun.objects.filter(pk=run_id).first()
    if run is None:
        raise TrainingRunNotFound("No such training run.")
    return run
