"""The promotion editor's preview: a "Preview" button that shows the promotion as entered in words,
checked as saving would check it, and saves nothing (no JavaScript: a submit of the same form).

The form is validated as on save; instead of saving, the page comes back with the sentences above
the fields, or with the errors on their fields (the form's, then the service's ``promotion_check``).
"""

from __future__ import annotations

from django.contrib.admin import helpers

from commerce.errors import DomainError
from promotions import services
from promotions.wording import values_sentences

PREVIEW = "_preview"
#: arguments of promotion_create given by name, not through **fields
CREATE_ARGS = ("name", "discount_class", "benefit_type")


def create_fields(cleaned: dict) -> dict:
    """The form's values ``promotion_create`` (and ``promotion_check``) take through ``**fields``."""
    writable = (*services.EDITABLE_FIELDS, *services.M2M_FIELDS)
    return {f: cleaned[f] for f in writable if f in cleaned and f not in CREATE_ARGS}


class PromotionPreviewMixin:
    """For ``PromotionAdmin``: needs its ``_tiers(obj)`` and ``service_error_on_form(form, error)``."""

    @staticmethod
    def previewing(request) -> bool:
        return request.method == "POST" and PREVIEW in request.POST

    def get_form(self, request, obj=None, change=False, **kwargs):
        form_class = super().get_form(request, obj, change, **kwargs)
        if not self.previewing(request):
            return form_class

        class Previewed(form_class):
            def is_valid(self):
                self.fit_to_preview = super().is_valid()
                return False  # never saved: the page comes back with the promotion in words

        return Previewed

    def render_change_form(self, request, context, add=False, change=False, form_url="", obj=None):
        form = context["adminform"].form
        if hasattr(form, "fit_to_preview"):
            formsets = [inline.formset for inline in context.get("inline_admin_formsets", ())]
            context["preview"] = self.preview_sentences(form, formsets, obj)
            context["errors"] = helpers.AdminErrorList(form, formsets)
        return super().render_change_form(request, context, add, change, form_url, obj)

    def preview_sentences(self, form, formsets, obj) -> list[str]:
        """The promotion as entered, in words; empty when the form, the tiers or the check refused it
        (the errors are then on the form)."""
        if not form.fit_to_preview or not all(formset.is_valid() for formset in formsets):
            return []
        cleaned = form.cleaned_data
        tiers = self._tiers(form.instance)
        if tiers is None:  # the tiers table unchanged: the saved tiers
            tiers = [(t.min_quantity, t.percent) for t in obj.tiers.all()] if obj is not None else []
        if cleaned.get("benefit_type") != "quantity_tiers":
            tiers = []
        try:
            services.promotion_check(name=cleaned["name"], discount_class=cleaned["discount_class"],
                                     benefit_type=cleaned["benefit_type"], tiers=tiers, **create_fields(cleaned))
        except DomainError as error:
            self.service_error_on_form(form, error)
            return []
        return values_sentences(cleaned, tiers=tiers)
