"""Import pages: upload an Excel file into a region, or download its template. Thin: the service decides."""

from collections.abc import Callable
from dataclasses import dataclass

from django import forms
from django.conf import settings
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.core.files.uploadhandler import FileUploadHandler, SkipFile
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.functional import Promise
from django.utils.http import content_disposition_header
from django.utils.translation import gettext_lazy as _
from django.views.decorators.csrf import csrf_exempt, csrf_protect
from django.views.decorators.http import require_http_methods, require_safe

from yishi.access.queries import can
from yishi.errors import Refused, refusal_to_form

from . import household_import, region_import, workbooks
from . import services as region_services
from .forms import ImportForm
from .models import Region
from .queries import known_rules, rules_page_rows

# Room for the form's other fields and the multipart boundaries around the file.
MULTIPART_SLACK = 64 * 1024
MAX_ISSUES_SHOWN = 500


@dataclass(frozen=True)
class ImportKind:
    key: str
    action: str
    title: Promise
    columns: tuple[workbooks.Column, ...]
    run: Callable
    template: Callable[[], bytes]
    filename: str
    result_template: str
    check_target: Callable[[Region], None] = lambda region: None


KINDS = {
    "regions": ImportKind(
        key="regions",
        action="regions.import_regions",
        title=_("Import regions"),
        columns=region_import.REGION_COLUMNS,
        run=lambda actor, region, file: region_import.import_regions(actor=actor, root=region, file=file),
        template=region_import.region_template,
        filename="区划导入模板.xlsx",
        result_template="regions/_region_result.html",
    ),
    "households": ImportKind(
        key="households",
        action="regions.import_households",
        title=_("Import a household roster"),
        columns=household_import.HOUSEHOLD_COLUMNS,
        run=lambda actor, region, file: household_import.import_households(
            actor=actor, compound=region, file=file
        ),
        template=household_import.household_template,
        filename="住户导入模板.xlsx",
        result_template="regions/_household_result.html",
        check_target=household_import.check_household_target,
    ),
}


class SizeLimitUploadHandler(FileUploadHandler):
    """Drops an uploaded file once it grows past the limit, so an oversized upload is never kept."""

    def __init__(self, request=None, limit: int = 0):
        super().__init__(request)
        self.limit = limit
        self.received = 0
        self.exceeded = False

    def new_file(self, *args, **kwargs):
        super().new_file(*args, **kwargs)
        self.received = 0

    def receive_data_chunk(self, raw_data, start):
        self.received += len(raw_data)
        if self.received > self.limit:
            self.exceeded = True
            raise SkipFile  # the rest of this file is read and thrown away, chunk by chunk
        return raw_data

    def file_complete(self, file_size):
        return None


def _region_for(user, pk: int, action: str) -> Region:
    """Regions are public (404 only when there is none); acting on one needs authority there (403)."""
    region = get_object_or_404(Region, pk=pk)
    if not can(user, action, region):
        raise PermissionDenied
    return region


def _page(request, region: Region, kind: ImportKind, form: ImportForm, status: int = 200, **extra):
    issues = extra.get("rejected").issues if extra.get("rejected") else []
    context = {
        "region": region,
        "kind": kind,
        "form": form,
        "columns": kind.columns,
        "max_upload": settings.MAX_UPLOAD_BYTES,
        "issues": issues[:MAX_ISSUES_SHOWN],
        "issues_hidden": max(0, len(issues) - MAX_ISSUES_SHOWN),
        **extra,
    }
    return render(request, "regions/import.html", context, status=status)


def _import_page(request, pk: int, kind: ImportKind):
    region = _region_for(request.user, pk, kind.action)
    try:
        kind.check_target(region)
    except Refused as exc:
        return _page(request, region, kind, ImportForm(), status=400, wrong_target=exc.reason)
    if request.method != "POST":
        return _page(request, region, kind, ImportForm())
    limit = settings.MAX_UPLOAD_BYTES
    try:
        declared = int(request.META.get("CONTENT_LENGTH") or 0)
    except ValueError:
        declared = 0
    if declared > limit + MULTIPART_SLACK:
        # Refused before the body is read: nothing is parsed, stored or changed.
        form = ImportForm(data={}, files={}, too_large=True)
        form.is_valid()
        return _page(request, region, kind, form, status=413)
    handler = SizeLimitUploadHandler(request, limit)
    request.upload_handlers.insert(0, handler)
    return _submit(request, region, kind, handler)


