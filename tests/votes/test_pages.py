"""The vote pages through the Django test client: the public page, the staff page and its actions, the ballot
and the receipt, creating a vote (from a matter too), and what a secret vote must never show.

Pages are read in English (the language cookie), so the assertions read as the msgids do.
"""

import re

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.utils.html import escape

from tests import builders
from tests.procedures import flows
from tests.votes.conftest import form_photo, opened, representatives
from yishi.matters import services as matters
from yishi.matters.models import Matter
from yishi.votes import casting, drafting, tallies
from yishi.votes.models import Ballot, Correction, NamedChoice, Participation, Proxy, TallyEntry, Vote
from yishi.votes.views import RECEIPT_COOKIE

BACKEND = "yishi.people.backends.PhonePasswordBackend"


def client_for(person=None) -> Client:
    client = Client()
    client.cookies["django_language"] = "en"
    if person is not None:
        client.force_login(person, backend=BACKEND)
    return client


def html(response) -> str:
    return response.content.decode()


def main(response) -> str:
    """The page's own content, without the header (which names whoever is logged in)."""
    return html(response).split('<main id="main">', 1)[1].split("</main>", 1)[0]


def shows(response, text: str) -> bool:
    return escape(text) in html(response)


def messages_on(response) -> list[str]:
    return re.findall(r'<li class="(?:success|info|warning|error)">(.*?)</li>', html(response))


def section(response, heading_id: str) -> str:
    match = re.search(rf'<section aria-labelledby="{heading_id}".*?</section>', html(response), re.S)
    return match.group(0) if match else ""


def cast(vote, voters, option):
    return [casting.cast_ballot(actor=v, vote=vote, option=option) for v in voters]


def tallied(town, vote, channel, voters, counts):
    tallies.record_participation(actor=town.secretary, vote=vote, channel=channel, electors=voters)
    for staff in (town.secretary, town.clerk):
        tallies.enter_tally(actor=staff, vote=vote, channel=channel, counts=counts)


def bidders_vote(town, voters, **kwargs):
    """Story S2: three gardening teams with their prices, the committees and building heads voting."""
    kwargs.setdefault("secret", False)
    return opened(
        town,
        question="选择哪支绿化养护队伍？",
        kind="options",
        electorate="list",
        people=voters,
        preset="plurality",
        options=[
            {"label": "绿源园林", "price": "28000", "description": "每周养护两次"},
            {"label": "四季花木", "price": "30000", "description": "每周养护三次"},
            {"label": "常青绿化", "price": "26500", "description": "每周养护一次"},
        ],
        **kwargs,
    )


# --- the public page -------------------------------------------------------------------------------------


def test_anyone_sees_the_question_the_options_with_prices_the_rule_and_its_source_and_the_turnout(town):
    vote = bidders_vote(town, town.reps[:6])
    cast(vote, town.reps[:2], "1")
    response = client_for().get(f"/votes/{vote.pk}/")
    assert response.status_code == 200
    assert shows(response, "选择哪支绿化养护队伍？")
    for label, price in (("绿源园林", "28000.00"), ("四季花木", "30000.00"), ("常青绿化", "26500.00")):
        assert shows(response, label) and f"¥{price}" in html(response)
    assert shows(response, "每周养护三次")
    assert shows(response, "the option with the most votes wins; a tie decides nothing")
    assert shows(
        response,
        "A choice among options (such as bidders): the option with the most votes; no statute sets a rule",
    )
    assert "6 entitled to vote" in html(response)
    turnout = section(response, "turnout-h")
    assert re.search(r"<th>online</th><td>2</td>", turnout) and re.search(
        r"<th>paper ballot</th><td>0</td>", turnout
    )
    assert 'hx-get="/votes/' in turnout  # refreshes itself while the vote runs
    assert "Result" not in html(response) and not section(response, "receipts-h")


def test_an_elector_is_offered_the_ballot_from_the_public_page_and_others_are_not(town):
    vote = opened(town)
    ballot = f'href="/votes/{vote.pk}/ballot/?seat=self"'
    assert ballot in html(client_for(town.reps[0]).get(f"/votes/{vote.pk}/"))
    for viewer in (None, town.resident, town.secretary):
        assert "/ballot/" not in html(client_for(viewer).get(f"/votes/{vote.pk}/"))
    cast(vote, town.reps[:1], "yes")
    after = client_for(town.reps[0]).get(f"/votes/{vote.pk}/")
    assert ballot not in html(after) and f'href="/votes/{vote.pk}/receipt/"' in html(after)


def test_the_eight_step_rule_shows_the_seed_report_as_its_source(town):
    vote = opened(town)
    response = client_for().get(f"/votes/{vote.pk}/")
    assert shows(response, "at least 2/3 of all entitled to vote in favour")
    assert shows(
        response,
        "The city's eight-step method (八步议事): the residents' vote decides; at least 2/3 of all representatives in favour",
    )


def test_an_htmx_request_gets_the_turnout_alone(town):
    vote = opened(town)
    cast(vote, town.reps[:3], "yes")
    response = client_for().get(f"/votes/{vote.pk}/", HTTP_HX_REQUEST="true")
    assert response.status_code == 200 and "HX-Request" in response["Vary"]
    assert html(response).startswith('<div id="turnout"') and "<html" not in html(response)
    assert re.search(r"<th>online</th><td>3</td>", html(response))


