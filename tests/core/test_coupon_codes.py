"""The one coupon-code normaliser that the cart, its forms and API, the provider and the engine share."""

import pytest

from commerce.coupon_codes import normalise_coupon_code


@pytest.mark.parametrize(("typed", "stored"), [(" big15 ", "BIG15"), ("Welcome-10\n", "WELCOME-10"), ("", ""), (None, "")])
def test_normalise_coupon_code_strips_and_upper_cases(typed, stored):
    assert normalise_coupon_code(typed) == stored
