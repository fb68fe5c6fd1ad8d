"""Recommendations queries, one module per concern (``reviews``: reviews, the rating summary, the
moderation figures; ``questions``, ``content``); other apps read recommendations through these
functions. Inside the app, import from the specific module."""
