"""The matter page as its people read it: the step indicator in words, what comes next and who acts, the
timeline with who acted (never a back-to-back submitter), documents, photos and supporters."""

import re

import pytest
from django.utils import translation
from django.utils.html import escape

from tests.procedures import flows
from yishi.access.roles import Role
from yishi.matters import services as matters
from yishi.procedures import definitions
from yishi.procedures import services as engine


def tr(msgid: str) -> str:
    with translation.override("zh-hans"):
        return escape(translation.gettext(msgid))


def words(lazy) -> str:
    with translation.override("zh-hans"):
        return escape(str(lazy))


def html_of(client, m) -> str:
    response = client.get(f"/m/{m.pk}/")
    assert response.status_code == 200
    return response.content.decode()


def block(html: str, heading_id: str) -> str:
    match = re.search(rf'<section aria-labelledby="{heading_id}".*?</section>', html, re.S)
    return match.group(0) if match else ""


def indicator(html: str) -> list[tuple[str, str, str]]:
    """(state class, label, the state in words) for each step."""
    return re.findall(
        r'<li class="step (\w+)"[^>]*>\s*<strong>([^<]+)</strong>\s*<small class="state">([^<]+)', html
    )


def walk_to(p, step: str):
    """The flooded lane on the eight steps, taken to ``step`` (or "resolved") through the services."""
    m = matters.accept(actor=p.secretary, matter=flows.raise_flood(p), procedure_key="eight_steps")
    if step == "ideas":
        return m
    flows.to_review(p, m)
    if step == "review":
        return m
    flows.approve(p, m)
    flows.vote(p, m, 20)
    engine.advance(actor=p.secretary, matter=m)
    if step == "implement":
        return m
    flows.implement_and_confirm(p, m, p.resident)
    engine.advance(actor=p.secretary, matter=m)
    flows.publish(p, m)
    return engine.advance(actor=p.secretary, matter=m)


@pytest.mark.parametrize(("step", "done"), [("ideas", 1), ("review", 4), ("implement", 6), ("resolved", 8)])
def test_the_step_indicator_names_each_state_in_words_not_only_in_colour(client, place, step, done):
    html = html_of(client, walk_to(place, step))

    rows = indicator(html)
    assert [label for _state, label, _words in rows] == [
        words(s.label) for s in definitions.EIGHT_STEPS.steps
    ]
    states = [state for state, _label, _words in rows]
    assert states == ["done"] * done + (["current"] if step != "resolved" else []) + ["waiting"] * (7 - done)
    for state, _label, text in rows:
        expected = {
            "done": tr("done"),
            "current": tr("now: this step is under way"),
            "waiting": tr("to come"),
        }[state]
        assert expected in text
    assert html.index('id="steps-h"') < html.index('id="desc-h"'), "the indicator comes first"


def test_a_new_matter_waits_for_the_committee_to_screen_it(client, place):
    html = html_of(client, flows.raise_flood(place))

    next_ = block(html, "next-h")
    assert words(definitions.EIGHT_STEPS.first.label) in next_
    assert words(Role.COMMITTEE.label) in next_
    assert words(Role.EXPERT.label) not in next_


def test_at_the_review_step_the_experts_act_then_the_committee_completes_it(client, place):
    html = html_of(client, walk_to(place, "review"))

    next_ = block(html, "next-h")
    assert words(definitions.EIGHT_STEPS.step("review").label) in next_
    assert words(Role.EXPERT.label) in next_
    assert words(Role.COMMITTEE.label) in next_
    assert words(definitions.EIGHT_STEPS.step("vote").label) in next_, "and what comes after"
    assert words(Role.ADMIN.label) not in next_, "the system administrator is not who a resident waits on"


def test_while_it_is_carried_out_the_units_report_and_the_residents_confirm(client, place):
    next_ = block(html_of(client, walk_to(place, "implement")), "next-h")
    assert (
        tr("the units, the committee or the people given the tasks, reporting progress with photos") in next_
    )
    assert tr("the residents who raised or support it, confirming the work is done") in next_


def test_a_closed_matter_says_nothing_more_comes(client, place):
    html = html_of(client, walk_to(place, "resolved"))
    assert not block(html, "next-h")
    assert tr("This matter is closed: nothing more comes.") in html


def test_the_timeline_says_what_happened_at_each_step_when_and_by_whom(client, place):
    m = walk_to(place, "review")

    timeline = block(html_of(client, m), "hist-h")

    rows = re.findall(r"<li>(.*?)</li>", timeline, re.S)
    assert len(rows) == 1 + 1 + 4  # raised, the procedure chosen, four steps completed (screening the first)
    assert "刘**" in rows[0] and "刘桂兰" not in rows[0], (
        "a named submitter is shown as the presenter shows them"
    )
    for row in rows[1:]:
        assert re.search(r"<time datetime=\"\d{4}-\d\d-\d\dT", row)
        assert "社区党委书记 张金利" in row, "staff act by their title and name"
    for step in definitions.EIGHT_STEPS.steps[:4]:
        assert words(step.label) in timeline, step.key
    assert re.search(r"\d{4}年\d{1,2}月\d{1,2}日 \d\d:\d\d", timeline), "dates in Chinese"


def test_a_back_to_back_submitter_who_withdraws_stays_hidden_on_the_timeline(client, place):
    m = flows.raise_flood(place, back_to_back=True)  # the submitter withdraws alone only before acceptance
    engine.withdraw(actor=place.resident, matter=m, reason="已自行解决")

    for viewer in (None, place.secretary, place.neighbour):
        if viewer:
            client.force_login(viewer)
        html = html_of(client, m)
        assert "刘桂兰" not in html, viewer
        assert tr("a resident (back to back)") in block(html, "hist-h")
    client.force_login(place.resident)
    assert tr("you (back to back: hidden from everyone else)") in block(html_of(client, m), "hist-h")


def test_documents_list_the_file_and_each_printable_notice(client, place):
    m = walk_to(place, "resolved")
    notice = m.notices.order_by("-pk").first()

    docs = block(html_of(client, m), "docs-h")

    assert f'href="/m/{m.pk}/dossier/"' in docs
    assert f'href="/n/{notice.pk}/print/"' in docs


def test_the_supporters_count_is_at_the_top(client, place):
    m = flows.raise_flood(place)
    matters.support(actor=place.neighbour, matter=m)
    html = html_of(client, m)
    meta = re.search(r'<p class="meta">.*?</p>', html, re.S).group(0)
    with translation.override("zh-hans"):
        assert escape(translation.ngettext("%(n)s supporter", "%(n)s supporters", 1) % {"n": 1}) in meta


def test_photos_load_lazily_with_their_size(client, place):
    from tests.votes.conftest import form_photo

    m = flows.raise_flood(place, photos=[form_photo("flood.png")])
    html = html_of(client, m)
    img = re.search(r'<div class="photos"><img [^>]*>', html).group(0)
    assert 'loading="lazy"' in img and 'width="40"' in img and 'height="30"' in img
