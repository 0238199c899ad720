"""What every bench that runs the production profile needs besides its own settings: the record's signing key."""

from pathlib import Path


def record_key(folder) -> str:
    """The record's signing key, made once in the bench's own folder (production refuses to start without one)."""
    from yishi.audit import notes
    from yishi.audit.signing import write_key_file

    path = Path(folder) / "record_signing_key"
    if not path.exists():
        write_key_file(path, notes.generate("yishi.localhost/record"))
    return str(path)
