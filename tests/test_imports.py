"""The layers hold (README, "Layout"): no module imports itself back, and an import put inside a function to
reach another app says why.

import-linter's contracts in pyproject.toml keep the layers; its acyclic_siblings contract compares packages, and
the apps of one layer do use each other, so the cycles between single modules are found here. grimp counts the
imports inside functions too: an import moved into a function to dodge a cycle is still a cycle.
"""

import re
from pathlib import Path

import grimp

import yishi

SOURCE = Path(yishi.__file__).resolve().parent
# Indented: inside a function or a class (the source has no imports under a module-level ``if``).
LATE_IMPORT = re.compile(r"^\s+(?:from (yishi\.[\w.]+) import |import (yishi\.[\w.]+))")

# Imports inside functions across apps in files that others are rewriting at the same time (issue 12, items 1,
# 3, 5 and 6): each is to move to the top of its module or to say why it stays, and then leave this list.
UNTIL_MERGED = {
    ("access/queries.py", "yishi.errors"),
    ("matters/queries.py", "yishi.access.queries"),
    ("matters/queries.py", "yishi.access.roles"),
    ("matters/queries.py", "yishi.errors"),
    ("matters/queries.py", "yishi.procedures.definitions"),
    ("matters/services.py", "yishi.notices.services"),
    ("matters/services.py", "yishi.procedures"),
    ("meetings/holding.py", "yishi.plans.services"),
    ("notices/queries.py", "yishi.access.queries"),
    ("notices/queries.py", "yishi.access.roles"),
    ("notices/queries.py", "yishi.meetings.models"),
    ("notices/queries.py", "yishi.regions.models"),
    ("notices/services.py", "yishi.matters.models"),
    ("stats/receivers.py", "yishi.meetings.models"),
    ("stats/receivers.py", "yishi.votes.models"),
    ("stats/receivers.py", "yishi.works.models"),
}


def test_no_module_imports_itself_back():
    graph = grimp.build_graph("yishi", cache_dir=None)
    cycles = set()
    for module in graph.modules:
        for imported in graph.find_modules_directly_imported_by(module):
            back = graph.find_shortest_chain(importer=imported, imported=module)
            if back is not None:
                cycle = (module, *back)
                start = cycle.index(min(cycle[:-1]))  # each cycle once, from its first module by name
                cycles.add(" → ".join((*cycle[start:-1], *cycle[:start], cycle[start])))
    assert not cycles, "import cycles:\n" + "\n".join(sorted(cycles))


def _app(relative: str) -> str:
    return relative.split("/")[0].removesuffix(".py")


def _says_why(lines: list[str], lineno: int) -> bool:
    """A comment on the import's line, or on the line above the run of imports it belongs to."""
    index = lineno - 1
    if "#" in lines[index]:
        return True
    while index > 0 and lines[index - 1].strip().startswith(("from ", "import ")):
        index -= 1
    return index > 0 and lines[index - 1].strip().startswith("#")


def test_an_import_inside_a_function_across_apps_says_why():
    unexplained, seen = [], set()
    for path in sorted(SOURCE.rglob("*.py")):
        relative = path.relative_to(SOURCE).as_posix()
        if "/migrations/" in relative:
            continue
        lines = path.read_text(encoding="utf-8").splitlines()
        for lineno, line in enumerate(lines, 1):
            found = LATE_IMPORT.match(line)
            if found is None:
                continue
            module = found.group(1) or found.group(2)
            if module.split(".")[1] == _app(relative) or _says_why(lines, lineno):
                continue
            if (relative, module) in UNTIL_MERGED:
                seen.add((relative, module))
                continue
            unexplained.append(f"{relative}:{lineno} imports {module}")
    assert not unexplained, "move to the top, or say why in a comment:\n" + "\n".join(unexplained)
    gone = sorted(f"{path} → {module}" for path, module in UNTIL_MERGED - seen)
    assert not gone, "now imported at the top or explained, so take off UNTIL_MERGED:\n" + "\n".join(gone)
