"""The Chinese catalogue is complete, keeps every placeholder, is compiled, and says the words the pages rely on.

The .po file is read with a small parser below (no polib: one dependency fewer); the compiled .mo is read with
the standard library's ``gettext``, which is what Django itself uses.
"""

import ast
import gettext
import re
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path

import pytest
from django.utils import translation

import yishi

LOCALE = Path(yishi.__file__).resolve().parent / "locale"
ZH_PO = LOCALE / "zh_Hans" / "LC_MESSAGES" / "django.po"
ZH_MO = ZH_PO.with_suffix(".mo")
EN_PO = LOCALE / "en" / "LC_MESSAGES" / "django.po"
EN_MO = EN_PO.with_suffix(".mo")


# --------------------------------------------------------------------------------------------------------
# A tiny .po reader: enough for what makemessages writes (no obsolete entries, since it runs --no-obsolete).
# --------------------------------------------------------------------------------------------------------


@dataclass
class Entry:
    line: int
    references: list[str] = field(default_factory=list)
    flags: set[str] = field(default_factory=set)
    msgctxt: str | None = None
    msgid: str = ""
    msgid_plural: str | None = None
    msgstr: dict[int, str] = field(default_factory=dict)  # a singular entry's msgstr is msgstr[0]

    @property
    def where(self) -> str:
        return " ".join(self.references) or f"line {self.line}"


_ESCAPES = {"n": "\n", "t": "\t", "r": "\r", '"': '"', "\\": "\\"}


def _unquote(text: str) -> str:
    text = text.strip()
    assert text.startswith('"') and text.endswith('"'), text
    return re.sub(r"\\(.)", lambda m: _ESCAPES.get(m.group(1), m.group(1)), text[1:-1])


def read_po(path: Path) -> list[Entry]:
    entries: list[Entry] = []
    entry: Entry | None = None
    target: tuple[str, int] | None = None

    def start(lineno: int) -> Entry:
        nonlocal entry
        if entry is None:
            entry = Entry(line=lineno)
        return entry

    for lineno, raw in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
        line = raw.strip()
        if not line:
            if entry is not None:
                entries.append(entry)
            entry, target = None, None
            continue
        if line.startswith("#~"):
            continue  # obsolete: not part of the catalogue
        if line.startswith("#,"):
            start(lineno).flags.update(f.strip() for f in line[2:].split(",") if f.strip())
        elif line.startswith("#:"):
            start(lineno).references.extend(line[2:].split())
        elif line.startswith("#"):
            start(lineno)
        elif line.startswith("msgctxt "):
            start(lineno).msgctxt = _unquote(line[len("msgctxt ") :])
            target = ("msgctxt", 0)
        elif line.startswith("msgid_plural "):
            start(lineno).msgid_plural = _unquote(line[len("msgid_plural ") :])
            target = ("msgid_plural", 0)
        elif line.startswith("msgid "):
            start(lineno).msgid = _unquote(line[len("msgid ") :])
            target = ("msgid", 0)
        elif line.startswith("msgstr["):
            index, rest = re.fullmatch(r"msgstr\[(\d+)\]\s+(.*)", line).groups()
            start(lineno).msgstr[int(index)] = _unquote(rest)
            target = ("msgstr", int(index))
        elif line.startswith("msgstr "):
            start(lineno).msgstr[0] = _unquote(line[len("msgstr ") :])
            target = ("msgstr", 0)
        elif line.startswith('"') and entry is not None and target is not None:
            name, index = target
            more = _unquote(line)
            if name == "msgstr":
                entry.msgstr[index] += more
            else:
                setattr(entry, name, getattr(entry, name) + more)
        else:
            raise AssertionError(f"{path.name}:{lineno}: cannot read {raw!r}")
    if entry is not None:
        entries.append(entry)
    return entries


def shown(path: Path) -> str:
    return str(path.relative_to(LOCALE.parent)) if path.is_relative_to(LOCALE.parent) else str(path)


def messages(path: Path) -> list[Entry]:
    """The catalogue's messages, without the header entry."""
    return [e for e in read_po(path) if e.msgid]


def header(path: Path) -> dict[str, str]:
    (head,) = [e for e in read_po(path) if not e.msgid]
    lines = head.msgstr[0].splitlines()
    return dict(line.split(": ", 1) for line in lines if ": " in line)


