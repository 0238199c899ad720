"""The JSON API for votes (/api/v1/votes): every endpoint, story S2's show of hands, what it refuses, and what a
secret vote never shows. Answers are read in English (Accept-Language)."""

import json

import pytest
from django.test import Client

from tests import builders
from tests.votes.conftest import form_photo, opened, representatives
from yishi.people.tokens import issue_token
from yishi.votes import casting, drafting, tallies
from yishi.votes.models import Ballot, Correction, NamedChoice, Participation, Proxy, TallyEntry, Vote

API = "/api/v1/votes"
BACKEND = "yishi.people.backends.PhonePasswordBackend"


def as_(person=None, **kwargs) -> Client:
    client = Client(HTTP_ACCEPT_LANGUAGE="en", **kwargs)
    if person is not None:
        client.force_login(person, backend=BACKEND)
    return client


def with_token(person) -> Client:
    return Client(HTTP_ACCEPT_LANGUAGE="en", HTTP_AUTHORIZATION=f"Bearer {issue_token(person)}")


def post(client, path: str, data=None, **extra):
    return client.post(
        f"{API}{path}", data if data is not None else {}, content_type="application/json", **extra
    )


def ok(response, status: int = 200):
    assert response.status_code == status, response.content.decode()
    return response.json()


def refused(response, status: int, code: str) -> str:
    assert response.status_code == status, response.content.decode()
    body = response.json()
    assert body["code"] == code, body
    return body["detail"]


BIDDERS = [
    {"label": "绿源园林", "price": "28000", "description": "每周养护两次"},
    {"label": "四季花木", "price": "30000", "description": "每周养护三次"},
    {"label": "常青绿化", "price": "26500", "description": "每周养护一次"},
]


# --- story S2, through the API only ----------------------------------------------------------------------


def test_story_s2_three_teams_by_show_of_hands_entered_twice_and_the_winner_published(town):
    heads = [builders.person(f"单元长{i}") for i in range(6)]
    voters = [*heads, town.owners_committee]
    secretary, clerk = as_(town.secretary), with_token(town.clerk)
    draft = ok(
        post(
            secretary,
            "/",
            {
                "region": town.tree.compound.pk,
                "question": "选择哪支绿化养护队伍？",
                "kind": "options",
                "options": BIDDERS,
                "electorate": "list",
                "people": [p.phone for p in voters],
                "preset": "plurality",
            },
        ),
        201,
    )
    assert draft["status"] == "draft" and draft["electorate"] is None
    assert [(o["key"], o["label"], o["price"]) for o in draft["options"]] == [
        ("1", "绿源园林", "28000.00"),
        ("2", "四季花木", "30000.00"),
        ("3", "常青绿化", "26500.00"),
        ("abstain", "abstain", None),
    ]
    assert draft["rule"]["source"].startswith("A choice among options (such as bidders)")
    vote = ok(post(secretary, f"/{draft['id']}/open"))
    assert (vote["status"], vote["electorate"]) == ("open", 7)

    electors = ok(clerk.get(f"{API}/{vote['id']}/electors"))
    by_name = {e["label"]: e["id"] for e in electors["items"]}
    hands = [by_name[p.name] for p in heads[:5]]
    made = ok(post(secretary, f"/{vote['id']}/participation", {"channel": "hands", "electors": hands}), 201)
    assert made["turnout"]["hands"] == 5
    first = ok(
        post(secretary, f"/{vote['id']}/tallies", {"channel": "hands", "counts": {"1": 3, "2": 1, "3": 1}}),
        201,
    )
    assert (first["position"], first["state"]) == (1, "pending")
    second = ok(
        post(clerk, f"/{vote['id']}/tallies", {"channel": "hands", "counts": {"1": 3, "2": 1, "3": 1}}), 201
    )
    assert (second["position"], second["state"]) == (2, "accepted")
    receipt = ok(post(with_token(heads[5]), f"/{vote['id']}/ballots", {"option": "3"}), 201)["receipt"]

    closed = ok(post(secretary, f"/{vote['id']}/close"))
    result = closed["result"]
    assert (closed["status"], closed["passed"], result["winner"]) == ("closed", True, "绿源园林")
    assert result["reason"] == "“绿源园林” has the most votes (3)."
    assert [(c["key"], c["votes"]) for c in result["counts"]] == [
        ("1", 3),
        ("2", 1),
        ("3", 2),
        ("abstain", 0),
    ]
    assert result["audit_hash"] == Vote.objects.get(pk=vote["id"]).audit_hash and result["audit_seq"]
    assert closed["turnout"] == {"online": 1, "paper": 0, "hands": 5, "proxy": 0}
    assert ok(as_().get(f"{API}/{vote['id']}/receipts"))["items"] == [
        {"receipt": receipt, "choice": "常青绿化"}
    ]


