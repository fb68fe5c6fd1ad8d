"""Shared set-up of the search tests: a small dairy shop like the demo's, where every dairy
product's description names milk, butter and cheese."""

from tests.factories import ManufacturerFactory, ProductFactory, category

DAIRY_TEXT = "Milk, yoghurts, butter and cheese from farms around Lyon."


def dairy_shop() -> dict:
    groceries = category("Groceries")
    dairy = category("Dairy", parent=groceries)
    bakery = category("Bakery", parent=groceries)
    maker = ManufacturerFactory(name="Laiterie des Monts")
    products = {}
    for code, name in [
        ("DAI-0001", "Whole milk 1 L"), ("DAI-0002", "Butter 250 g"), ("DAI-0003", "Fresh goat cheese 150 g"),
        ("DAI-0004", "Comté 18 months 250 g"), ("DAI-0005", "Cheese platter"), ("DAI-0006", "Greek yoghurt 500 g"),
    ]:
        products[code] = ProductFactory(code=code, name=name, category=dairy, manufacturer=maker,
                                        description=f"{name} by {maker.name}. {DAIRY_TEXT}")
    products["BAK-0001"] = ProductFactory(code="BAK-0001", name="Cheesecake", category=bakery, description="Baked every morning.")
    products["BAK-0002"] = ProductFactory(code="BAK-0002", name="Baguette", category=bakery, description="Baked every morning.")
    return {"dairy": dairy, "bakery": bakery, "groceries": groceries, "maker": maker, "products": products}


#: Names that sort differently under MariaDB's utf8mb4_unicode_ci, SQLite's binary order and Python.
EMMENTALS = ["émental doux", "Emmental", "EMMENTAL râpé", "Zèbre emmental", "emmental", "Ærø emmental", "aemmental x"]


def emmental_shop() -> list[str]:
    """The ``EMMENTALS`` products; returns the names "emmental" finds, in the order it must find them:
    every one holds the whole word, so all tie, ordered by the folded name, then by id."""
    from commerce.catalog.search.text import sort_key

    food = category("Food")
    for name in EMMENTALS:
        ProductFactory(name=name, category=food)
    return sorted(EMMENTALS[1:6], key=lambda n: (sort_key(n, 200), EMMENTALS.index(n)))
