"""Every error has one findable code: each app's codes are a StrEnum, each DomainError subclass owns
its code, no raise site chooses one, and code compares with enum members, not strings."""

import ast
import logging
from enum import StrEnum
from pathlib import Path

import pytest
import yaml
from django.core.management import call_command
from rest_framework import exceptions as drf

from commerce.accounts.errors import AccountsError
from commerce.api.errors import exception_handler
from commerce.catalog.errors import CatalogError
from commerce.errors import CoreError, DomainError, ValidationError
from commerce.mail.errors import MailError
from logistics.dispatch.errors import DispatchError
from logistics.errors import LogisticsError
from orders.errors import COUPON_REFUSALS, CouponRejected, OrdersError, coupon_refusal
from promotions import engine
from promotions.errors import PromotionsError
from recommendations.errors import RecommendationsError

ROOT = Path(__file__).resolve().parents[2]
PACKAGES = ("commerce", "orders", "promotions", "recommendations", "logistics")
ENUMS = (CoreError, CatalogError, AccountsError, MailError, OrdersError, PromotionsError, RecommendationsError, LogisticsError,
         DispatchError)
#: the API error format's own codes: answers to what is not a domain error (commerce/api/errors.py)
API_FORMAT_CODES = {
    CoreError.UNKNOWN_FIELD, CoreError.BAD_REQUEST, CoreError.MALFORMED_REQUEST, CoreError.NOT_AUTHENTICATED, CoreError.AUTHENTICATION_FAILED, CoreError.METHOD_NOT_ALLOWED,
    CoreError.NOT_ACCEPTABLE, CoreError.UNSUPPORTED_MEDIA_TYPE, CoreError.THROTTLED, CoreError.SERVER_ERROR,
}


def _subclasses(cls: type) -> set[type]:
    found = set()
    for sub in cls.__subclasses__():
        found |= {sub} | _subclasses(sub)
    return found


def _ours(cls: type) -> bool:
    return cls.__module__.split(".")[0] in PACKAGES


def _source_trees():
    for package in PACKAGES:
        for path in sorted((ROOT / package).rglob("*.py")):
            if "migrations" not in path.parts:
                yield path, ast.parse(path.read_text(), filename=str(path))


def _name(func: ast.expr) -> str | None:
    return func.id if isinstance(func, ast.Name) else func.attr if isinstance(func, ast.Attribute) else None


def _imported_from(tree: ast.Module) -> dict[str, tuple[str, str]]:
    """Each name a module imports: the package it comes from and its own name (``forms`` -> ``django``)."""
    origin = {}
    for node in ast.walk(tree):
        if isinstance(node, ast.ImportFrom) and node.module:
            origin |= {(a.asname or a.name): (node.module, a.name) for a in node.names}
        elif isinstance(node, ast.Import):
            origin |= {(a.asname or a.name).split(".")[0]: (a.name, a.name) for a in node.names}
    return origin


def _is_domain_error(func: ast.expr, errors: set[str], origin: dict[str, tuple[str, str]]) -> bool:
    """Whether a call's callee is one of our DomainErrors (Django's ``forms.ValidationError`` is not;
    ``ValidationError as DomainValidationError`` is)."""
    if isinstance(func, ast.Call):  # a class computed on the spot: ``type(exc)(...)``
        return True
    if isinstance(func, ast.Name):
        where, name = origin.get(func.id, (None, func.id))
    elif isinstance(func, ast.Attribute):
        where, name = origin.get(func.value.id, (None, ""))[0] if isinstance(func.value, ast.Name) else None, func.attr
    else:
        return False
    return name in errors and (where is None or where.split(".")[0] in PACKAGES)


def test_no_raise_site_chooses_a_code():
    errors = {cls.__name__ for cls in _subclasses(DomainError) if _ours(cls)} | {"DomainError"}
    offenders = []
    for path, tree in _source_trees():
        origin = _imported_from(tree)
        for node in ast.walk(tree):
            if isinstance(node, ast.Call) and any(k.arg == "code" for k in node.keywords) \
                    and _is_domain_error(node.func, errors, origin):
                offenders.append(f"{path.relative_to(ROOT)}:{node.lineno}")
    assert offenders == [], "raise the subclass that owns the code instead"


def test_a_domain_error_takes_no_code():
    with pytest.raises(TypeError):
        DomainError("Bad.", code="something_else")
    with pytest.raises(AttributeError):
        ValidationError("Bad.").code = "something_else"


def test_a_subclass_owns_a_member_of_an_error_enum_not_a_string():
    with pytest.raises(TypeError, match="must be a member of an error StrEnum"):
        type("Loose", (ValidationError,), {"default_code": "loose"})


