"""The record's signing key: read from the file settings name, never from the database."""

import functools
import os
import tempfile
from pathlib import Path

from django.conf import settings

from . import notes


def write_key_file(path: Path, signer: notes.Signer) -> bool:
    """Write ``signer``'s private key to ``path`` readable by its owner alone; False if a key is there already.

    Written aside and linked into place, so two processes starting at once never read half a key, and an
    existing key is never overwritten (a lost key cannot sign on from the record it signed).
    """
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, scratch = tempfile.mkstemp(dir=path.parent, prefix=".key-")
    try:
        os.fchmod(fd, 0o600)
        os.write(fd, (signer.private_key() + "\n").encode())
        os.close(fd)
        os.link(scratch, path)
        return True
    except FileExistsError:
        return False
    finally:
        os.unlink(scratch)


def _read(path: Path) -> notes.Signer:
    signer = notes.parse_private_key(path.read_text())
    if signer.kind != notes.ED25519:
        raise notes.NoteError(f"{path} holds a witness's key, not a log's")
    return signer


@functools.cache
def log_signer() -> notes.Signer:
    path = Path(settings.AUDIT_SIGNING_KEY_FILE)
    if not path.exists() and not settings.PRODUCTION:
        write_key_file(path, notes.generate(settings.AUDIT_LOG_ORIGIN))
    signer = _read(path)
    if signer.name != settings.AUDIT_LOG_ORIGIN:
        raise notes.NoteError(
            f"the key in {path} is named {signer.name!r}, but the record is {settings.AUDIT_LOG_ORIGIN!r}"
        )
    return signer


def log_verifier() -> notes.Verifier:
    return notes.parse_verifier_key(log_signer().verifier_key())
