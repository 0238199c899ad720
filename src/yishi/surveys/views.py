"""Survey pages: thin. Parse the form, call the service, render; a Refused becomes the form's error.

As on the matter pages: success redirects with a message; input the form or the service finds wrong re-renders
with 400; an action the survey's state refuses with 409; one the person lacks authority for with 403.
"""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST
from django.views.decorators.vary import vary_on_headers
from django_ratelimit.decorators import ratelimit

from yishi.access.queries import can
from yishi.errors import Refused, refusal_to_form
from yishi.matters.queries import matter_numbered
from yishi.notices.printing import qr_svg
from yishi.regions.models import Household, Region

from . import forms, pages, predicates, queries, services
from .models import SurveyStatus
from .queries import MANAGE, RECORD

PAGE_SIZE = 20


# ---- lists -----------------------------------------------------------------------------------------------


def survey_list(request, pk: int):
    region = get_object_or_404(Region, pk=pk)
    page = Paginator(queries.surveys_for(request.user, region), PAGE_SIZE).get_page(request.GET.get("page"))
    may_create = predicates.may_create(request.user, region) is None
    return render(request, "surveys/list.html", {"region": region, "page": page, "may_create": may_create})


@login_required
def mine(request):
    """The open surveys for my household; for staff, the places where they run surveys."""
    return render(
        request,
        "surveys/mine.html",
        {
            "open": queries.open_surveys_for(request.user),
            "places": list(pages.staff_places(request.user)[:50]),
        },
    )


@login_required
def new(request, pk: int):
    region = get_object_or_404(Region, pk=pk)
    if not can(request.user, MANAGE, region):
        raise PermissionDenied
    if request.method != "POST":
        return render(request, "surveys/new.html", {"region": region, "form": forms.SurveyForm()})
    form = forms.SurveyForm(request.POST)
    status = 400
    if form.is_valid():
        d = form.cleaned_data
        try:
            matter = matter_numbered(d["matter"], field="matter")
            survey = services.create_survey(
                actor=request.user,
                region=region,
                title=d["title"],
                description=d["description"],
                matter=matter,
            )
        except Refused as exc:
            status = refusal_to_form(form, exc)
        else:
            messages.success(request, _("The survey is drafted. Add its questions, then open it."))
            return redirect("surveys:detail", survey.pk)
    return render(request, "surveys/new.html", {"region": region, "form": form}, status=status)


# ---- the survey page -------------------------------------------------------------------------------------


@vary_on_headers("HX-Request")
def detail(request, pk: int, bound: dict | None = None, status: int = 200):
    survey = queries.get_survey_for(request.user, pk)
    if request.htmx and bound is None:
        # The response-rate table alone, for the staff page to refresh while forms come in.
        if survey.status == SurveyStatus.DRAFT or not queries.results_visible(request.user, survey):
            raise PermissionDenied
        return render(
            request, "surveys/detail.html#rate", {"survey": survey, "rate": queries.response_rate(survey)}
        )
    return render(
        request, "surveys/detail.html", pages.detail_context(request, survey, bound or {}), status=status
    )


def _act(request, pk: int, name: str, form, call, success: str, redirect_to=None):
    """Run ``call(survey, cleaned_data)`` if the form is valid; re-render the survey page with the errors if not."""
    survey = queries.get_survey_for(request.user, pk)
    if not form.is_valid():
        return detail(request, pk, {name: form}, status=400)
    try:
        call(survey, form.cleaned_data)
    except Refused as exc:
        return detail(request, pk, {name: form}, status=refusal_to_form(form, exc))
    messages.success(request, success)
    return redirect(redirect_to or reverse("surveys:detail", args=[pk]))


@require_POST
@login_required
def add_question(request, pk: int):
    form = forms.QuestionForm(request.POST, auto_id="id_question_%s")

    def call(survey, d):
        services.add_question(
            actor=request.user,
            survey=survey,
            kind=d["kind"],
            text=d["text"],
            choices=form.choice_labels(),
            required=d["required"],
        )

    return _act(request, pk, "question", form, call, _("The question is added."))


@require_POST
@login_required
def remove_question(request, pk: int, question_id: int):
    survey = queries.get_survey_for(request.user, pk)
    question = queries.get_question(survey, question_id)

    def call(survey, d):
        services.remove_question(actor=request.user, question=question)

    return _act(request, pk, "remove", forms.EmptyForm(request.POST), call, _("The question is removed."))


