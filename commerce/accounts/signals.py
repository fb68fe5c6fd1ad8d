"""Signals of the accounts app that other apps answer (the core imports no subdomain app).

``user_deleting(user=...)`` is sent by ``services.user_delete`` inside its transaction, before the
user's row and what cascades with it go: an app that keeps figures about the user's rows (the rating
summaries count their reviews) withdraws those rows through its own services first, so its read
models stay right. A receiver that raises refuses the deletion (the transaction rolls back).
"""

from django.dispatch import Signal

user_deleting = Signal()
