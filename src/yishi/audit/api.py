from datetime import datetime

from ninja import Field, Query, Router, Schema

from yishi.api_schemas import DateRange, page_of, within_dates

from .models import AuditEntry
from .services import verify_recent

router = Router(tags=["audit"])


class EntryOut(Schema):
    seq: int
    at: datetime
    actor_ref: str
    action: str
    target_type: str
    target_id: str
    data: dict
    personal_digest: str
    prev_hash: str
    hash: str


class VerifyOut(Schema):
    intact: bool
    entries: int
    first_break: str | None


class EntryPage(Schema):
    count: int
    limit: int
    offset: int
    items: list[EntryOut]


class FeedFilter(DateRange):
    """A follower keeps the last ``seq`` it saw and asks for ``after`` it; ``offset`` pages within a filter."""

    after: int = Field(0, ge=0, le=2**62, description="Only entries after this sequence number")
    action: str | None = Field(
        None, max_length=100, description="Only this action, e.g. matters.raise_matter"
    )
    limit: int = Field(100, ge=1, le=500)
    offset: int = Field(0, ge=0, le=2**31)


@router.get("/entries", response=EntryPage, summary="The public audit chain, oldest first, from `after`")
def entries(request, filters: Query[FeedFilter]):
    rows = AuditEntry.objects.filter(seq__gt=filters.after).order_by("seq")
    if filters.action:
        rows = rows.filter(action=filters.action)
    return page_of(within_dates(rows, "at", filters), filters)


@router.get("/verify", response=VerifyOut, summary="Check the whole chain")
def verify_chain(request):
    broken = verify_recent()
    return {
        "intact": broken is None,
        "entries": AuditEntry.objects.count(),
        "first_break": str(broken) if broken else None,
    }
