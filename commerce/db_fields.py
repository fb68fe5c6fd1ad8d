"""Model fields whose database behaviour must be the same on every backend."""

from django.db import models


class ExactCharField(models.CharField):
    """Text compared byte for byte, in lookups and in unique indexes, on every backend.

    For keys, tokens and references that are identities (an idempotency key, a gateway's id):
    ``FZKEY-ABC`` is not ``fzKey-abc`` and ``abc `` is not ``abc``. SQLite and PostgreSQL compare
    bytes already; MariaDB's default collation (``utf8mb4_unicode_ci``) ignores case, accents and
    trailing spaces, so there the column gets a binary collation that does not pad
    (``utf8mb4_nopad_bin``; MySQL 8: ``utf8mb4_0900_bin``). Django's ``db_collation`` would write
    one backend's collation name into the migration; this chooses it when the column is created.
    """

    def db_parameters(self, connection):
        params = super().db_parameters(connection)
        if connection.vendor == "mysql" and not self.db_collation:
            params["collation"] = "utf8mb4_nopad_bin" if connection.mysql_is_mariadb else "utf8mb4_0900_bin"
        return params


def CASCADE_FIRST(collector, field, sub_objs, using):  # noqa: N802 (named as Django's on_delete handlers)
    """``on_delete`` for a nullable foreign key that a check constraint ties to other columns: the
    rows that point to a deleted row are deleted before it, as ``CASCADE`` does, but never set to
    NULL first.

    On a back end that cannot defer constraint checks (MariaDB) Django's ``CASCADE`` of a nullable
    key first UPDATEs it to NULL, then DELETEs the rows, so that the deletions need no order; the
    UPDATE breaks a check such as "a default address is its customer's" and the whole delete fails.
    Collected as a non-nullable relation instead, the rows get an ordering dependency: deleted
    before the row they point to, which keeps every foreign key satisfied without the UPDATE.
    ``tests/core/test_delete_constraints.py`` finds every key a check constraint reads that a
    cascade would null.
    """
    collector.collect(sub_objs, source=field.remote_field.model, source_attr=field.name, nullable=False,
                      fail_on_restricted=False)
