"""The recommendations back office: one module per model admin (moderation queues, banned words, replies)."""

from recommendations.admin import reviews  # noqa: F401 (registers the review admins)