# --- reads -----------------------------------------------------------------------------------------------


def test_the_list_is_paginated_filtered_by_region_and_never_shows_drafts(town):
    votes = [opened(town, question=f"第{i}个表决") for i in range(3)]
    drafting.create_vote(actor=town.secretary, region=town.tree.community, question="草稿")
    representatives(town.tree.sibling, 2, prefix="隔壁代表")
    drafting.open_vote(
        actor=town.other_secretary,
        vote=drafting.create_vote(actor=town.other_secretary, region=town.tree.sibling, question="隔壁"),
    )
    page = ok(as_().get(f"{API}/", {"region": town.tree.community.pk, "limit": 2}))
    assert page["count"] == 3 and len(page["items"]) == 2
    rest = ok(as_().get(f"{API}/", {"region": town.tree.community.pk, "limit": 2, "offset": 2}))
    assert {v["id"] for v in page["items"] + rest["items"]} == {v.pk for v in votes}
    assert ok(as_().get(f"{API}/", {"status": "draft"}))["count"] == 0
    assert ok(as_().get(f"{API}/"))["count"] == 4
    assert as_().get(f"{API}/", {"limit": 101}).status_code == 422
    managed = ok(as_(town.secretary).get(f"{API}/managed"))
    assert managed["count"] == 4 and "草稿" in {v["question"] for v in managed["items"]}


def test_the_presets_are_the_defaults_per_body_each_with_its_source():
    presets = {p["key"]: p for p in ok(Client().get(f"{API}/presets"))}
    assert presets["eight_step"]["source"].startswith("沧州“八步议事”工作法")
    assert "第二十六条" in presets["village_representatives"]["source"]
    assert "《民法典》第二百七十八条" in presets["owners_special"]["source"]


def test_a_draft_is_404_to_the_public_and_readable_by_its_organisers(town):
    draft = drafting.create_vote(actor=town.secretary, region=town.tree.community, question="草稿")
    assert as_().get(f"{API}/{draft.pk}").status_code == 404
    assert as_(town.other_secretary).get(f"{API}/{draft.pk}").status_code == 404
    assert ok(with_token(town.clerk).get(f"{API}/{draft.pk}"))["may_manage"] is True
    assert as_().get(f"{API}/424242").status_code == 404


def test_the_detail_tells_a_voter_their_seats_and_whether_they_have_voted(town):
    vote = opened(town, proxies_allowed=True)
    casting.record_proxy(
        actor=town.secretary, vote=vote, holder=town.reps[0], principal=town.reps[1], form_photo=form_photo()
    )
    principal = vote.electors.get(person=town.reps[1]).pk
    seats = ok(with_token(town.reps[0]).get(f"{API}/{vote.pk}"))["my_seats"]
    assert [(s["seat"], s["kind"], s["voted"]) for s in seats] == [
        ("self", "own", False),
        (f"p{principal}", "proxy", False),
    ]
    ok(post(with_token(town.reps[0]), f"/{vote.pk}/ballots", {"option": "yes", "seat": f"p{principal}"}), 201)
    seats = ok(with_token(town.reps[0]).get(f"{API}/{vote.pk}"))["my_seats"]
    assert [(s["seat"], s["voted"], s["channel"]) for s in seats] == [
        ("self", False, None),
        (f"p{principal}", True, "proxy"),
    ]
    assert ok(as_().get(f"{API}/{vote.pk}"))["my_seats"] == []


