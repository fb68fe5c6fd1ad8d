"""Primary/replica routing: reads go to the replica, every write to the primary.

Selectors and reports read through ``using("replica")`` implicitly via this router. Inside a
transaction on the primary, reads stay on the primary so a command sees its own writes.
"""

from django.db import transaction


class PrimaryReplicaRouter:
    replica = "replica"
    primary = "default"

    def db_for_read(self, model, **hints):
        if not transaction.get_autocommit(using=self.primary):
            return self.primary
        return self.replica

    def db_for_write(self, model, **hints):
        return self.primary

    def allow_relation(self, obj1, obj2, **hints):
        return True

    def allow_migrate(self, db, app_label, model_name=None, **hints):
        return db == self.primary