@require_POST
@login_required
def open_survey(request, pk: int):
    def call(survey, d):
        services.open_survey(actor=request.user, survey=survey)

    return _act(
        request,
        pk,
        "open",
        forms.EmptyForm(request.POST),
        call,
        _("The survey is open: households may answer."),
    )


@require_POST
@login_required
def close_survey(request, pk: int):
    def call(survey, d):
        services.close_survey(actor=request.user, survey=survey)

    return _act(request, pk, "close", forms.EmptyForm(request.POST), call, _("The survey is closed."))


@require_POST
@login_required
def publish(request, pk: int):
    def call(survey, d):
        services.publish_results(actor=request.user, survey=survey, period_days=d["period_days"])

    return _act(
        request,
        pk,
        "publish",
        forms.PublishForm(request.POST, auto_id="id_publish_%s"),
        call,
        _("The results are posted on the public board."),
    )


@require_POST
@login_required
@ratelimit(key="user", rate="30/h", method="POST", block=True)
def answer(request, pk: int):
    survey = queries.get_survey_for(request.user, pk)
    households = [
        household for household, answered in queries.answering(request.user, survey) if not answered
    ]
    form = forms.AnswerForm(
        request.POST, questions=pages.questions_of(survey), households=households, auto_id="id_answer_%s"
    )

    def call(survey, d):
        household = None
        if d.get("household"):
            household = Household.objects.filter(pk=d["household"]).first()
        services.submit_response(
            actor=request.user, survey=survey, answers=form.answers(), household=household
        )

    return _act(request, pk, "answer", form, call, _("Thank you: your household's answers are recorded."))


# ---- staff: paper forms, responses, printing -------------------------------------------------------------


def _staff_survey(request, pk: int):
    survey = queries.get_survey_for(request.user, pk)
    if not (can(request.user, RECORD, survey.region) or can(request.user, MANAGE, survey.region)):
        raise PermissionDenied
    return survey


@login_required
def paper(request, pk: int):
    """Key in a paper form: the code printed on it, then the answers ticked on it."""
    survey = _staff_survey(request, pk)
    if request.method != "POST":
        return render(request, "surveys/paper.html", pages.paper_context(survey, pages.paper_form(survey)))
    form = pages.paper_form(survey, request.POST)
    status = 400
    if form.is_valid():
        d = form.cleaned_data
        household = None
        if d.get("household"):
            household = Household.objects.filter(pk=d["household"]).first()
        try:
            response = services.record_paper_response(
                actor=request.user, survey=survey, answers=form.answers(), code=d["code"], household=household
            )
        except Refused as exc:
            status = refusal_to_form(form, exc)
        else:
            messages.success(
                request, _("The form of %(household)s is recorded.") % {"household": response.household}
            )
            return redirect("surveys:paper", pk)
    return render(request, "surveys/paper.html", pages.paper_context(survey, form), status=status)


@login_required
def responses(request, pk: int, bound: dict | None = None, status: int = 200):
    """Which households answered, by which channel; a mistaken one is voided here."""
    survey = _staff_survey(request, pk)
    page = Paginator(queries.responses_of(survey), 50).get_page(request.GET.get("page"))
    return render(
        request,
        "surveys/responses.html",
        {
            "survey": survey,
            "page": page,
            "may_void": predicates.may_void_response(request.user, survey) is None,
            "refusals": pages.refusals(bound or {}),
        },
        status=status,
    )


@require_POST
@login_required
def void(request, pk: int, response_id: int):
    survey = _staff_survey(request, pk)
    response = queries.get_response_for(request.user, survey, response_id)
    form = forms.ReasonForm(request.POST)
    if form.is_valid():
        try:
            services.void_response(actor=request.user, response=response, reason=form.cleaned_data["reason"])
        except Refused as exc:
            return responses(request, pk, {"void": form}, status=refusal_to_form(form, exc))
        messages.success(request, _("The response is voided; the household may answer again."))
        return redirect("surveys:responses", pk)
    return responses(request, pk, {"void": form}, status=400)


@login_required
def printable(request, pk: int):
    """The paper forms, one A4 page per household with its code; ``?household=`` prints one."""
    survey = _staff_survey(request, pk)
    sheets = queries.paper_forms(survey)
    wanted = request.GET.get("household")
    if wanted:
        sheets = [(household, code) for household, code in sheets if str(household.pk) == wanted]
        if not sheets:
            raise Http404
    url = request.build_absolute_uri(reverse("surveys:detail", args=[survey.pk]))
    return render(
        request,
        "surveys/print.html",
        {
            "survey": survey,
            "questions": pages.questions_of(survey),
            "sheets": sheets,
            "qr": qr_svg(url),
            "url": url,
        },
    )