def test_my_open_votes(town):
    first, second = opened(town), opened(town, question="第二个")
    casting.cast_ballot(actor=town.reps[0], vote=first, option="yes")
    mine = ok(with_token(town.reps[0]).get(f"{API}/mine"))["items"]
    assert [(row["vote"]["id"], row["voted"]) for row in mine] == [(first.pk, True), (second.pk, False)]
    assert ok(with_token(town.resident).get(f"{API}/mine"))["items"] == []
    assert Client().get(f"{API}/mine").status_code == 401


# --- creating and opening --------------------------------------------------------------------------------


def test_creating_needs_authority_and_valid_input_and_saves_nothing_otherwise(town):
    body = {"region": town.tree.community.pk, "question": "修路吗？"}
    assert post(Client(), "/", body).status_code == 401
    refused(post(as_(town.reps[0]), "/", body), 403, "forbidden")
    refused(post(as_(town.other_secretary), "/", body), 403, "forbidden")
    # A phone lookup must not tell someone without authority who is registered.
    refused(
        post(as_(town.resident), "/", {**body, "electorate": "list", "people": ["13999999999"]}),
        403,
        "forbidden",
    )
    assert "200 characters" in refused(
        post(as_(town.secretary), "/", {**body, "question": " "}), 409, "question_required"
    )
    refused(
        post(
            as_(town.secretary),
            "/",
            {**body, "kind": "options", "preset": "plurality", "options": BIDDERS[:1]},
        ),
        409,
        "options_required",
    )
    refused(
        post(as_(town.secretary), "/", {**body, "kind": "options", "options": BIDDERS}),
        409,
        "rule_kind_mismatch",
    )
    refused(
        post(as_(town.secretary), "/", {**body, "electorate": "list", "people": ["13999999999"]}),
        409,
        "unknown_person",
    )
    response = post(as_(town.secretary), "/", {**body, "kind": "maybe"})
    assert response.status_code == 422 and response.json()["errors"][0]["loc"][-1] == "kind"
    assert not Vote.objects.exists()
    created = ok(post(with_token(town.secretary), "/", body), 201)
    assert created["rule"]["threshold"] == "2/3" and created["rule"]["preset"] == "eight_step"


def test_opening_twice_and_opening_elsewhere_are_refused(town):
    draft = drafting.create_vote(actor=town.secretary, region=town.tree.community, question="修路吗？")
    assert post(as_(town.other_secretary), f"/{draft.pk}/open").status_code == 404  # a draft is not public
    ok(post(as_(town.secretary), f"/{draft.pk}/open"))
    refused(post(as_(town.other_secretary), f"/{draft.pk}/open"), 403, "forbidden")
    refused(post(as_(town.secretary), f"/{draft.pk}/open"), 409, "already_open")


# --- casting ---------------------------------------------------------------------------------------------


def test_casting_returns_a_receipt_once_and_refuses_the_second(town):
    vote = opened(town)
    voter = with_token(town.reps[0])
    receipt = ok(post(voter, f"/{vote.pk}/ballots", {"option": "yes"}), 201)
    assert receipt["seat"] == "self" and Ballot.objects.get(receipt=receipt["receipt"]).option.key == "yes"
    assert refused(post(voter, f"/{vote.pk}/ballots", {"option": "no"}), 409, "already_voted") == (
        "You have already voted online."
    )
    assert Ballot.objects.filter(vote=vote, option__isnull=False).count() == 1


def test_casting_refuses_someone_not_entitled_a_closed_vote_and_an_unknown_choice(town):
    vote = opened(town)
    detail = refused(
        post(with_token(town.resident), f"/{vote.pk}/ballots", {"option": "yes"}), 403, "forbidden"
    )
    assert detail == "You are not entitled to vote in this vote."
    refused(post(with_token(town.reps[0]), f"/{vote.pk}/ballots", {"option": "maybe"}), 409, "unknown_option")
    refused(
        post(with_token(town.reps[0]), f"/{vote.pk}/ballots", {"option": "yes", "seat": "p1"}),
        409,
        "unknown_seat",
    )
    assert not Participation.objects.exists()
    tallies.close_vote(actor=town.secretary, vote=vote)
    refused(post(with_token(town.reps[0]), f"/{vote.pk}/ballots", {"option": "yes"}), 409, "vote_closed")
    assert post(Client(), f"/{vote.pk}/ballots", {"option": "yes"}).status_code == 401


