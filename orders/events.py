"""The orders app's domain events (past tense), written to the audit table on the order stream."""

from dataclasses import dataclass
from typing import ClassVar

from commerce.audit.events import DomainEventData


@dataclass(frozen=True, kw_only=True)
class _OrderEvent(DomainEventData):
    stream_type: ClassVar[str] = "order"
    order_id: int
    order_number: str
    customer_id: int | None  # None: a guest's order

    @property
    def stream_id(self):
        return self.order_id


@dataclass(frozen=True, kw_only=True)
class OrderCreated(_OrderEvent):
    event_type: ClassVar[str] = "orders.order.created"
    total_amount: str
    currency: str
    items: list
    subtotal_amount: str
    discount_amount: str
    shipping_amount: str  # before the shipping discount (events written before 2026-12: after it)
    shipping_discount_amount: str  # part of discount_amount; absent from events written before 2026-12
    payment_method: str
    region_id: int | None
    shipping_address: dict
    applied_promotions: list
    placed_at: str
    # the method chosen and the window it promised ({"earliest", "latest"} ISO dates); "" and None
    # for an order placed while the shop had no shipping method (and in events written before 2026-12)
    shipping_method: str
    delivery_promise: dict | None


@dataclass(frozen=True, kw_only=True)
class OrderConfirmed(_OrderEvent):
    event_type: ClassVar[str] = "orders.order.confirmed"
    confirmed_at: str


@dataclass(frozen=True, kw_only=True)
class PaymentProcessed(_OrderEvent):
    event_type: ClassVar[str] = "orders.payment.processed"
    payment_id: int
    amount: str
    currency: str
    status: str
    gateway: str
    error_code: str


@dataclass(frozen=True, kw_only=True)
class OrderPaid(_OrderEvent):
    event_type: ClassVar[str] = "orders.order.paid"
    payment_id: int
    amount: str
    currency: str
    paid_at: str


@dataclass(frozen=True, kw_only=True)
class InventoryAllocated(_OrderEvent):
    event_type: ClassVar[str] = "orders.order.inventory_allocated"
    allocations: list


@dataclass(frozen=True, kw_only=True)
class OrderReadyToShip(_OrderEvent):
    event_type: ClassVar[str] = "orders.order.ready_to_ship"


@dataclass(frozen=True, kw_only=True)
class OrderShipped(_OrderEvent):
    event_type: ClassVar[str] = "orders.order.shipped"
    carrier: str
    tracking_number: str
    shipping_address: dict


@dataclass(frozen=True, kw_only=True)
class OrderDelivered(_OrderEvent):
    event_type: ClassVar[str] = "orders.order.delivered"
    delivered_at: str


@dataclass(frozen=True, kw_only=True)
class OrderCompleted(_OrderEvent):
    event_type: ClassVar[str] = "orders.order.completed"


@dataclass(frozen=True, kw_only=True)
class OrderCancelled(_OrderEvent):
    event_type: ClassVar[str] = "orders.order.cancelled"
    reason: str
    previous_status: str


@dataclass(frozen=True, kw_only=True)
class RefundFailed(_OrderEvent):
    """The gateway refused a refund or failed: nothing was given back."""

    event_type: ClassVar[str] = "orders.order.refund_failed"
    refund_id: int
    amount: str
    currency: str
    error_code: str


@dataclass(frozen=True, kw_only=True)
class OrderVoided(_OrderEvent):
    """A checkout's payment was declined or failed (nothing charged): the attempt is void."""

    event_type: ClassVar[str] = "orders.order.voided"
    reason: str
    lost_coupons: list


@dataclass(frozen=True, kw_only=True)
class OrderRefunded(_OrderEvent):
    event_type: ClassVar[str] = "orders.order.refunded"
    refund_id: int
    amount: str
    currency: str
    full: bool
    lines: list
    reason: str


@dataclass(frozen=True, kw_only=True)
class _CartEvent(DomainEventData):
    stream_type: ClassVar[str] = "cart"
    cart_id: int
    customer_id: int | None
    session_id: str

    @property
    def stream_id(self):
        return self.cart_id


@dataclass(frozen=True, kw_only=True)
class CartItemAdded(_CartEvent):
    event_type: ClassVar[str] = "orders.cart.item_added"
    product_id: int | None
    quantity: int


@dataclass(frozen=True, kw_only=True)
class CartItemRemoved(_CartEvent):
    event_type: ClassVar[str] = "orders.cart.item_removed"
    product_id: int | None


@dataclass(frozen=True, kw_only=True)
class CartItemQuantityChanged(_CartEvent):
    event_type: ClassVar[str] = "orders.cart.quantity_changed"
    product_id: int | None
    quantity: int


@dataclass(frozen=True, kw_only=True)
class CartCouponApplied(_CartEvent):
    event_type: ClassVar[str] = "orders.cart.coupon_applied"
    code: str


@dataclass(frozen=True, kw_only=True)
class CartCouponRemoved(_CartEvent):
    event_type: ClassVar[str] = "orders.cart.coupon_removed"
    code: str


@dataclass(frozen=True, kw_only=True)
class CartCleared(_CartEvent):
    event_type: ClassVar[str] = "orders.cart.cleared"


@dataclass(frozen=True, kw_only=True)
class CartMerged(_CartEvent):
    event_type: ClassVar[str] = "orders.cart.merged"
    from_cart_id: int
    adjusted: list


@dataclass(frozen=True, kw_only=True)
class CartShippingMethodChosen(_CartEvent):
    event_type: ClassVar[str] = "orders.cart.shipping_method_chosen"
    shipping_method: str


@dataclass(frozen=True, kw_only=True)
class OrderNoteAdded(DomainEventData):
    """A staff note on an order: its own stream, so the shopper's timeline (the order stream) never shows it."""

    stream_type: ClassVar[str] = "order_note"
    event_type: ClassVar[str] = "orders.order.note_added"
    order_id: int
    order_number: str
    note_id: int
    text: str

    @property
    def stream_id(self):
        return self.order_id


@dataclass(frozen=True, kw_only=True)
class OrderClaimed(_OrderEvent):
    """A guest's order joined the account (``customer_id``) that proved the guest's e-mail address."""

    event_type: ClassVar[str] = "orders.order.claimed"
    claimed_at: str


@dataclass(frozen=True, kw_only=True)
class ShippingMethodSaved(DomainEventData):
    """Staff created or changed a shipping method (``values``: every field after the change)."""

    stream_type: ClassVar[str] = "shipping_method"
    event_type: ClassVar[str] = "orders.shipping_method.saved"
    shipping_method_id: int
    code: str
    created: bool
    values: dict

    @property
    def stream_id(self):
        return self.shipping_method_id


@dataclass(frozen=True, kw_only=True)
class ShippingHolidaySaved(DomainEventData):
    """Staff added, changed (``removed`` false) or removed a day nothing ships."""

    stream_type: ClassVar[str] = "shipping_holiday"
    event_type: ClassVar[str] = "orders.shipping_holiday.saved"
    holiday_id: int
    date: str
    name: str
    removed: bool

    @property
    def stream_id(self):
        return self.holiday_id
