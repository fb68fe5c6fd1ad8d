"""No delete may write what a check constraint refuses: a foreign key that a check reads must not be set
to NULL (or a default) by a cascade. Django's ``CASCADE`` of a nullable key does just that on MariaDB
(it cannot defer constraint checks, so the rows are nulled before they are deleted): such keys take
``commerce.db_fields.CASCADE_FIRST``. tests/accounts/test_user_delete.py deletes through them."""

from django.apps import apps
from django.db.models import CASCADE, CheckConstraint, F, Q

from commerce.db_fields import CASCADE_FIRST


def _names(node, found: set[str]) -> set[str]:
    """The fields a check's condition reads (the first part of each lookup and F())."""
    if isinstance(node, Q):
        for child in node.children:
            if isinstance(child, tuple):
                found.add(child[0].split("__")[0])
                _names(child[1], found)
            else:
                _names(child, found)
    elif isinstance(node, F):
        found.add(node.name.split("__")[0])
    elif hasattr(node, "get_source_expressions"):
        for expression in node.get_source_expressions():
            _names(expression, found)
    return found


def _nulled_by_a_delete(field) -> bool:
    on_delete = field.remote_field.on_delete
    if on_delete is CASCADE:
        return field.null
    return on_delete.__name__ in ("SET_NULL", "SET_DEFAULT", "set_on_delete")  # SET(...) builds set_on_delete


def test_no_check_constraint_reads_a_key_that_a_delete_would_null():
    offending = []
    for model in apps.get_models():
        fields = {f.name: f for f in model._meta.concrete_fields} | {f.attname: f for f in model._meta.concrete_fields}
        for constraint in model._meta.constraints:
            if not isinstance(constraint, CheckConstraint):
                continue
            for name in _names(constraint.condition, set()):
                field = fields.get(name)
                if field is not None and field.is_relation and _nulled_by_a_delete(field):
                    offending.append(f"{model._meta.label}.{field.name} ({constraint.name})")
    assert offending == []


def test_the_guard_sees_the_keys_it_was_written_for():
    from commerce.accounts.models import Address
    from orders.models import Cart, IdempotencyRecord

    for model, name in ((Address, "default_for"), (Cart, "customer"), (Cart, "open_for"), (IdempotencyRecord, "user")):
        field = model._meta.get_field(name)
        assert field.remote_field.on_delete is CASCADE_FIRST and field.null
        assert any(name in _names(c.condition, set()) for c in model._meta.constraints if isinstance(c, CheckConstraint))
