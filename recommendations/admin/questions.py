"""Moderating product questions and answers in the back office.

The queues (``QuestionAdmin``, ``AnswerAdmin``) list what waits, oldest first, filtered by status,
by what the spam screen noticed, by age and by topic; actions approve the selected rows, or reject
them with one reason typed on the page that follows; a question's page answers it as the shop and
corrects its text or topic. Nothing here writes a row itself: every change is one service call
(each row in its own transaction, each outcome reported). Moderators hold ``accounts.moderate_reviews``
(the Support group); representatives are managed by whoever may change manufacturers.
"""

from __future__ import annotations

import datetime

from django import forms
from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied
from django.http import HttpResponseRedirect
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils import timezone
from django.utils.html import format_html

from commerce.accounts import access
from commerce.admin_services import (
    ReadOnlyAdminMixin,
    RunEachMixin,
    SafeChangeListMixin,
    ServiceErrorsOnFormMixin,
    ServiceSaveMixin,
    add_domain_error,
    copy_saved,
)
from commerce.audit.staff_edits import StaffAuditMixin
from commerce.errors import DomainError
from commerce.parsing import parse_id, parse_id_list
from recommendations import services
from recommendations.forms import CategoryField
from recommendations.models import Answer, FAQCategory, ManufacturerRepresentative, Question
from recommendations.models.questions import ANSWER_MAX_LENGTH, QUESTION_MAX_LENGTH, REASON_MAX_LENGTH
from recommendations.screening import FLAG_LABELS
from recommendations.selectors.questions import can_moderate


def _short(text: str, length: int = 80) -> str:
    return text if len(text) <= length else text[: length - 1] + "…"


class ModeratorsOnlyMixin:
    """Seen and used by moderators (``accounts.moderate_reviews``); rows change only through actions."""

    def has_module_permission(self, request):
        return can_moderate(request.user)

    def has_view_permission(self, request, obj=None):
        return can_moderate(request.user)

    def has_add_permission(self, request, *args):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False

    def has_moderate_permission(self, request):
        return can_moderate(request.user)

    def page(self, request, template: str, title: str, **context):
        return TemplateResponse(request, template, {**self.admin_site.each_context(request), "opts": self.model._meta,
                                                    "title": title, **context})

    def require_moderator(self, request) -> None:
        if not can_moderate(request.user):
            raise PermissionDenied


class FlaggedFilter(admin.SimpleListFilter):
    title = "spam screen"
    parameter_name = "flagged"

    def lookups(self, request, model_admin):
        return [("yes", "Flagged"), ("no", "Clean")]

    def queryset(self, request, queryset):
        if self.value() == "yes":
            return queryset.exclude(screen_flags=[])
        if self.value() == "no":
            return queryset.filter(screen_flags=[])
        return queryset


class AgeFilter(admin.SimpleListFilter):
    """How long a row has waited: the queue's oldest first."""

    title = "waiting"
    parameter_name = "age"
    DAYS = {"1": 1, "3": 3, "7": 7}

    def lookups(self, request, model_admin):
        return [("1", "More than a day"), ("3", "More than 3 days"), ("7", "More than a week")]

    def queryset(self, request, queryset):
        days = self.DAYS.get(self.value() or "")
        if days is None:
            return queryset
        return queryset.filter(created_at__lt=timezone.now() - datetime.timedelta(days=days))


class AnsweredFilter(admin.SimpleListFilter):
    title = "answers"
    parameter_name = "answered"

    def lookups(self, request, model_admin):
        return [("no", "Unanswered"), ("yes", "Answered")]

    def queryset(self, request, queryset):
        if self.value() == "no":
            return queryset.filter(answer_count=0)
        if self.value() == "yes":
            return queryset.filter(answer_count__gt=0)
        return queryset


class RejectForm(forms.Form):
    reason = forms.CharField(max_length=REASON_MAX_LENGTH, help_text="Shown to the author. 3 to 300 characters.")


