"""The outbox: recorded in the caller's transaction, sent once after commit, retried, swept."""

import datetime
import smtplib

import pytest
from celery.exceptions import Retry
from django.core import mail as django_mail
from django.db import transaction
from django.utils import timezone

from commerce.audit import bus
from commerce.mail import services
from commerce.mail.errors import MailInvalid, MailNotResendable
from commerce.mail.models import Mail
from commerce.mail.selectors import mails_to_sweep
from commerce.mail.tasks import mail_send_task, mail_sweep_task
from tests.factories import events
from tests.mail import backends

pytestmark = pytest.mark.django_db
S = Mail.Status


def queue(key="greeting:1", name="Ada", **kwargs):
    return services.mail_send_once(key=key, to="ada@example.com", template="tests_mail/hello",
                                   context={"name": name, "link": "https://shop.example.com/x/"}, **kwargs)


def test_mail_send_once_records_the_mail_in_the_transaction_and_sends_it_after_commit(django_capture_on_commit_callbacks):
    # when: a command records a mail inside its transaction
    with django_capture_on_commit_callbacks(execute=True) as callbacks, transaction.atomic():
        mail = queue(customer_id=7)
        # then: recorded, queued, nothing sent before the commit
        assert Mail.objects.get().status == S.QUEUED
        assert django_mail.outbox == []

    assert len(callbacks) == 1
    mail.refresh_from_db()
    assert mail.status == S.SENT and mail.attempts == 1 and mail.sent_at is not None and mail.locked_until is None
    [sent] = django_mail.outbox
    assert sent.to == ["ada@example.com"] and sent.subject == "Hello Ada"
    assert "Hello Ada, see https://shop.example.com/x/" in sent.body and sent.body.startswith("Test Shop\n")
    [(html, mimetype)] = sent.alternatives
    assert mimetype == "text/html" and '<a href="https://shop.example.com/"' in html and '>Test Shop</a>' in html
    assert sent.extra_headers["Message-ID"] == services.message_id(mail) and sent.extra_headers["Message-ID"].endswith("@shop.example.com>")
    assert [e.payload["key"] for e in events("mail.mail.queued")] == ["greeting:1"]
    assert [e.payload["attempts"] for e in events("mail.mail.sent")] == [1]
    assert events("mail.mail.queued")[0].customer_id == 7


def test_inside_a_paused_bus_no_mail_is_recorded_or_sent(django_capture_on_commit_callbacks):
    # given: a demo loader's block, the event bus paused
    with django_capture_on_commit_callbacks(execute=True) as callbacks, bus.paused():
        # when: a command mails directly (not as a reaction to its event)
        mail = queue()

    # then: nothing recorded, queued or sent; outside the block the outbox works again
    assert mail is None and callbacks == []
    assert not Mail.objects.exists() and django_mail.outbox == [] and events("mail.mail.queued") == []
    with django_capture_on_commit_callbacks(execute=True):
        assert queue().status == S.QUEUED
    assert len(django_mail.outbox) == 1


def test_a_paused_bus_still_refuses_an_address_that_is_not_one():
    with bus.paused(), pytest.raises(MailInvalid):
        services.mail_send_once(key="k", to="not an address", template="tests_mail/hello", context={})