@csrf_protect
def _submit(request, region: Region, kind: ImportKind, handler: SizeLimitUploadHandler):
    form = ImportForm(request.POST, request.FILES, too_large=handler.exceeded)
    if not form.is_valid():
        return _page(request, region, kind, form, status=413 if handler.exceeded else 400)
    try:
        result = kind.run(request.user, region, form.cleaned_data["file"])
    except workbooks.ImportRejected as exc:
        return _page(request, region, kind, ImportForm(), status=400, rejected=exc)
    except Refused as exc:
        if exc.code == Refused.FORBIDDEN:
            raise PermissionDenied from exc
        return _page(
            request,
            region,
            kind,
            ImportForm(),
            status=413 if exc.code == "file_too_large" else 400,
            problem=exc.reason,
        )
    return _page(request, region, kind, ImportForm(), result=result)


# The upload limit must be in place before the body is read, and CSRF checking reads the body; so these
# views are exempt from the middleware's check and _submit runs the same check once the limit is in place.
@csrf_exempt
@require_http_methods(["GET", "HEAD", "POST"])
@login_required
def import_regions(request, pk: int):
    return _import_page(request, pk, KINDS["regions"])


@csrf_exempt
@require_http_methods(["GET", "HEAD", "POST"])
@login_required
def import_households(request, pk: int):
    return _import_page(request, pk, KINDS["households"])


@require_safe
@login_required
def import_template(request, pk: int, kind: str):
    if kind not in KINDS:
        raise Http404
    import_kind = KINDS[kind]
    _region_for(request.user, pk, import_kind.action)
    response = HttpResponse(import_kind.template(), content_type=workbooks.XLSX_CONTENT_TYPE)
    response["Content-Disposition"] = content_disposition_header(
        as_attachment=True, filename=import_kind.filename
    )
    return response


# --- the region's rules -------------------------------------------------------------------------------------------


class RuleForm(forms.Form):
    key = forms.ChoiceField(
        label=_("Rule"), choices=lambda: [(r.key, r.label) for r in known_rules().values()]
    )
    value = forms.CharField(
        label=_("Value"),
        required=False,
        max_length=20,
        help_text=_("Days as a number (empty for no minimum), or a threshold such as 2/3."),
    )
    source = forms.CharField(
        label=_("Source: who decided this, and why"), max_length=500, widget=forms.Textarea(attrs={"rows": 2})
    )


def parse_rule_value(raw: str):
    """'5' → 5, '' → None, '2/3' → [2, 3]; anything else is passed on for the service to refuse."""
    raw = (raw or "").strip()
    if not raw:
        return None
    if "/" in raw:
        parts = [p.strip() for p in raw.split("/", 1)]
        return [int(p) if p.isdigit() else p for p in parts]
    return int(raw) if raw.isdigit() else raw


def _rule_text(value) -> str:
    if value is None:
        return str(_("no minimum"))
    if isinstance(value, list | tuple):
        return "/".join(str(v) for v in value)
    return str(value)


@require_http_methods(["GET", "HEAD", "POST"])
def region_rules(request, pk: int):
    """The rules at a region, each with its value and source. Public; holders of regions.manage_rules may set one."""
    region = get_object_or_404(Region, pk=pk)
    may_set = request.user.is_authenticated and can(request.user, "regions.manage_rules", region)
    form = RuleForm(request.POST) if request.method == "POST" else RuleForm()
    status = 200
    if request.method == "POST":
        if not may_set:
            raise PermissionDenied
        status = 400
        if form.is_valid():
            try:
                region_services.set_region_rule(
                    actor=request.user,
                    region=region,
                    key=form.cleaned_data["key"],
                    value=parse_rule_value(form.cleaned_data["value"]),
                    source=form.cleaned_data["source"],
                )
            except Refused as exc:
                status = refusal_to_form(form, exc)
            else:
                return redirect("regions:rules", pk=region.pk)
    rows = [
        {**row, "value_text": _rule_text(row["value"]), "default_text": _rule_text(row["default"])}
        for row in rules_page_rows(region)
    ]
    return render(
        request,
        "regions/rules.html",
        {"region": region, "rows": rows, "form": form if may_set else None},
        status=status,
    )
