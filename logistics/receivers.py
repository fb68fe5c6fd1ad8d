"""Signal receivers of the logistics app, connected by ``LogisticsConfig.ready``."""

from django.dispatch import receiver

from commerce.audit.events import events_stored
from logistics.kpis import projection


@receiver(events_stored, dispatch_uid="logistics.project_kpis")
def project_kpis(sender, rows, **kwargs):
    """The KPI read models, from the logistics events of the transaction that recorded them."""
    projection.project(rows)