def test_after_closing_the_page_shows_the_result_in_words_the_receipts_and_the_audit_head(town):
    vote = opened(town)
    mine = cast(vote, town.reps[:7], "yes")
    cast(vote, town.reps[7:8], "no")
    vote = tallies.close_vote(actor=town.secretary, vote=vote)
    response = client_for().get(f"/votes/{vote.pk}/")
    assert shows(response, "Passed") and shows(response, "7 of 10 in favour, 7 needed: passed.")
    assert vote.audit_hash and vote.audit_hash in html(response) and f"#{vote.audit_seq}" in html(response)
    receipts = section(response, "receipts-h")
    assert all(code in receipts for code in mine) and "(8)" in receipts
    assert f"{mine[0]}</span> · in favour" in receipts  # an open vote shows each receipt's choice
    named = section(response, "named-h")
    assert "<td>代表0</td><td>in favour</td><td>online</td>" in named
    assert "<td>代表7</td><td>against</td><td>online</td>" in named


def test_the_result_names_the_signed_checkpoint_holding_it_once_there_is_one(town):
    from yishi.audit import merkle, tree

    vote = opened(town)
    cast(vote, town.reps[:7], "yes")
    vote = tallies.close_vote(actor=town.secretary, vote=vote)
    assert 'id="record-checkpoint"' not in html(client_for().get(f"/votes/{vote.pk}/"))
    checkpoint = tree.extend(checkpoint_now=True).checkpoint
    page = html(client_for().get(f"/votes/{vote.pk}/"))
    held = re.search(r'id="record-checkpoint">(.*?)</small>', page, re.S).group(1)
    assert str(checkpoint.size) in held and checkpoint.root[:12] in held
    proof_url = re.search(r'href="([^"]+)"', held).group(1).replace("&amp;", "&")
    proof = client_for().get(proof_url).json()
    leaf = bytes.fromhex(
        client_for()
        .get("/api/v1/audit/entries", {"after": vote.audit_seq - 1, "limit": 1})
        .json()["items"][0]["leaf_hash"]
    )
    assert merkle.verify_inclusion(
        leaf,
        vote.audit_seq - 1,
        checkpoint.size,
        [bytes.fromhex(h) for h in proof["proof"]],
        bytes.fromhex(checkpoint.root),
    )


def test_a_voter_checks_their_code_against_the_list(town):
    vote = opened(town, secret=True)
    mine = cast(vote, town.reps[:7], "yes")[0]
    vote = tallies.close_vote(actor=town.secretary, vote=vote)
    client = client_for()
    found = client.get(f"/votes/{vote.pk}/", {"code": mine.lower().replace("-", " ")})
    assert shows(found, f"{mine} is among the ballots counted.")
    missing = client.get(f"/votes/{vote.pk}/", {"code": "2222-3333-4444"})
    assert shows(missing, "2222-3333-4444 is not among the ballots counted.")
    paging = client.get(f"/votes/{vote.pk}/", {"page": "1"})
    assert "not among" not in html(paging) and 'class="error"' not in html(paging)


def test_a_draft_is_not_found_by_the_public_but_its_organisers_see_it(town):
    draft = drafting.create_vote(actor=town.secretary, region=town.tree.community, question="草稿")
    assert client_for().get(f"/votes/{draft.pk}/").status_code == 404
    assert client_for(town.reps[0]).get(f"/votes/{draft.pk}/").status_code == 404
    assert client_for(town.other_secretary).get(f"/votes/{draft.pk}/").status_code == 404
    response = client_for(town.clerk).get(f"/votes/{draft.pk}/")
    assert response.status_code == 200 and shows(response, "This vote is a draft")
    assert client_for().get("/votes/999999/").status_code == 404


def test_a_regions_votes_are_listed_without_drafts_and_without_next_doors(town):
    shown = opened(town, question="本社区的表决")
    drafting.create_vote(actor=town.secretary, region=town.tree.community, question="还在起草")
    representatives(town.tree.sibling, 2)
    next_door = drafting.open_vote(
        actor=town.other_secretary,
        vote=drafting.create_vote(
            actor=town.other_secretary, region=town.tree.sibling, question="隔壁的表决"
        ),
    )
    response = client_for().get(f"/r/{town.tree.community.pk}/votes/")
    assert response.status_code == 200
    assert shows(response, shown.question) and not shows(response, "还在起草")
    assert not shows(response, next_door.question)
    assert client_for().get(f"/r/{town.tree.street.pk}/votes/").content.decode().count("表决</a>") == 2


def test_corrections_are_shown_beside_the_original(town):
    vote = opened(town)
    tallied(town, vote, "paper", town.reps[:8], {"yes": 6, "no": 2})
    vote = tallies.close_vote(actor=town.secretary, vote=vote)
    tallies.correct(
        actor=town.clerk,
        vote=vote,
        reason="复核纸质选票，有一张误计为反对",
        tallies={"paper": {"yes": 7, "no": 1}},
    )
    response = client_for().get(f"/votes/{vote.pk}/")
    result = section(response, "result-h")
    assert shows(response, "复核纸质选票，有一张误计为反对") and "李文书" in result
    assert "<tr><th>in favour</th><td>6</td><td><ins>7</ins></td></tr>" in result
    assert "Original: 6 of 10 in favour, 7 needed: not passed." in result
    assert "Corrected: 7 of 10 in favour, 7 needed: passed." in result
    assert shows(response, "This result was corrected by a recount")


# --- what a secret vote never shows -----------------------------------------------------------------------


@pytest.fixture
def secret_closed(town):
    vote = opened(town, secret=True)
    cast(vote, town.reps[:4], "yes")
    cast(vote, town.reps[4:6], "no")
    tallied(town, vote, "hands", town.reps[6:9], {"yes": 2, "no": 1})
    return tallies.close_vote(actor=town.secretary, vote=vote)


