from datetime import datetime

from django.http import HttpResponse
from django.utils.translation import gettext_lazy as _
from ninja import Field, Query, Router, Schema
from ninja.responses import Status

from yishi.api_schemas import DateRange, Problem, page_of, within_dates
from yishi.errors import Refused

from . import signing, tree
from .chain import hashed_time
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
    at_hashed: str = Field(description="The time exactly as hashed: UTC, six decimals (docs/record.md)")
    leaf_hash: str = Field(
        description="SHA-256(0x00 ‖ entry bytes), hex: the entry's leaf in the record's tree"
    )

    @staticmethod
    def resolve_at_hashed(obj) -> str:
        return hashed_time(obj.at)

    @staticmethod
    def resolve_leaf_hash(obj) -> str:
        return tree.entry_leaf({field: getattr(obj, field) for field in tree.LEAF_FIELDS}).hex()


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


# --------------------------------------------------------------------------------- the tree, for anyone to check
NOTE_TYPE = "text/plain; charset=utf-8"


@router.get(
    "/checkpoint",
    response={200: str, 409: Problem},
    summary="The latest signed checkpoint of the record (a C2SP tlog-checkpoint signed note, text/plain)",
    openapi_extra={"responses": {200: {"content": {"text/plain": {"schema": {"type": "string"}}}}}},
)
def checkpoint(request):
    latest = tree.latest_checkpoint()
    if latest is None:
        raise Refused(_("The record has no signed checkpoint yet."), "no_checkpoint")
    return HttpResponse(tree.published(latest), content_type=NOTE_TYPE)


@router.get(
    "/key",
    response={200: str},
    summary="The verifier key of the record's checkpoints (name+id+key, as C2SP signed-note publishes it)",
    openapi_extra={"responses": {200: {"content": {"text/plain": {"schema": {"type": "string"}}}}}},
)
def key(request):
    return HttpResponse(signing.log_signer().verifier_key() + "\n", content_type=NOTE_TYPE)


class ProofOut(Schema):
    size: int
    index: int | None = None
    proof: list[str] = Field(description="Hashes, hex, in the order of RFC 9162 §2.1.3 / §2.1.4")


class InclusionQuery(Schema):
    size: int | None = Field(
        None, ge=1, le=2**62, description="Tree size; the latest checkpoint's by default"
    )
    index: int | None = Field(None, ge=0, le=2**62, description="The leaf's place (an entry's seq minus one)")
    leaf_hash: str | None = Field(
        None, pattern=r"^[0-9a-f]{64}$", description="Or the leaf hash, hex: SHA-256(0x00 ‖ entry bytes)"
    )


def _size(asked: int | None) -> int:
    held = tree.size()
    if asked is None:
        latest = tree.latest_checkpoint()
        if latest is None:
            raise Refused(_("The record has no signed checkpoint yet."), "no_checkpoint")
        return latest.size
    if asked > held:
        raise Refused(_("The record's tree is not that large yet."), "beyond_tree")
    return asked


@router.get(
    "/proof/inclusion",
    response={200: ProofOut, 409: Problem},
    summary="Proof that an entry is in the tree of a given size",
)
def inclusion(request, q: Query[InclusionQuery]):
    size = _size(q.size)
    index = q.index
    if q.leaf_hash is not None:
        index = tree.leaf_index(bytes.fromhex(q.leaf_hash))
        if index is None:
            raise Refused(_("No entry of the record has this leaf hash yet."), "not_in_tree")
    if index is None:
        raise Refused(_("Give the entry's index or its leaf hash."), "no_entry_given")
    if index >= size:
        raise Refused(_("That entry is not in the tree of that size."), "not_in_tree")
    return {"size": size, "index": index, "proof": [h.hex() for h in tree.inclusion_proof(index, size)]}


class ConsistencyQuery(Schema):
    old: int = Field(..., ge=1, le=2**62, description="The size of a tree seen before")
    size: int | None = Field(
        None, ge=1, le=2**62, description="Tree size; the latest checkpoint's by default"
    )


@router.get(
    "/proof/consistency",
    response={200: ProofOut, 409: Problem},
    summary="Proof that a smaller tree is a prefix of a larger",
)
def consistency(request, q: Query[ConsistencyQuery]):
    size = _size(q.size)
    if q.old > size:
        raise Refused(_("The older tree cannot be larger than the newer."), "beyond_tree")
    return {"size": size, "proof": [h.hex() for h in tree.consistency_proof(q.old, size)]}


class CosignatureIn(Schema):
    size: int = Field(..., ge=1, le=2**62, description="The size of the checkpoint cosigned")
    signature: str = Field(
        ..., max_length=1000, description="The witness's signature line: em dash, space, name, space, base64"
    )


class CosignatureOut(Schema):
    size: int
    witness: str
    signed_at: datetime


@router.post(
    "/cosignatures",
    response={201: CosignatureOut, 409: Problem},
    summary="A witness hands in its cosignature of a checkpoint (C2SP tlog-cosignature); known witnesses only",
)
def cosign(request, body: CosignatureIn):
    # No account: the signature itself says who sends it, and only the witnesses the record knows are kept.
    kept = tree.add_cosignature(body.size, body.signature)
    return Status(201, {"size": kept.checkpoint.size, "witness": kept.witness, "signed_at": kept.signed_at})
