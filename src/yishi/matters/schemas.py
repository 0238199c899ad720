"""The matter as the API answers it: a row, the whole matter, and the shapes of its sections.

A section's shape (a session, a plan version, a task …) is the same in ``MatterDetail`` and in the answer of
the router that records it, which the step app mounts under the matter; so it is declared once, here, where
both can use it. Their published names (``MattersSessionOut`` …) stay as they were when matters' api.py
carried every endpoint under a matter.
"""

from datetime import date, datetime
from decimal import Decimal
from typing import Literal

from ninja import Field, Schema


class Ref(Schema):
    id: int
    name: str


class CategoryOut(Schema):
    key: str
    name: str


class Labelled(Schema):
    key: str
    label: str


class MatterOut(Schema):
    id: int
    title: str
    region: Ref
    category: CategoryOut
    channel: str
    channel_label: str
    status: str
    status_label: str
    procedure: Labelled | None
    step: Labelled | None
    supporter_count: int
    back_to_back: bool
    raised_at: datetime
    closed_at: datetime | None


class MatterPage(Schema):
    count: int
    limit: int
    offset: int
    items: list[MatterOut]


class ChecklistRowOut(Schema):
    key: str
    label: str
    state: str = Field(..., description="done | current | waiting")
    completed_at: datetime | None
    completed_by: str
    missing: list[str] = Field(..., description="What the current step still lacks, in plain words")
    returns: int


class DeviationOut(Schema):
    kind: str
    text: str


class PhotoOut(Schema):
    url: str
    width: int
    height: int


class IdeaOut(Schema):
    text: str
    voiced_by: str


class SessionOut(Schema):
    id: int
    form: str
    form_label: str
    title: str
    held_at: datetime
    place: str
    attendance: int
    other_attendees: str
    step: str
    ideas: list[IdeaOut]


class PartOut(Schema):
    id: int
    position: int
    what: str
    unit: Ref | None
    responsible: str
    budget: Decimal | None
    due_on: date | None


class VersionOut(Schema):
    id: int
    number: int
    summary: str
    budget: Decimal | None
    cost_sharing: str
    timeline: str
    beneficiaries: str
    drafted_at: datetime
    parts: list[PartOut]


class ConsensusOut(Schema):
    id: int
    version: int = Field(..., description="The plan version number agreed on")
    minutes: str
    recorded_at: datetime


class ResubmissionOut(Schema):
    id: int
    version: int = Field(..., description="The plan version put to the vote again unchanged")
    reason: str = Field(..., description="The committee's reason, shown publicly")
    at: datetime


class ReviewOut(Schema):
    id: int
    version: int
    reviewer: str = Field(..., description="The expert's name: a review is signed")
    expertise: str
    decision: str
    decision_label: str
    opinion: str
    at: datetime


class VoteOut(Schema):
    id: int
    version: int
    electorate: int
    present: int
    in_favour: int
    against: int
    abstain: int
    rule: str = Field(..., description="In favour needed, as a share of its base (2/3)")
    body: str = Field(..., description="The body that decided: a vote rule's key (`eight_step`, …)")
    body_label: str
    basis: str = Field(..., description="The statute and article the body's rule comes from")
    quorum: str = Field(..., description="Share of the members who must take part (2/3), or empty for none")
    base: str = Field(..., description="What the threshold is a share of: electorate, present or cast")
    seated: int | None = Field(
        ..., description="The body's members as seated on the day, where a roster counts"
    )
    electorate_differs: bool = Field(
        ...,
        description="The electorate recorded is not the body as seated: a deviation, with `entitled_names`",
    )
    entitled_names: list[str]
    statement: str = Field(
        ...,
        description="The result in words: 应到30人，实到25人，赞成19人；须全体代表三分之二以上即20人赞成：未通过",
    )
    passed: bool
    recorded_at: datetime


class ReportOut(Schema):
    id: int
    text: str
    done: bool
    photo: str | None
    at: datetime


class SupervisionOut(Schema):
    """A resident's verdict. Who gave it is not shown: the residents who raised a matter may be back to back."""

    verdict: str
    verdict_label: str
    rating: int | None
    reason: str
    at: datetime


class WorkOut(Schema):
    id: int
    title: str
    part: int | None = Field(..., description="The plan part (id) this task carries out")
    unit: Ref | None
    to: Literal["unit", "committee", "person"] = Field(
        ..., description="Given to a unit, the community committee itself, or a named person"
    )
    responsible: str
    due_on: date
    status: str
    status_label: str
    overdue: bool
    done_at: datetime | None
    confirmed_at: datetime | None
    reports: list[ReportOut]
    supervisions: list[SupervisionOut]
    can_report: bool = Field(..., description="The caller may report progress on it now")
    can_supervise: bool = Field(..., description="The caller may confirm or reopen it now")


class NoticeOut(Schema):
    id: int
    kind: str
    kind_label: str
    title: str
    body: str
    region: Ref
    posted_at: datetime
    period_days: int
    ends_at: datetime


class TransitionOut(Schema):
    kind: str
    kind_label: str
    from_step: str
    to_step: str
    reason: str
    at: datetime


class MatterDetail(MatterOut):
    description: str
    location: str
    submitter: str = Field(
        ...,
        description="As the caller may see it: the whole name only to the staff who handle the matter and to "
        "the submitter, masked (蒋**) to everyone else; a back-to-back submitter is never named",
    )
    own: bool = Field(..., description="The caller raised this matter")
    stakeholders: str
    procedure_reason: str
    step_since: datetime | None
    public_reason: str
    referred_to: str
    merged_into: int | None
    merged_from: list[int]
    photos: list[PhotoOut]
    checklist: list[ChecklistRowOut]
    deviations: list[DeviationOut]
    sessions: list[SessionOut]
    plan_versions: list[VersionOut]
    consensus: list[ConsensusOut]
    resubmissions: list[ResubmissionOut] = Field(
        ..., description="A plan voted down and put to the vote again as it was, each with its public reason"
    )
    reviews: list[ReviewOut]
    votes: list[VoteOut]
    works: list[WorkOut]
    notices: list[NoticeOut]
    history: list[TransitionOut]
    available_actions: list[str] = Field(
        ..., description="What the caller may do now (names as in access/roles)"
    )


# --- shared by the step apps' routers --------------------------------------------------------------------


class ReasonIn(Schema):
    reason: str


class IdeaIn(Schema):
    text: str
    voiced_by: str = ""


class VoteIn(Schema):
    body: str = Field("", description="The deciding body the step names; its first when left out")
    electorate: int | None = Field(None, description="Left out: the body as seated today")
    entitled_names: list[str] = Field(
        [], description="Who was entitled, by name: needed when `electorate` differs from the body as seated"
    )
    present: int
    in_favour: int
    against: int
    abstain: int
