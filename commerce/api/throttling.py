"""Throttles that read the rates from the current settings.

DRF's throttles copy ``DEFAULT_THROTTLE_RATES`` when their module is imported; these read the
settings on every request, so a changed ``REST_FRAMEWORK`` setting (or a test's override) takes
effect at once.
"""

from rest_framework.settings import api_settings
from rest_framework.throttling import ScopedRateThrottle


class LiveScopedRateThrottle(ScopedRateThrottle):
    """A per-view scope (``throttle_scope``), per user or, for anonymous clients, per address."""

    @property
    def THROTTLE_RATES(self):  # noqa: N802 - the name DRF's SimpleRateThrottle reads
        return api_settings.DEFAULT_THROTTLE_RATES
