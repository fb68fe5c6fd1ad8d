from commerce.api.throttling import LiveScopedRateThrottle


class AuthRateThrottle(LiveScopedRateThrottle):
    """The ``auth`` scope (log-in, sign-up): a tight limit against password guessing."""
