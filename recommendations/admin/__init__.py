"""The recommendations back office: one module per model admin (moderation queues, banned words, replies)."""
