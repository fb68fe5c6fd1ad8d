"""Commands of the outbox: record a mail once, deliver it, give it up, queue it again.

``mail_send_once`` runs in the caller's transaction; ``mail_deliver`` runs in the ``mail.send``
task, holding no transaction while it talks to the mail server (see the package docstring for the
lease, the sweep and why delivery is at least once).
"""

from __future__ import annotations

import datetime
import hashlib
import logging
import smtplib

from django.conf import settings
from django.core.exceptions import ValidationError as DjangoValidationError
from django.core.mail import EmailMultiAlternatives, get_connection
from django.core.validators import validate_email
from django.db import IntegrityError, transaction
from django.db.models import F, Q
from django.utils import timezone

from commerce import telemetry
from commerce.audit import bus
from commerce.audit.events import record
from commerce.mail import events
from commerce.mail.errors import MailInvalid, MailNotResendable
from commerce.mail.models import Mail
from commerce.mail.rendering import render_mail, site_domain
from commerce.mail.selectors import mail_get

logger = logging.getLogger(__name__)
S = Mail.Status
KEY_MAX = Mail._meta.get_field("key").max_length
ERROR_MAX = Mail._meta.get_field("last_error").max_length


class MailDeferred(Exception):
    """A delivery failed for a reason that may pass (a server down, a 4xx answer): try again in ``countdown`` s."""

    def __init__(self, message: str, *, countdown: int):
        super().__init__(message)
        self.countdown = countdown


def _ids(mail: Mail) -> dict:
    return {"mail_id": mail.pk, "key": mail.key, "template": mail.template, "customer_id": mail.customer_id}


def mail_send_once(*, key: str, to: str, template: str, context: dict, customer_id: int | None = None) -> Mail | None:
    """Record the mail ``key`` and send it once the caller's transaction commits.

    ``template`` names ``<template>.subject.txt``, ``.txt`` and ``.html`` (``orders/mail/shipped``);
    they are rendered now, with ``context``. A key recorded before (the same event handled twice,
    two workers at once) returns that mail and sends nothing more. Raises ``MailInvalid`` for an
    empty or too long key or an address that is not one.

    Inside ``bus.paused()`` (the demo loaders, an import of history) it records nothing and returns
    None: a command that mails directly (a guest's stock alert asks to be confirmed) sent the demo's
    addresses real mail, where the paused bus kept the reactions' mails back.
    """
    if not key or len(key) > KEY_MAX:
        raise MailInvalid(f"A mail needs a key of 1 to {KEY_MAX} characters.", fields={"key": ["1 to 200 characters."]})
    try:
        validate_email(to)
    except DjangoValidationError:
        raise MailInvalid("Not an e-mail address.", fields={"to": ["Not an e-mail address."]}) from None
    if bus.is_paused():
        logger.debug("mail %s not recorded: the event bus is paused", key)
        return None
    with telemetry.command_span("commerce.mail.queue", attributes={"mail.template": template}) as span, transaction.atomic():
        existing = Mail.objects.filter(key=key).first()
        if existing is not None:
            span.set_attribute("mail.duplicate", True)
            return existing
        rendered = render_mail(template, context)
        try:
            with transaction.atomic():  # a savepoint: losing a race for the key leaves the caller's transaction usable
                mail = Mail.objects.create(
                    key=key, to=to, template=template, subject=rendered.subject, body_text=rendered.text,
                    body_html=rendered.html, customer_id=customer_id,
                )
        except IntegrityError:
            span.set_attribute("mail.duplicate", True)
            return Mail.objects.get(key=key)
        record(events.MailQueued(**_ids(mail), to=to, subject=mail.subject))
        span.set_attribute("mail.id", mail.pk)
        transaction.on_commit(lambda: _queue(mail.pk))
        return mail


def _queue(mail_id: int) -> None:
    """After commit: hand the mail to a worker. A broker that cannot take it now loses nothing:
    the row stays queued and the sweep sends it."""
    from commerce.mail.tasks import mail_send_task

    try:
        mail_send_task.delay(mail_id)
    except Exception:
        logger.warning("mail %s could not be queued now; the sweep will send it", mail_id, exc_info=True)


def message_id(mail: Mail) -> str:
    """The same ``Message-ID`` on every attempt of one mail, so a copy sent twice reads as one."""
    return f"<{hashlib.sha256(mail.key.encode()).hexdigest()[:40]}@{site_domain()}>"


def _message(mail: Mail, connection) -> EmailMultiAlternatives:
    message = EmailMultiAlternatives(
        subject=mail.subject, body=mail.body_text, from_email=settings.DEFAULT_FROM_EMAIL, to=[mail.to],
        headers={"Message-ID": message_id(mail), "Auto-Submitted": "auto-generated"}, connection=connection,
    )
    message.attach_alternative(mail.body_html, "text/html")
    return message


