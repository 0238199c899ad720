"""Elderly mode (适老化) holds on paper too: each printable (the notice, the agenda, the sign-in sheet, the survey's
paper forms, the matter's file and the yearly report) marks its body for the person who switched it on, and the
print stylesheets give that marker type no smaller than 16pt, black text and tables that wrap inside A4.
Without the mode, each printable's body is exactly what it was."""

import datetime
import re
from pathlib import Path

import pytest
from django.conf import settings
from django.utils import timezone

from tests import builders
from yishi.matters import services as matters
from yishi.meetings import announcing, preparing
from yishi.surveys import services as surveys
from yishi.web.middleware import ELDERLY_COOKIE

MINIMUM_PT = 16  # body text of a notice on a board, and of a sheet an elderly resident signs
STATIC = Path(settings.BASE_DIR) / "static"
NOTICES_CSS = Path(settings.BASE_DIR) / "notices" / "static" / "notices" / "print.css"
SURVEYS_CSS = Path(settings.BASE_DIR) / "surveys" / "static" / "surveys" / "print.css"
DOSSIER_CSS = STATIC / "yishi" / "print.css"
REPORT_CSS = Path(settings.BASE_DIR) / "stats" / "static" / "stats" / "report.css"

# Each printable and its body's classes without elderly mode.
PRINTABLES = {
    "notice": "sheet",
    "agenda": "sheet",
    "sign-in sheet": "sheet",
    "survey forms": "sheet",
    "dossier": "dossier",
    "yearly report": "report",
}


@pytest.fixture
def printed(db):
    """The URL of each printable: a meeting announced (so its notice is posted) with a matter on its agenda,
    a survey of a compound with one household, and the community's yearly figures; seen by its secretary."""
    t = builders.tree()
    secretary = builders.person("张金利", password="pw-12345678x")
    builders.role(secretary, "committee", t.community, title="社区党委书记")
    matter = matters.raise_matter(
        actor=builders.person("刘桂兰"),
        region=t.compound,
        category=builders.category("environment"),
        title="小区西侧小路积水",
        description="那里一下雨就积水。",
    )
    matters.accept(actor=secretary, matter=matter, procedure_key="short_path", procedure_reason="小型维修")
    meeting = preparing.create_meeting(
        actor=secretary,
        region=t.community,
        form="consultation",
        platform="party_hall",
        title="低洼路段维修协商",
        place="社区协商议事厅",
        agenda=[matter],
        starts_at=timezone.now() + datetime.timedelta(days=5),
    )
    preparing.invite(actor=secretary, meeting=meeting, units=[], names=["居民代表王大爷"], capacity="")
    notice = announcing.announce(actor=secretary, meeting=meeting).notice
    builders.household(t.building, room="101")
    survey = surveys.create_survey(
        actor=secretary,
        region=t.compound,
        title="绿化带养护入户调查",
        questions=[
            {"kind": "single", "text": "您是否同意？", "choices": ["同意", "不同意"], "required": True}
        ],
    )
    return secretary, {
        "notice": f"/n/{notice.pk}/print/",
        "agenda": f"/meetings/{meeting.pk}/print/agenda/",
        "sign-in sheet": f"/meetings/{meeting.pk}/print/sheet/",
        "survey forms": f"/surveys/{survey.pk}/print/",
        "dossier": f"/m/{matter.pk}/dossier/",
        "yearly report": f"/figures/r/{t.community.pk}/report/",
    }


def body_tag(client, url) -> str:
    response = client.get(url)
    assert response.status_code == 200, url
    return re.search(r"<body[^>]*>", response.content.decode()).group(0)


@pytest.mark.parametrize("name", PRINTABLES)
def test_each_printable_carries_the_elderly_marker_only_in_elderly_mode(client, printed, name):
    secretary, urls = printed
    client.force_login(secretary)
    assert body_tag(client, urls[name]) == f'<body class="{PRINTABLES[name]}">', "unchanged without the mode"
    client.cookies[ELDERLY_COOKIE] = "1"
    assert body_tag(client, urls[name]) == f'<body class="{PRINTABLES[name]} elderly">'


def test_switching_the_mode_on_reaches_a_printable_that_a_visitor_opens_next(client, printed):
    _secretary, urls = printed
    client.post("/elderly/", {"on": "1", "next": "/"})
    assert "elderly" in body_tag(client, urls["notice"])
    client.post("/elderly/", {"on": "0", "next": "/"})
    assert "elderly" not in body_tag(client, urls["notice"])


# --- the stylesheets ------------------------------------------------------------------------------------------


