"""Start-up checks of the record: in production its signing key must be there and readable."""

from django.conf import settings
from django.core import checks


def signing_key(app_configs=None, **kwargs) -> list[checks.CheckMessage]:
    if not settings.PRODUCTION:
        return []  # development makes its own key on first use
    from .notes import NoteError
    from .signing import log_signer

    try:
        log_signer()
    except (OSError, NoteError) as exc:
        return [
            checks.Error(
                f"The record's signing key cannot be used: {exc}",
                hint="Make one with `yishi audit-keygen PATH` and name it in AUDIT_SIGNING_KEY_FILE.",
                id="audit.E001",
            )
        ]
    return []
