"""Categories in the back office: the tree, edited and moved through the catalog services."""


from django import forms
from django.contrib import admin, messages
from django.contrib.admin.options import IncorrectLookupParameters
from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.http import Http404, HttpResponse, HttpResponseBadRequest
from treebeard.admin import TreeAdmin
from treebeard.forms import movenodeform_factory

from commerce.admin_services import SafeChangeListMixin, ServiceSaveMixin, copy_saved
from commerce.audit.staff_edits import StaffAuditMixin
from commerce.catalog import services
from commerce.catalog.models import (
    Category,
)
from commerce.errors import DomainError
from commerce.parsing import parse_id


class _CategoryMoveForm(forms.Form):
    node = forms.ModelChoiceField(queryset=Category.objects.all())
    target = forms.ModelChoiceField(queryset=Category.objects.all())
    relation = forms.ChoiceField(choices=(("child", "child"), ("sibling", "sibling")))


@admin.register(Category)
class CategoryAdmin(SafeChangeListMixin, StaffAuditMixin, ServiceSaveMixin, TreeAdmin):
    form = movenodeform_factory(Category)

    def children_view(self, request, parent_id):
        # treebeard's tree expands a node through this JSON view; it looks the parent id and the
        # filters up unchecked ("¹", 400 digits, unknown fields were 500s).
        if parse_id(parent_id) is None:
            raise Http404("No such category.")
        try:
            return super().children_view(request, parent_id)
        except IncorrectLookupParameters:
            return HttpResponseBadRequest("Invalid filters.")
    list_display = ("name", "slug", "is_featured")
    search_fields = ("name", "slug")
    prepopulated_fields = {"slug": ("name",)}

    def has_delete_permission(self, request, obj=None):
        # Products point at categories (PROTECT) and orders at products: reorganise, never delete.
        return False

    def save_form(self, request, form, change):
        # MoveNodeForm.save() writes the tree itself; the services do that here instead.
        return form.instance

    def save_related(self, request, form, formsets, change):
        # No many-to-many fields, and form.save() never ran: nothing for save_m2m to do.
        for formset in formsets:
            self.save_formset(request, form, formset, change=change)

    @staticmethod
    def _parent_from_form(form) -> Category | None:
        reference = form.cleaned_data.get("treebeard_ref_node")
        if reference is None:
            return None
        if form.cleaned_data.get("treebeard_position") == "sorted-sibling":
            return Category.objects.get_parent(reference)
        return reference

    def persist(self, request, obj, form, change):
        parent = self._parent_from_form(form)
        if not change:
            saved = services.category_create(name=obj.name, slug=obj.slug, parent=parent, description=obj.description)
            if obj.is_featured:
                saved = services.category_update(category=saved.pk, data={"is_featured": True})
            copy_saved(saved, obj)
            return
        data = {f: getattr(obj, f) for f in form.changed_data if f in services.CATEGORY_FIELDS}
        if data:
            services.category_update(category=obj.pk, data=data)
        self._move(obj.pk, parent)
        copy_saved(Category.objects.get(pk=obj.pk), obj)

    def _move(self, category_id: int, parent: Category | None) -> None:
        current = Category.objects.get(pk=category_id)
        old_parent = Category.objects.get_parent(current)
        if (old_parent.pk if old_parent else None) == (parent.pk if parent else None):
            return
        services.category_move(category=category_id, parent=parent)  # its event has both parents

    def move_node(self, request):
        """Drag and drop in the tree: the move goes through ``category_move`` too."""
        form = _CategoryMoveForm(request.POST)
        if not form.is_valid():
            return HttpResponseBadRequest("Invalid form data provided")
        node, target = form.cleaned_data["node"], form.cleaned_data["target"]
        if not self.has_change_permission(request, node):
            messages.error(request, "You do not have permission to change this category.")
            raise PermissionDenied
        parent = target if form.cleaned_data["relation"] == "child" else Category.objects.get_parent(target)
        try:
            with transaction.atomic():
                self._move(node.pk, parent)
        except DomainError as exc:
            messages.error(request, exc.message)
            return HttpResponseBadRequest(exc.message)
        messages.info(request, f'Moved "{node}" under "{parent}".' if parent else f'Moved "{node}" to the top level.')
        return HttpResponse("OK")
