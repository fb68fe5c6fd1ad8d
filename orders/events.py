"""The orders app's domain events (past tense), written to the audit table on the order stream."""

from dataclasses import dataclass, field
from typing import ClassVar

from commerce.audit.events import DomainEventData


@dataclass(frozen=True)
class _OrderEvent(DomainEventData):
    stream_type: ClassVar[str] = "order"
    order_id: int
    order_number: str
    customer_id: int

    @property
    def stream_id(self):
        return self.order_id


@dataclass(frozen=True)
class OrderCreated(_OrderEvent):
    event_type: ClassVar[str] = "orders.order.created"
    total_amount: str = "0"
    currency: str = ""
    items: list = field(default_factory=list)
    subtotal_amount: str = "0"
    discount_amount: str = "0"
    shipping_amount: str = "0"  # before the shipping discount (events written before 2026-12: after it)
    shipping_discount_amount: str = "0"  # part of discount_amount; absent from events written before 2026-12
    payment_method: str = ""
    region_id: int | None = None
    shipping_address: dict = field(default_factory=dict)
    applied_promotions: list = field(default_factory=list)
    placed_at: str = ""


@dataclass(frozen=True)
class OrderConfirmed(_OrderEvent):
    event_type: ClassVar[str] = "orders.order.confirmed"
    confirmed_at: str = ""


@dataclass(frozen=True)
class PaymentProcessed(_OrderEvent):
    event_type: ClassVar[str] = "orders.payment.processed"
    payment_id: int = 0
    amount: str = "0"
    currency: str = ""
    status: str = ""
    gateway: str = ""
    error_code: str = ""


@dataclass(frozen=True)
class OrderPaid(_OrderEvent):
    event_type: ClassVar[str] = "orders.order.paid"
    payment_id: int = 0
    amount: str = "0"
    currency: str = ""
    paid_at: str = ""


@dataclass(frozen=True)
class InventoryAllocated(_OrderEvent):
    event_type: ClassVar[str] = "orders.order.inventory_allocated"
    allocations: list = field(default_factory=list)


@dataclass(frozen=True)
class OrderReadyToShip(_OrderEvent):
    event_type: ClassVar[str] = "orders.order.ready_to_ship"


@dataclass(frozen=True)
class OrderShipped(_OrderEvent):
    event_type: ClassVar[str] = "orders.order.shipped"
    carrier: str = ""
    tracking_number: str = ""
    shipping_address: dict = field(default_factory=dict)


@dataclass(frozen=True)
class OrderDelivered(_OrderEvent):
    event_type: ClassVar[str] = "orders.order.delivered"
    delivered_at: str = ""


@dataclass(frozen=True)
class OrderCompleted(_OrderEvent):
    event_type: ClassVar[str] = "orders.order.completed"


@dataclass(frozen=True)
class OrderCancelled(_OrderEvent):
    event_type: ClassVar[str] = "orders.order.cancelled"
    reason: str = ""
    previous_status: str = ""


@dataclass(frozen=True)
class RefundFailed(_OrderEvent):
    """The gateway refused a refund or failed: nothing was given back."""

    event_type: ClassVar[str] = "orders.order.refund_failed"
    refund_id: int = 0
    amount: str = "0"
    currency: str = ""
    error_code: str = ""


@dataclass(frozen=True)
class OrderVoided(_OrderEvent):
    """A checkout's payment was declined or failed (nothing charged): the attempt is void."""

    event_type: ClassVar[str] = "orders.order.voided"
    reason: str = ""
    lost_coupons: list = field(default_factory=list)


@dataclass(frozen=True)
class OrderRefunded(_OrderEvent):
    event_type: ClassVar[str] = "orders.order.refunded"
    refund_id: int = 0
    amount: str = "0"
    currency: str = ""
    full: bool = False
    lines: list = field(default_factory=list)
    reason: str = ""


@dataclass(frozen=True)
class _CartEvent(DomainEventData):
    stream_type: ClassVar[str] = "cart"
    cart_id: int
    customer_id: int | None = None
    session_id: str = ""

    @property
    def stream_id(self):
        return self.cart_id


@dataclass(frozen=True)
class CartItemAdded(_CartEvent):
    event_type: ClassVar[str] = "orders.cart.item_added"
    product_id: int | None = None
    quantity: int = 0


@dataclass(frozen=True)
class CartItemRemoved(_CartEvent):
    event_type: ClassVar[str] = "orders.cart.item_removed"
    product_id: int | None = None


@dataclass(frozen=True)
class CartItemQuantityChanged(_CartEvent):
    event_type: ClassVar[str] = "orders.cart.quantity_changed"
    product_id: int | None = None
    quantity: int = 0


@dataclass(frozen=True)
class CartCouponApplied(_CartEvent):
    event_type: ClassVar[str] = "orders.cart.coupon_applied"
    code: str = ""


@dataclass(frozen=True)
class CartCouponRemoved(_CartEvent):
    event_type: ClassVar[str] = "orders.cart.coupon_removed"
    code: str = ""


@dataclass(frozen=True)
class CartCleared(_CartEvent):
    event_type: ClassVar[str] = "orders.cart.cleared"


@dataclass(frozen=True)
class CartMerged(_CartEvent):
    event_type: ClassVar[str] = "orders.cart.merged"
    from_cart_id: int = 0
    adjusted: list = field(default_factory=list)
