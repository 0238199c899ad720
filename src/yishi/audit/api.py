from datetime import datetime

from ninja import Query, Router, Schema

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


class FeedFilter(Schema):
    after: int = 0
    limit: int = 100


@router.get("/entries", response=list[EntryOut], summary="The public audit chain, oldest first, from `after`")
def entries(request, filters: Query[FeedFilter]):
    limit = max(1, min(filters.limit, 500))
    return list(AuditEntry.objects.filter(seq__gt=filters.after).order_by("seq")[:limit])


@router.get("/verify", response=VerifyOut, summary="Check the whole chain")
def verify_chain(request):
    broken = verify_recent()
    return {
        "intact": broken is None,
        "entries": AuditEntry.objects.count(),
        "first_break": str(broken) if broken else None,
    }
