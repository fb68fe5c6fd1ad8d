from django.db.models.signals import post_delete
from django.dispatch import receiver

from commerce.accounts.signals import user_deleting
from commerce.audit.events import events_stored
from recommendations import rating_summary, review_photos
from recommendations.models import ReviewPhoto
from recommendations.services.questions import customer_answer_votes_withdraw
from recommendations.services.reviews import customer_reviews_withdraw


@receiver(events_stored, dispatch_uid="recommendations.project_rating_summaries")
def project_rating_summaries(sender, rows, **kwargs):
    rating_summary.project(rows)


@receiver(post_delete, sender=ReviewPhoto, dispatch_uid="recommendations.review_photo_files")
def delete_review_photo_files(sender, instance, **kwargs):
    """However a photo row goes (removed, its review withdrawn, a cascade), its files go after commit."""
    review_photos.delete_files_after_commit(instance)


@receiver(user_deleting, dispatch_uid="recommendations.withdraw_reviews_of_deleted_user")
def withdraw_reviews_of_deleted_user(sender, user, **kwargs):
    """A deleted account's reviews and votes are withdrawn through the services (their events keep the
    rating summaries and the vote counters right), not only cascaded away."""
    customer_reviews_withdraw(customer=user)
    customer_answer_votes_withdraw(customer=user)
