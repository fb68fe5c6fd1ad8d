"""Review moderation in the back office (``accounts.moderate_reviews``, the Support group): the queue
with the figures at the top, bulk approve and reject with a reason, filters by flags and age, the
shop's reply on the review's page, and the banned words of the abuse screen. Every change is a
service call; a review's own fields are read-only here."""

from __future__ import annotations

import datetime

from django import forms
from django.contrib import admin, messages
from django.template.response import TemplateResponse
from django.utils import timezone
from django.utils.html import format_html

from commerce.accounts import access
from commerce.admin_services import RunEachMixin, SafeChangeListMixin, ServiceErrorsOnFormMixin, ServiceSaveMixin, copy_saved
from commerce.audit.staff_edits import StaffAuditMixin
from recommendations.models import BannedWord, Review, ReviewPhoto
from recommendations.screening import FLAG_LABELS
from recommendations.selectors import reviews as selectors
from recommendations.services import review_moderation as moderation


def can_moderate(user) -> bool:
    return access.has_permission(user, "moderate_reviews")


class ModeratorPermissionsMixin:
    """``accounts.moderate_reviews`` lets staff see and change (through services) what is moderated here."""

    def has_module_permission(self, request):
        return super().has_module_permission(request) or can_moderate(request.user)

    def has_view_permission(self, request, obj=None):
        return super().has_view_permission(request, obj) or can_moderate(request.user)

    def has_change_permission(self, request, obj=None):
        return can_moderate(request.user)


class FlagCountFilter(admin.SimpleListFilter):
    title = "reports"
    parameter_name = "flags"

    def lookups(self, request, model_admin):
        return [("0", "None"), ("1", "At least one"), ("3", "Three or more")]

    def queryset(self, request, queryset):
        value = self.value()
        if value == "0":
            return queryset.filter(flag_count=0)
        if value in ("1", "3"):
            return queryset.filter(flag_count__gte=int(value))
        return queryset


class WaitingFilter(admin.SimpleListFilter):
    title = "waiting since"
    parameter_name = "waiting"

    def lookups(self, request, model_admin):
        return [("1", "Over a day"), ("3", "Over 3 days"), ("7", "Over a week")]

    def queryset(self, request, queryset):
        if self.value() in ("1", "3", "7"):
            return queryset.filter(submitted_at__lte=timezone.now() - datetime.timedelta(days=int(self.value())))
        return queryset


class ReviewPhotoInline(admin.TabularInline):
    model = ReviewPhoto
    fields = ("preview", "width", "height", "content_type", "created_at")
    readonly_fields = fields
    extra = 0
    can_delete = False

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    @admin.display(description="Photo")
    def preview(self, photo):
        return format_html('<a href="{}"><img src="{}" alt="" style="max-width:120px"></a>', photo.image.url, photo.thumbnail.url)


class ReplyForm(forms.ModelForm):
    class Meta:
        model = Review
        fields = ("reply_text",)
        widgets = {"reply_text": forms.Textarea(attrs={"rows": 4, "cols": 80})}
        labels = {"reply_text": "The shop's public reply"}
        help_texts = {"reply_text": "Shown under the review. Empty takes the reply down. Plain text."}


class RejectForm(forms.Form):
    reason = forms.CharField(max_length=moderation.REASON_MAX, widget=forms.TextInput(attrs={"size": 80}),
                             help_text="Shown to the authors on their reviews page.")