def test_someone_counted_on_paper_cannot_also_vote_online(town):
    vote = opened(town)
    elector = vote.electors.get(person=town.reps[0]).pk
    ok(
        post(as_(town.secretary), f"/{vote.pk}/participation", {"channel": "paper", "electors": [elector]}),
        201,
    )
    refused(post(with_token(town.reps[0]), f"/{vote.pk}/ballots", {"option": "yes"}), 409, "counted_on_paper")
    refused(
        post(as_(town.secretary), f"/{vote.pk}/participation", {"channel": "hands", "electors": [elector]}),
        409,
        "counted_on_paper",
    )
    refused(
        post(as_(town.secretary), f"/{vote.pk}/participation", {"channel": "hands", "electors": [424242]}),
        409,
        "not_an_elector",
    )
    refused(
        post(as_(town.reps[1]), f"/{vote.pk}/participation", {"channel": "hands", "electors": [elector]}),
        403,
        "forbidden",
    )
    assert Participation.objects.count() == 1


def test_session_writes_need_the_csrf_token(town):
    vote = opened(town)
    browser = as_(town.reps[0], enforce_csrf_checks=True)
    assert post(browser, f"/{vote.pk}/ballots", {"option": "yes"}).status_code == 403
    browser.cookies["csrftoken"] = "a" * 32
    ok(post(browser, f"/{vote.pk}/ballots", {"option": "yes"}, HTTP_X_CSRFTOKEN="a" * 32), 201)


# --- tallies, proxies, corrections -----------------------------------------------------------------------


def test_the_same_person_cannot_enter_both_counts_and_disagreeing_counts_are_kept(town):
    vote = opened(town)
    tallies.record_participation(actor=town.secretary, vote=vote, channel="paper", electors=town.reps[:8])
    secretary = with_token(town.secretary)
    ok(post(secretary, f"/{vote.pk}/tallies", {"channel": "paper", "counts": {"yes": 6, "no": 2}}), 201)
    detail = refused(
        post(secretary, f"/{vote.pk}/tallies", {"channel": "paper", "counts": {"yes": 6, "no": 2}}),
        409,
        "same_staff",
    )
    assert detail == "You entered the first count; a second member of staff must enter the check count."
    second = ok(
        post(
            with_token(town.clerk), f"/{vote.pk}/tallies", {"channel": "paper", "counts": {"yes": 5, "no": 3}}
        ),
        201,
    )
    assert second["state"] == "mismatch" and TallyEntry.objects.count() == 2
    refused(post(secretary, f"/{vote.pk}/close"), 409, "tally_mismatch")
    refused(
        post(secretary, f"/{vote.pk}/tallies", {"channel": "paper", "counts": {"yes": 9}}),
        409,
        "tally_exceeds_participants",
    )
    refused(
        post(with_token(town.reps[0]), f"/{vote.pk}/tallies", {"channel": "paper", "counts": {"yes": 1}}),
        403,
        "forbidden",
    )
    assert post(secretary, f"/{vote.pk}/tallies", {"channel": "online", "counts": {}}).status_code == 422


