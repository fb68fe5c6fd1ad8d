"""The outbox in the back office: read-only, filtered by status and template; a failed mail is
queued again through ``services.mail_resend``."""

from django.contrib import admin
from django.utils.html import format_html

from commerce.admin_services import ReadOnlyAdminMixin, RunEachMixin, SafeChangeListMixin
from commerce.mail import services
from commerce.mail.models import Mail


@admin.register(Mail)
class MailAdmin(SafeChangeListMixin, ReadOnlyAdminMixin, RunEachMixin, admin.ModelAdmin):
    list_display = ("created_at", "subject", "to", "template", "status", "attempts", "sent_at")
    list_filter = ("status", "template", ("created_at", admin.DateFieldListFilter))
    search_fields = ("=key", "to", "subject", "=customer_id")
    date_hierarchy = "created_at"
    list_per_page = 50
    show_full_result_count = False
    actions = ("resend",)
    fields = ("key", "to", "customer_id", "template", "subject", "status", "attempts", "last_error", "locked_until",
              "created_at", "sent_at", "body_text", "html_preview")
    readonly_fields = fields

    def has_view_permission(self, request, obj=None):
        user = request.user
        return user.is_active and user.is_staff and user.has_perm("mail.view_mail")

    def has_module_permission(self, request):
        return self.has_view_permission(request)

    def has_resend_permission(self, request):
        return request.user.has_perm("mail.resend_mail")

    @admin.display(description="HTML part")
    def html_preview(self, obj):
        # The stored HTML in a sandboxed frame: shown as the customer sees it, and nothing in it runs.
        return format_html(
            '<iframe sandbox="" srcdoc="{}" title="HTML part" style="width:100%;max-width:680px;height:560px;'
            'border:1px solid #ccc;background:#fff"></iframe>',
            obj.body_html,
        )

    @admin.action(description="Send the selected failed mails again", permissions=["resend"])
    def resend(self, request, queryset):
        self.run_each(request, queryset.order_by("id"), call=lambda mail: services.mail_resend(mail_id=mail.pk),
                      done="Queued again")
