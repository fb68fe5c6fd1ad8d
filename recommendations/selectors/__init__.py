"""Recommendations queries, one module per concern (``questions``, ``content``; the reviews modules
beside them); other apps read recommendations through these functions."""
