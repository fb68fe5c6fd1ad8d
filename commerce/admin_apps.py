"""django.contrib.admin's app config, with the back office's own default site (Django's documented
way to change ``admin.site``): ``commerce.admin_site.CommerceAdminSite``. Kept apart from the site,
which imports models, because ``INSTALLED_APPS`` imports this module before the models are ready."""

from django.contrib.admin.apps import AdminConfig


class CommerceAdminConfig(AdminConfig):
    default_site = "commerce.admin_site.CommerceAdminSite"
