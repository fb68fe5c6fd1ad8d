"""django.contrib.admin's app config, with the back office's own default site (Django's documented
way to change ``admin.site``): ``commerce.admin_site.CommerceAdminSite``. Kept apart from the site,
which imports models, because ``INSTALLED_APPS`` imports this module before the models are ready."""

from django.contrib.admin.apps import AdminConfig
from django.urls import register_converter

from commerce.parsing import IdConverter


class CommerceAdminConfig(AdminConfig):
    default_site = "commerce.admin_site.CommerceAdminSite"

    def ready(self):
        super().ready()
        # Before any URLconf is read (the first app's ready(), at start-up): ``<id:pk>`` in every route.
        register_converter(IdConverter, "id")
