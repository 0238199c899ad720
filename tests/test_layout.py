"""No source file grows past 600 lines: a longer one carries several things, and is split by what it carries."""

from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
SRC = ROOT / "src"
LIMIT = 600
SOURCES = ("*.py", "*.html", "*.js", "*.css")

#: Data, not code: migrations are generated, and the demo's stories are the seed report's scenes written out.
EXEMPT = {"src/yishi/demo/stories.py"}


def _sources():
    for pattern in SOURCES:
        for path in SRC.rglob(pattern):
            name = path.relative_to(ROOT).as_posix()
            if "migrations" not in path.parts and name not in EXEMPT:
                yield name, path


def _lines(path: Path) -> int:
    with path.open("rb") as f:
        return sum(1 for _ in f)


def test_no_source_file_is_longer_than_600_lines():
    too_long = sorted(f"{name}: {n} lines" for name, path in _sources() if (n := _lines(path)) > LIMIT)
    assert not too_long, f"Over {LIMIT} lines; split by what each part carries:\n" + "\n".join(too_long)