def test_a_secret_votes_public_page_names_no_voter_at_all(town, secret_closed):
    vote = secret_closed
    for viewer in (None, town.reps[0], town.secretary):
        page = main(client_for(viewer).get(f"/votes/{vote.pk}/"))
        for rep in town.reps:
            assert rep.name not in page
        assert not re.search(r'class="mono">[0-9A-Z-]{14}</span> · ', page)  # receipts without choices
        assert 'id="named-h"' not in page
    assert NamedChoice.objects.filter(vote=vote).count() == 0


def test_the_staff_page_of_a_secret_vote_says_who_took_part_but_never_how(town, secret_closed):
    page = main(client_for(town.secretary).get(f"/votes/{secret_closed.pk}/run/"))
    rows = re.findall(r"<tr><td>(代表\d)</td><td>([^<]*)</td></tr>", section_text(page, "who-h"))
    assert sorted(name for name, _how in rows) == sorted(r.name for r in town.reps[:9])
    assert {how for _name, how in rows} == {"online", "show of hands"}
    for rep in town.reps:
        for window in re.findall(rf".{{0,300}}{rep.name}.{{0,300}}", page, re.S):
            assert "in favour" not in window and "against" not in window


def section_text(page: str, heading_id: str) -> str:
    match = re.search(rf'<section aria-labelledby="{heading_id}".*?</section>', page, re.S)
    return match.group(0) if match else ""


# --- the page costs the same whatever the electorate -------------------------------------------------------


def _queries(client, url) -> int:
    with CaptureQueriesContext(connection) as ctx:
        response = client.get(url)
    assert response.status_code == 200
    return len(ctx.captured_queries)


