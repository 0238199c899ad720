"""The shapes of the votes API: what comes out (a vote, its rule, result, seats, receipts …) and what goes in."""

from datetime import datetime
from decimal import Decimal
from typing import Literal

from ninja import Field, Schema

from yishi.api_schemas import DateRange

from . import rules_math
from .models import BODY_ROLES, TALLIED_CHANNELS, ElectorateKind, Kind, Status

KindKey = Literal[tuple(Kind.values)]  # type: ignore[valid-type]
ElectorateKey = Literal[tuple(ElectorateKind.values)]  # type: ignore[valid-type]
BodyKey = Literal[("", *(r.value for r in BODY_ROLES))]  # type: ignore[valid-type]
PresetKey = Literal[tuple(rules_math.PRESETS)]  # type: ignore[valid-type]
StatusKey = Literal[tuple(Status.values)]  # type: ignore[valid-type]
TalliedKey = Literal[tuple(c.value for c in TALLIED_CHANNELS)]  # type: ignore[valid-type]


# --- what comes out --------------------------------------------------------------------------------------


class Ref(Schema):
    id: int
    name: str


class VoteOut(Schema):
    id: int
    question: str
    region: Ref
    kind: str
    status: str
    status_label: str
    secret: bool
    matter: int | None
    version: int | None = Field(..., description="The plan version number voted on")
    opened_at: datetime | None
    closed_at: datetime | None
    passed: bool | None


class VotePage(Schema):
    count: int
    limit: int
    offset: int
    items: list[VoteOut]


class OptionOut(Schema):
    key: str
    label: str
    price: Decimal | None
    description: str


class RuleOut(Schema):
    preset: str
    label: str
    source: str = Field(..., description="Where the rule comes from: the statute or the seed report")
    words: str = Field(..., description="The rule in words")
    method: str
    quorum: str = Field(
        ..., description="Share of the electorate that must take part, e.g. 2/3; 0/1 for none"
    )
    quorum_strict: bool
    threshold: str = Field(..., description="Share of the base in favour, e.g. 2/3")
    threshold_base: str
    threshold_strict: bool = Field(..., description="More than (过半) rather than at least (以上)")
    by_area: bool


class PresetOut(Schema):
    key: str
    label: str
    words: str
    source: str


class CountOut(Schema):
    key: str
    label: str
    votes: int


class ResultOut(Schema):
    passed: bool
    code: str
    reason: str = Field(..., description="The decision in words")
    winner: str | None
    counts: list[CountOut]
    blank: int
    area: dict | None = Field(None, description="An owners' vote: electorate, present and counts in m²")
    corrected: bool = Field(..., description="A recount has corrected the result written at closing")
    original_reason: str
    receipts: int = Field(..., description="How many receipt codes were counted (see /receipts)")
    receipts_digest: str
    audit_seq: int | None
    audit_hash: str = Field(..., description="The audit chain's head when the result was sealed")


class CorrectionOut(Schema):
    id: int
    target: str
    target_id: str
    reason: str
    signed_by: str
    signed_at: datetime
    audit_hash: str
    counts: dict | None = Field(None, description="A recount: the corrected counts by option key")


class SeatOut(Schema):
    seat: str = Field(..., description='"self", "h<household id>" or "p<elector id>" (by proxy)')
    kind: str
    elector: int
    label: str
    voted: bool
    channel: str | None


class TallyStateOut(Schema):
    channel: str
    state: str = Field(..., description="none | pending | mismatch | accepted")


class VoteDetail(VoteOut):
    description: str
    options: list[OptionOut]
    rule: RuleOut
    electorate_kind: str
    body_role: str
    electorate: int | None = Field(..., description="Entitled to vote; fixed when the vote opens")
    turnout: dict[str, int] = Field(..., description="Who took part, by channel")
    tallies: list[TallyStateOut]
    proxies_allowed: bool
    proxy_cap: int
    result: ResultOut | None
    corrections: list[CorrectionOut]
    my_seats: list[SeatOut] = Field(..., description="Where the caller may vote, and whether they have")
    may_manage: bool


class ReceiptOut(Schema):
    receipt: str
    choice: str | None = Field(None, description="Only for an open vote")


class ReceiptPage(Schema):
    count: int
    limit: int
    offset: int
    items: list[ReceiptOut]


class NamedOut(Schema):
    who: str
    choice: str
    channel: str


