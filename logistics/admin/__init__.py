"""The logistics back office: centres, zones, vehicles, drivers (saved through ``fleet_save``, each
with its event), the centroid table (read-only), deliveries and routes with their stops (state
read-only, moved along by actions that call the services). ``accounts.dispatch_routes`` (the
Dispatchers group) grants every page here."""

from logistics.admin.console import DispatchConsoleAdmin
from logistics.admin.fleet import (
    DeliveryZoneAdmin,
    DistributionCentreAdmin,
    DriverAdmin,
    PostcodeCentroidAdmin,
    VehicleAdmin,
)
from logistics.admin.operations import DeliveryAdmin, RouteAdmin
from logistics.admin.planning import PlanningRunAdmin
from logistics.admin.proof import ProofPolicyAdmin

__all__ = ["DeliveryAdmin", "DispatchConsoleAdmin", "DeliveryZoneAdmin", "DistributionCentreAdmin", "DriverAdmin", "PlanningRunAdmin", "PostcodeCentroidAdmin", "ProofPolicyAdmin", "RouteAdmin",
           "VehicleAdmin"]
