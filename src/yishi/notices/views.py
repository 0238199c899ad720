"""The public board (张榜公示): thin pages over the notice queries and services. Reading needs no login."""

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import translation
from django.utils.feedgenerator import Atom1Feed
from django.utils.html import linebreaks
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST
from django_ratelimit.decorators import ratelimit

from yishi.audit import receipts
from yishi.audit.actions import Action
from yishi.errors import Refused, refusal_to_form
from yishi.regions.models import Region

from . import forms, queries, services
from .models import Objection
from .printing import qr_svg

PAGE_SIZE = 20
FEED_SIZE = 50


def _board(pk: int):
    region = get_object_or_404(Region, pk=pk)
    return region, queries.board_region(region)


def board(request, pk: int):
    region, where = _board(pk)
    page = Paginator(queries.current(where), PAGE_SIZE).get_page(request.GET.get("page"))
    return render(
        request, "notices/board.html", {"region": region, "board": where, "page": page, "archive": False}
    )


def archive(request, pk: int):
    region, where = _board(pk)
    page = Paginator(queries.archived(where), PAGE_SIZE).get_page(request.GET.get("page"))
    return render(
        request, "notices/board.html", {"region": region, "board": where, "page": page, "archive": True}
    )


def feed(request, pk: int):
    """An Atom feed of the board: every notice, newest first, each linking to its page."""
    _region, where = _board(pk)
    with translation.override(settings.LANGUAGE_CODE):
        atom = Atom1Feed(
            title=_("Public board of %(region)s") % {"region": where.name},
            link=request.build_absolute_uri(reverse("notices:board", args=[where.pk])),
            feed_url=request.build_absolute_uri(reverse("notices:feed", args=[where.pk])),
            description=_("Notices posted on the public board of %(region)s") % {"region": where.name},
            language=settings.LANGUAGE_CODE,
        )
        for notice in queries.feed_items(where, FEED_SIZE):
            url = request.build_absolute_uri(reverse("notices:detail", args=[notice.pk]))
            # Atom's summary is typed "html": the notice is plain text, so it goes in escaped, never as markup.
            atom.add_item(
                title=notice.title,
                link=url,
                unique_id=url,
                description=linebreaks(notice.body, autoescape=True),
                pubdate=notice.posted_at,
                updateddate=notice.posted_at,
                categories=[str(notice.get_kind_display())],
            )
    return HttpResponse(atom.writeString("utf-8"), content_type="application/atom+xml; charset=utf-8")


def detail(request, pk: int, bound: dict | None = None, status: int = 200):
    notice = queries.get_notice(pk)
    context = queries.notice_context(notice, request.user)
    bound = bound or {}
    context["object_form"] = bound.get("object") or forms.ObjectionForm(auto_id=forms.auto_id("object"))
    for row in context["objections"]:
        name = f"reply_{row.objection.pk}"
        row.form = bound.get(name) or forms.ReplyForm(auto_id=forms.auto_id(name))
    if request.GET.get(
        "record"
    ):  # the QR link of a printed notice: does the record hold what the paper says?
        context["paper"] = receipts.check_paper(notice, Action.NOTICES_PUBLISH, request.GET["record"][:80])
        context["paper_asked"] = True
    return render(request, "notices/detail.html", context, status=status)


def printable(request, pk: int):
    """The notice on one A4 page, with a QR code back to its page online."""
    notice = queries.get_notice(pk)
    context = queries.notice_context(notice, None)
    url = request.build_absolute_uri(reverse("notices:detail", args=[notice.pk]))
    # Printed with the checkpoint it was published under, once the record has signed one that holds it.
    recorded = receipts.recorded(notice, Action.NOTICES_PUBLISH)
    if recorded is not None:
        url += f"?record={recorded.token}"
    context.update({"url": url, "qr": qr_svg(url), "recorded": recorded})
    return render(request, "notices/print.html", context)


@require_POST
@login_required
@ratelimit(key="user", rate="20/h", method="POST", block=True)
def object_to(request, pk: int):
    notice = queries.get_notice(pk)
    form = forms.ObjectionForm(request.POST, auto_id=forms.auto_id("object"))
    if not form.is_valid():
        return detail(request, pk, {"object": form}, status=400)
    try:
        services.object_to(actor=request.user, notice=notice, text=form.cleaned_data["text"])
    except Refused as exc:
        return detail(request, pk, {"object": form}, status=refusal_to_form(form, exc))
    messages.success(request, _("Your objection is posted. Staff must answer it within five days."))
    return redirect("notices:detail", pk)


@require_POST
@login_required
def reply(request, pk: int, objection_id: int):
    objection = get_object_or_404(Objection, pk=objection_id, notice_id=pk)
    name = f"reply_{objection.pk}"
    form = forms.ReplyForm(request.POST, auto_id=forms.auto_id(name))
    if not form.is_valid():
        return detail(request, pk, {name: form}, status=400)
    try:
        services.reply_to(actor=request.user, objection=objection, text=form.cleaned_data["text"])
    except Refused as exc:
        return detail(request, pk, {name: form}, status=refusal_to_form(form, exc))
    messages.success(request, _("Your reply is posted."))
    return redirect("notices:detail", pk)
