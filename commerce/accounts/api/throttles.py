from rest_framework.settings import api_settings
from rest_framework.throttling import ScopedRateThrottle


class AuthRateThrottle(ScopedRateThrottle):
    """The ``auth`` scope (log-in, sign-up): a tight limit against password guessing.

    DRF's throttles copy the rates when the module is imported; this one reads the current
    settings on every request, so a changed ``REST_FRAMEWORK`` setting takes effect at once.
    """

    @property
    def THROTTLE_RATES(self):  # noqa: N802 - the name DRF's SimpleRateThrottle reads
        return api_settings.DEFAULT_THROTTLE_RATES
