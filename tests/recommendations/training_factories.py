"""A recommender small enough to train in a test, and a shop of two tastes to train it on: shared by the
training, serving and experiment tests."""

from __future__ import annotations

from recommendations.selectors import engine as engine_selectors
from tests.factories import customer_with_address
from tests.orders.factories import stocked_product
from tests.recommendations.serving_factories import view

INTERACTIONS = {"weights": {"order": 5.0, "add_to_cart": 3.0, "product_view": 1.0, "rating": 4.0}, "rating_min_score": 3,
                "half_life_days": 30, "lookback_days": 365}
KNN = {"item_knn": {"neighbours": 5, "num_threads": 1}}


def small_training(settings, *, for_you: dict | None = None) -> None:
    """Settings for a few-second training (item k-NN unless ``for_you`` names other candidates), and no
    model left loaded from another test. Call ``engine_selectors.forget_loaded()`` again after the test."""
    settings.RECOMMENDATIONS_INTERACTIONS = INTERACTIONS
    settings.RECOMMENDATIONS_TRAINING = {
        "candidates": {"for_you": for_you or KNN, "similar": KNN},
        "holdout": {"fraction": 0.2, "seed": 42, "min_items": 3, "k": 5},
        "min_interactions": 5,
    }
    engine_selectors.forget_loaded()


def two_taste_shop(*, products: int = 8, customers: int = 6) -> list:
    """``products`` products in stock in two groups of taste; ``customers`` customers, each having viewed
    one group (the odd ones the first half, the even ones the second)."""
    stocked = [stocked_product(quantity=20) for _ in range(products)]
    half = products // 2
    for number in range(customers):
        customer = customer_with_address()[0]
        for product in (stocked[:half] if number % 2 else stocked[half:]):
            view(product, customer=customer)
    return stocked
