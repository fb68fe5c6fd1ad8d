"""The shop's forms for questions and answers: they check the shape; the services decide the rest
(length, markup, who may answer) and their refusals come back on the form."""

from django import forms

from recommendations.models import FAQCategory
from recommendations.models.questions import ANSWER_MAX_LENGTH, QUESTION_MAX_LENGTH


class CategoryField(forms.ModelChoiceField):
    """A topic by id, in ASCII digits only: Django would read "٣" as 3 (``commerce.forms`` says why)."""

    def to_python(self, value):
        if isinstance(value, str) and not value.isascii():
            raise forms.ValidationError(self.error_messages["invalid_choice"], code="invalid_choice")
        return super().to_python(value)


class AskQuestionForm(forms.Form):
    text = forms.CharField(label="Your question", max_length=QUESTION_MAX_LENGTH,
                           widget=forms.Textarea(attrs={"rows": 3, "maxlength": QUESTION_MAX_LENGTH}),
                           help_text="Plain text, up to 1000 characters. A moderator reads it before it is published.")
    category = CategoryField(label="Topic", queryset=FAQCategory.objects.order_by("position", "name"), required=False,
                                      empty_label="Any topic")


class AnswerForm(forms.Form):
    text = forms.CharField(label="Your answer", max_length=ANSWER_MAX_LENGTH,
                           widget=forms.Textarea(attrs={"rows": 3, "maxlength": ANSWER_MAX_LENGTH}))


class VoteForm(forms.Form):
    value = forms.ChoiceField(choices=[("up", "Helpful"), ("down", "Not helpful"), ("none", "Take my vote back")])


class QuestionListForm(forms.Form):
    """The section's own query parameters (prefixed ``q``: the product page has others)."""

    qsort = forms.ChoiceField(choices=[("popular", "Most helpful"), ("newest", "Newest"), ("oldest", "Oldest")], required=False)
    qcategory = CategoryField(queryset=FAQCategory.objects.all(), required=False)
