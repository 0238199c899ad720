"""The shape of an import upload. Whether the file's content can be imported is the service's business."""

from django import forms
from django.conf import settings
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from .workbooks import XLSX_CONTENT_TYPE, too_large_message


class ImportForm(forms.Form):
    file = forms.FileField(
        label=_("Excel file (.xlsx)"),
        required=False,  # checked in clean_file, after the size: an oversized file never arrives
        widget=forms.ClearableFileInput(attrs={"accept": f".xlsx,{XLSX_CONTENT_TYPE}"}),
    )

    def __init__(self, *args, too_large: bool = False, **kwargs):
        self.too_large = too_large
        super().__init__(*args, **kwargs)

    def clean_file(self):
        upload = self.cleaned_data.get("file")
        if self.too_large or (upload and upload.size > settings.MAX_UPLOAD_BYTES):
            raise ValidationError(too_large_message(), code="file_too_large")
        if not upload:
            raise ValidationError(_("Choose an Excel file (.xlsx) to import."), code="required")
        return upload
