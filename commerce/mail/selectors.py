"""Reads of the outbox."""

from __future__ import annotations

import datetime

from django.conf import settings
from django.db.models import Q
from django.utils import timezone

from commerce.mail.errors import MailNotFound
from commerce.mail.models import Mail


def mail_get(*, mail_id: int) -> Mail:
    mail = Mail.objects.filter(pk=mail_id).first()
    if mail is None:
        raise MailNotFound("No such mail.")
    return mail


def mails_to_sweep(*, now: datetime.datetime | None = None, limit: int = 200) -> list[int]:
    """Queued mails whose send was lost, oldest first: a killed worker (its lease ran out), a lost
    retry (its time passed), a lost task (a broker down at commit). Each is left to the task meant
    for it for ``MAIL_SWEEP_AFTER_SECONDS`` more: the one queued at commit, or the retry."""
    now = now or timezone.now()
    cutoff = now - datetime.timedelta(seconds=settings.MAIL_SWEEP_AFTER_SECONDS)
    due = Q(locked_until__isnull=True, created_at__lte=cutoff) | Q(locked_until__lte=cutoff)
    return list(
        Mail.objects.filter(due, status=Mail.Status.QUEUED)
        .order_by("id").values_list("pk", flat=True)[:limit]
    )



def mail_keys_recorded(*, keys) -> set[str]:
    """Which of ``keys`` the outbox has a mail for (sent or not): one query."""
    keys = list(keys)
    return set(Mail.objects.filter(key__in=keys).values_list("key", flat=True)) if keys else set()