def test_a_proxy_is_recorded_with_its_photo_by_multipart(town):
    vote = opened(town, proxies_allowed=True)
    principal = vote.electors.get(person=town.reps[1]).pk
    staff = with_token(town.secretary)
    path = f"{API}/{vote.pk}/proxies"
    made = ok(
        staff.post(
            path, {"holder_phone": town.reps[0].phone, "principal": principal, "form_photo": form_photo()}
        ),
        201,
    )
    assert (made["holder"], made["principal"]) == ("代表0", "代表1")
    assert Proxy.objects.get().form_photo.name.endswith(".jpg")
    assert staff.post(path, {"holder_phone": town.reps[0].phone, "principal": principal}).status_code == 422
    refused(
        staff.post(path, {"holder_phone": "12345", "principal": principal, "form_photo": form_photo()}),
        409,
        "invalid_phone",
    )
    refused(
        staff.post(
            path, {"holder_phone": town.reps[2].phone, "principal": principal, "form_photo": form_photo()}
        ),
        409,
        "proxy_exists",
    )
    refused(
        with_token(town.reps[5]).post(
            path, {"holder_phone": town.reps[0].phone, "principal": principal, "form_photo": form_photo()}
        ),
        403,
        "forbidden",
    )
    assert Proxy.objects.count() == 1


def test_corrections_withdraw_a_proxy_and_recount_a_closed_vote(town):
    vote = opened(town, proxies_allowed=True)
    proxy = casting.record_proxy(
        actor=town.secretary, vote=vote, holder=town.reps[0], principal=town.reps[1], form_photo=form_photo()
    )
    staff = with_token(town.secretary)
    refused(
        post(staff, f"/{vote.pk}/corrections", {"reason": " ", "proxy": proxy.pk}), 409, "reason_required"
    )
    withdrawn = ok(post(staff, f"/{vote.pk}/corrections", {"reason": "本人到场", "proxy": proxy.pk}), 201)
    assert (withdrawn["target"], withdrawn["target_id"], withdrawn["signed_by"]) == (
        "proxy",
        str(proxy.pk),
        "张金利",
    )
    refused(
        post(staff, f"/{vote.pk}/corrections", {"reason": "再撤", "proxy": proxy.pk}), 409, "proxy_voided"
    )

    tallies.record_participation(actor=town.secretary, vote=vote, channel="paper", electors=town.reps[:8])
    for person in (town.secretary, town.clerk):
        tallies.enter_tally(actor=person, vote=vote, channel="paper", counts={"yes": 6, "no": 2})
    tallies.close_vote(actor=town.secretary, vote=vote)
    recount = {"reason": "复核纸质选票", "tallies": {"paper": {"yes": 7, "no": 1}}}
    refused(post(with_token(town.owners_committee), f"/{vote.pk}/corrections", recount), 403, "forbidden")
    made = ok(post(with_token(town.clerk), f"/{vote.pk}/corrections", recount), 201)
    assert made["counts"] == {"yes": 7, "no": 1, "abstain": 0}
    detail = ok(as_().get(f"{API}/{vote.pk}"))
    assert detail["passed"] is False  # the original stands on the vote itself …
    assert (
        detail["result"]["corrected"] is True and detail["result"]["passed"] is True
    )  # … the recount beside it
    assert detail["result"]["original_reason"] == "6 of 10 in favour, 7 needed: not passed."
    assert [c["target"] for c in detail["corrections"]] == ["proxy", "result"]
    assert Correction.objects.count() == 2


# --- receipts and what a secret vote never shows ---------------------------------------------------------


def test_an_open_votes_receipts_and_named_list_are_public_after_closing(town):
    vote = opened(town)
    mine = ok(post(with_token(town.reps[0]), f"/{vote.pk}/ballots", {"option": "no"}), 201)["receipt"]
    assert ok(as_().get(f"{API}/{vote.pk}/receipts"))["count"] == 0  # not while the vote runs
    assert ok(with_token(town.reps[0]).get(f"{API}/{vote.pk}/receipt")) == [
        {"who": "yourself", "receipt": mine, "choice": "against"}
    ]
    tallies.close_vote(actor=town.secretary, vote=vote)
    found = ok(as_().get(f"{API}/{vote.pk}/receipts", {"code": mine.lower()}))
    assert found["items"] == [{"receipt": mine, "choice": "against"}]
    assert ok(as_().get(f"{API}/{vote.pk}/receipts", {"code": "2222-3333-4444"}))["count"] == 0
    assert ok(as_().get(f"{API}/{vote.pk}/named"))["items"] == [
        {"who": "代表0", "choice": "against", "channel": "online"}
    ]


