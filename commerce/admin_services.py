"""Admin plumbing shared by every app: saves and deletes go through services; a refused save
comes back on the form (``ServiceErrorsOnFormMixin``); an action runs one service call per
selected row (``RunEachMixin``); service-written rows are read-only (``ReadOnlyAdminMixin``).

Put :class:`ServiceSaveMixin` *after* ``commerce.audit.staff_edits.StaffAuditMixin`` in the bases, so the
audit mixin reads the "before" state and opens the staff edit, then the service writes and records
its event, which carries the staff edit's before and after: one row, inside Django admin's atomic
``changeform_view``.
"""

from django.contrib import messages
from django.contrib.admin.options import IncorrectLookupParameters
from django.contrib.admin.widgets import AdminSplitDateTime, AutocompleteSelect, AutocompleteSelectMultiple
from django.core.exceptions import FieldError
from django.db import transaction
from django.http import HttpResponseRedirect
from django.utils.html import format_html

from commerce.errors import DomainError
from commerce.parsing import parse_id

#: the colours a status may take in a list (``static/css/admin-commerce.css``): done, in progress,
#: waiting for staff, gone wrong, over
STATUS_TONES = ("good", "info", "warn", "bad", "muted")


def status_column(field: str, tones: dict[str, str], *, description: str = "Status"):
    """A list column showing ``field``'s label in its colour, sortable by the field: the label says
    it in words, the colour lets the eye find it (a status without a tone is plain)."""

    def column(self, obj):
        value = getattr(obj, field)
        label = getattr(obj, f"get_{field}_display", lambda: value)()
        tone = tones.get(value, "")
        if tone not in STATUS_TONES:
            return label
        return format_html('<span class="status status-{}">{}</span>', tone, label)

    column.short_description = description
    column.admin_order_field = field
    return column


def copy_saved(saved, obj) -> None:
    """Make the admin's form instance the row the service wrote (pk, timestamps, tree path)."""
    for field in obj._meta.concrete_fields:
        setattr(obj, field.attname, getattr(saved, field.attname))
    obj._state.adding = False
    obj._state.db = saved._state.db


def add_domain_error(form, exc: DomainError) -> None:
    """Put a refused command's message and per-field errors on the form the user filled in."""
    form.add_error(None, exc.message)
    for field, errors in (exc.fields or {}).items():
        target = field if field in form.fields else None
        for error in errors if isinstance(errors, (list, tuple)) else [errors]:
            form.add_error(target, f"{field}: {error}" if target is None else error)


class ServiceSaveMixin:
    """``save_model`` calls ``self.persist(request, obj, form, change)``; deletes call ``self.remove``.

    ``persist`` is a service call; it must leave ``obj`` equal to the saved row (see ``copy_saved``).
    A ``DomainError`` raised while saving (a race the form could not see) rolls the whole change
    back and comes back to the page as an error message.
    """

    def save_model(self, request, obj, form, change):
        self.persist(request, obj, form, change)

    def delete_model(self, request, obj):
        self.remove(request, obj)

    def delete_queryset(self, request, queryset):
        for obj in queryset:
            self.remove(request, obj)

    def changeform_view(self, request, object_id=None, form_url="", extra_context=None):
        try:
            return super().changeform_view(request, object_id, form_url, extra_context)
        except DomainError as exc:
            self.message_user(request, f"Nothing was saved: {exc.message}", level=messages.ERROR)
            return HttpResponseRedirect(request.get_full_path())


class ServiceErrorsOnFormMixin:
    """A ``DomainError`` raised by the service while saving comes back as errors on the form.

    Django admin validates the form, then saves inside ``transaction.atomic``. When the service
    refuses (the benefit's parameters do not fit its type, a code is taken), that transaction is
    rolled back and the same POST is shown again with the error on the form (per field where the
    error names one), exactly as a form validation error would be. Put this mixin *after*
    ``ServiceSaveMixin`` in the bases: it catches first.
    """

    def changeform_view(self, request, object_id=None, form_url="", extra_context=None):
        try:
            return super().changeform_view(request, object_id, form_url, extra_context)
        except DomainError as exc:
            if request.method != "POST" or getattr(request, "_service_error", None) is not None:
                raise
            request._service_error = exc
            return super().changeform_view(request, object_id, form_url, extra_context)

    def get_form(self, request, obj=None, change=False, **kwargs):
        form_class = super().get_form(request, obj, change, **kwargs)
        error = getattr(request, "_service_error", None)
        if error is None:
            return form_class

        put_on_form = self.service_error_on_form

        class RefusedByService(form_class):
            def clean(self):
                cleaned = super().clean()
                put_on_form(self, error)
                return cleaned

        return RefusedByService

    def service_error_on_form(self, form, error: DomainError) -> None:
        """Where a refusal's message and field errors go on the form (an admin may say it its way)."""
        add_domain_error(form, error)


