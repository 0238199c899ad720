"""The one domain exception.

Services raise ``Refused`` with a reason a community worker understands and a stable code for clients.
Views turn it into a form error, the API into 403/409 with the same translated text.
"""


class Refused(Exception):
    """A domain action was refused. ``reason`` is user-facing (lazy-translated); ``code`` is stable."""

    #: "forbidden" when the actor lacks authority; anything else is a wrong state or bad input.
    FORBIDDEN = "forbidden"

    def __init__(self, reason, code: str = "refused", *, field: str | None = None):
        super().__init__(str(reason))
        self.reason = reason
        self.code = code
        self.field = field

    def __str__(self) -> str:
        return str(self.reason)