def test_a_secret_vote_never_shows_who_chose_what(town):
    vote = opened(town, secret=True)
    for rep in town.reps[:5]:
        ok(post(with_token(rep), f"/{vote.pk}/ballots", {"option": "yes"}), 201)
    for rep in town.reps[5:7]:
        ok(post(with_token(rep), f"/{vote.pk}/ballots", {"option": "no"}), 201)
    refused(
        post(
            as_(town.secretary),
            f"/{vote.pk}/participation",
            {
                "channel": "paper",
                "electors": [vote.electors.get(person=town.reps[8]).pk],
                "choices": {str(vote.electors.get(person=town.reps[8]).pk): "no"},
            },
        ),
        409,
        "named_in_secret",
    )
    refused(with_token(town.reps[0]).get(f"{API}/{vote.pk}/receipt"), 409, "secret_vote")
    tallies.close_vote(actor=town.secretary, vote=vote)
    texts = [
        as_(viewer).get(f"{API}/{vote.pk}").content.decode()
        for viewer in (None, town.reps[0], town.secretary)
    ]
    texts.append(as_().get(f"{API}/{vote.pk}/receipts").content.decode())
    for text in texts:
        for rep in town.reps:
            assert rep.name not in json.loads(text).__repr__()
    receipts = ok(as_().get(f"{API}/{vote.pk}/receipts"))
    assert receipts["count"] == 7 and {r["choice"] for r in receipts["items"]} == {None}
    refused(as_().get(f"{API}/{vote.pk}/named"), 409, "secret_vote")
    assert not NamedChoice.objects.filter(vote=vote).exists()


def test_who_took_part_is_for_the_staff_and_never_says_how(town):
    vote = opened(town)
    casting.cast_ballot(actor=town.reps[0], vote=vote, option="no")
    rows = ok(with_token(town.clerk).get(f"{API}/{vote.pk}/electors"))
    assert rows["count"] == 10
    assert {r["label"]: r["channel"] for r in rows["items"]}["代表0"] == "online"
    assert "against" not in json.dumps(rows)
    waiting = ok(with_token(town.clerk).get(f"{API}/{vote.pk}/electors", {"waiting": True}))
    assert waiting["count"] == 9
    refused(with_token(town.reps[0]).get(f"{API}/{vote.pk}/electors"), 403, "forbidden")
    refused(with_token(town.other_secretary).get(f"{API}/{vote.pk}/electors"), 403, "forbidden")


WRITES = [
    "/",
    "/{v}/open",
    "/{v}/close",
    "/{v}/ballots",
    "/{v}/proxies",
    "/{v}/participation",
    "/{v}/tallies",
    "/{v}/corrections",
]


@pytest.mark.parametrize("path", WRITES)
def test_anonymous_writes_are_401_and_change_nothing(town, path):
    vote = opened(town)
    response = post(Client(), path.format(v=vote.pk), {"option": "yes", "reason": "x"})
    assert response.status_code == 401
    assert Vote.objects.get(pk=vote.pk).status == "open" and Vote.objects.count() == 1
    assert not Participation.objects.exists()


def test_the_detail_and_the_receipts_cost_as_many_queries_with_forty_voters_as_with_four(town):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    costs = {}
    for n in (4, 40):
        voters = [builders.person(f"选民{n}-{i}") for i in range(n)]
        vote = opened(town, electorate="list", people=voters, question=f"表决{n}")
        for voter in voters[: n // 2]:
            casting.cast_ballot(actor=voter, vote=vote, option="yes")
        tallies.close_vote(actor=town.secretary, vote=vote)
        counted = []
        for path in (f"/{vote.pk}", f"/{vote.pk}/receipts", f"/{vote.pk}/named"):
            with CaptureQueriesContext(connection) as ctx:
                ok(with_token(voters[-1]).get(f"{API}{path}"))
            counted.append(len(ctx.captured_queries))
        costs[n] = counted
    assert costs[4] == costs[40]
