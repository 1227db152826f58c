"""The public action form. Shapes here; rules (is the action open, who are the targets) in the
submission service, whose errors come back onto the fields they concern."""
from django import forms
from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import RegexValidator
from django.utils.translation import gettext_lazy as _

from .letters.cwc import PREFIXES
from .models import Action, SupporterEditing
from .services.submissions import SupporterInput

STATES = [
    ("AL", "Alabama"), ("AK", "Alaska"), ("AS", "American Samoa"), ("AZ", "Arizona"), ("AR", "Arkansas"),
    ("CA", "California"), ("CO", "Colorado"), ("CT", "Connecticut"), ("DE", "Delaware"),
    ("DC", "District of Columbia"), ("FL", "Florida"), ("GA", "Georgia"), ("GU", "Guam"), ("HI", "Hawaii"),
    ("ID", "Idaho"), ("IL", "Illinois"), ("IN", "Indiana"), ("IA", "Iowa"), ("KS", "Kansas"), ("KY", "Kentucky"),
    ("LA", "Louisiana"), ("ME", "Maine"), ("MD", "Maryland"), ("MA", "Massachusetts"), ("MI", "Michigan"),
    ("MN", "Minnesota"), ("MS", "Mississippi"), ("MO", "Missouri"), ("MT", "Montana"), ("NE", "Nebraska"),
    ("NV", "Nevada"), ("NH", "New Hampshire"), ("NJ", "New Jersey"), ("NM", "New Mexico"), ("NY", "New York"),
    ("NC", "North Carolina"), ("ND", "North Dakota"), ("MP", "Northern Mariana Islands"), ("OH", "Ohio"),
    ("OK", "Oklahoma"), ("OR", "Oregon"), ("PA", "Pennsylvania"), ("PR", "Puerto Rico"), ("RI", "Rhode Island"),
    ("SC", "South Carolina"), ("SD", "South Dakota"), ("TN", "Tennessee"), ("TX", "Texas"), ("UT", "Utah"),
    ("VT", "Vermont"), ("VI", "U.S. Virgin Islands"), ("VA", "Virginia"), ("WA", "Washington"),
    ("WV", "West Virginia"), ("WI", "Wisconsin"), ("WY", "Wyoming"),
]
# Service errors name model fields; a few live under other names on the form.
SERVICE_FIELD = {"zip": "zip_code"}
HONEYPOT = "website"


class SupporterForm(forms.Form):
    prefix = forms.ChoiceField(label=_("Prefix"), choices=[("", "—"), *[(p, p) for p in PREFIXES]],
                               help_text=_("Congressional offices ask for one of these."))
    first_name = forms.CharField(label=_("First name"), max_length=80,
                                 widget=forms.TextInput(attrs={"autocomplete": "given-name"}))
    last_name = forms.CharField(label=_("Last name"), max_length=80,
                                widget=forms.TextInput(attrs={"autocomplete": "family-name"}))
    email = forms.EmailField(label=_("Email"), max_length=254,
                             widget=forms.EmailInput(attrs={"autocomplete": "email"}))
    street = forms.CharField(label=_("Street address"), min_length=3, max_length=200,
                             widget=forms.TextInput(attrs={"autocomplete": "street-address"}))
    city = forms.CharField(label=_("City"), min_length=2, max_length=80,
                           widget=forms.TextInput(attrs={"autocomplete": "address-level2"}))
    state = forms.ChoiceField(label=_("State"), choices=[("", "—"), *STATES],
                              widget=forms.Select(attrs={"autocomplete": "address-level1"}))
    zip_code = forms.CharField(
        label=_("ZIP code"), max_length=10,
        validators=[RegexValidator(r"^\d{5}(-\d{4})?$", _("Enter a 5-digit ZIP code."))],
        widget=forms.TextInput(attrs={"autocomplete": "postal-code", "inputmode": "numeric"}),
    )
    # Checked against the ZIP code's districts by the service; the choices below are for display.
    district = forms.IntegerField(label=_("Congressional district"), required=False, min_value=0, max_value=99,
                                  widget=forms.Select(choices=[]))
    phone = forms.CharField(label=_("Phone"), required=False, max_length=40,
                            widget=forms.TextInput(attrs={"autocomplete": "tel", "inputmode": "tel"}))
    note = forms.CharField(label=_("Personal note"), required=False, max_length=settings.SUBMISSION_NOTE_MAX,
                           widget=forms.Textarea(attrs={"rows": 4}),
                           help_text=_("Optional. Why this matters to you, in your own words."))
    edited_body = forms.CharField(label=_("Your letter"), required=False, max_length=10000,
                                  widget=forms.Textarea(attrs={"rows": 14}))
    # Hidden from people, filled in by bots: a filled honeypot is thanked and forgotten.
    website = forms.CharField(required=False, label=_("Leave this empty"),
                              widget=forms.TextInput(attrs={"autocomplete": "off", "tabindex": "-1"}))
    ref = forms.CharField(required=False, max_length=16, widget=forms.HiddenInput)

    def __init__(self, *args, action: Action, districts: list | None = None, **kwargs) -> None:  # noqa: ANN002, ANN003
        super().__init__(*args, **kwargs)
        self.action = action
        if action.supporter_editing == SupporterEditing.NONE:
            del self.fields["note"]
        if action.supporter_editing != SupporterEditing.BODY:
            del self.fields["edited_body"]
        self.set_districts(districts or [])

    def set_districts(self, districts: list) -> None:
        self.fields["district"].widget.choices = [("", "—"), *[(d.district, str(d)) for d in districts]]

    @property
    def is_bot(self) -> bool:
        return bool(self.data.get(HONEYPOT))

    def clean_state(self) -> str:
        return self.cleaned_data["state"].upper()

    def clean_ref(self) -> str:
        ref = self.cleaned_data.get("ref", "")
        return ref if ref.replace("-", "").replace("_", "").isalnum() else ""

    def supporter(self, language: str) -> SupporterInput:
        data = self.cleaned_data
        return SupporterInput(
            prefix=data["prefix"], first_name=data["first_name"].strip(), last_name=data["last_name"].strip(),
            email=data["email"].strip(), street=data["street"].strip(), city=data["city"].strip(),
            state=data["state"], zip_code=data["zip_code"][:5], district=data.get("district"),
            phone=data.get("phone", "").strip(), note=data.get("note", "").strip(),
            edited_body=data.get("edited_body", ""), language=language, referred_by=data.get("ref", ""),
        )

    def add_service_errors(self, exc: ValidationError) -> None:
        """Put a service's refusal beside the field it concerns."""
        if not hasattr(exc, "error_dict"):
            self.add_error(None, exc)
            return
        for field, errors in exc.error_dict.items():
            name = SERVICE_FIELD.get(field, field)
            self.add_error(name if name in self.fields else None, errors)
