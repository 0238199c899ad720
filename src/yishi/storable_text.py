"""Text the database can keep as it was sent, the same on SQLite and PostgreSQL.

A NUL character is stored by SQLite and refused by PostgreSQL; a lone surrogate (``"\\ud800"`` in JSON) is
not UTF-8 at all and fails when it is written. Both are refused where input arrives, with one message, before
anything is saved: they are never what a person meant to write.
"""

from collections.abc import Iterator


def is_storable(text: str) -> bool:
    if "\x00" in text:
        return False
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:  # "surrogates not allowed"
        return False
    return True


def unstorable(data, loc: tuple = ()) -> Iterator[tuple]:
    """The location (keys and indexes) of every text in ``data`` (parsed JSON or form values) that cannot be
    stored, keys included."""
    if isinstance(data, str):
        if not is_storable(data):
            yield loc
    elif isinstance(data, dict):
        for key, value in data.items():
            if isinstance(key, str) and not is_storable(key):
                yield (*loc, key)
            else:
                yield from unstorable(value, (*loc, key))
    elif isinstance(data, list | tuple):
        for index, value in enumerate(data):
            yield from unstorable(value, (*loc, index))
