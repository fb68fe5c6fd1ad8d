"""The outbox in the back office: read-only, for Support; a failed mail is sent again through the service."""

import smtplib

import pytest
from django.core import mail as django_mail
from django.urls import reverse

from commerce.mail import services
from commerce.mail.models import Mail
from tests.factories import events, messages_of

pytestmark = pytest.mark.django_db
LIST = reverse("admin:mail_mail_changelist")


def failed_mail(flaky_mail, key="m:1", name="Ada"):
    flaky_mail.append(smtplib.SMTPRecipientsRefused({"ada@example.com": (550, b"No such user")}))
    mail = services.mail_send_once(key=key, to="ada@example.com", template="tests_mail/hello",
                                   context={"name": name, "link": "https://shop.example.com/"})
    assert services.mail_deliver(mail_id=mail.pk) == Mail.Status.FAILED
    return mail


def test_support_browses_the_outbox_filtered_by_status(client, admin_support, flaky_mail):
    failed = failed_mail(flaky_mail)
    sent = services.mail_send_once(key="m:2", to="bob@example.com", template="tests_mail/hello", context={"name": "Bob", "link": "/"})
    services.mail_deliver(mail_id=sent.pk)

    page = client.get(LIST, {"status__exact": "failed"})

    assert page.status_code == 200
    assert [row.pk for row in page.context["cl"].result_list] == [failed.pk]
    assert client.get(LIST, {"q": "bob@example.com"}).context["cl"].result_list[0].pk == sent.pk
    assert client.get(reverse("admin:mail_mail_add")).status_code == 403  # nobody writes a mail by hand


def test_the_mail_page_shows_the_html_part_in_a_sandboxed_frame_escaped(client, admin_support, flaky_mail):
    mail = failed_mail(flaky_mail, name='"><script>alert(1)</script>')

    page = client.get(reverse("admin:mail_mail_change", args=[mail.pk])).content.decode()

    assert '<iframe sandbox="" srcdoc="' in page
    assert "<script>alert(1)</script>" not in page
    assert "SMTPRecipientsRefused" in page


def test_a_failed_mail_is_sent_again_from_the_list_and_a_sent_one_is_refused(client, admin_support, flaky_mail, django_capture_on_commit_callbacks):
    failed = failed_mail(flaky_mail)
    sent = services.mail_send_once(key="m:2", to="bob@example.com", template="tests_mail/hello", context={"name": "Bob", "link": "/"})
    services.mail_deliver(mail_id=sent.pk)
    django_mail.outbox.clear()

    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(LIST, {"action": "resend", "_selected_action": [failed.pk, sent.pk]}, follow=True)

    failed.refresh_from_db()
    assert failed.status == Mail.Status.SENT and [m.to for m in django_mail.outbox] == [["ada@example.com"]]
    notes = messages_of(response)
    assert any("Only a failed mail can be sent again" in n for n in notes) and any(n.startswith("Queued again") for n in notes)
    [requeued] = events("mail.mail.requeued")
    assert requeued.actor_id == admin_support.pk and requeued.channel == "admin"


def test_staff_outside_support_do_not_see_the_outbox(client, admin_merchandiser):
    assert client.get(LIST).status_code == 403
