"""Garbage posted to an admin form, every field at once and one field at a time: the answers that were
server errors. Shared by the probe of every add form and the probe of third-party change forms."""

from django.forms import MultiWidget

from tests.factories import admin_form_data

ADMIN_GARBAGE = {"nul_inside": "a\x00b", "huge": "9" * 40, "superscript": "\u00b9", "zero_date": "0000-00-00",
                 "overlong": "x" * 3000, "negative": "-1", "emoji": "\U0001f600"}


def field_names(response, data: dict) -> list[str]:
    names = set(data)
    forms = [response.context["adminform"].form] + [
        subform for inline in response.context.get("inline_admin_formsets", []) for subform in inline.formset.forms]
    for form in forms:
        for name, field in form.fields.items():
            key = form.add_prefix(name)
            if isinstance(field.widget, MultiWidget):
                names.update(f"{key}_{i}" for i in range(len(field.widget.widgets)))
            else:
                names.add(key)
    return sorted(name for name in names if not name.endswith(("TOTAL_FORMS", "INITIAL_FORMS", "MIN_NUM_FORMS", "MAX_NUM_FORMS")))


def server_errors(client, url: str, page) -> dict[str, int]:
    """``{"field=label": status}`` for each garbage post to the form on ``page`` (at ``url``) answered with a 5xx."""
    data = admin_form_data(page)
    names = field_names(page, data)
    failures = {}
    for label, value in ADMIN_GARBAGE.items():  # every field at once
        status = client.post(url, {**data, **dict.fromkeys(names, value)}).status_code
        if status >= 500:
            failures[f"all={label}"] = status
    for name in names:  # one field at a time, the others as the form offers them
        for label in ("nul_inside", "huge"):
            status = client.post(url, {**data, name: ADMIN_GARBAGE[label]}).status_code
            if status >= 500:
                failures[f"{name}={label}"] = status
    return failures
