"""The matter in full, as the API's ``MatterDetail`` answers it: every step app's section, composed on top.

matters' router answers with it (``GET /matters/{id}``, raising, recording) through ``yishi.matters.pages``,
which this layer fills in when Django starts.
"""

from yishi.matters.api import _row
from yishi.matters.models import Matter
from yishi.matters.presenters import is_own, submitter_label
from yishi.meetings.matter_api import _session
from yishi.notices.matter_api import _notice
from yishi.plans.api import _consensus, _resubmission, _version
from yishi.procedures.models import Transition
from yishi.procedures.offers import offers
from yishi.procedures.queries import checklist, deviations
from yishi.reviews.api import _review
from yishi.votes.matter_api import _vote
from yishi.works.api import _work
from yishi.works.models import Work


def detail(matter: Matter, viewer) -> dict:
    offered = offers(viewer, matter)
    versions = list(matter.plan_versions.prefetch_related("parts__unit").order_by("number"))
    numbers = {v.pk: v.number for v in versions}
    works = list(
        Work.objects.filter(matter=matter)
        .select_related("unit", "assignee")
        .prefetch_related("reports", "supervisions")
        .order_by("due_on", "pk")
    )
    for w in works:
        w.matter = matter  # region and procedure already read
    return {
        **_row(matter),
        "description": matter.description,
        "location": matter.location,
        "submitter": submitter_label(matter, viewer),
        "own": is_own(matter, viewer),
        "stakeholders": matter.stakeholders,
        "procedure_reason": matter.procedure_reason,
        "step_since": matter.step_since,
        "public_reason": matter.public_reason,
        "referred_to": matter.referred_to,
        "merged_into": matter.merged_into_id,
        "merged_from": list(matter.merged_from.order_by("pk").values_list("pk", flat=True)),
        "photos": [{"url": p.image.url, "width": p.width, "height": p.height} for p in matter.photos.all()],
        "checklist": [
            {
                "key": r.key,
                "label": str(r.label),
                "state": r.state,
                "completed_at": r.completed_at,
                "completed_by": r.completed_by,
                "missing": [str(m) for m in r.missing],
                "returns": r.returns,
            }
            for r in checklist(matter)
        ],
        "deviations": [{"kind": d.kind, "text": str(d.text)} for d in deviations(matter)],
        "sessions": [
            _session(s) for s in matter.sessions.prefetch_related("ideas").order_by("held_at", "pk")
        ],
        "plan_versions": [_version(v) for v in versions],
        "consensus": [_consensus(c, numbers) for c in matter.consensus_records.order_by("recorded_at", "pk")],
        "resubmissions": [_resubmission(r, numbers) for r in matter.resubmissions.order_by("at", "pk")],
        "reviews": [
            _review(r, numbers) for r in matter.reviews.select_related("reviewer").order_by("at", "pk")
        ],
        "votes": [_vote(v, numbers) for v in matter.vote_results.order_by("recorded_at", "pk")],
        "works": [_work(w, offered) for w in works],
        "notices": [_notice(n) for n in matter.notices.select_related("region").order_by("posted_at", "pk")],
        "history": [
            {
                "kind": t.kind,
                "kind_label": str(t.get_kind_display()),
                "from_step": t.from_step,
                "to_step": t.to_step,
                "reason": t.reason,
                "at": t.at,
            }
            for t in Transition.objects.filter(matter=matter).order_by("at", "pk")
        ],
        "available_actions": sorted(offered.open),
    }
