"""The catalog back office: categories, manufacturers, products, stock batches, the ledger, recalls.

Every write goes through a service: product and category edits through ``services``, stock
through ``inventory`` (receive, adjust). Stock counters are never edited in a form. A staff edit is
one audit row: the service's domain event, carrying what changed before and after
(``StaffAuditMixin``).
"""

from commerce.catalog.admin.categories import (
    CategoryAdmin,
)
from commerce.catalog.admin.common import (
    MANAGE_INVENTORY,
    RECALL_BATCHES,
    BatchCategoryFilter,
    CategoryTreeFilter,
    ExpiryFilter,
    OnHandFilter,
    ProductStockFilter,
)
from commerce.catalog.admin.ledger import (
    ReservationAllocationInline,
    StockMovementAdmin,
    StockReservationAdmin,
)
from commerce.catalog.admin.manufacturers import (
    ManufacturerAdmin,
)
from commerce.catalog.admin.products import (
    ProductAdmin,
    ProductImageForm,
    ProductImageInline,
    StockBatchInline,
)
from commerce.catalog.admin.stock import (
    AdjustStockForm,
    ReceiveStockForm,
    StockBatchAdmin,
)
from commerce.catalog.admin.stock_alerts import (
    StockAlertAdmin,
)

__all__ = [
    "MANAGE_INVENTORY",
    "RECALL_BATCHES",
    "CategoryTreeFilter",
    "BatchCategoryFilter",
    "ProductStockFilter",
    "ExpiryFilter",
    "OnHandFilter",
    "CategoryAdmin",
    "ManufacturerAdmin",
    "ProductImageForm",
    "ProductImageInline",
    "StockBatchInline",
    "ProductAdmin",
    "ReceiveStockForm",
    "AdjustStockForm",
    "StockBatchAdmin",
    "StockAlertAdmin",
    "StockMovementAdmin",
    "ReservationAllocationInline",
    "StockReservationAdmin",
]