class NamedPage(Schema):
    count: int
    limit: int
    offset: int
    items: list[NamedOut]


class ElectorOut(Schema):
    id: int
    label: str
    channel: str | None = Field(None, description="How they took part, if they have (never their choice)")


class ElectorPage(Schema):
    count: int
    limit: int
    offset: int
    items: list[ElectorOut]


class CastOut(Schema):
    receipt: str = Field(..., description="Keep it: for a secret vote the server cannot give it again")
    seat: str


class OwnReceiptOut(Schema):
    who: str
    receipt: str
    choice: str


class OpenVoteOut(Schema):
    vote: VoteOut
    voted: bool = Field(..., description="Every seat the caller may vote for themselves has been used")


class OpenVotePage(Schema):
    count: int
    limit: int
    offset: int
    items: list[OpenVoteOut]


class TallyOut(Schema):
    channel: str
    round: int
    position: int = Field(..., description="1: the first entry; 2: the check entry by someone else")
    state: str = Field(..., description="pending | mismatch | accepted")


class ProxyOut(Schema):
    id: int
    holder: str
    principal: str
    recorded_at: datetime


class ParticipationOut(Schema):
    channel: str
    recorded: int
    turnout: dict[str, int]


# --- what goes in ----------------------------------------------------------------------------------------


class VoteFilter(DateRange):
    """``since``/``until`` bound the day the vote opened (a draft has none, so a date filter leaves drafts out)."""

    region: int | None = Field(None, description="A region id: votes at it and below")
    status: StatusKey | None = None  # type: ignore[valid-type]
    limit: int = Field(20, ge=1, le=100)
    offset: int = Field(0, ge=0, le=2**31)


class Paging(Schema):
    limit: int = Field(100, ge=1, le=500)
    offset: int = Field(0, ge=0, le=2**31)


class OptionIn(Schema):
    label: str
    price: Decimal | None = Field(None, description="Yuan")
    description: str = ""


class VoteIn(Schema):
    region: int
    question: str
    description: str = ""
    kind: KindKey = Kind.YES_NO.value  # type: ignore[valid-type]
    options: list[OptionIn] = Field([], description="A choice among options: two or more")
    electorate: ElectorateKey = ElectorateKind.REPRESENTATIVES.value  # type: ignore[valid-type]
    body_role: BodyKey = ""  # type: ignore[valid-type]
    people: list[str] = Field([], description="A vote by list: the voters' mobile numbers")
    preset: PresetKey = "eight_step"  # type: ignore[valid-type]
    secret: bool = False
    proxies_allowed: bool = False
    proxy_cap: int = Field(3, ge=1, le=20)
    secret_proxies: bool = False
    matter: int | None = Field(None, description="A vote on a matter's plan: the matter's id")
    version: int | None = Field(None, description="The plan version number; the latest when left out")


class VoteChangeIn(Schema):
    """Only the fields sent change; a draft only."""

    question: str | None = None
    description: str | None = None
    options: list[OptionIn] | None = Field(
        None, description="A choice among options: the new list, two or more"
    )
    people: list[str] | None = Field(None, description="A vote by list: the voters' mobile numbers")
    preset: PresetKey | None = None  # type: ignore[valid-type]
    secret: bool | None = None
    proxies_allowed: bool | None = None
    proxy_cap: int | None = Field(None, ge=1, le=20)


class CastIn(Schema):
    option: str = Field(..., description='An option key: "yes", "no", "abstain", or "1", "2", …')
    seat: str | None = Field(None, description="Which seat (see my_seats); the first unused when left out")


class ParticipationIn(Schema):
    channel: TalliedKey  # type: ignore[valid-type]
    electors: list[int] = Field(..., description="Elector ids (see /electors)")
    choices: dict[int, str] = Field(
        {},
        description="An open vote's named list: elector id → option key",
        json_schema_extra={"propertyNames": {"pattern": "^[0-9]{1,18}$"}},
    )


class TallyIn(Schema):
    channel: TalliedKey  # type: ignore[valid-type]
    counts: dict[str, int] = Field(..., description="Option key → votes")


class CorrectionIn(Schema):
    reason: str
    proxy: int | None = Field(None, description="Withdraw this unused proxy")
    tallies: dict[str, dict[str, int]] | None = Field(
        None, description="A recount: channel → option key → votes"
    )
