from commerce.errors import Conflict, NotFound, ValidationError


class ProductNotFound(NotFound):
    default_code = "product_not_found"


class ProductInactive(ValidationError):
    default_code = "product_inactive"


class InvalidQuantity(ValidationError):
    default_code = "invalid_quantity"


class InsufficientStock(Conflict):
    default_code = "insufficient_stock"


class ReservationNotActive(Conflict):
    default_code = "reservation_not_active"


class BatchNotFound(NotFound):
    default_code = "batch_not_found"


class InvalidStockOperation(ValidationError):
    default_code = "invalid_stock_operation"
