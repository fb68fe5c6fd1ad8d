"""The shop's one mail framework: an outbox of every mail, sent once, after commit.

A command (or a reaction to a domain event) calls ``services.mail_send_once(key=..., to=...,
template=..., context=...)`` inside its transaction. The mail is rendered there (HTML and text,
Django templates, the shared layout ``templates/mail/base.*``) and recorded as an outbox row under
its idempotency key; a second call with the same key returns that row and sends nothing. Once the
transaction commits, the ``mail.send`` task delivers it through Django's mail framework; a rolled-back
transaction leaves no row and sends nothing.

The row is the truth: ``queued`` until delivered (``sent``, with ``sent_at``) or given up
(``failed``, after ``MAIL_MAX_ATTEMPTS`` or a permanent refusal; staff may queue it again from the
admin). A worker claims a mail with a conditional update that holds it for a lease; the ``mail.sweep``
beat task queues again every queued mail whose lease ran out (a killed worker, a lost task, a broker
that was down at commit).

Delivery is at least once: a worker killed after the SMTP server accepted a mail but before the
row said ``sent`` leaves it queued, and the sweep sends it again. The window is the few
milliseconds of one UPDATE; losing an order confirmation would be worse than that rare duplicate,
which carries the same ``Message-ID`` (mail clients and many servers fold such copies into one).
Once a row is ``sent`` it is never sent again.
"""
