from django.apps import AppConfig


class MailConfig(AppConfig):
    name = "commerce.mail"
    label = "mail"
    verbose_name = "Mail"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self):
        from commerce.audit import wording

        # The outbox's events read well as their data ("Mail sent: mail: 9; key: ...; attempts: 1").
        wording.leave_generic("mail", ("mail.mail.queued", "mail.mail.sent", "mail.mail.failed", "mail.mail.requeued"))