class ModerationActionsMixin(RunEachMixin, ModeratorsOnlyMixin):
    """Approve and reject (with a reason, typed once for all the selected rows) through the services."""

    approve_service = None  # (admin, obj, moderator) -> row
    reject_service = None
    noun = "row"

    @admin.action(description="Approve (publish) the selected", permissions=["moderate"])
    def approve(self, request, queryset):
        rows = list(queryset.order_by("created_at", "id"))
        self.run_each(request, rows, done="Approved", call=lambda row: self.approve_service(row, request.user),
                      describe=lambda row, _r: f"{self.noun} {row.pk}")

    @admin.action(description="Reject the selected… (with a reason)", permissions=["moderate"])
    def reject(self, request, queryset):
        ids = ",".join(str(pk) for pk in queryset.order_by("created_at", "id").values_list("pk", flat=True))
        return HttpResponseRedirect(f"{reverse(f'admin:recommendations_{self.model._meta.model_name}_reject')}?ids={ids}")

    def reject_view(self, request):
        self.require_moderator(request)
        ids = parse_id_list(request.POST.get("ids") or request.GET.get("ids") or "")
        rows = list(self.model.objects.filter(pk__in=ids).order_by("created_at", "id"))
        changelist = reverse(f"admin:recommendations_{self.model._meta.model_name}_changelist")
        if not rows:
            self.message_user(request, f"Choose at least one {self.noun} to reject.", messages.WARNING)
            return HttpResponseRedirect(changelist)
        form = RejectForm(request.POST or None)
        if request.method == "POST" and form.is_valid():
            reason = form.cleaned_data["reason"]
            self.run_each(request, rows, done=f"Rejected ({reason})",
                          call=lambda row: self.reject_service(row, request.user, reason),
                          describe=lambda row, _r: f"{self.noun} {row.pk}")
            return HttpResponseRedirect(changelist)
        return self.page(request, "admin/recommendations/reject.html", f"Reject {len(rows)} {self.noun}(s)", form=form,
                         rows=rows, ids=",".join(str(row.pk) for row in rows), changelist=changelist)


class AnswerInline(ReadOnlyAdminMixin, admin.TabularInline):
    model = Answer
    fields = ("text_short", "role", "author", "status", "is_verified", "up_votes", "down_votes", "created_at")
    readonly_fields = fields
    extra = 0
    show_change_link = True

    @admin.display(description="Answer")
    def text_short(self, obj):
        return _short(obj.text, 120)


class AnswerAsShopForm(forms.Form):
    text = forms.CharField(max_length=ANSWER_MAX_LENGTH, widget=forms.Textarea(attrs={"rows": 5}),
                           help_text="Published at once as the shop's answer.")
    verified = forms.BooleanField(required=False, label="Mark it verified (official)")


class QuestionEditForm(forms.Form):
    text = forms.CharField(max_length=QUESTION_MAX_LENGTH, widget=forms.Textarea(attrs={"rows": 4}))
    category = CategoryField(queryset=FAQCategory.objects.all(), required=False)