def test_every_domain_error_lives_in_an_errors_module_and_owns_a_member_of_its_apps_enum():
    enum_of = {"commerce": CoreError, "commerce.catalog": CatalogError, "commerce.accounts": AccountsError,
               "commerce.mail": MailError, "orders": OrdersError, "promotions": PromotionsError, "recommendations": RecommendationsError,
               "logistics": LogisticsError, "logistics.dispatch": DispatchError}
    for cls in filter(_ours, _subclasses(DomainError)):
        assert cls.__module__.endswith("errors"), f"{cls.__qualname__} is declared in {cls.__module__}, not an errors module"
        app = cls.__module__.rsplit(".errors", 1)[0] if cls.__module__ != "commerce.errors" else "commerce"
        assert isinstance(cls.default_code, enum_of[app] | CoreError), f"{cls.__qualname__}: {cls.default_code!r}"


def test_no_domain_error_is_declared_outside_an_errors_module():
    errors = {cls.__name__ for cls in _subclasses(DomainError) if _ours(cls)} | {"DomainError"}
    declared = [
        f"{path.relative_to(ROOT)}:{node.lineno} {node.name}"
        for path, tree in _source_trees() if path.name != "errors.py"
        for node in ast.walk(tree)
        if isinstance(node, ast.ClassDef) and any(_name(base) in errors for base in node.bases)
    ]
    assert declared == []


def test_every_code_is_owned_by_an_error_or_is_the_api_formats_own():
    owned = {cls.default_code for cls in _subclasses(DomainError)} | {DomainError.default_code}
    for enum in ENUMS:
        unowned = {member for member in enum if member not in owned} - API_FORMAT_CODES
        assert unowned == set(), f"{enum.__name__} has codes nothing raises: {sorted(unowned)}"


def test_codes_are_strings_for_json_and_templates():
    assert OrdersError.CART_EMPTY == "cart_empty" and str(OrdersError.CART_EMPTY) == "cart_empty"
    assert f"{CatalogError.INSUFFICIENT_STOCK}" == "insufficient_stock"
    assert all(issubclass(enum, StrEnum) for enum in ENUMS)


def test_every_drf_exception_answers_with_a_core_code():
    classes = [value for value in vars(drf).values()
               if isinstance(value, type) and issubclass(value, drf.APIException)
               and value not in (drf.APIException, drf.ValidationError, drf.ParseError)]
    assert classes
    for cls in classes:
        assert CoreError(cls.default_code) in API_FORMAT_CODES | {CoreError.PERMISSION_DENIED, CoreError.NOT_FOUND}


def test_an_api_exception_with_an_unknown_code_answers_by_its_kind(caplog):
    class Odd(drf.APIException):
        status_code = 418
        default_code = "teapot"
        default_detail = "Short and stout."

    with caplog.at_level(logging.WARNING, logger="commerce.api"):
        response = exception_handler(Odd(), {})

    assert (response.status_code, response.data["code"]) == (418, "invalid")
    assert "teapot" in caplog.text


def test_the_coupon_refusals_orders_knows_are_the_ones_the_engine_gives():
    assert set(COUPON_REFUSALS) == engine.COUPON_REASONS
    assert all(issubclass(cls, CouponRejected) and cls.default_code == reason for reason, cls in COUPON_REFUSALS.items())
    assert coupon_refusal("") is CouponRejected


def test_code_is_compared_with_enum_members_not_strings():
    """``error.code == "payment_pending"`` hides a code from its enum: compare with ``OrdersError.PAYMENT_PENDING``."""
    codes = {str(member) for enum in ENUMS for member in enum}

    def is_code(node: ast.expr) -> bool:
        if isinstance(node, ast.Attribute):
            return node.attr == "code"
        if isinstance(node, ast.Subscript):
            return isinstance(node.slice, ast.Constant) and node.slice.value == "code"
        return isinstance(node, ast.Call) and _name(node.func) == "get" and bool(node.args) \
            and isinstance(node.args[0], ast.Constant) and node.args[0].value == "code"

    def literals(node: ast.expr) -> list:
        items = node.elts if isinstance(node, ast.Tuple | ast.List | ast.Set) else [node]
        return [i.value for i in items if isinstance(i, ast.Constant) and isinstance(i.value, str)]

    offenders = []
    for path, tree in _source_trees():
        for node in ast.walk(tree):
            if isinstance(node, ast.Compare):
                sides = [node.left, *node.comparators]
                if any(map(is_code, sides)) and any(value in codes for side in sides for value in literals(side)):
                    offenders.append(f"{path.relative_to(ROOT)}:{node.lineno}")
    assert offenders == []


def test_every_error_code_the_schema_documents_is_a_member_of_an_error_enum(tmp_path):
    schema_file = tmp_path / "schema.yml"
    call_command("spectacular", "--file", str(schema_file))
    schema = yaml.safe_load(schema_file.read_text())
    known = {str(member) for enum in ENUMS for member in enum}

    documented = {
        example["value"]["code"]
        for operations in schema["paths"].values()
        for operation in operations.values()
        for status, response in operation.get("responses", {}).items() if status >= "400"
        for example in response.get("content", {}).get("application/json", {}).get("examples", {}).values()
        if isinstance(example.get("value"), dict) and "code" in example["value"]
    }

    assert documented, "the schema documents no error example"
    assert documented - known == set()
