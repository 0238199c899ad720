"""What every router of the JSON API shares: the error body, the answers a write may give, and paging.

Every answer that is not a success is a ``Problem``: ``detail`` in words (the page's words, translated) and a
stable machine ``code`` (listed in docs/api-errors.md). ``yishi.api`` turns every exception into one.
"""

from datetime import date
from typing import Protocol

from ninja import Field, Schema
from ninja.responses import Status


class FieldError(Schema):
    """One malformed input: where (``["body", "title"]``, ``["query", "limit"]``) and what is wrong."""

    loc: list[str | int]
    msg: str
    type: str


class Problem(Schema):
    """A refusal: ``detail`` is the same translated text the page shows, ``code`` is stable for clients."""

    detail: str
    code: str = Field(
        ..., description="Stable machine code, e.g. not_found, invalid, forbidden, rate_limited"
    )
    field: str | None = Field(None, description="The input the refusal is about, when it is about one")
    errors: list[FieldError] | None = Field(None, description="Each malformed input (code `invalid` only)")


#: The refusals any write may answer with (422 for a malformed body is added to every operation by yishi.api).
WRITE_ERRORS = {401: Problem, 403: Problem, 404: Problem, 409: Problem}

#: The largest page a list gives; a larger ``limit`` is refused with 422 (code ``invalid``).
MAX_LIMIT = 100


class Paging(Schema):
    """``limit``/``offset`` paging, as every list takes it; the answer carries the total ``count``."""

    limit: int = Field(20, ge=1, le=MAX_LIMIT, description=f"How many items (1 to {MAX_LIMIT})")
    offset: int = Field(0, ge=0, le=2**31, description="How many items to skip")


class Window(Protocol):
    """What ``page_of`` reads of a query: ``Paging`` or any filter that carries the same two fields."""

    limit: int
    offset: int


def page_of(rows, paging: Window, item=lambda row: row) -> dict:
    """A page of a queryset or list as ``{count, limit, offset, items}``, each row presented by ``item``."""
    count = rows.count() if hasattr(rows, "count") and not isinstance(rows, list) else len(rows)
    chunk = rows[paging.offset : paging.offset + paging.limit]
    return {"count": count, "limit": paging.limit, "offset": paging.offset, "items": [item(r) for r in chunk]}


def created(value) -> Status:
    return Status(201, value)


class DateRange(Schema):
    """A list's date filter: both ends inclusive, in the site's time zone."""

    since: date | None = Field(None, description="From this day on (inclusive)")
    until: date | None = Field(None, description="Up to this day (inclusive)")


def within_dates(rows, field: str, dates: DateRange):
    """``rows`` whose ``field`` (a date-time) falls on a day between ``dates.since`` and ``dates.until``."""
    if dates.since is not None:
        rows = rows.filter(**{f"{field}__date__gte": dates.since})
    if dates.until is not None:
        rows = rows.filter(**{f"{field}__date__lte": dates.until})
    return rows