# --------------------------------------------------------------------------------------------------------
# Placeholders: Python's %(name)s / %s / %d (Django turns {{ name }} in blocktranslate into %(name)s),
# template variables left as {{ name }} or {name}, and HTML entities.
# --------------------------------------------------------------------------------------------------------

_PLACEHOLDER = re.compile(
    r"%\(\w+\)[#0 +-]*\d*(?:\.\d+)?[sdifrxXeEgGc]"  # %(name)s, %(count)d
    r"|%[#0 +-]*\d*(?:\.\d+)?[sdifrxXeEgGc]"  # %s, %d
    r"|\{\{\s*[\w.|:\"' ]+?\s*\}\}"  # {{ name }}
    r"|\{\w*\}"  # {name}, {}
    r"|&#?\w+;"  # &amp; &nbsp; &#8230;
)


def placeholders(text: str) -> Counter:
    text = text.replace("%%", "")
    return Counter(re.sub(r"\s+", "", p) for p in _PLACEHOLDER.findall(text))


# --------------------------------------------------------------------------------------------------------
# The tests
# --------------------------------------------------------------------------------------------------------


def test_the_chinese_catalogue_declares_one_plural_form():
    head = header(ZH_PO)
    assert head.get("Language") == "zh_Hans"
    assert head.get("Plural-Forms", "").replace(" ", "") == "nplurals=1;plural=0;"
    assert "UTF-8" in head.get("Content-Type", "")
    (head_entry,) = [e for e in read_po(ZH_PO) if not e.msgid]
    assert "fuzzy" not in head_entry.flags, (
        "a fuzzy header is left out of the .mo, and with it the plural rule"
    )


def test_every_chinese_entry_is_translated_and_none_is_fuzzy():
    problems = []
    for e in messages(ZH_PO):
        if "fuzzy" in e.flags:
            problems.append(f"fuzzy        {e.where}: {e.msgid!r}")
        elif e.msgid_plural is not None:
            if set(e.msgstr) != {0} or not e.msgstr[0].strip():
                problems.append(f"plural: only msgstr[0], filled  {e.where}: {e.msgid!r}")
        elif not e.msgstr.get(0, "").strip():
            problems.append(f"untranslated {e.where}: {e.msgid!r}")
    assert not problems, f"{len(problems)} entries of {shown(ZH_PO)} need a translator:\n" + "\n".join(
        problems
    )


def test_translations_keep_every_placeholder():
    problems = []
    for e in messages(ZH_PO):
        for index, text in e.msgstr.items():
            if not text:
                continue
            # With one plural form, msgstr[0] stands for every count: it follows the plural msgid.
            source = e.msgid_plural if e.msgid_plural is not None else e.msgid
            if placeholders(text) != placeholders(source):
                problems.append(
                    f"{e.where}: {source!r}\n    has {sorted(placeholders(source).elements())}"
                    f"\n    msgstr[{index}] {text!r} has {sorted(placeholders(text).elements())}"
                )
        if e.msgid_plural is not None and not set(placeholders(e.msgid)) <= set(placeholders(e.msgid_plural)):
            problems.append(f"{e.where}: the singular uses a placeholder the plural does not: {e.msgid!r}")
    assert not problems, "placeholders differ between msgid and msgstr:\n" + "\n".join(problems)


def test_translations_do_not_repeat_the_chinese_of_the_msgid():
    """A msgid such as "committee member (两委)" becomes "两委成员", not "两委成员（两委）"."""
    problems = []
    for e in messages(ZH_PO):
        for chinese in re.findall(r"\(([^()]*[\u4e00-\u9fff][^()]*)\)", e.msgid):
            text = e.msgstr.get(0, "")
            if text.count(chinese) > 1:
                problems.append(f"{e.where}: {e.msgid!r} -> {text!r}")
    assert not problems, "\n".join(problems)


