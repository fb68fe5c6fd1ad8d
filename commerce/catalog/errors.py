"""The catalog's error codes (``CatalogError``) and the errors that own them."""

from enum import StrEnum, unique

from commerce.errors import Conflict, CoreError, NotFound, ValidationError


@unique
class CatalogError(StrEnum):
    PRODUCT_NOT_FOUND = "product_not_found"
    PRODUCT_INACTIVE = "product_inactive"
    CATEGORY_NOT_FOUND = "category_not_found"
    INVALID_CATEGORY_MOVE = "invalid_category_move"
    MANUFACTURER_NOT_FOUND = "manufacturer_not_found"
    INVALID_QUANTITY = "invalid_quantity"
    EMPTY_RECEIPT = "empty_receipt"
    EMPTY_RESERVATION = "empty_reservation"
    INSUFFICIENT_STOCK = "insufficient_stock"
    RESERVATION_NOT_ACTIVE = "reservation_not_active"
    BATCH_NOT_FOUND = "batch_not_found"
    INVALID_STOCK_OPERATION = "invalid_stock_operation"
    ADJUSTMENT_BELOW_RESERVED = "adjustment_below_reserved"
    RETURN_EXCEEDS_CONSUMED = "return_exceeds_consumed"
    PRODUCT_IMAGE_NOT_FOUND = "product_image_not_found"
    PRODUCT_IMAGE_LIMIT = "product_image_limit"
    INVALID_IMAGE_ORDER = "invalid_image_order"
    STOCK_ALERT_NOT_NEEDED = "stock_alert_not_needed"
    STOCK_ALERT_NOT_FOUND = "stock_alert_not_found"


class ProductNotFound(NotFound):
    default_code = CatalogError.PRODUCT_NOT_FOUND


class ProductInactive(ValidationError):
    default_code = CatalogError.PRODUCT_INACTIVE


class CategoryNotFound(NotFound):
    default_code = CatalogError.CATEGORY_NOT_FOUND


class InvalidCategoryMove(ValidationError):
    """A category cannot move under itself or one of its subcategories."""

    default_code = CatalogError.INVALID_CATEGORY_MOVE


class ManufacturerNotFound(NotFound):
    default_code = CatalogError.MANUFACTURER_NOT_FOUND


class InvalidQuantity(ValidationError):
    default_code = CatalogError.INVALID_QUANTITY


class NothingToReceive(InvalidQuantity):
    default_code = CatalogError.EMPTY_RECEIPT


class NothingToReserve(InvalidQuantity):
    default_code = CatalogError.EMPTY_RESERVATION


class InsufficientStock(Conflict):
    default_code = CatalogError.INSUFFICIENT_STOCK


class ReservationNotActive(Conflict):
    default_code = CatalogError.RESERVATION_NOT_ACTIVE


class BatchNotFound(NotFound):
    default_code = CatalogError.BATCH_NOT_FOUND


class InvalidStockOperation(ValidationError):
    default_code = CatalogError.INVALID_STOCK_OPERATION


class BatchInvalid(InvalidStockOperation):
    """A received batch's fields are not valid (the model's checks): the generic ``invalid``, per field."""

    default_code = CoreError.INVALID


class AdjustmentBelowReserved(InvalidStockOperation):
    default_code = CatalogError.ADJUSTMENT_BELOW_RESERVED


class ReturnExceedsConsumed(InvalidStockOperation):
    default_code = CatalogError.RETURN_EXCEEDS_CONSUMED


class ProductImageNotFound(NotFound):
    default_code = CatalogError.PRODUCT_IMAGE_NOT_FOUND


class ProductImageLimit(Conflict):
    """A product has as many pictures as it may have (``product_images.MAX_IMAGES``)."""

    default_code = CatalogError.PRODUCT_IMAGE_LIMIT


class InvalidImageOrder(ValidationError):
    """A new order of a product's pictures does not name each of them exactly once."""

    default_code = CatalogError.INVALID_IMAGE_ORDER


class ProductImageInvalid(ValidationError):
    """A picture's own fields (its alt text) are not valid: the generic ``invalid``, per field."""

    default_code = CoreError.INVALID


class StockAlertInvalid(ValidationError):
    """A "notify me" request without a usable e-mail address: the generic ``invalid``, per field."""

    default_code = CoreError.INVALID


class StockAlertNotNeeded(Conflict):
    """A "notify me" for a product that is in stock now: it can be bought instead."""

    default_code = CatalogError.STOCK_ALERT_NOT_NEEDED


class StockAlertNotFound(NotFound):
    """A confirmation or unsubscribe link that names no alert (forged, or the product is gone)."""

    default_code = CatalogError.STOCK_ALERT_NOT_FOUND
