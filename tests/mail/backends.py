"""A mail backend for the tests: fails with the errors queued in ``FAILURES`` (one per send), then
delivers to Django's locmem outbox like the test backend."""

from django.core.mail.backends.locmem import EmailBackend

FAILURES: list[Exception] = []
OPENED: list[dict] = []


class FlakyBackend(EmailBackend):
    def __init__(self, *args, **kwargs):
        OPENED.append({"timeout": kwargs.get("timeout")})
        super().__init__(*args, **kwargs)

    def send_messages(self, messages):
        if FAILURES:
            raise FAILURES.pop(0)
        return super().send_messages(messages)