@pytest.mark.parametrize(("po", "mo"), [(ZH_PO, ZH_MO), (EN_PO, EN_MO)], ids=["zh_Hans", "en"])
def test_the_compiled_catalogue_matches_its_po_file(po, mo):
    """A forgotten `yishi compilemessages` fails here.

    The .mo is compared by content, not by file time: a fresh git checkout writes both files at once, in no
    promised order, so a time comparison would fail on a clean clone and pass on a stale one.
    """
    assert mo.exists(), f"{shown(mo)} is missing: run `yishi compilemessages`"
    with mo.open("rb") as handle:
        compiled = gettext.GNUTranslations(handle)._catalog  # type: ignore[attr-defined]
    expected: dict = {}
    for e in messages(po):
        if "fuzzy" in e.flags or not any(e.msgstr.values()):
            continue  # msgfmt leaves these out
        key = e.msgid if e.msgctxt is None else f"{e.msgctxt}\x04{e.msgid}"
        if e.msgid_plural is None:
            expected[key] = e.msgstr[0]
        else:
            for index, text in e.msgstr.items():
                expected[(key, index)] = text
    actual = {k: v for k, v in compiled.items() if k != ""}
    stale = sorted(str(k) for k in set(expected) ^ set(actual)) + sorted(
        str(k) for k in set(expected) & set(actual) if expected[k] != actual[k]
    )
    assert not stale, (
        f"{shown(mo)} is older than its .po; run `yishi compilemessages`. Differences: {stale[:10]}"
    )


KEY_STRINGS = [
    # The browser test (tests/e2e/test_login_and_elderly_mode.py) looks for exactly these words.
    ("Log in", "登录"),
    ("Mobile phone", "手机号"),
    ("Password", "密码"),
    ("Large text (elderly mode)", "大字模式"),
    ("Standard text", "标准字号"),
    ("The phone number or password is wrong.", "手机号或密码不正确"),
    # Glossary terms (DESIGN.md).
    ("I have this problem too (附议)", "附议"),
    ("Eight-step consultation (八步议事)", "八步议事"),
    ("committee member (两委)", "两委"),
    ("Raise a matter", "议题"),
    ("Responsible unit", "责任单位"),
    ("Public board", "公示"),
]


@pytest.mark.parametrize(("msgid", "word"), KEY_STRINGS)
def test_key_strings_come_out_in_chinese(msgid, word):
    with translation.override("zh-hans"):
        assert word in translation.gettext(msgid)


def test_plural_messages_work_in_both_languages():
    singular, plural = "%(n)s supporter", "%(n)s supporters"
    with translation.override("zh-hans"):
        for n in (0, 1, 2, 20):
            assert translation.ngettext(singular, plural, n) % {"n": n} == f"{n}人附议"
    with translation.override("en"):
        assert translation.ngettext(singular, plural, 1) % {"n": 1} == "1 supporter"
        assert translation.ngettext(singular, plural, 2) % {"n": 2} == "2 supporters"
        assert translation.gettext("Log in") == "Log in"


def test_the_english_catalogue_has_every_message_and_english_plurals():
    head = header(EN_PO)
    assert head.get("Plural-Forms", "").replace(" ", "") == "nplurals=2;plural=(n!=1);"
    english = {(e.msgctxt, e.msgid) for e in messages(EN_PO)}
    chinese = {(e.msgctxt, e.msgid) for e in messages(ZH_PO)}
    assert chinese - english == set(), "run `yishi makemessages -l en` too"
    assert english - chinese == set(), "run `yishi makemessages -l zh_Hans` too"


# --------------------------------------------------------------------------------------------------------
# Text composed later from an id: makemessages extracts only what sits in a marker call at the place it is
# written, so a bare literal handed to ``notify`` never reaches the catalogue and goes out in English.
# --------------------------------------------------------------------------------------------------------
SOURCE = Path(yishi.__file__).resolve().parent
MARKERS = {"gettext_noop", "gettext", "gettext_lazy", "_", "pgettext", "pgettext_lazy"}
# Functions whose argument is a message id turned into words inside them: name -> (position, keyword).
MESSAGE_ID_PARAMETERS = {"notify": (1, "message_id")}


def _called(node: ast.Call) -> str | None:
    func = node.func
    return func.id if isinstance(func, ast.Name) else func.attr if isinstance(func, ast.Attribute) else None


def unmarked_message_ids(tree: ast.AST) -> list[tuple[int, str]]:
    """(line, text) of every message id given as a plain string to a function of MESSAGE_ID_PARAMETERS."""
    found = []
    for node in ast.walk(tree):
        if not isinstance(node, ast.Call) or _called(node) not in MESSAGE_ID_PARAMETERS:
            continue
        position, keyword = MESSAGE_ID_PARAMETERS[_called(node)]
        given = [kw.value for kw in node.keywords if kw.arg == keyword]
        if len(node.args) > position:
            given.append(node.args[position])
        for value in given:
            if isinstance(value, ast.Constant | ast.JoinedStr | ast.BinOp):
                found.append((node.lineno, ast.unparse(value)[:80]))
    return found