class RunEachMixin:
    """An admin action that runs one service call per selected row, each in its own transaction.

    ``run_each`` calls ``call(obj)`` for each object; a refused one (``DomainError``) is reported on
    its own and the others still run. It logs each success in the admin history, reports them in
    one message (``describe(obj, result)`` or ``str(obj)`` each) and returns ``(obj, result)`` pairs.
    A refusal that does not name its row is prefixed with ``row_label(obj)``.
    """

    def row_label(self, obj) -> str:
        return str(obj)

    def run_each(self, request, objects, *, call, done: str, describe=None) -> list:
        succeeded = []
        for obj in objects:
            try:
                with transaction.atomic():
                    result = call(obj)
                    self.log_change(request, obj, f"{done} (admin).")
            except DomainError as exc:
                text = exc.message if str(obj) in exc.message else f"{self.row_label(obj)}: {exc.message}"
                self.message_user(request, text, messages.ERROR)
            else:
                succeeded.append((obj, result))
        if succeeded:
            self.message_user(
                request,
                f"{done}: {', '.join(describe(obj, result) if describe else str(obj) for obj, result in succeeded)}.",
                messages.SUCCESS,
            )
        return succeeded


class ReadOnlyAdminMixin:
    """Rows written only by services (ledgers, reservations, redemptions): browsed, never edited here."""

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


class SafeChangeListMixin:
    """Query-string filters that Django's change list does not guard become invalid lookups.

    A date-hierarchy year of 400 digits (``OverflowError``) or 9999 (``ValueError`` building the
    next year), an id past 64 bits on SQLite, an unknown field in a list that bypasses Django's
    lookup checks (treebeard's children view, ``FieldError``): Django answers 500 for these, while for every other
    bad filter it reloads the list without the filters (``?e=1``). This makes them the same.
    """

    def get_changelist_instance(self, request):
        try:
            return super().get_changelist_instance(request)
        except (OverflowError, ValueError, FieldError) as exc:
            if not request.GET:
                raise  # not the filters: a real bug, let it be seen
            raise IncorrectLookupParameters(exc) from exc


class IdAutocompleteSelect(AutocompleteSelect):
    """Django's autocomplete select, redrawing a form that was sent with a value that is not an id.

    Django looks the sent value up to show it as selected: "¹" or "NaN" raised ``ValueError`` and
    a 400-digit number ``OverflowError`` while the page was drawn (a 500 instead of the form's own
    "Select a valid choice"). Values that are not ids are left unselected.
    """

    def optgroups(self, name, value, attr=None):
        return super().optgroups(name, [v for v in value if parse_id(str(v)) is not None], attr)


class IdAutocompleteSelectMultiple(AutocompleteSelectMultiple):
    """:class:`IdAutocompleteSelect` for many-to-many fields."""

    def optgroups(self, name, value, attr=None):
        return super().optgroups(name, [v for v in value if parse_id(str(v)) is not None], attr)


class IdAutocompleteMixin:
    """A model admin whose relation fields answer values that are not ids with the form's error and
    redraw the form (see :class:`IdAutocompleteSelect`) instead of failing with a 500."""

    def formfield_for_foreignkey(self, db_field, request, **kwargs):
        if "widget" not in kwargs and db_field.name in self.get_autocomplete_fields(request):
            kwargs["widget"] = IdAutocompleteSelect(db_field, self.admin_site, using=kwargs.get("using"))
        return super().formfield_for_foreignkey(db_field, request, **kwargs)

    def formfield_for_manytomany(self, db_field, request, **kwargs):
        if "widget" not in kwargs and db_field.name in self.get_autocomplete_fields(request):
            kwargs["widget"] = IdAutocompleteSelectMultiple(db_field, self.admin_site, using=kwargs.get("using"))
        return super().formfield_for_manytomany(db_field, request, **kwargs)


class LabelledSplitDateTime(AdminSplitDateTime):
    """The admin's date and time boxes, each with a name a screen reader says: Django labels only the
    date box (the field's label points at it), the time box had none (axe: "label")."""

    def get_context(self, name, value, attrs):
        context = super().get_context(name, value, attrs)
        field = name.replace("_", " ").capitalize()
        for subwidget, part in zip(context["widget"]["subwidgets"], ("date", "time"), strict=False):
            subwidget["attrs"]["aria-label"] = f"{field}, {part}"
        return context
