"""Every transactional test outside the browser tests restores the seeded rows (``serialized_rollback``).

A transactional test empties every table when it ends. One without ``serialized_rollback`` has Django re-create
the content types at once, under new keys; the next one with it then loads the saved rows on top of those and
fails on a duplicate (it did, in one order of the suite). The browser tests put their seeded rows back themselves.
"""

import re
from pathlib import Path

TESTS = Path(__file__).resolve().parent
MARK = re.compile(r"django_db\(([^)]*transaction=True[^)]*)\)")


def test_every_transactional_mark_restores_the_seeded_rows():
    bare = sorted(
        f"{path.relative_to(TESTS)}: django_db({args})"
        for path in TESTS.rglob("*.py")
        if "e2e" not in path.parts and path != Path(__file__)
        for args in MARK.findall(path.read_text(encoding="utf-8"))
        if "serialized_rollback=True" not in args
    )
    assert not bare, "add serialized_rollback=True:\n" + "\n".join(bare)


def test_the_check_finds_a_bare_mark():
    assert MARK.findall("@pytest.mark.django_db(transaction=True)") == ["transaction=True"]
