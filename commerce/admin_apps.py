"""django.contrib.admin's app config, with the back office's own default site (Django's documented
way to change ``admin.site``): ``commerce.admin_site.CommerceAdminSite``. Kept apart from the site,
which imports models, because ``INSTALLED_APPS`` imports this module before the models are ready."""

from django.contrib.admin import options, widgets
from django.contrib.admin.apps import AdminConfig
from django.core.exceptions import ValidationError
from django.db.models import ForeignKey, IntegerField, ManyToManyField, OneToOneField
from django.urls import register_converter

from commerce.forms import IdModelChoiceField, IdModelMultipleChoiceField
from commerce.parsing import IdConverter, parse_id


def _is_usable_key(field, raw) -> bool:
    """Whether ``raw`` can name a row of the model ``field`` points to (an id in range, or a valid key)."""
    opts = field.remote_field.model._meta
    target = opts.get_field(getattr(field.remote_field, "field_name", opts.pk.attname))  # as the widget reads it
    text = str(raw)
    if isinstance(target, IntegerField):  # AutoField and BigAutoField too
        return parse_id(text) is not None
    if "\x00" in text:
        return False
    try:
        target.to_python(raw)
    except ValidationError:
        return False
    return True


class _KnownKeysOnly:
    """Re-rendering a refused admin form, Django's autocomplete widget looks up the selected values as
    they were posted: "a\x00b" or "99...9" in an id field raised ValueError or OverflowError (a 500
    instead of the form with its error). Only values that can be keys are looked up; the form's own
    field still reports the bad value."""

    def optgroups(self, name, value, attr=None):
        return super().optgroups(name, [v for v in value if _is_usable_key(self.field, v)], attr)


class AutocompleteSelect(_KnownKeysOnly, widgets.AutocompleteSelect):
    pass


class AutocompleteSelectMultiple(_KnownKeysOnly, widgets.AutocompleteSelectMultiple):
    pass


class CommerceAdminConfig(AdminConfig):
    default_site = "commerce.admin_site.CommerceAdminSite"

    def ready(self):
        # Before autodiscovery builds the admins (each copies these defaults). Every ModelAdmin's (and inline's) relation fields, ours and third-party: a value that is not
        # an id is the field's error (a 20-digit id in a group's permissions was an OverflowError on SQLite).
        for relation, form_class in ((ForeignKey, IdModelChoiceField), (OneToOneField, IdModelChoiceField),
                                     (ManyToManyField, IdModelMultipleChoiceField)):
            options.FORMFIELD_FOR_DBFIELD_DEFAULTS.setdefault(relation, {}).setdefault("form_class", form_class)
        super().ready()
        # Before any URLconf is read (the first app's ready(), at start-up): ``<id:pk>`` in every route.
        register_converter(IdConverter, "id")
        # Every ModelAdmin's autocomplete_fields (ours and third-party) build these widgets by these names.
        options.AutocompleteSelect = AutocompleteSelect
        options.AutocompleteSelectMultiple = AutocompleteSelectMultiple
        # After autodiscovery (super().ready()): third-party admins whose forms answered bad input with a 500.
        from commerce import admin_beat

        admin_beat.register()