def rules(path: Path) -> list[tuple[str, dict[str, str]]]:
    """(selector, declarations) for every selector of every rule, @media blocks included (flattened)."""
    css = re.sub(r"/\*.*?\*/", "", path.read_text(), flags=re.S)
    found = []
    for selectors, body in re.findall(r"([^{}]+)\{([^{}]*)\}", css):
        declarations = {
            k.strip(): v.strip() for k, v in (d.split(":", 1) for d in body.split(";") if ":" in d)
        }
        found += [(" ".join(s.split()), declarations) for s in selectors.split(",")]
    return found


def declared(path: Path) -> dict[str, dict[str, str]]:
    """Each selector's declarations, merged in the order the file gives them."""
    merged: dict[str, dict[str, str]] = {}
    for selector, declarations in rules(path):
        merged.setdefault(selector, {}).update(declarations)
    return merged


def points(value: str) -> float | None:
    """A font size in pt if it is absolute (pt or px), None if relative to its parent or root."""
    number = re.fullmatch(r"([\d.]+)(pt|px)", value)
    if not number:
        return None
    return float(number.group(1)) * (0.75 if number.group(2) == "px" else 1)


def elderly_size(path: Path, selector: str) -> str | None:
    return declared(path).get(selector, {}).get("font-size")


@pytest.mark.parametrize(
    ("sheet", "base", "sources"),
    [
        (NOTICES_CSS, "body.sheet", [NOTICES_CSS, SURVEYS_CSS]),
        (REPORT_CSS, "body.report", [REPORT_CSS]),
    ],
)
def test_every_small_type_of_a_printable_has_an_elderly_size_of_16pt_or_more(sheet, base, sources):
    small = {
        s
        for path in sources
        for s, d in rules(path)
        if s.startswith(base + " ") or s == base
        if "font-size" in d and (points(d["font-size"]) or 99) < MINIMUM_PT
    }
    assert base in small and len(small) >= 4, small  # the scan finds the small type that there is
    for selector in small:
        enlarged = elderly_size(sheet, selector.replace(base, f"{base}.elderly", 1))
        assert enlarged is not None, f"{selector} keeps its small size in elderly mode"
        assert enlarged in ("1em", "1rem") or points(enlarged) >= MINIMUM_PT, (selector, enlarged)
    assert points(elderly_size(sheet, f"{base}.elderly")) * 4 / 3 >= 20, "20 px or more on screen"
    assert elderly_size(sheet, f"{base}.elderly small") in ("1em", f"{MINIMUM_PT}pt"), (
        "small print is not smaller"
    )


def test_a_notice_on_a_board_is_larger_still_and_black():
    assert points(elderly_size(NOTICES_CSS, "body.sheet.elderly .body")) >= 20, (
        "read standing, at arm's length"
    )
    assert points(elderly_size(NOTICES_CSS, "body.sheet.elderly main > ol")) >= 20, "the agenda on the board"
    sheet = declared(NOTICES_CSS)
    assert (
        sheet["body.sheet .meta"]["color"] == "#333" and sheet["body.sheet.elderly .meta"]["color"] == "#000"
    )
    assert sheet["body.sheet.elderly .hint"]["color"] == "#000"
    assert float(sheet["body.sheet.elderly td.sign"]["height"].removesuffix("mm")) > 11, (
        "room for a shaky hand"
    )


def test_tables_wrap_inside_a4_in_elderly_mode():
    sheet = declared(NOTICES_CSS)
    assert sheet["body.sheet.elderly td"]["overflow-wrap"] == "anywhere"
    report = declared(REPORT_CSS)
    assert report["body.report.elderly tbody th"]["white-space"] == "normal", "the row headings were nowrap"
    assert report["body.report.elderly td"]["overflow-wrap"] == "anywhere"
    assert report["body.report.elderly svg.chart"]["max-width"] == "none", "labels at 16pt across the page"
    dossier = declared(DOSSIER_CSS)
    assert dossier["body.dossier.elderly table.facts th"]["white-space"] == "normal"


def test_the_dossier_prints_at_16pt_in_elderly_mode_and_site_css_enlarges_it_on_screen():
    css = re.sub(r"/\*.*?\*/", "", DOSSIER_CSS.read_text(), flags=re.S)
    printed = declared(DOSSIER_CSS)
    assert "html:has(body.dossier.elderly)" in css.split("@media print", 1)[1]
    assert points(printed["html:has(body.dossier.elderly)"]["font-size"]) >= MINIMUM_PT
    for selector in (
        "body.dossier.elderly",
        "body.dossier.elderly small",
        "body.dossier.elderly .muted",
        "body.dossier.elderly table",
    ):
        assert printed[selector]["font-size"] == "1rem", selector
    site = (STATIC / "yishi" / "site.css").read_text()
    assert re.search(r"html:has\(body\.elderly\)\s*\{\s*font-size:\s*137\.5%", site), "22 px on screen"
