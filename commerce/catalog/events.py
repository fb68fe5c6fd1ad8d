from dataclasses import dataclass
from typing import ClassVar

from commerce.audit.events import DomainEventData


@dataclass(frozen=True, kw_only=True)
class _ProductEvent(DomainEventData):
    stream_type: ClassVar[str] = "product"
    product_id: int

    @property
    def stream_id(self):
        return self.product_id


@dataclass(frozen=True, kw_only=True)
class ProductCreated(_ProductEvent):
    event_type: ClassVar[str] = "catalog.product.created"
    code: str
    name: str
    price: dict


@dataclass(frozen=True, kw_only=True)
class ProductUpdated(_ProductEvent):
    event_type: ClassVar[str] = "catalog.product.updated"
    changes: dict


@dataclass(frozen=True, kw_only=True)
class ProductPriceChanged(_ProductEvent):
    event_type: ClassVar[str] = "catalog.product.price_changed"
    old_price: dict
    new_price: dict


@dataclass(frozen=True, kw_only=True)
class ProductImageAdded(_ProductEvent):
    event_type: ClassVar[str] = "catalog.product.image_added"
    image_id: int
    position: int
    alt_text: str
    name: str  # the original's storage name
    width: int
    height: int


@dataclass(frozen=True, kw_only=True)
class ProductImageReplaced(_ProductEvent):
    event_type: ClassVar[str] = "catalog.product.image_replaced"
    image_id: int
    old_name: str
    name: str
    width: int
    height: int


@dataclass(frozen=True, kw_only=True)
class ProductImageUpdated(_ProductEvent):
    event_type: ClassVar[str] = "catalog.product.image_updated"
    image_id: int
    changes: dict


@dataclass(frozen=True, kw_only=True)
class ProductImagesReordered(_ProductEvent):
    event_type: ClassVar[str] = "catalog.product.images_reordered"
    old_order: list
    new_order: list


@dataclass(frozen=True, kw_only=True)
class ProductImageRemoved(_ProductEvent):
    event_type: ClassVar[str] = "catalog.product.image_removed"
    image_id: int
    name: str


@dataclass(frozen=True, kw_only=True)
class BatchReceived(_ProductEvent):
    event_type: ClassVar[str] = "catalog.batch.received"
    batch_number: str
    quantity: int
    expires_on: str | None
    location: str


@dataclass(frozen=True, kw_only=True)
class StockAdjusted(_ProductEvent):
    event_type: ClassVar[str] = "catalog.stock.adjusted"
    batch_number: str
    delta: int
    reason: str


@dataclass(frozen=True, kw_only=True)
class StockReturned(_ProductEvent):
    event_type: ClassVar[str] = "catalog.stock.returned"
    batch_number: str
    quantity: int
    reference: str
    reason: str


@dataclass(frozen=True, kw_only=True)
class StockReserved(_ProductEvent):
    event_type: ClassVar[str] = "catalog.stock.reserved"
    reservation_id: int
    reference: str
    quantity: int
    allocations: list


@dataclass(frozen=True, kw_only=True)
class StockReleased(_ProductEvent):
    event_type: ClassVar[str] = "catalog.stock.released"
    reservation_id: int
    reference: str
    quantity: int


@dataclass(frozen=True, kw_only=True)
class StockConsumed(_ProductEvent):
    event_type: ClassVar[str] = "catalog.stock.consumed"
    reservation_id: int
    reference: str
    quantity: int
    allocations: list


@dataclass(frozen=True, kw_only=True)
class CategoryCreated(DomainEventData):
    event_type: ClassVar[str] = "catalog.category.created"
    stream_type: ClassVar[str] = "category"
    category_id: int
    name: str
    parent_id: int | None

    @property
    def stream_id(self):
        return self.category_id


@dataclass(frozen=True, kw_only=True)
class ManufacturerCreated(DomainEventData):
    event_type: ClassVar[str] = "catalog.manufacturer.created"
    stream_type: ClassVar[str] = "manufacturer"
    manufacturer_id: int
    name: str

    @property
    def stream_id(self):
        return self.manufacturer_id


@dataclass(frozen=True, kw_only=True)
class CategoryUpdated(DomainEventData):
    event_type: ClassVar[str] = "catalog.category.updated"
    stream_type: ClassVar[str] = "category"
    category_id: int
    changes: dict

    @property
    def stream_id(self):
        return self.category_id


@dataclass(frozen=True, kw_only=True)
class CategoryMoved(DomainEventData):
    event_type: ClassVar[str] = "catalog.category.moved"
    stream_type: ClassVar[str] = "category"
    category_id: int
    old_parent_id: int | None
    new_parent_id: int | None

    @property
    def stream_id(self):
        return self.category_id


@dataclass(frozen=True, kw_only=True)
class ManufacturerUpdated(DomainEventData):
    event_type: ClassVar[str] = "catalog.manufacturer.updated"
    stream_type: ClassVar[str] = "manufacturer"
    manufacturer_id: int
    changes: dict

    @property
    def stream_id(self):
        return self.manufacturer_id


@dataclass(frozen=True, kw_only=True)
class SearchIndexRebuilt(DomainEventData):
    """The product search index was built from scratch (``manage.py search_index_rebuild``)."""

    event_type: ClassVar[str] = "catalog.search_index.rebuilt"
    stream_type: ClassVar[str] = "search_index"
    products: int
    terms: int

    @property
    def stream_id(self):
        return "catalog"


@dataclass(frozen=True, kw_only=True)
class StockAlertRequested(_ProductEvent):
    """A shopper asked to be mailed when the product is back (``pending`` until a guest confirms)."""

    event_type: ClassVar[str] = "catalog.stock_alert.requested"
    alert_id: int
    email: str
    customer_id: int | None
    status: str
    round: int


@dataclass(frozen=True, kw_only=True)
class StockAlertConfirmed(_ProductEvent):
    event_type: ClassVar[str] = "catalog.stock_alert.confirmed"
    alert_id: int
    email: str


@dataclass(frozen=True, kw_only=True)
class StockAlertSent(_ProductEvent):
    event_type: ClassVar[str] = "catalog.stock_alert.sent"
    alert_id: int
    email: str
    round: int
    available: int


@dataclass(frozen=True, kw_only=True)
class StockAlertCancelled(_ProductEvent):
    event_type: ClassVar[str] = "catalog.stock_alert.cancelled"
    alert_id: int
    email: str
