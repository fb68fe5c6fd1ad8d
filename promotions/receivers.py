"""Signal receivers of the promotions app (connected in ``PromotionsConfig.ready``).

The provider caches the compiled rules; any write to a row they are compiled from makes the
cache stale, whoever wrote it (a service, the admin, a fixture). The counters are not compiled
(they are read on every pricing), and they change through ``QuerySet.update``, which sends no signal.
"""

from django.db import transaction
from django.db.models.signals import m2m_changed, post_delete, post_save

from promotions.models import Campaign, Promotion, PromotionTier, Segment
from promotions.selectors.rules import rules_cache_bump


def _stale(**kwargs):
    rules_cache_bump()
    if transaction.get_connection().in_atomic_block:
        transaction.on_commit(rules_cache_bump)


for _model in (Promotion, PromotionTier, Campaign, Segment):
    post_save.connect(_stale, sender=_model, dispatch_uid=f"promotions.rules_stale.save.{_model.__name__}")
    post_delete.connect(_stale, sender=_model, dispatch_uid=f"promotions.rules_stale.delete.{_model.__name__}")

for _field in ("target_products", "target_categories", "target_manufacturers", "segments", "get_products"):
    m2m_changed.connect(
        _stale, sender=getattr(Promotion, _field).through, dispatch_uid=f"promotions.rules_stale.m2m.{_field}"
    )

