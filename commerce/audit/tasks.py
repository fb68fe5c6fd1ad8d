from celery import shared_task

from commerce.audit import bus


@shared_task(
    name="audit.event_dispatch",
    autoretry_for=(Exception,),
    retry_backoff=True,
    retry_backoff_max=600,
    max_retries=8,
    acks_late=True,
)
def event_dispatch_task(event_id: int, handler_path: str) -> None:
    """Run one subscriber's reaction to one recorded event (by primary key)."""
    bus.run_handler(event_id, handler_path)