def test_every_message_id_handed_on_is_marked_for_the_catalogue():
    problems = [
        f"{path.relative_to(SOURCE)}:{line}: {text} (wrap it in gettext_noop)"
        for path in sorted(SOURCE.rglob("*.py"))
        if "migrations" not in path.parts
        for line, text in unmarked_message_ids(ast.parse(path.read_text(encoding="utf-8")))
    ]
    assert problems == []


def test_the_check_for_unmarked_message_ids_has_teeth():
    tree = ast.parse(
        'notify(person, "Yishi: your matter moved.")\n'
        'notify(person, message_id="Yishi: " f"{x}")\n'
        'notify(person, gettext_noop("Yishi: fine."))\n'
        "notify(person, messages[kind])\n"
    )
    assert [line for line, _text in unmarked_message_ids(tree)] == [1, 2]


def test_a_moved_matter_tells_its_submitter_in_chinese(place):
    from yishi.matters.services import raise_matter
    from yishi.procedures.services import start

    matter = raise_matter(
        actor=place.resident,
        region=place.tree.compound,
        title="楼道灯坏了",
        description="三单元楼道灯不亮",
        category=place.category,
    )
    start(actor=place.secretary, matter=matter, procedure_key="eight_steps")
    told = place.resident.notifications.order_by("pk").last().text
    assert "楼道灯坏了" in told and "您" in told and "your matter" not in told


# --------------------------------------------------------------------------------------------------------
# A second extraction, from the syntax tree: every literal the Python code marks for translation must be in
# the catalogue. xgettext misses some (a call inside an f-string is one), and what it misses is shown in
# English however complete the catalogue looks.
# --------------------------------------------------------------------------------------------------------
SINGULAR = {"gettext", "gettext_lazy", "gettext_noop", "_", "_lazy"}
PLURAL = {"ngettext", "ngettext_lazy"}
CONTEXT = {"pgettext", "pgettext_lazy"}


def marked_messages(tree: ast.AST) -> list[tuple[int, str | None, str]]:
    """(line, context, msgid) of every call marking literal text for translation."""
    found = []
    for node in ast.walk(tree):
        if not isinstance(node, ast.Call):
            continue
        name = _called(node)
        literals = [
            a.value if isinstance(a, ast.Constant) and isinstance(a.value, str) else None for a in node.args
        ]
        wanted = 1 if name in SINGULAR else 2 if name in PLURAL else 0
        if wanted and len(literals) >= wanted and literals[0] is not None:
            found.append((node.lineno, None, literals[0]))
        elif name in CONTEXT and len(literals) >= 2 and None not in literals[:2]:
            found.append((node.lineno, literals[0], literals[1]))
    return found


def test_every_literal_the_code_marks_is_translated_in_the_catalogue():
    translated = {(e.msgctxt, e.msgid) for e in messages(ZH_PO) if any(e.msgstr.values())}
    problems = [
        f"{path.relative_to(SOURCE)}:{line}: {msgid!r}"
        for path in sorted(SOURCE.rglob("*.py"))
        if "migrations" not in path.parts
        for line, context, msgid in marked_messages(ast.parse(path.read_text(encoding="utf-8")))
        if msgid and (context, msgid) not in translated
    ]
    assert problems == [], (
        "not in the zh_Hans catalogue (run `make messages`, translate; no _() in f-strings)"
    )


def test_the_second_extraction_sees_a_call_inside_an_f_string():
    tree = ast.parse("x = f\"{n or _('residents invited by name')}（{n}）\"\ny = pgettext('month', 'May')\n")
    assert sorted((c or "", m) for _line, c, m in marked_messages(tree)) == [
        ("", "residents invited by name"),
        ("month", "May"),
    ]


def test_one_english_word_reads_as_each_place_means_it():
    """The word online means four things: a matter sent in, a meeting held, a survey and a ballot answered online."""
    from yishi.matters.models import Channel as MatterChannel
    from yishi.meetings.models import Platform
    from yishi.surveys.models import Channel as SurveyChannel
    from yishi.votes.models import Channel as BallotChannel

    with translation.override("zh-hans"):
        labels = [str(c.ONLINE.label) for c in (MatterChannel, Platform, SurveyChannel, BallotChannel)]
    assert labels == ["网上提交", "线上会议", "网上填写", "网上投票"]
