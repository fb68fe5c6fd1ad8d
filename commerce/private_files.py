"""Files no public URL may reach: the ``private`` storage (``STORAGES["private"]``).

Uploaded pictures of the shop (product pictures, review photos) are public: they live in the default
storage, under ``MEDIA_URL``. What a person must not see unless it is theirs (a proof of delivery:
the photo of someone's door, a signature) lives in the ``private`` storage instead, outside
``MEDIA_ROOT``, and is read only by a view that checks who asks and streams the bytes
(``file_response``). Its ``url()`` names no served place, so a template that calls it shows a
broken picture, never the file.

``storage()`` is the callable a ``FileField(storage=...)`` takes: the alias is looked up lazily, so
changing ``STORAGES`` (the tests put it in memory) takes effect at once.
"""

from __future__ import annotations

import mimetypes

from django.core.files.storage import storages
from django.core.signals import setting_changed
from django.dispatch import receiver
from django.http import FileResponse, Http404
from django.utils.functional import LazyObject, empty

ALIAS = "private"


class _PrivateStorage(LazyObject):
    def _setup(self):
        self._wrapped = storages[ALIAS]


private_storage = _PrivateStorage()


def storage():
    """The private storage, for ``FileField(storage=storage)`` (a callable: migrations name it, not a backend)."""
    return private_storage


@receiver(setting_changed)
def _storages_changed(*, setting, **kwargs):
    if setting == "STORAGES":
        private_storage._wrapped = empty


def file_response(name: str) -> FileResponse:
    """The stored file ``name`` as an inline download, never cached by a shared cache; 404 when it is gone."""
    if not name or not private_storage.exists(name):
        raise Http404("No such file.")
    content_type = mimetypes.guess_type(name)[0] or "application/octet-stream"
    response = FileResponse(private_storage.open(name, "rb"), content_type=content_type)
    response["Cache-Control"] = "private, no-store"
    response["X-Content-Type-Options"] = "nosniff"
    response["Content-Disposition"] = "inline"
    return response
