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
