"""What every router of the JSON API shares: the error body and the answers a write may give."""

from ninja import Schema
from ninja.responses import Status


class Problem(Schema):
    """A refusal: ``detail`` is the same translated text the page shows, ``code`` is stable for clients."""

    detail: str
    code: str | None = None


#: The refusals any write may answer with (422 for a malformed body is ninja's own).
WRITE_ERRORS = {401: Problem, 403: Problem, 404: Problem, 409: Problem}


def created(value) -> Status:
    return Status(201, value)