@pytest.mark.parametrize("secret", [False, True])
def test_the_vote_page_costs_as_many_queries_with_forty_voters_as_with_four(town, secret):
    costs = {}
    for n in (4, 40):
        voters = [builders.person(f"选民{n}-{i}") for i in range(n)]
        vote = opened(
            town,
            electorate="list",
            people=voters,
            secret=secret,
            proxies_allowed=not secret,
            question=f"表决{n}",
        )
        cast(vote, voters[: n // 2], "yes")
        viewer = voters[-1]
        running = (
            _queries(client_for(), f"/votes/{vote.pk}/"),
            _queries(client_for(viewer), f"/votes/{vote.pk}/"),
            _queries(client_for(town.secretary), f"/votes/{vote.pk}/run/"),
        )
        vote = tallies.close_vote(actor=town.secretary, vote=vote)
        closed = (
            _queries(client_for(), f"/votes/{vote.pk}/"),
            _queries(client_for(viewer), f"/votes/{vote.pk}/"),
        )
        costs[n] = (running, closed)
    assert costs[4] == costs[40]


# --- creating a vote -------------------------------------------------------------------------------------


def test_the_new_vote_page_lists_each_default_rule_with_its_source(town):
    response = client_for(town.secretary).get("/votes/new/")
    assert response.status_code == 200
    table = re.search(r'<table class="presets">.*?</table>', html(response), re.S).group(0)
    assert "Committees (2018), Art. 26" in table and "Civil Code, Art. 278" in table
    assert "Residents&#x27; Committees (2018), Art. 9" in table and "eight-step method" in table
    assert 'name="option_1_price"' in html(response) and 'name="secret"' in html(response)


def test_staff_draft_a_choice_among_bidders_and_it_is_not_open_yet(town):
    heads = [builders.person("单元长甲"), builders.person("单元长乙")]
    response = client_for(town.secretary).post(
        "/votes/new/",
        {
            "region": town.tree.compound.pk,
            "question": "选择绿化养护队伍",
            "kind": "options",
            "option_1_label": "绿源园林",
            "option_1_price": "28000",
            "option_1_description": "每周两次",
            "option_2_label": "四季花木",
            "option_2_price": "30000",
            "option_3_label": "常青绿化",
            "electorate": "list",
            "people": "\n".join(h.phone for h in heads),
            "preset": "plurality",
            "proxy_cap": "3",
        },
    )
    vote = Vote.objects.get()
    assert response.status_code == 302 and response["Location"] == f"/votes/{vote.pk}/run/"
    assert (vote.status, vote.kind, vote.preset, vote.region) == (
        "draft",
        "options",
        "plurality",
        town.tree.compound,
    )
    assert [(o.label, o.price) for o in vote.options.order_by("position")][:3] == [
        ("绿源园林", 28000),
        ("四季花木", 30000),
        ("常青绿化", None),
    ]
    assert set(vote.listed.all()) == set(heads)


@pytest.mark.parametrize(
    ("data", "field_error"),
    [
        ({"question": " "}, "This field is required."),
        (
            {"kind": "options", "preset": "plurality", "option_1_label": "只有一个"},
            "A choice needs at least two options.",
        ),
        (
            {"kind": "options", "option_1_label": "甲", "option_2_label": "乙"},
            "A choice among options is decided by the most votes.",
        ),
        ({"electorate": "list", "people": "13999999999"}, "No resident is registered with this number."),
        ({"electorate": "body"}, "Choose the body whose members vote."),
        ({"region": "sibling"}, "Select a valid choice."),
    ],
)
def test_bad_input_is_400_with_the_reason_and_nothing_saved(town, data, field_error):
    form = {
        "region": town.tree.community.pk,
        "question": "修路吗？",
        "kind": "yes_no",
        "electorate": "representatives",
        "preset": "eight_step",
        "proxy_cap": "3",
        **data,
    }
    if form["region"] == "sibling":
        form["region"] = town.tree.sibling.pk
    response = client_for(town.secretary).post("/votes/new/", form)
    assert response.status_code == 400
    assert shows(response, field_error)
    assert not Vote.objects.exists()


def test_only_staff_with_authority_prepare_votes(town):
    assert client_for(town.reps[0]).get("/votes/new/").status_code == 403
    assert client_for(town.resident).post("/votes/new/", {"question": "x"}).status_code == 403
    anonymous = client_for().get("/votes/new/")
    assert anonymous.status_code == 302 and "/login/" in anonymous["Location"]
    # The owners' committee prepares votes in its compound, not in the community above it.
    response = client_for(town.owners_committee).get("/votes/new/")
    regions = re.findall(
        r'<option value="(\d+)"',
        re.search(r'<select name="region".*?</select>', html(response), re.S).group(0),
    )
    assert str(town.tree.compound.pk) in regions and str(town.tree.community.pk) not in regions
    assert not Vote.objects.exists()


def test_a_draft_is_changed_until_it_opens_and_then_it_is_frozen(town):
    draft = drafting.create_vote(
        actor=town.secretary,
        region=town.tree.community,
        question="选哪家？",
        kind="options",
        preset="plurality",
        options=["甲", "乙"],
    )
    staff = client_for(town.clerk)
    form = staff.get(f"/votes/{draft.pk}/edit/")
    assert form.status_code == 200 and 'value="甲"' in html(form) and 'name="region"' not in html(form)
    data = {
        "question": "选哪家养护队伍？",
        "preset": "plurality",
        "proxy_cap": "2",
        "option_1_label": "绿源园林",
        "option_1_price": "28000",
        "option_2_label": "四季花木",
        "option_3_label": "常青绿化",
    }
    bad = staff.post(f"/votes/{draft.pk}/edit/", {**data, "preset": "eight_step"})
    assert bad.status_code == 400 and shows(bad, "A choice among options is decided by the most votes.")
    assert Vote.objects.get(pk=draft.pk).question == "选哪家？"
    assert (
        client_for(town.reps[0]).post(f"/votes/{draft.pk}/edit/", data).status_code == 404
    )  # a draft is not public
    assert client_for(town.owners_committee).get(f"/votes/{draft.pk}/edit/").status_code == 404

    assert staff.post(f"/votes/{draft.pk}/edit/", data).status_code == 302
    vote = Vote.objects.get(pk=draft.pk)
    assert (vote.question, vote.proxy_cap) == ("选哪家养护队伍？", 2)
    assert list(vote.options.values_list("label", flat=True))[:3] == ["绿源园林", "四季花木", "常青绿化"]

    drafting.open_vote(actor=town.secretary, vote=vote)
    frozen = staff.post(f"/votes/{draft.pk}/edit/", {**data, "question": "改一改"})
    assert frozen.status_code == 409
    assert shows(frozen, "The vote is open: its question, rule, options and electorate can no longer change.")
    assert Vote.objects.get(pk=draft.pk).question == "选哪家养护队伍？"
    assert staff.get(f"/votes/{draft.pk}/edit/")["Location"] == f"/votes/{draft.pk}/run/"
    assert client_for(town.other_secretary).post(f"/votes/{draft.pk}/edit/", data).status_code == 403


# --- from a matter at its vote step ----------------------------------------------------------------------


@pytest.fixture
def at_vote(place):
    p = place
    p.reps = representatives(p.tree.community, 10)
    m = matters.accept(actor=p.secretary, matter=flows.raise_flood(p), procedure_key="eight_steps")
    flows.to_review(p, m)
    flows.approve(p, m)
    return p, Matter.objects.get(pk=m.pk)


def test_the_matter_page_at_its_vote_step_starts_the_representatives_vote_on_the_latest_version(at_vote):
    p, m = at_vote
    staff = client_for(p.secretary)
    page = staff.get(f"/m/{m.pk}/")
    assert f'href="/votes/new/?matter={m.pk}"' in html(page)
    assert "Start the representatives' vote on plan version 1" in html(page)
    assert f'action="/m/{m.pk}/vote/"' in html(page)  # the manual result form stays
    assert f"/votes/new/?matter={m.pk}" not in html(client_for(p.resident).get(f"/m/{m.pk}/"))

    form = staff.get(f"/votes/new/?matter={m.pk}")
    assert "the representatives' vote on plan version 1" in html(form)
    assert re.search(rf'name="matter" value="{m.pk}"', html(form)) and re.search(
        r'name="version" value="1"', html(form)
    )
    assert re.search(rf'<option value="{p.tree.community.pk}" selected>', html(form))
    question = re.search(r'name="question" value="([^"]*)"', html(form)).group(1)
    assert "version 1" in question and "小区西侧小路积水" in question

    created = staff.post(
        "/votes/new/",
        {
            "region": p.tree.community.pk,
            "question": "是否通过道路维修方案第1版？",
            "kind": "yes_no",
            "electorate": "representatives",
            "preset": "eight_step",
            "proxy_cap": "3",
            "matter": m.pk,
            "version": 1,
        },
    )
    vote = Vote.objects.get()
    assert created.status_code == 302 and (vote.matter, vote.version) == (m, m.plan_versions.get(number=1))
    staff.post(f"/votes/{vote.pk}/open/")
    for rep in p.reps[:7]:
        voter = client_for(rep)
        voter.post(f"/votes/{vote.pk}/ballot/", {"seat": "self", "option": "yes", "confirm": "on"})
    closing = staff.post(f"/votes/{vote.pk}/close/")
    assert closing.status_code == 302
    assert m.vote_results.get().passed is True
    assert shows(client_for().get(f"/votes/{vote.pk}/"), "plan version 1")


# --- the staff page --------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("who", "status"),
    [
        ("secretary", 200),
        ("clerk", 200),
        ("owners_committee", 403),
        ("other_secretary", 403),
        ("rep", 403),
        ("resident", 403),
    ],
)
def test_who_may_run_a_community_vote(town, who, status):
    vote = opened(town)
    person = town.reps[0] if who == "rep" else getattr(town, who)
    assert client_for(person).get(f"/votes/{vote.pk}/run/").status_code == status
    assert client_for(person).post(f"/votes/{vote.pk}/close/").status_code in (302 if status == 200 else 403,)
    assert Vote.objects.get(pk=vote.pk).status == ("closed" if status == 200 else "open")


def test_anonymous_visitors_are_sent_to_log_in_for_staff_and_ballot_pages(town):
    vote = opened(town)
    for path in ("run/", "ballot/", "receipt/"):
        response = client_for().get(f"/votes/{vote.pk}/{path}")
        assert response.status_code == 302 and "/login/" in response["Location"]
    assert client_for().post(f"/votes/{vote.pk}/close/").status_code == 302
    assert Vote.objects.get(pk=vote.pk).status == "open"


def test_the_owners_committee_runs_an_owners_vote_in_its_compound(town):
    from tests.votes.conftest import owned_household

    owners = [builders.person(f"业主{i}") for i in range(3)]
    for i, owner in enumerate(owners):
        owned_household(town.tree.building, f"10{i}", "90.5", owner)
    vote = drafting.create_vote(
        actor=town.owners_committee,
        region=town.tree.compound,
        question="加装电梯吗？",
        electorate="households",
        preset="owners_special",
    )
    staff = client_for(town.owners_committee)
    page = staff.get(f"/votes/{vote.pk}/run/")
    assert page.status_code == 200 and shows(page, "Open the vote")
    assert staff.post(f"/votes/{vote.pk}/open/").status_code == 302
    assert Vote.objects.get(pk=vote.pk).status == "open"
    assert 'name="count_yes"' not in html(staff.get(f"/votes/{vote.pk}/run/"))  # counted by name and area


def test_opening_twice_is_refused_with_409(town):
    vote = opened(town)
    response = client_for(town.secretary).post(f"/votes/{vote.pk}/open/")
    assert response.status_code == 409 and shows(response, "This vote has already been opened.")


def test_ticking_off_paper_voters_with_the_named_list_of_an_open_vote(town):
    vote = opened(town)
    electors = {e.person_id: e.pk for e in vote.electors.all()}
    staff = client_for(town.secretary)
    page = staff.get(f"/votes/{vote.pk}/run/")
    assert f'name="took_{electors[town.reps[0].pk]}"' in html(page)
    assert f'name="choice_{electors[town.reps[0].pk]}"' in html(page)
    response = staff.post(
        f"/votes/{vote.pk}/participation/",
        {
            "channel": "paper",
            f"took_{electors[town.reps[0].pk]}": "on",
            f"took_{electors[town.reps[1].pk]}": "on",
            f"choice_{electors[town.reps[0].pk]}": "no",
        },
    )
    assert response.status_code == 302
    assert sorted(
        Participation.objects.filter(vote=vote, channel="paper").values_list("elector__person", flat=True)
    ) == sorted([town.reps[0].pk, town.reps[1].pk])
    assert NamedChoice.objects.get(vote=vote).option.key == "no"
    # Ticked off on paper, they cannot also vote online.
    refused = client_for(town.reps[0]).post(
        f"/votes/{vote.pk}/ballot/", {"seat": "self", "option": "yes", "confirm": "on"}
    )
    assert refused.status_code == 409
    assert shows(refused, "You have already been counted on a paper ballot; nobody votes twice.")
    assert Ballot.objects.filter(vote=vote, option__isnull=False).count() == 0


def test_a_secret_vote_offers_no_named_list_and_ticking_nobody_is_400(town):
    vote = opened(town, secret=True)
    staff = client_for(town.secretary)
    assert 'name="choice_' not in html(staff.get(f"/votes/{vote.pk}/run/"))
    response = staff.post(f"/votes/{vote.pk}/participation/", {"channel": "hands"})
    assert response.status_code == 400 and shows(response, "Name at least one voter.")
    assert not Participation.objects.exists()


def test_double_entry_of_a_count_by_two_different_staff(town):
    vote = opened(town)
    tallies.record_participation(actor=town.secretary, vote=vote, channel="hands", electors=town.reps[:8])
    counts = {"channel": "hands", "count_yes": "6", "count_no": "1", "count_abstain": "1"}
    secretary, clerk = client_for(town.secretary), client_for(town.clerk)
    page = secretary.get(f"/votes/{vote.pk}/run/")
    assert shows(page, "Each count is entered twice, by two different members of staff")

    first = secretary.post(f"/votes/{vote.pk}/tally/", counts, follow=True)
    assert any(
        "A second, different member of staff must now enter the same count" in m for m in messages_on(first)
    )
    assert (
        "entered once, by 张金利: a second, different member of staff must now enter the same counts"
        in html(first)
    )
    assert "(you entered the first count)" in html(first)
    assert "in favour 6" not in html(clerk.get(f"/votes/{vote.pk}/run/"))  # the check count is made blind

    same = secretary.post(f"/votes/{vote.pk}/tally/", counts)
    assert same.status_code == 409
    assert shows(same, "You entered the first count; a second member of staff must enter the check count.")
    assert TallyEntry.objects.count() == 1

    second = clerk.post(f"/votes/{vote.pk}/tally/", counts, follow=True)
    assert any("Both counts agree" in m for m in messages_on(second))
    assert "entered twice and accepted" in html(second)


def test_two_counts_that_disagree_are_both_kept_and_neither_used(town):
    vote = opened(town)
    tallies.record_participation(actor=town.secretary, vote=vote, channel="paper", electors=town.reps[:8])
    client_for(town.secretary).post(
        f"/votes/{vote.pk}/tally/",
        {"channel": "paper", "count_yes": "6", "count_no": "2", "count_abstain": "0"},
    )
    response = client_for(town.clerk).post(
        f"/votes/{vote.pk}/tally/",
        {"channel": "paper", "count_yes": "5", "count_no": "3", "count_abstain": "0"},
        follow=True,
    )
    assert any("The two counts disagree" in m for m in messages_on(response))
    assert "the two entries disagree" in html(response)
    assert "张金利: in favour 6, against 2" in html(response) and "李文书: in favour 5, against 3" in html(
        response
    )
    closing = client_for(town.secretary).post(f"/votes/{vote.pk}/close/")
    assert closing.status_code == 409 and shows(
        closing, "The two entries of the paper ballot count disagree."
    )
    assert Vote.objects.get(pk=vote.pk).status == "open"


def test_a_count_that_is_not_a_number_is_400_and_nothing_is_entered(town):
    vote = opened(town)
    response = client_for(town.secretary).post(
        f"/votes/{vote.pk}/tally/",
        {"channel": "paper", "count_yes": "六", "count_no": "-1", "count_abstain": ""},
    )
    assert response.status_code == 400 and shows(response, "Enter a whole number.")
    assert not TallyEntry.objects.exists()
    too_many = client_for(town.secretary).post(
        f"/votes/{vote.pk}/tally/",
        {"channel": "paper", "count_yes": "3", "count_no": "0", "count_abstain": "0"},
    )
    assert too_many.status_code == 400
    assert shows(too_many, "The count (3) is more than the 0 voters ticked off for this channel.")


def test_a_proxy_is_recorded_with_the_photo_of_the_signed_form_and_used_on_the_ballot(town):
    vote = opened(town, proxies_allowed=True)
    principal = vote.electors.get(person=town.reps[1])
    staff = client_for(town.secretary)
    missing = staff.post(
        f"/votes/{vote.pk}/proxies/", {"holder_phone": town.reps[0].phone, "principal": principal.pk}
    )
    assert missing.status_code == 400 and not Proxy.objects.exists()
    unknown = staff.post(
        f"/votes/{vote.pk}/proxies/",
        {"holder_phone": "13999999999", "principal": principal.pk, "form_photo": form_photo()},
    )
    assert unknown.status_code == 400 and shows(unknown, "No resident is registered with this number.")
    not_photo = staff.post(
        f"/votes/{vote.pk}/proxies/",
        {
            "holder_phone": town.reps[0].phone,
            "principal": principal.pk,
            "form_photo": form_photo("x.png").__class__("x.png", b"not an image", content_type="image/png"),
        },
    )
    assert not_photo.status_code == 400 and shows(not_photo, "This file is not a photo that can be read.")
    assert not Proxy.objects.exists()

    done = staff.post(
        f"/votes/{vote.pk}/proxies/",
        {"holder_phone": town.reps[0].phone, "principal": principal.pk, "form_photo": form_photo()},
    )
    assert done.status_code == 302
    proxy = Proxy.objects.get()
    assert (proxy.holder, proxy.principal) == (town.reps[0], principal)
    assert proxy.form_photo.url in html(staff.get(f"/votes/{vote.pk}/run/"))

    holder = client_for(town.reps[0])
    ballot = holder.get(f"/votes/{vote.pk}/ballot/?seat=p{principal.pk}")
    assert shows(ballot, "Voting for: 代表1, by proxy")
    cast_ = holder.post(
        f"/votes/{vote.pk}/ballot/", {"seat": f"p{principal.pk}", "option": "yes", "confirm": "on"}
    )
    assert cast_.status_code == 302
    assert Participation.objects.get(elector=principal).channel == "proxy"
    again = client_for(town.reps[1]).post(
        f"/votes/{vote.pk}/ballot/", {"seat": "self", "option": "no", "confirm": "on"}
    )
    assert again.status_code == 409 and shows(again, "Your proxy has already voted for you.")


def test_the_proxy_cap_is_409(town):
    vote = opened(town, proxies_allowed=True, proxy_cap=1)
    staff = client_for(town.secretary)
    for rep, status in ((town.reps[1], 302), (town.reps[2], 409)):
        response = staff.post(
            f"/votes/{vote.pk}/proxies/",
            {
                "holder_phone": town.reps[0].phone,
                "principal": vote.electors.get(person=rep).pk,
                "form_photo": form_photo(),
            },
        )
        assert response.status_code == status
    assert shows(response, "代表0 already holds 1 proxies, the most this vote allows.")
    assert Proxy.objects.count() == 1


def test_an_unused_proxy_is_withdrawn_by_a_signed_correction(town):
    vote = opened(town, proxies_allowed=True)
    proxy = casting.record_proxy(
        actor=town.secretary, vote=vote, holder=town.reps[0], principal=town.reps[1], form_photo=form_photo()
    )
    staff = client_for(town.secretary)
    empty = staff.post(f"/votes/{vote.pk}/proxies/withdraw/", {"proxy": proxy.pk, "reason": ""})
    assert empty.status_code == 400 and not Correction.objects.exists()
    done = staff.post(f"/votes/{vote.pk}/proxies/withdraw/", {"proxy": proxy.pk, "reason": "本人到场投票"})
    assert done.status_code == 302
    assert shows(client_for().get(f"/votes/{vote.pk}/"), "本人到场投票")  # public while the vote runs
    correction = Correction.objects.get()
    assert (correction.target, correction.target_id, correction.signed_by) == (
        "proxy",
        str(proxy.pk),
        town.secretary,
    )
    ballot = html(client_for(town.reps[0]).get(f"/votes/{vote.pk}/ballot/"))
    seat = f"p{town.reps[1].pk}"
    # The withdrawn proxy's seat is offered neither as a link nor as a hidden field (a bare "p4" could
    # also turn up inside the random CSRF token).
    assert f"seat={seat}" not in ballot and f'value="{seat}"' not in ballot


def test_closing_with_a_count_entered_once_is_409_and_the_vote_stays_open(town):
    vote = opened(town)
    tallies.record_participation(actor=town.secretary, vote=vote, channel="paper", electors=town.reps[:3])
    tallies.enter_tally(actor=town.secretary, vote=vote, channel="paper", counts={"yes": 3})
    response = client_for(town.clerk).post(f"/votes/{vote.pk}/close/")
    assert response.status_code == 409
    assert shows(
        response,
        "The paper ballot count has been entered once; a second member of staff must enter it "
        "before the vote can close.",
    )
    assert Vote.objects.get(pk=vote.pk).status == "open"


def test_a_recount_is_recorded_by_the_committee_and_refused_to_the_owners_committee(town):
    from tests.votes.conftest import owned_household

    owned_household(town.tree.building, "101", "80", builders.person("业主"))
    vote = opened(town, region=town.tree.compound, electorate="households", preset="residents_assembly")
    tallied(town, vote, "paper", list(vote.electors.all()), {"yes": 1})
    vote = tallies.close_vote(actor=town.secretary, vote=vote)
    data = {"channel": "paper", "count_yes": "0", "count_no": "1", "count_abstain": "0", "reason": "复核"}
    assert 'name="reason"' not in html(client_for(town.owners_committee).get(f"/votes/{vote.pk}/run/"))
    assert client_for(town.owners_committee).post(f"/votes/{vote.pk}/recount/", data).status_code == 403
    no_reason = client_for(town.secretary).post(f"/votes/{vote.pk}/recount/", {**data, "reason": ""})
    assert no_reason.status_code == 400 and not Correction.objects.exists()
    assert client_for(town.secretary).post(f"/votes/{vote.pk}/recount/", data).status_code == 302
    assert Correction.objects.get().data["result"]["counts"] == {"yes": 0, "no": 1, "abstain": 0}


# --- the ballot and the receipt --------------------------------------------------------------------------


def test_a_representative_sees_the_vote_on_their_workbench_and_votes_in_two_steps(town):
    vote = opened(town, secret=True)
    voter = client_for(town.reps[0])
    bench = voter.get("/work/")  # the home lists the votes waiting on a representative in their own section
    home = re.search(r'<section class="home" id="home-representative".*?</section>', html(bench), re.S)
    assert home and f'href="/votes/{vote.pk}/ballot/"' in home.group(0)
    assert f"/votes/{vote.pk}/ballot/" not in html(client_for(town.resident).get("/work/"))

    page = voter.get(f"/votes/{vote.pk}/ballot/")
    assert page.status_code == 200
    assert len(re.findall(r'<label class="choice"><input type="radio" name="option"', html(page))) == 3
    assert shows(page, "This is a secret ballot: nobody, staff included, can see what you choose.")

    check = voter.post(f"/votes/{vote.pk}/ballot/", {"seat": "self", "option": "no"})
    assert (
        check.status_code == 200 and shows(check, "You chose:") and '<p class="chosen">against' in html(check)
    )
    assert shows(check, "Cast my vote") and not Participation.objects.exists()

    cast_ = voter.post(f"/votes/{vote.pk}/ballot/", {"seat": "self", "option": "no", "confirm": "on"})
    assert cast_.status_code == 302 and cast_["Location"] == f"/votes/{vote.pk}/receipt/"
    code = Ballot.objects.get(vote=vote, option__isnull=False).receipt
    cookie = cast_.cookies[RECEIPT_COOKIE.format(vote=vote.pk, seat="self")]
    assert cookie["path"] == f"/votes/{vote.pk}/receipt/" and cookie["httponly"]
    receipt = voter.get(f"/votes/{vote.pk}/receipt/")
    assert code in main(receipt) and "against" not in main(
        receipt
    )  # the page does not know the secret choice
    assert f"/votes/{vote.pk}/ballot/" not in html(voter.get("/work/")), "once cast, it no longer waits"


def test_a_secret_receipt_is_kept_only_by_the_voters_browser(town):
    vote = opened(town, secret=True)
    voter = client_for(town.reps[0])
    voter.post(f"/votes/{vote.pk}/ballot/", {"seat": "self", "option": "yes", "confirm": "on"})
    code = Ballot.objects.get(vote=vote, option__isnull=False).receipt
    elsewhere = client_for(town.reps[0]).get(f"/votes/{vote.pk}/receipt/")  # another phone: no cookie
    assert code not in html(elsewhere)
    assert shows(elsewhere, "Your vote is recorded, but this browser does not hold its receipt code.")
    # The same browser, someone else logged in: the cookie is bound to the person who voted.
    shared = client_for(town.reps[1])
    name = RECEIPT_COOKIE.format(vote=vote.pk, seat="self")
    shared.cookies[name] = voter.cookies[name].value
    assert code not in html(shared.get(f"/votes/{vote.pk}/receipt/"))
    tallies.close_vote(actor=town.secretary, vote=vote)
    counted = voter.get(f"/votes/{vote.pk}/receipt/")
    assert code in html(counted) and shows(counted, "Counted: this code is in the public list.")


def test_an_open_votes_receipt_is_found_again_on_any_device_with_its_choice(town):
    vote = opened(town)
    client_for(town.reps[0]).post(
        f"/votes/{vote.pk}/ballot/", {"seat": "self", "option": "yes", "confirm": "on"}
    )
    code = Ballot.objects.get(vote=vote, option__isnull=False).receipt
    page = client_for(town.reps[0]).get(f"/votes/{vote.pk}/receipt/")
    assert code in html(page) and "<strong>in favour</strong>" in html(page)
    assert code not in html(client_for(town.reps[1]).get(f"/votes/{vote.pk}/receipt/"))


def test_a_second_ballot_is_409_and_the_first_stands(town):
    vote = opened(town)
    voter = client_for(town.reps[0])
    voter.post(f"/votes/{vote.pk}/ballot/", {"seat": "self", "option": "yes", "confirm": "on"})
    again = voter.post(f"/votes/{vote.pk}/ballot/", {"seat": "self", "option": "no", "confirm": "on"})
    assert again.status_code == 409 and shows(again, "You have already voted online.")
    assert list(
        Ballot.objects.filter(vote=vote, option__isnull=False).values_list("option__key", flat=True)
    ) == ["yes"]
    assert shows(voter.get(f"/votes/{vote.pk}/ballot/"), "You have voted.")


def test_a_closed_vote_takes_no_ballot(town):
    vote = tallies.close_vote(actor=town.secretary, vote=opened(town))
    response = client_for(town.reps[0]).post(
        f"/votes/{vote.pk}/ballot/", {"seat": "self", "option": "yes", "confirm": "on"}
    )
    assert response.status_code == 409 and shows(response, "This vote is closed.")
    assert client_for(town.reps[0]).get(f"/votes/{vote.pk}/ballot/").status_code == 409


def test_someone_not_entitled_gets_403_and_nothing_is_cast(town):
    vote = opened(town)
    for person in (town.resident, town.secretary, town.other_secretary):
        response = client_for(person).post(
            f"/votes/{vote.pk}/ballot/", {"seat": "self", "option": "yes", "confirm": "on"}
        )
        assert response.status_code == 403 and shows(response, "You are not entitled to vote in this vote.")
    assert not Participation.objects.exists()


def test_a_ballot_without_a_valid_choice_is_400(town):
    vote = opened(town)
    voter = client_for(town.reps[0])
    for data in (
        {"seat": "self"},
        {"seat": "self", "option": "maybe", "confirm": "on"},
        {"seat": "h999", "option": "yes", "confirm": "on"},
    ):
        assert voter.post(f"/votes/{vote.pk}/ballot/", data).status_code == 400
    assert not Participation.objects.exists()


def test_the_votes_index_lists_what_is_open_to_me_and_what_i_run(town):
    vote = opened(town)
    draft = drafting.create_vote(actor=town.secretary, region=town.tree.community, question="草稿表决")
    mine = client_for(town.reps[0]).get("/votes/")
    assert f'href="/votes/{vote.pk}/ballot/"' in html(mine) and "草稿表决" not in html(mine)
    staff = client_for(town.secretary).get("/votes/")
    assert f'href="/votes/{draft.pk}/run/"' in html(staff) and 'href="/votes/new/"' in html(staff)
    assert "草稿表决" not in html(client_for(town.other_secretary).get("/votes/"))


def test_the_matter_page_links_its_votes_once_opened_and_never_a_draft(at_vote):
    p, m = at_vote
    draft = drafting.create_vote(
        actor=p.secretary, region=p.tree.community, question="是否同意第1版方案？", matter=m
    )
    page = html(client_for().get(f"/m/{m.pk}/"))
    assert 'id="about-h"' not in page and f"/votes/{draft.pk}/" not in page
    drafting.open_vote(actor=p.secretary, vote=draft)
    page = html(client_for().get(f"/m/{m.pk}/"))
    about = page[page.index('id="about-h"') :]
    assert f'href="/votes/{draft.pk}/"' in about[: about.index("</section>")]


def test_my_receipt_says_where_the_record_holds_that_i_voted_and_never_what_i_chose(town):
    from yishi.audit import merkle, tree

    vote = opened(town, secret=True)
    voter = town.reps[0]
    cast(vote, [voter], "yes")
    page = html(client_for(voter).get(f"/votes/{vote.pk}/receipt/"))
    assert 'id="in-record-self"' in page and "within seconds" in page  # written, not yet signed
    checkpoint = tree.extend(checkpoint_now=True).checkpoint
    page = html(client_for(voter).get(f"/votes/{vote.pk}/receipt/"))
    line = re.search(r'id="in-record-self">(.*?)</p>', page, re.S).group(1)
    assert str(checkpoint.size) in line and checkpoint.root[:12] in line
    proof_url = re.search(r'href="([^"]+)"', line).group(1).replace("&amp;", "&")
    index = int(re.search(r"index=(\d+)", proof_url).group(1))
    entry = client_for().get("/api/v1/audit/entries", {"after": index, "limit": 1}).json()["items"][0]
    assert (
        entry["action"] == "votes.cast_ballot" and "option" not in entry["data"] and "yes" not in str(entry)
    )
    proof = [bytes.fromhex(h) for h in client_for().get(proof_url).json()["proof"]]
    assert merkle.verify_inclusion(
        bytes.fromhex(entry["leaf_hash"]), index, checkpoint.size, proof, bytes.fromhex(checkpoint.root)
    )
    # Someone who did not vote is told nothing of the kind.
    assert "in-record-" not in html(client_for(town.reps[1]).get(f"/votes/{vote.pk}/receipt/"))
