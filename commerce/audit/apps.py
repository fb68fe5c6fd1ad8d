from django.apps import AppConfig


class AuditConfig(AppConfig):
    name = "commerce.audit"
    label = "audit"
    verbose_name = "Audit trail"

    def ready(self):
        from commerce import telemetry
        from commerce.audit import checks, receivers  # noqa: F401

        telemetry.instrument_django()
