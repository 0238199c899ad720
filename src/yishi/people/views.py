"""Login by phone number (password or one-time code) and logout."""

from functools import wraps

from django.contrib import messages
from django.contrib.auth import login, logout
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST
from django_ratelimit.decorators import ratelimit
from django_ratelimit.exceptions import Ratelimited

from yishi.errors import Refused, refusal_status
from yishi.web.views import rate_limited

from .forms import CodeLoginForm, CodeRequestForm, PasswordLoginForm
from .models import HouseholdClaim
from .phones import normalize_phone
from .services import answer_claim, code_ttl_minutes, send_login_code


def _next_url(request) -> str:
    target = request.POST.get("next") or request.GET.get("next") or ""
    if url_has_allowed_host_and_scheme(
        target, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return target
    # Without a page to go back to, a person lands on what waits for them.
    return reverse("web:workbench")


def phone_key(group, request) -> str:
    """The rate-limit key for "per phone number": the number as normalised, so that "138 1234 5678",
    "+8613812345678" and "13812345678" share one counter."""
    raw = request.POST.get("phone", "")
    try:
        return normalize_phone(raw)
    except ValidationError:
        return raw.strip()


def limited_page(view):
    """Answer a tripped rate limit with the 429 page, wherever the limit sits in the decorator stack.

    django-ratelimit raises ``Ratelimited`` (a PermissionDenied, so a bare 403 without its middleware).
    """

    @wraps(view)
    def wrapper(request, *args, **kwargs):
        try:
            return view(request, *args, **kwargs)
        except Ratelimited as exc:
            return rate_limited(request, exc)

    return wrapper


def _render_login(request, *, password_form=None, request_form=None, code_form=None, status=200):
    return render(
        request,
        "people/login.html",
        {
            "password_form": password_form or PasswordLoginForm(request),
            "request_form": request_form or CodeRequestForm(),
            "code_form": code_form,
            "next": _next_url(request),
        },
        status=status,
    )


@limited_page
@ratelimit(key="ip", rate="30/5m", method="POST", block=True)
def login_view(request):
    if request.method != "POST":
        return _render_login(request)
    form = PasswordLoginForm(request, request.POST)
    if form.is_valid():
        login(request, form.person, backend="yishi.people.backends.PhonePasswordBackend")
        return redirect(_next_url(request))
    return _render_login(request, password_form=form, status=400)


@require_POST
@limited_page
@ratelimit(key="ip", rate="10/h", method="POST", block=True)
@ratelimit(key=phone_key, rate="5/h", method="POST", block=True)
def request_code(request):
    form = CodeRequestForm(request.POST)
    if not form.is_valid():
        return _render_login(request, request_form=form, status=400)
    phone = form.cleaned_data["phone"]
    code_form = CodeLoginForm(request, initial={"phone": phone})
    try:
        send_login_code(phone=phone)
    except Refused as exc:
        # Asked again too soon: say so, and keep the box for the code already sent.
        messages.error(request, exc.reason)
        return _render_login(request, request_form=form, code_form=code_form, status=refusal_status(exc))
    messages.info(
        request,
        _("If this number is registered, a code is on its way. It is valid for %(minutes)s minutes.")
        % {"minutes": code_ttl_minutes()},
    )
    return _render_login(request, request_form=form, code_form=code_form)


@require_POST
@limited_page
@ratelimit(key="ip", rate="30/5m", method="POST", block=True)
def code_login(request):
    form = CodeLoginForm(request, request.POST)
    if form.is_valid():
        login(request, form.person, backend="yishi.people.backends.OneTimeCodeBackend")
        return redirect(_next_url(request))
    return _render_login(request, code_form=form, status=400)


@require_POST
def logout_view(request):
    logout(request)
    return redirect("/")


@require_POST
@login_required
def answer_household(request, pk: int):
    """Confirm or decline, from the home page, that I head the household a roster names."""
    claim = get_object_or_404(HouseholdClaim.objects.select_related("household__region"), pk=pk)
    confirm = request.POST.get("answer") == "confirm"
    try:
        answer_claim(actor=request.user, claim=claim, confirm=confirm)
    except Refused as exc:
        if exc.code == Refused.FORBIDDEN:
            raise PermissionDenied(exc.reason) from exc  # someone else's household: the 403 page
        messages.error(request, exc.reason)
        return redirect("web:workbench")
    if confirm:
        messages.success(
            request,
            _("Confirmed: you are recorded as head of %(household)s.") % {"household": claim.household},
        )
    else:
        messages.success(request, _("Declined: you are not recorded in that household."))
    return redirect("web:workbench")
