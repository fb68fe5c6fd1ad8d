"""Logistics tests keep the private files (proofs of delivery) in memory, as the shared conftest does
the public media: each test starts with an empty store and nothing lands in var/private."""

import pytest


@pytest.fixture(autouse=True)
def _private_files_in_memory(settings):
    settings.STORAGES = {**settings.STORAGES, "private": {"BACKEND": "django.core.files.storage.InMemoryStorage"}}
