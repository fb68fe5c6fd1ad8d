from django.dispatch import receiver

from commerce.audit.events import events_stored
from recommendations import rating_summary


@receiver(events_stored, dispatch_uid="recommendations.project_rating_summaries")
def project_rating_summaries(sender, rows, **kwargs):
    rating_summary.project(rows)
