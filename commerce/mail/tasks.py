"""The outbox's tasks, on the default queue: send one mail; sweep up the mails whose send was lost."""

import logging

from celery import shared_task
from django.conf import settings
from django.db import OperationalError

from commerce.mail import selectors, services

logger = logging.getLogger(__name__)


@shared_task(name="mail.send", bind=True, acks_late=True, autoretry_for=(OperationalError,), retry_backoff=True, max_retries=5)
def mail_send_task(self, mail_id: int) -> str | None:
    """Deliver one queued mail; after a transient failure, try again when the row says it is due."""
    try:
        return services.mail_deliver(mail_id=mail_id)
    except services.MailDeferred as deferred:
        if self.request.is_eager:
            # Run in the web process (the embedded default): no waiting there. The row stays queued
            # with its next attempt's time, for the sweep (a worker with beat) or a staff resend.
            logger.warning("mail %s not sent (%s); left queued", mail_id, deferred)
            return None
        raise self.retry(exc=deferred, countdown=deferred.countdown, max_retries=settings.MAIL_MAX_ATTEMPTS) from None


@shared_task(name="mail.sweep", autoretry_for=(OperationalError,), retry_backoff=True, max_retries=3)
def mail_sweep_task() -> int:
    """Beat, every minute: queue again each mail whose send was lost (see ``selectors.mails_to_sweep``)."""
    due = selectors.mails_to_sweep()
    for mail_id in due:
        mail_send_task.delay(mail_id)
    if due:
        logger.info("mail sweep: %d queued mail(s) sent again", len(due))
    return len(due)