def test_the_same_key_twice_records_one_mail_and_sends_it_once(django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        first = queue()
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        again = queue(name="Someone else")

    assert again.pk == first.pk and callbacks == []
    assert Mail.objects.count() == 1 and len(django_mail.outbox) == 1
    assert django_mail.outbox[0].subject == "Hello Ada"


def test_keys_are_exact_a_different_case_is_another_mail(django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        queue(key="k:abc")
        queue(key="k:ABC")
        queue(key="k:abc ")

    assert Mail.objects.count() == 3 and len(django_mail.outbox) == 3


def test_a_rolled_back_transaction_leaves_no_mail_and_sends_nothing(django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        with pytest.raises(ZeroDivisionError), transaction.atomic():
            queue()
            raise ZeroDivisionError

    assert callbacks == [] and Mail.objects.count() == 0 and django_mail.outbox == []


def test_what_a_customer_typed_is_escaped_in_the_html_part_and_plain_in_the_text_part(django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        queue(name='<script>alert("x")</script> & Co\nBcc: evil@example.com')

    [sent] = django_mail.outbox
    html = sent.alternatives[0][0]
    assert "<script>" not in html and "&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt; &amp; Co" in html
    assert '<script>alert("x")</script> & Co' in sent.body
    assert sent.subject == 'Hello <script>alert("x")</script> & Co Bcc: evil@example.com'  # one line: no header injected


@pytest.mark.parametrize(("key", "to"), [("", "ada@example.com"), ("k" * 201, "ada@example.com"), ("k", "not an address")])
def test_a_mail_without_a_usable_key_or_address_is_refused(key, to):
    with pytest.raises(MailInvalid):
        services.mail_send_once(key=key, to=to, template="tests_mail/hello", context={})
    assert Mail.objects.count() == 0


def test_a_transient_smtp_failure_keeps_the_mail_queued_until_its_retry_and_the_retry_sends_it(flaky_mail, django_capture_on_commit_callbacks):
    # given: the server is down for the first attempt
    flaky_mail.append(smtplib.SMTPServerDisconnected("Connection unexpectedly closed"))
    with django_capture_on_commit_callbacks(execute=True):
        mail = queue()  # sent at commit (eager): fails, left queued

    # then: queued, one attempt, the error kept, held until the retry is due
    mail.refresh_from_db()
    assert mail.status == S.QUEUED and mail.attempts == 1 and "SMTPServerDisconnected" in mail.last_error
    assert mail.locked_until > timezone.now() + datetime.timedelta(seconds=29)  # the retry's time
    assert django_mail.outbox == [] and backends.OPENED[0]["timeout"] == 20
    assert services.mail_deliver(mail_id=mail.pk) is None  # not before
    assert mails_to_sweep(now=timezone.now() + datetime.timedelta(seconds=80)) == []  # the retry's, not yet the sweep's
    assert mails_to_sweep(now=timezone.now() + datetime.timedelta(seconds=100)) == [mail.pk]  # a retry that never came

    # when: on a worker, the task asks Celery to retry it after the backoff
    retries = []
    mail_send_task.push_request(is_eager=False, retries=0)
    try:
        Mail.objects.filter(pk=mail.pk).update(locked_until=None)  # (its time has come)
        flaky_mail.append(smtplib.SMTPResponseException(421, b"Service not available, try later"))
        with pytest.MonkeyPatch.context() as patch:
            patch.setattr(mail_send_task, "retry", lambda **kwargs: retries.append(kwargs) or Retry())
            with pytest.raises(Retry):
                mail_send_task.run(mail.pk)
    finally:
        mail_send_task.pop_request()
    assert retries[0]["countdown"] == 60  # 30 s, doubled after the second attempt

    # and: the retry, once due, sends it
    Mail.objects.filter(pk=mail.pk).update(locked_until=None)
    assert mail_send_task.apply(args=[mail.pk]).get() == S.SENT
    mail.refresh_from_db()
    assert mail.status == S.SENT and mail.attempts == 3 and mail.last_error == ""
    assert len(django_mail.outbox) == 1


def test_a_permanent_refusal_fails_the_mail_at_once_and_staff_can_send_it_again(flaky_mail, django_capture_on_commit_callbacks):
    flaky_mail.append(smtplib.SMTPRecipientsRefused({"ada@example.com": (550, b"No such user")}))
    with django_capture_on_commit_callbacks(execute=True):
        mail = queue()

    mail.refresh_from_db()
    assert mail.status == S.FAILED and mail.attempts == 1 and "SMTPRecipientsRefused" in mail.last_error
    assert [e.payload["attempts"] for e in events("mail.mail.failed")] == [1]

    with django_capture_on_commit_callbacks(execute=True):
        services.mail_resend(mail_id=mail.pk)

    mail.refresh_from_db()
    assert mail.status == S.SENT and mail.attempts == 1 and len(django_mail.outbox) == 1
    assert events("mail.mail.requeued")[0].payload["previous_error"].startswith("SMTPRecipientsRefused")
    with pytest.raises(MailNotResendable):
        services.mail_resend(mail_id=mail.pk)  # sent: never sent again


def test_a_mail_failing_on_every_attempt_is_failed_after_the_last(flaky_mail, settings):
    settings.MAIL_MAX_ATTEMPTS = 2
    mail = queue()  # (no commit in this test: the sends are driven by hand)
    flaky_mail.extend([ConnectionRefusedError(111, "Connection refused")] * 2)

    with pytest.raises(services.MailDeferred):
        services.mail_deliver(mail_id=mail.pk)
    assert services.mail_deliver(mail_id=mail.pk, now=timezone.now() + datetime.timedelta(hours=1)) == S.FAILED

    mail.refresh_from_db()
    assert mail.status == S.FAILED and mail.attempts == 2 and "Connection refused" in mail.last_error


def test_a_mail_held_by_a_worker_is_not_sent_by_another():
    mail = queue()
    assert services.mail_deliver(mail_id=mail.pk) == S.SENT
    assert services.mail_deliver(mail_id=mail.pk) is None  # sent: never twice

    other = queue(key="greeting:2")
    Mail.objects.filter(pk=other.pk).update(locked_until=timezone.now() + datetime.timedelta(minutes=5))  # a live worker's lease
    assert services.mail_deliver(mail_id=other.pk) is None
    assert len(django_mail.outbox) == 1


def test_the_sweep_sends_a_mail_whose_worker_died_and_never_a_sent_one_again(frozen_clock):
    # given: one mail sent, one whose worker died mid-send (claimed, never marked sent), one a live
    # worker holds, one queued whose task was lost (the broker was down at commit), one just queued
    start = timezone.now()
    sent = queue(key="m:sent")
    services.mail_deliver(mail_id=sent.pk)
    died = queue(key="m:died")
    Mail.objects.filter(pk=died.pk).update(attempts=1, locked_until=start + datetime.timedelta(minutes=6))
    live = queue(key="m:live")
    lost = queue(key="m:lost")
    django_mail.outbox.clear()

    # when: the sweep runs after the dead worker's lease ran out; the live worker renewed its own
    frozen_clock(start + datetime.timedelta(minutes=7))
    Mail.objects.filter(pk=live.pk).update(locked_until=start + datetime.timedelta(minutes=12))
    fresh = queue(key="m:fresh")
    assert mail_sweep_task.apply().get() == 2

    # then: the dead worker's mail and the lost one were sent (again, for the first: at least once,
    # under the same Message-ID), nothing else; a second sweep finds nothing
    assert sorted(m.subject for m in django_mail.outbox) == ["Hello Ada", "Hello Ada"]
    assert {m.extra_headers["Message-ID"] for m in django_mail.outbox} == {services.message_id(died), services.message_id(lost)}
    statuses = dict(Mail.objects.values_list("key", "status"))
    assert statuses == {"m:sent": S.SENT, "m:died": S.SENT, "m:live": S.QUEUED, "m:lost": S.SENT, "m:fresh": S.QUEUED}
    assert Mail.objects.get(key="m:died").attempts == 2
    assert mail_sweep_task.apply().get() == 0
    assert fresh.pk not in mails_to_sweep()


def test_a_broker_down_at_commit_loses_no_mail(django_capture_on_commit_callbacks, monkeypatch, frozen_clock):
    def broker_down(*args, **kwargs):
        raise ConnectionError("Error 111 connecting to redis")

    monkeypatch.setattr(mail_send_task, "delay", broker_down)
    with django_capture_on_commit_callbacks(execute=True):
        mail = queue()  # committed; the task could not be queued: logged, not raised
    assert Mail.objects.get(pk=mail.pk).status == S.QUEUED and django_mail.outbox == []
    monkeypatch.undo()

    frozen_clock(timezone.now() + datetime.timedelta(minutes=2))
    assert mail_sweep_task.apply().get() == 1
    assert Mail.objects.get(pk=mail.pk).status == S.SENT and len(django_mail.outbox) == 1


def test_retry_delays_double_and_stay_within_the_longest_countdown(settings):
    settings.MAIL_RETRY_SECONDS, settings.CELERY_MAX_COUNTDOWN = 30, 600
    assert [services.retry_delay(n) for n in range(1, 8)] == [30, 60, 120, 240, 480, 600, 600]


@pytest.mark.parametrize(
    ("error", "permanent"),
    [
        (smtplib.SMTPRecipientsRefused({"a@example.com": (550, b"unknown")}), True),
        (smtplib.SMTPRecipientsRefused({"a@example.com": (450, b"mailbox busy")}), False),
        (smtplib.SMTPSenderRefused(553, b"sender refused", "shop@example.com"), True),
        (smtplib.SMTPDataError(554, b"rejected"), True),
        (smtplib.SMTPDataError(451, b"try later"), False),
        (smtplib.SMTPAuthenticationError(535, b"bad credentials"), False),
        (smtplib.SMTPServerDisconnected("gone"), False),
        (TimeoutError("timed out"), False),
    ],
)
def test_which_failures_are_permanent(error, permanent):
    assert services.is_permanent(error) is permanent