@admin.register(Review)
class ReviewAdmin(SafeChangeListMixin, ModeratorPermissionsMixin, StaffAuditMixin, ServiceSaveMixin, ServiceErrorsOnFormMixin,
                  RunEachMixin, admin.ModelAdmin):
    form = ReplyForm
    list_display = ("id", "product", "author", "stars", "status", "verified_purchase", "flag_count", "held", "submitted_at",
                    "replied")
    list_display_links = ("id", "product")
    list_select_related = ("product", "customer")
    list_filter = ("status", FlagCountFilter, WaitingFilter, "verified_purchase")
    search_fields = ("title", "text", "product__name", "product__code", "customer__username")
    ordering = ("-flag_count", "submitted_at", "id")
    actions = ("approve_selected", "reject_selected")
    inlines = (ReviewPhotoInline,)
    fieldsets = (
        (None, {"fields": ("product", "customer", "status", "rejection_reason", "held", "verified_purchase", "submitted_at",
                           "moderated_by", "moderated_at")}),
        ("Review", {"fields": ("title", "text", "ratings_text", "score", "helpful_count", "not_helpful_count", "flag_count",
                               "flag_reasons")}),
        ("Reply", {"fields": ("reply_text", "reply_by", "replied_at")}),
    )
    readonly_fields = ("product", "customer", "status", "rejection_reason", "held", "verified_purchase", "submitted_at",
                       "moderated_by", "moderated_at", "title", "text", "ratings_text", "score", "helpful_count",
                       "not_helpful_count", "flag_count", "flag_reasons", "reply_by", "replied_at")

    def has_add_permission(self, request):
        return False

    def has_delete_permission(self, request, obj=None):
        return False

    def audit_product_id(self, obj):
        return obj.product_id

    def audit_customer_id(self, obj):
        return obj.customer_id

    @admin.display(description="Author", ordering="customer__username")
    def author(self, obj):
        return obj.author_name

    @admin.display(description="Stars", ordering="rating_overall")
    def stars(self, obj):
        return "★" * obj.rating_overall + "☆" * (5 - obj.rating_overall)

    @admin.display(description="Held because")
    def held(self, obj):
        return ", ".join(FLAG_LABELS.get(r, r.replace("_", " ")) for r in obj.held_reasons) or "—"

    @admin.display(description="Replied", boolean=True)
    def replied(self, obj):
        return bool(obj.reply_text)

    @admin.display(description="Ratings")
    def ratings_text(self, obj):
        return ", ".join(f"{axis} {stars}" for axis, stars in obj.ratings.items())

    @admin.display(description="Reports")
    def flag_reasons(self, obj):
        return "; ".join(f"{f.get_reason_display()}{': ' + f.note if f.note else ''}" for f in obj.flags.all()[:20]) or "—"

    def persist(self, request, obj, form, change):
        copy_saved(moderation.review_reply(review_id=obj.pk, staff=request.user, text=form.cleaned_data["reply_text"]), obj)

    def changelist_view(self, request, extra_context=None):
        extra_context = dict(extra_context or {})
        extra_context["figures"] = selectors.moderation_figures()
        return super().changelist_view(request, extra_context)

    @admin.action(description="Approve selected reviews (publish them)")
    def approve_selected(self, request, queryset):
        self.run_each(request, queryset, call=lambda r: moderation.review_approve(review_id=r.pk, moderator=request.user),
                      done="Approved")

    @admin.action(description="Reject selected reviews, with a reason")
    def reject_selected(self, request, queryset):
        form = RejectForm(request.POST if "apply" in request.POST else None)
        if form.is_bound and form.is_valid():
            reason = form.cleaned_data["reason"]
            self.run_each(request, queryset,
                          call=lambda r: moderation.review_reject(review_id=r.pk, moderator=request.user, reason=reason),
                          done="Rejected")
            return None
        if form.is_bound:
            self.message_user(request, "Say why the reviews are rejected.", messages.ERROR)
        return TemplateResponse(request, "admin/recommendations/review/reject.html", {
            **self.admin_site.each_context(request), "opts": self.model._meta, "form": form, "reviews": queryset,
            "action_checkbox_name": admin.helpers.ACTION_CHECKBOX_NAME, "title": "Reject reviews",
        })


class BannedWordForm(forms.ModelForm):
    class Meta:
        model = BannedWord
        fields = ("word",)


@admin.register(BannedWord)
class BannedWordAdmin(ModeratorPermissionsMixin, StaffAuditMixin, ServiceSaveMixin, ServiceErrorsOnFormMixin, admin.ModelAdmin):
    form = BannedWordForm
    list_display = ("word", "created_by", "created_at")
    search_fields = ("word",)

    def has_add_permission(self, request):
        return can_moderate(request.user)

    def has_change_permission(self, request, obj=None):
        return obj is None and can_moderate(request.user)  # words are added and removed, not edited

    def has_delete_permission(self, request, obj=None):
        return can_moderate(request.user)

    def persist(self, request, obj, form, change):
        copy_saved(moderation.banned_word_add(word=form.cleaned_data["word"], staff=request.user), obj)

    def remove(self, request, obj):
        moderation.banned_word_remove(banned_word_id=obj.pk, staff=request.user)
