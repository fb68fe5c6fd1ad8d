"""django-celery-beat's admins, with forms that answer bad input with their errors.

Upstream's forms let two kinds of input through to a 500: a cron field that python-crontab accepts
and celery does not ("-1": celery's ``ParseException`` when the re-rendered form shows the schedule
in words), and a periodic task whose "task" field failed its own check (``clean()`` then read
``cleaned_data["task"]``: a ``KeyError``). The schedules staff edit (``CELERY_BEAT_SCHEDULER`` is the
database scheduler) are re-registered here with forms that check each cron field with celery's own
parser, require a task celery knows, and show a schedule in words only when celery can read it.
``CommerceAdminConfig.ready`` imports this module after the admins are discovered.
"""

from celery import current_app
from celery.schedules import ParseException, crontab
from django import forms
from django.contrib import admin
from django.utils.translation import gettext_lazy as _
from django_celery_beat import admin as beat_admin
from django_celery_beat.models import CrontabSchedule, PeriodicTask

CRON_FIELDS = ("minute", "hour", "day_of_month", "month_of_year", "day_of_week")


def cron_field_error(name: str, value: str) -> str | None:
    """Why celery cannot read ``value`` as the cron field ``name``, or None when it can."""
    try:
        crontab(**{name: value})
    except (ValueError, ParseException) as error:
        return str(error)[:200]
    return None


def schedule_in_words(schedule: CrontabSchedule | None) -> str:
    """The schedule as a sentence; a row celery cannot read (stored before this check) says so."""
    if schedule is None:
        return "-"
    try:
        return schedule.human_readable
    except (ValueError, ParseException):
        return str(_("(not a schedule celery can read)"))


class CrontabScheduleForm(forms.ModelForm):
    class Meta:
        model = CrontabSchedule
        fields = ("minute", "hour", "day_of_month", "month_of_year", "day_of_week", "timezone")

    def clean(self):
        data = super().clean()
        for name in CRON_FIELDS:
            if name in data and (error := cron_field_error(name, data[name])):
                self.add_error(name, _("Not a cron value celery can read: %(error)s") % {"error": error})
        return data


class CrontabScheduleAdmin(beat_admin.CrontabScheduleAdmin):
    form = CrontabScheduleForm

    @admin.display(description=_("human readable"))
    def human_readable(self, obj):
        return schedule_in_words(obj)


def registered_tasks() -> list[str]:
    current_app.loader.import_default_modules()
    return sorted(name for name in current_app.tasks if not name.startswith("celery."))


class PeriodicTaskForm(beat_admin.PeriodicTaskForm):
    """Upstream's form, whose ``clean`` no longer assumes the task field was valid, and whose task
    must be one celery has registered (beat would send a name no worker runs)."""

    def clean(self):
        data = forms.ModelForm.clean(self)
        if data.get("regtask"):
            data["task"] = data["regtask"]
        task = data.get("task")
        if not task and "task" not in self.errors:
            self.add_error("task", _("Need name of task"))
        elif task and task not in registered_tasks():
            self.add_error("task", _("No task of that name is registered: choose one from the list."))
        if data.get("expire_seconds") is not None and data.get("expires"):
            raise forms.ValidationError(_("Only one can be set, in expires and expire_seconds"))
        return data


class PeriodicTaskAdmin(beat_admin.PeriodicTaskAdmin):
    form = PeriodicTaskForm

    def crontab_translation(self, obj):
        return schedule_in_words(obj.crontab if obj is not None else None)

    def changeform_view(self, request, object_id=None, form_url="", extra_context=None):
        # Upstream's view puts every crontab's words in the page; one unreadable row made it a 500.
        readable = {schedule.pk: schedule_in_words(schedule) for schedule in CrontabSchedule.objects.all()}
        context = {**(extra_context or {}), "readable_crontabs": readable}
        return admin.ModelAdmin.changeform_view(self, request, object_id, form_url, context)


def register() -> None:
    for model, model_admin in ((CrontabSchedule, CrontabScheduleAdmin), (PeriodicTask, PeriodicTaskAdmin)):
        if admin.site.is_registered(model):
            admin.site.unregister(model)
        admin.site.register(model, model_admin)