def is_permanent(error: Exception) -> bool:
    """A refusal that trying again will not change: a 5xx answer (unknown recipient, sender refused,
    message rejected). Connection errors, time-outs and 4xx answers may pass."""
    if isinstance(error, smtplib.SMTPRecipientsRefused):
        codes = [code for code, _ in error.recipients.values()]
        return bool(codes) and all(500 <= code < 600 for code in codes)
    if isinstance(error, smtplib.SMTPAuthenticationError):
        return False  # the shop's own credentials: fixed by the operator, then the retry goes through
    if isinstance(error, smtplib.SMTPResponseException):
        return 500 <= error.smtp_code < 600
    return False


def retry_delay(attempts: int) -> int:
    """Seconds before the next attempt after ``attempts`` failed ones: doubling, capped by the
    longest countdown a worker may hold (``CELERY_MAX_COUNTDOWN``)."""
    return min(settings.MAIL_RETRY_SECONDS * 2 ** max(attempts - 1, 0), max(settings.CELERY_MAX_COUNTDOWN, 1))


def mail_deliver(*, mail_id: int, now: datetime.datetime | None = None) -> str | None:
    """Send one queued mail. Returns its new status, or None when there was nothing to do (sent
    already, failed, or held by another worker). Raises ``MailDeferred`` after a
    transient failure (the mail stays queued, held until the retry is due)."""
    now = now or timezone.now()
    lease = datetime.timedelta(seconds=settings.MAIL_SEND_LEASE_SECONDS)
    with telemetry.command_span("commerce.mail.send", attributes={"mail.id": mail_id}) as span:
        # The claim: one conditional UPDATE, committed before the server is called (no lock held while sending).
        free = Q(locked_until__isnull=True) | Q(locked_until__lte=now)
        claimed = Mail.objects.filter(free, pk=mail_id, status=S.QUEUED).update(locked_until=now + lease, attempts=F("attempts") + 1)
        if not claimed:
            span.set_attribute("mail.skipped", True)
            return None
        mail = Mail.objects.get(pk=mail_id)
        span.set_attribute("mail.attempt", mail.attempts)
        try:
            with get_connection(fail_silently=False, timeout=settings.EMAIL_TIMEOUT) as connection:
                _message(mail, connection).send()
        except Exception as exc:  # every failure is recorded on the row; none is lost
            error = f"{type(exc).__name__}: {exc}"[:ERROR_MAX]
            if is_permanent(exc) or mail.attempts >= settings.MAIL_MAX_ATTEMPTS:
                _give_up(mail, error)
                return S.FAILED
            delay = retry_delay(mail.attempts)
            # Held until the retry is due: the retry claims it then; the sweep only if the retry never comes.
            Mail.objects.filter(pk=mail.pk, status=S.QUEUED, attempts=mail.attempts).update(
                locked_until=timezone.now() + datetime.timedelta(seconds=delay), last_error=error
            )
            logger.warning("mail %s attempt %d failed (%s); next attempt in %d s", mail.pk, mail.attempts, error, delay)
            raise MailDeferred(error, countdown=delay) from exc
        with transaction.atomic():
            done = Mail.objects.filter(pk=mail.pk, status=S.QUEUED, attempts=mail.attempts).update(
                status=S.SENT, sent_at=timezone.now(), locked_until=None, last_error=""
            )
            if done:
                record(events.MailSent(**_ids(mail), attempts=mail.attempts))
        return S.SENT if done else None


def _give_up(mail: Mail, error: str) -> None:
    with transaction.atomic():
        done = Mail.objects.filter(pk=mail.pk, status=S.QUEUED, attempts=mail.attempts).update(
            status=S.FAILED, locked_until=None, last_error=error
        )
        if done:
            record(events.MailFailed(**_ids(mail), attempts=mail.attempts, error=error))
    logger.error("mail %s failed for good after %d attempt(s): %s", mail.pk, mail.attempts, error)


def mail_resend(*, mail_id: int) -> Mail:
    """Queue a failed mail again (staff, after fixing what made it fail), with a fresh count of attempts."""
    with telemetry.command_span("commerce.mail.resend", attributes={"mail.id": mail_id}), transaction.atomic():
        mail = mail_get(mail_id=mail_id)
        done = Mail.objects.filter(pk=mail.pk, status=S.FAILED).update(status=S.QUEUED, attempts=0, locked_until=None, last_error="")
        if not done:
            raise MailNotResendable(f"Only a failed mail can be sent again; this one is {mail.get_status_display().lower()}.",
                                    extra={"status": mail.status})
        record(events.MailRequeued(**_ids(mail), previous_attempts=mail.attempts, previous_error=mail.last_error))
        transaction.on_commit(lambda: _queue(mail.pk))
        mail.refresh_from_db()
        return mail
