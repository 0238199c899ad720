from django import forms
from django.contrib.auth import authenticate
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from .phones import normalize_phone


class PhoneField(forms.CharField):
    def __init__(self, **kwargs):
        kwargs.setdefault("label", _("Mobile phone"))
        kwargs.setdefault("max_length", 20)
        super().__init__(**kwargs)
        self.widget.attrs.update({"inputmode": "tel", "autocomplete": "tel", "placeholder": "13812345678"})

    def clean(self, value):
        return normalize_phone(super().clean(value))


class PasswordLoginForm(forms.Form):
    # The login page holds two forms with a phone field each: their ids must differ for the labels to work.
    id_prefix = "password_login"
    phone = PhoneField()
    password = forms.CharField(
        label=_("Password"), widget=forms.PasswordInput(attrs={"autocomplete": "current-password"})
    )

    def __init__(self, request, *args, **kwargs):
        kwargs.setdefault("auto_id", f"{self.id_prefix}_%s")
        self.request = request
        self.person = None
        super().__init__(*args, **kwargs)

    def clean(self):
        data = super().clean()
        if self.errors:
            return data
        self.person = authenticate(self.request, phone=data["phone"], password=data["password"])
        if self.person is None:
            raise ValidationError(_("The phone number or password is wrong."), code="invalid_login")
        return data


class CodeRequestForm(forms.Form):
    phone = PhoneField()

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("auto_id", "code_request_%s")
        super().__init__(*args, **kwargs)


class CodeLoginForm(forms.Form):
    id_prefix = "code_login"
    phone = PhoneField(widget=forms.HiddenInput)
    code = forms.RegexField(
        label=_("Code from the text message"),
        regex=r"^\s*\d{6}\s*$",
        error_messages={"invalid": _("The code has 6 digits.")},
        widget=forms.TextInput(
            attrs={"inputmode": "numeric", "autocomplete": "one-time-code", "maxlength": 6}
        ),
    )

    def __init__(self, request, *args, **kwargs):
        kwargs.setdefault("auto_id", f"{self.id_prefix}_%s")
        self.request = request
        self.person = None
        super().__init__(*args, **kwargs)

    def clean(self):
        data = super().clean()
        if self.errors:
            return data
        self.person = authenticate(self.request, phone=data["phone"], code=data["code"].strip())
        if self.person is None:
            raise ValidationError(
                _("The code is wrong or has expired. Ask for a new one."), code="invalid_code"
            )
        return data
