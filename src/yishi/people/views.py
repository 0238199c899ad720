"""Login by phone number (password or one-time code) and logout."""

from django.contrib import messages
from django.contrib.auth import login, logout
from django.shortcuts import redirect, render
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST
from django_ratelimit.decorators import ratelimit

from yishi.errors import Refused

from .forms import CodeLoginForm, CodeRequestForm, PasswordLoginForm
from .services import send_login_code


def _next_url(request) -> str:
    target = request.POST.get("next") or request.GET.get("next") or ""
    if url_has_allowed_host_and_scheme(target, allowed_hosts={request.get_host()}, require_https=request.is_secure()):
        return target
    return "/"


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
@ratelimit(key="ip", rate="10/h", method="POST", block=True)
@ratelimit(key="post:phone", rate="5/h", method="POST", block=True)
def request_code(request):
    form = CodeRequestForm(request.POST)
    if not form.is_valid():
        return _render_login(request, request_form=form, status=400)
    try:
        send_login_code(phone=form.cleaned_data["phone"])
    except Refused as exc:
        form.add_error(None, exc.reason)
        return _render_login(request, request_form=form, status=409)
    messages.info(request, _("If this number is registered, a code is on its way. It is valid for 5 minutes."))
    code_form = CodeLoginForm(request, initial={"phone": form.cleaned_data["phone"]})
    return _render_login(request, request_form=form, code_form=code_form)


@require_POST
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
