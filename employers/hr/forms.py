from django import forms
from django.utils.translation import gettext_lazy as _

from employers.models import Employer
from essportal.formats import DATE_INPUT_FORMATS
from essportal.mail.logo import LogoField
from essportal.mail.texts import BODY_MAX_LENGTH, text_problems


class EmailTextForm(forms.Form):
    """An override of one mail in one language. Blank fields inherit."""

    subject = forms.CharField(
        label=_("Subject"),
        required=False,
        strip=False,
        # Longer input is refused by text_problems with a message that gives the length.
        max_length=2000,
        widget=forms.TextInput(attrs={"class": "wide"}),
    )
    body = forms.CharField(
        label=_("Text"),
        required=False,
        max_length=BODY_MAX_LENGTH * 2,
        widget=forms.Textarea(attrs={"rows": 16, "class": "wide"}),
    )

    def __init__(self, *args, kind, **kwargs):
        super().__init__(*args, **kwargs)
        self.kind = kind

    def _clean_text(self, name):
        value = self.cleaned_data.get(name, "").replace("\r\n", "\n")
        # A subject keeps its line breaks so that text_problems can refuse them.
        value = value.strip(" \t") if name == "subject" else value.strip()
        if value:
            problems = text_problems(self.kind, name, value)
            if problems:
                raise forms.ValidationError(problems)
        return value

    def clean_subject(self):
        return self._clean_text("subject")

    def clean_body(self):
        return self._clean_text("body")


class SenderForm(forms.ModelForm):
    """How the employer's mails look to the employee: the reply-to address and the logo."""

    class Meta:
        model = Employer
        fields = ["reply_to_email", "logo"]
        # The upload is checked and re-encoded to a small PNG; that is what is saved.
        field_classes = {"logo": LogoField}
        labels = {"reply_to_email": _("Reply-to address")}
        help_texts = {
            "reply_to_email": _(
                "Replies of employees to portal mails go here. Empty: the HR contact address."
            )
        }

    def clean_reply_to_email(self):
        return self.cleaned_data["reply_to_email"].strip().lower()


class LeftBeforeForm(forms.Form):
    """The date of a collective block. A date that cannot be read is an error, never a default:
    guessing one would block accounts nobody chose."""

    left_before = forms.DateField(
        label=_("Left before (dd-mm-yyyy)"),
        input_formats=DATE_INPUT_FORMATS,
        widget=forms.DateInput(format="%d-%m-%Y", attrs={"inputmode": "numeric"}),
        error_messages={
            "required": _("Enter the date as dd-mm-yyyy."),
            "invalid": _("Enter the date as dd-mm-yyyy."),
        },
    )


class TwoStepPolicyForm(forms.Form):
    """The employer's choice: the provider's default, required, or optional."""

    CHOICES = [
        ("default", _("As the payroll office's default")),
        ("required", _("Required for every employee")),
        ("optional", _("Optional: each employee chooses")),
    ]
    VALUES = {"default": None, "required": True, "optional": False}

    policy = forms.ChoiceField(
        label=_("Two-step sign-in for employees"), choices=CHOICES, widget=forms.RadioSelect
    )

    @classmethod
    def initial_for(cls, required: bool | None) -> str:
        return {None: "default", True: "required", False: "optional"}[required]


class ProviderTwoStepPolicyForm(forms.Form):
    required = forms.BooleanField(
        label=_(
            "Require two-step sign-in for the employees of every employer that follows this default"
        ),
        required=False,
    )


class NotificationsForm(forms.Form):
    leave_digest = forms.BooleanField(
        label=_("Mail me once a day about new leave requests awaiting a decision"),
        help_text=_("Only on days when new requests came in."),
        required=False,
        widget=forms.CheckboxInput(attrs={"aria-describedby": "leave-digest-hint"}),
    )
    language = forms.ChoiceField(
        label=_("Language of these mails"),
        choices=[("nl", "Nederlands"), ("en", "English")],
    )