@admin.register(Question)
class QuestionAdmin(SafeChangeListMixin, ModerationActionsMixin, admin.ModelAdmin):
    noun = "question"
    list_display = ("id", "text_short", "product", "author", "status", "flags", "answer_count", "vote_count", "category",
                    "created_at")
    list_display_links = ("id", "text_short")
    list_select_related = ("product", "author", "category")
    list_filter = ("status", FlaggedFilter, AgeFilter, AnsweredFilter, ("category", admin.RelatedOnlyFieldListFilter))
    search_fields = ("text", "product__name", "=product__code", "author__username")
    ordering = ("created_at", "id")
    list_per_page = 50
    show_full_result_count = False
    actions = ("approve", "reject")
    fields = ("product", "author", "text", "category", "status", "screen_flags", "rejection_reason", "moderated_by",
              "moderated_at", "answer_count", "vote_count", "created_at")
    readonly_fields = fields
    inlines = (AnswerInline,)

    @staticmethod
    def approve_service(row, moderator):
        return services.question_approve(question_id=row.pk, moderator=moderator)

    @staticmethod
    def reject_service(row, moderator, reason):
        return services.question_reject(question_id=row.pk, moderator=moderator, reason=reason)

    @admin.display(description="Question")
    def text_short(self, obj):
        return _short(obj.text)

    @admin.display(description="Screen")
    def flags(self, obj):
        return ", ".join(FLAG_LABELS.get(f, f) for f in obj.screen_flags) or "—"

    def get_urls(self):
        view = self.admin_site.admin_view
        return [
            path("reject/", view(self.reject_view), name="recommendations_question_reject"),
            path("<id:object_id>/answer/", view(self.answer_view), name="recommendations_question_answer"),
            path("<id:object_id>/edit/", view(self.edit_view), name="recommendations_question_edit"),
            *super().get_urls(),
        ]

    def change_view(self, request, object_id, form_url="", extra_context=None):
        extra_context = dict(extra_context or {})
        question_id = parse_id(object_id)
        if question_id is not None and can_moderate(request.user):
            extra_context["question_tools"] = [
                {"label": "Answer as the shop…", "url": reverse("admin:recommendations_question_answer", args=[question_id])},
                {"label": "Correct or file under a topic…", "url": reverse("admin:recommendations_question_edit", args=[question_id])},
            ]
        return super().change_view(request, object_id, form_url, extra_context)

    def _question(self, request, object_id):
        self.require_moderator(request)
        return Question.objects.select_related("product").filter(pk=parse_id(str(object_id)) or 0).first()

    def answer_view(self, request, object_id):
        question = self._question(request, object_id)
        if question is None:
            return self._get_obj_does_not_exist_redirect(request, self.opts, str(object_id))
        form = AnswerAsShopForm(request.POST or None)
        if request.method == "POST" and form.is_valid():
            try:
                answer = services.answer_create(question_id=question.pk, author=request.user, text=form.cleaned_data["text"])
                if form.cleaned_data["verified"]:
                    services.answer_verify(answer_id=answer.pk, moderator=request.user)
            except DomainError as exc:
                add_domain_error(form, exc)
            else:
                self.log_change(request, question, f"Answered as the shop (answer {answer.pk}) (admin).")
                self.message_user(request, f"Answer {answer.pk} published.", messages.SUCCESS)
                return HttpResponseRedirect(reverse("admin:recommendations_question_change", args=[question.pk]))
        return self.page(request, "admin/recommendations/question/answer.html", f"Answer question {question.pk}",
                         form=form, question=question, object=question)

    def edit_view(self, request, object_id):
        question = self._question(request, object_id)
        if question is None:
            return self._get_obj_does_not_exist_redirect(request, self.opts, str(object_id))
        form = QuestionEditForm(request.POST or None, initial={"text": question.text, "category": question.category})
        if request.method == "POST" and form.is_valid():
            category = form.cleaned_data["category"]
            try:
                services.question_update(question_id=question.pk, moderator=request.user, text=form.cleaned_data["text"],
                                         category_id=category.pk if category else None)
            except DomainError as exc:
                add_domain_error(form, exc)
            else:
                self.message_user(request, f"Question {question.pk} saved.", messages.SUCCESS)
                return HttpResponseRedirect(reverse("admin:recommendations_question_change", args=[question.pk]))
        return self.page(request, "admin/recommendations/question/edit.html", f"Correct question {question.pk}",
                         form=form, question=question, object=question)


class VerifiedFilter(admin.SimpleListFilter):
    title = "verified"
    parameter_name = "verified"

    def lookups(self, request, model_admin):
        return [("yes", "Verified"), ("no", "Not verified")]

    def queryset(self, request, queryset):
        if self.value() in ("yes", "no"):
            return queryset.filter(is_verified=self.value() == "yes")
        return queryset


