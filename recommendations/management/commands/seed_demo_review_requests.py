"""``manage.py seed_demo_review_requests``: the review request mails of the demo's delivered orders.

The demo orders are delivered while the demo is seeded, and the hourly task asks for a review
``REVIEW_REQUEST_DELAY_DAYS`` after delivery; so this runs the same service
(``recommendations.review_requests.review_requests_send``) as that task will run once the delay has
passed, and the mails appear in the mail outbox (admin: Mail › Mails) with their signed links.
Orders whose products their customer has reviewed already get none. ``seed_demo`` runs it after the
demo reviews. Idempotent: a request is never sent twice (the outbox key), so a second run sends none.
"""

from __future__ import annotations

import datetime

from django.conf import settings
from django.core.management.base import BaseCommand
from django.utils import timezone

from commerce.demo import add_allow_production_argument, refuse_in_production
from recommendations.review_requests import review_requests_send


class Command(BaseCommand):
    help = "Send the review requests of the demo's delivered orders, as the hourly task will after the delay (idempotent)."

    def add_arguments(self, parser):
        add_allow_production_argument(parser)

    def handle(self, *args, allow_production, **options):
        refuse_in_production("seed_demo_review_requests", allow_production=allow_production)
        after_delay = timezone.now() + datetime.timedelta(days=settings.REVIEW_REQUEST_DELAY_DAYS, minutes=1)
        sent = review_requests_send(now=after_delay)
        if sent:
            self.stdout.write(self.style.SUCCESS(
                f"Review requests sent for {len(sent)} delivered demo order(s) ({', '.join(sent[:5])}"
                f"{', ...' if len(sent) > 5 else ''}): see the mail outbox in the admin."))
        else:
            self.stdout.write("No review request to send (none delivered, all asked already or all reviewed).")
