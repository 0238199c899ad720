"""Elderly mode (适老化) holds on every page: the cookie puts the marker on the body of each page that a person
reads, signed in or not; the stylesheet gives that marker its large type, contrast, targets and focus rings."""

import re
from pathlib import Path

import pytest
from django.conf import settings
from django.urls import reverse

from tests import builders
from tests.procedures import flows
from yishi.web.middleware import ELDERLY_COOKIE


def body_tag(response) -> str:
    return re.search(r"<body[^>]*>", response.content.decode()).group(0)


def pages(p, m) -> list[str]:
    t = p.tree
    return [
        "/",
        f"/r/{t.community.pk}/",
        f"/r/{t.compound.pk}/",
        reverse("matters:list", args=[t.community.pk]),
        f"/m/{m.pk}/",
        reverse("notices:board", args=[t.community.pk]),
        reverse("votes:list", args=[t.community.pk]),
        reverse("people:login"),
        reverse("audit:public"),
        reverse("regions:rules", args=[t.community.pk]),
        "/no-such-page/",
    ]


SIGNED_IN = [
    "web:workbench",
    "matters:raise",
    "meetings:index",
    "votes:index",
    "surveys:mine",
    "funds:mine",
    "reminders:inbox",
]


@pytest.mark.parametrize("who", [None, "resident", "secretary", "fire_staff", "lawyer"])
def test_every_page_carries_the_elderly_marker_once_switched_on(client, place, who):
    m = flows.raise_flood(place)
    if who:
        client.force_login(getattr(place, who))
    client.post(reverse("web:elderly"), {"on": "1", "next": "/"})
    urls = pages(place, m) + ([reverse(name) for name in SIGNED_IN] if who else [])
    for url in urls:
        response = client.get(url)
        assert response.status_code in (200, 404), url
        assert re.search(r'class="[^"]*\belderly\b', body_tag(response)), url


def test_no_page_carries_the_marker_without_the_cookie(client, place):
    m = flows.raise_flood(place)
    client.force_login(place.secretary)
    for url in pages(place, m) + [reverse(name) for name in SIGNED_IN]:
        assert "elderly" not in body_tag(client.get(url)), url


def test_the_first_thing_on_every_page_is_a_skip_link_to_the_content(client, place):
    client.cookies[ELDERLY_COOKIE] = "1"
    for url in ("/", f"/m/{flows.raise_flood(place).pk}/", reverse("people:login")):
        response = client.get(url)
        html = response.content.decode()
        after_body = html.split(body_tag(response), 1)[1].lstrip()
        assert after_body.startswith('<a class="skip" href="#main">'), url
        assert '<main id="main">' in html


def _css() -> str:
    return (Path(settings.BASE_DIR) / "static" / "yishi" / "site.css").read_text()


def _rule(selector_part: str) -> str:
    """The declarations of every rule whose selector list mentions ``selector_part``."""
    return " ".join(
        body for selectors, body in re.findall(r"([^{}]+)\{([^{}]*)\}", _css()) if selector_part in selectors
    )


def test_the_stylesheet_gives_elderly_mode_large_type_contrast_targets_and_focus_rings():
    root = re.search(r"html:has\(body\.elderly\)\s*\{\s*font-size:\s*([\d.]+)%", _css())
    assert root and float(root.group(1)) * 16 / 100 >= 20, "body text of 20 px or more"
    assert "max(20px" in _rule("body.elderly small"), "small print does not shrink below 20 px"
    assert re.search(r"body\.elderly\s*\{[^}]*--fg:\s*#000;", _css()), "black text"
    assert "min-height: 2.2rem" in _rule("body.elderly button.link"), "48 px touch targets (2.2 × 22 px)"
    assert "min-height" in _rule("body.elderly .field input")
    assert "outline: 4px" in _rule("body.elderly :focus-visible"), "a thick focus ring"
    assert "outline" in _rule(":focus-visible")


def test_the_matter_pages_step_states_are_words_as_well_as_colours(client, place):
    builders.role(place.resident, "resident", place.tree.compound)
    client.cookies[ELDERLY_COOKIE] = "1"
    html = client.get(f"/m/{flows.raise_flood(place).pk}/").content.decode()
    states = re.findall(r'<small class="state">([^<]+)', html)
    assert states and all(s.strip()[0] in "✓▶○" for s in states)