@admin.register(Answer)
class AnswerAdmin(SafeChangeListMixin, ModerationActionsMixin, admin.ModelAdmin):
    noun = "answer"
    list_display = ("id", "text_short", "question_link", "role", "author", "status", "is_verified", "flags", "up_votes",
                    "down_votes", "created_at")
    list_display_links = ("id", "text_short")
    list_select_related = ("question", "author")
    list_filter = ("status", "role", VerifiedFilter, FlaggedFilter, AgeFilter)
    search_fields = ("text", "question__text", "author__username")
    ordering = ("created_at", "id")
    list_per_page = 50
    show_full_result_count = False
    actions = ("approve", "reject", "verify", "unverify")
    fields = ("question", "author", "role", "text", "status", "screen_flags", "rejection_reason", "moderated_by",
              "moderated_at", "is_verified", "verified_by", "verified_at", "up_votes", "down_votes", "created_at")
    readonly_fields = fields

    @staticmethod
    def approve_service(row, moderator):
        return services.answer_approve(answer_id=row.pk, moderator=moderator)

    @staticmethod
    def reject_service(row, moderator, reason):
        return services.answer_reject(answer_id=row.pk, moderator=moderator, reason=reason)

    @admin.display(description="Answer")
    def text_short(self, obj):
        return _short(obj.text)

    @admin.display(description="Question")
    def question_link(self, obj):
        return format_html('<a href="{}">{}</a>', reverse("admin:recommendations_question_change", args=[obj.question_id]),
                           _short(obj.question.text, 50))

    @admin.display(description="Screen")
    def flags(self, obj):
        return ", ".join(FLAG_LABELS.get(f, f) for f in obj.screen_flags) or "—"

    def get_urls(self):
        return [path("reject/", self.admin_site.admin_view(self.reject_view), name="recommendations_answer_reject"),
                *super().get_urls()]

    @admin.action(description="Mark the selected verified (official)", permissions=["moderate"])
    def verify(self, request, queryset):
        self.run_each(request, list(queryset.order_by("id")), done="Verified",
                      call=lambda a: services.answer_verify(answer_id=a.pk, moderator=request.user),
                      describe=lambda a, _r: f"answer {a.pk}")

    @admin.action(description="Take the verified mark off the selected", permissions=["moderate"])
    def unverify(self, request, queryset):
        self.run_each(request, list(queryset.order_by("id")), done="Verified mark taken off",
                      call=lambda a: services.answer_verify(answer_id=a.pk, moderator=request.user, verified=False),
                      describe=lambda a, _r: f"answer {a.pk}")


@admin.register(FAQCategory)
class FAQCategoryAdmin(SafeChangeListMixin, StaffAuditMixin, ServiceSaveMixin, ServiceErrorsOnFormMixin, admin.ModelAdmin):
    list_display = ("name", "slug", "position", "created_at")
    ordering = ("position", "name")
    fields = ("name", "slug", "position")
    prepopulated_fields = {"slug": ("name",)}

    def has_module_permission(self, request):
        return can_moderate(request.user)

    def has_view_permission(self, request, obj=None):
        return can_moderate(request.user)

    def has_add_permission(self, request):
        return can_moderate(request.user)

    def has_change_permission(self, request, obj=None):
        return can_moderate(request.user)

    def has_delete_permission(self, request, obj=None):
        return False  # questions keep their topic; rename it instead

    def persist(self, request, obj, form, change):
        data = form.cleaned_data
        saved = services.faq_category_save(moderator=request.user, name=data["name"], slug=data.get("slug") or "",
                                           position=data.get("position") or 0, category_id=obj.pk if change else None)
        copy_saved(saved, obj)


@admin.register(ManufacturerRepresentative)
class ManufacturerRepresentativeAdmin(SafeChangeListMixin, StaffAuditMixin, ServiceSaveMixin, ServiceErrorsOnFormMixin,
                                      admin.ModelAdmin):
    """Who answers for a manufacturer; managed by whoever may change manufacturers (the Merchandisers)."""

    fields = ("manufacturer", "user")
    list_display = ("manufacturer", "user", "added_at")
    list_select_related = ("manufacturer", "user")
    list_filter = (("manufacturer", admin.RelatedOnlyFieldListFilter),)
    search_fields = ("manufacturer__name", "user__username", "user__email")
    autocomplete_fields = ("manufacturer",)
    raw_id_fields = ("user",)

    def _may(self, request) -> bool:
        return access.has_permission(request.user, "catalog.change_manufacturer")

    def has_module_permission(self, request):
        return self._may(request)

    def has_view_permission(self, request, obj=None):
        return self._may(request)

    def has_add_permission(self, request):
        return self._may(request)

    def has_change_permission(self, request, obj=None):
        return False  # remove and add again

    def has_delete_permission(self, request, obj=None):
        return self._may(request)

    def persist(self, request, obj, form, change):
        data = form.cleaned_data
        saved = services.representative_add(manufacturer_id=data["manufacturer"].pk, user_id=data["user"].pk)
        copy_saved(saved, obj)

    def remove(self, request, obj):
        services.representative_remove(manufacturer_id=obj.manufacturer_id, user_id=obj.user_id)


