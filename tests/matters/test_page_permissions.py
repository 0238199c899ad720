"""Who sees which form on the matter page, and what happens when each person posts each action.

The two tables below are the expectation, written out by hand: the forms each role finds at each state
(the page shows what ``available_actions`` allows), and the answer each role gets when posting each action
at the state where the action belongs. A refused post leaves nothing behind.
"""

import re

import pytest
from django.utils.html import escape

from tests import builders
from tests.matters.test_actions import plan_data, publish_data, session_data, snapshot, vote_data
from tests.matters.test_pages import html, other_matter, tr, walk
from tests.procedures import flows
from yishi.works.services import assign_work, report_progress

ROLES = (
    "resident",
    "supporter",
    "other",
    "council",
    "committee",
    "sibling",
    "expert",
    "unit",
    "bureau",
    "anonymous",
)

# The base every committee member of this community has on an open matter.
STAFF = {"support", "record_support", "withdraw", "merge", "advance", "close"}

# state -> role -> the forms on the matter page (a form's name is the last part of the URL it posts to;
# "record_support" is the staff form that adds a resident's name by mobile).
FORMS = {
    "raise": {
        "resident": {"withdraw"},
        "supporter": set(),
        "other": {"support"},
        "council": {"support"},
        "committee": {"support", "record_support", "withdraw", "screen", "merge"},
        "sibling": {"support"},
        "expert": {"support"},
        "unit": {"support"},
        "bureau": {"support"},
        "anonymous": set(),
    },
    "ideas": {
        "resident": set(),  # accepted: withdrawing is the committee's now
        "supporter": set(),
        "other": {"support"},
        "council": {"support", "session"},
        "committee": STAFF | {"session"},
        "sibling": {"support"},
        "expert": {"support"},
        "unit": {"support"},
        "bureau": {"support"},
        "anonymous": set(),
    },
    "draft": {
        "resident": set(),  # accepted: withdrawing is the committee's now
        "supporter": set(),
        "other": {"support"},
        "council": {"support", "plan"},
        "committee": STAFF | {"plan"},
        "sibling": {"support"},
        "expert": {"support"},
        "unit": {"support"},
        "bureau": {"support"},
        "anonymous": set(),
    },
    "consensus": {
        "resident": set(),  # accepted: withdrawing is the committee's now
        "supporter": set(),
        "other": {"support"},
        "council": {"support", "plan", "session"},
        "committee": STAFF | {"return", "consensus", "plan", "session"},
        "sibling": {"support"},
        "expert": {"support"},
        "unit": {"support"},
        "bureau": {"support"},
        "anonymous": set(),
    },
    "review": {
        "resident": set(),  # accepted: withdrawing is the committee's now
        "supporter": set(),
        "other": {"support"},
        "council": {"support"},
        "committee": STAFF | {"return"},
        "sibling": {"support"},
        "expert": {"support", "review"},
        "unit": {"support"},
        "bureau": {"support"},
        "anonymous": set(),
    },
    "vote": {
        "resident": set(),  # accepted: withdrawing is the committee's now
        "supporter": set(),
        "other": {"support"},
        "council": {"support"},
        "committee": STAFF | {"return", "vote"},
        "sibling": {"support"},
        "expert": {"support"},
        "unit": {"support"},
        "bureau": {"support"},
        "anonymous": set(),
    },
    # with one task the fire brigade has reported finished
    "implement": {
        "resident": {"supervise"},
        "supporter": {"supervise"},
        "other": {"support"},
        "council": {"support"},
        "committee": STAFF | {"works", "report"},
        "sibling": {"support"},
        "expert": {"support"},
        "unit": {"support", "report"},
        "bureau": {"support"},
        "anonymous": set(),
    },
    "publish": {
        "resident": {"rate"},
        "supporter": {"rate"},
        "other": {"support"},
        "council": {"support"},
        "committee": STAFF | {"publish"},
        "sibling": {"support"},
        "expert": {"support"},
        "unit": {"support"},
        "bureau": {"support"},
        "anonymous": set(),
    },
    # Once resolved, only the residents who raised or supported it may still rate the result.
    "resolved": {role: {"rate"} if role in ("resident", "supporter") else set() for role in ROLES},
}

# Every logged-in person may comment on a new, open or resolved matter: the comment form is on each page.
for _state in FORMS.values():
    for _role, _forms in _state.items():
        if _role != "anonymous":
            _forms.add("comments")

L = "login"
# action -> the answer to each role's post, in the order of ROLES:
#             resident supporter other council committee sibling expert unit bureau anonymous
POSTS = {
    "support": (409, 409, 302, 302, 302, 302, 302, 302, 302, L),
    "screen": (403, 403, 403, 403, 302, 403, 403, 403, 403, L),
    "merge": (403, 403, 403, 403, 302, 403, 403, 403, 403, L),
    "advance": (403, 403, 403, 403, 302, 403, 403, 403, 403, L),
    "return": (403, 403, 403, 403, 302, 403, 403, 403, 403, L),
    "withdraw": (409, 403, 403, 403, 302, 403, 403, 403, 403, L),
    "close": (403, 403, 403, 403, 302, 403, 403, 403, 403, L),
    "session": (403, 403, 403, 302, 302, 403, 403, 403, 403, L),
    "plan": (403, 403, 403, 302, 302, 403, 403, 403, 403, L),
    "consensus": (403, 403, 403, 403, 302, 403, 403, 403, 403, L),
    "review": (403, 403, 403, 403, 403, 403, 302, 403, 403, L),
    "vote": (403, 403, 403, 403, 302, 403, 403, 403, 403, L),
    "works": (403, 403, 403, 403, 302, 403, 403, 403, 403, L),
    "report": (403, 403, 403, 403, 302, 403, 403, 302, 403, L),
    "supervise": (302, 302, 403, 403, 403, 403, 403, 403, 403, L),
    "publish": (403, 403, 403, 403, 302, 403, 403, 403, 403, L),
}

# action -> (the state where it belongs, the form it shows as)
WHERE = {
    "support": "raise",
    "screen": "raise",
    "merge": "raise",
    "advance": "ideas",
    "return": "consensus",
    "withdraw": "ideas",
    "close": "ideas",
    "session": "ideas",
    "plan": "draft",
    "consensus": "consensus",
    "review": "review",
    "vote": "vote",
    "works": "implement",
    "report": "implement",
    "supervise": "implement",
    "publish": "publish",
}

FORBIDDEN = {
    "report": "Only those the task is given to report on it: the unit's staff, the person named, or the committee.",
    "supervise": "Only the residents who raised or supported this matter confirm its tasks.",
}
CONFLICT = {
    ("support", "resident"): "You raised this matter yourself; it already counts you.",
    ("support", "supporter"): "You already support this matter.",
    ("withdraw", "resident"): (
        "The matter has been accepted: only the community committee can now withdraw it, with a public reason."
    ),
}


@pytest.fixture
def people(place):
    bureau = builders.person("民政局科员")
    builders.role(bureau, "bureau", place.tree.district)
    return {
        "resident": place.resident,
        "supporter": place.neighbour,
        "other": place.outsider,
        "council": place.council,
        "committee": place.secretary,
        "sibling": place.other_secretary,
        "expert": place.lawyer,
        "unit": place.fire_staff,
        "bureau": bureau,
        "anonymous": None,
    }


def at(place, state: str, *, done_task: bool = False):
    """The flooded lane at ``state``; at implementation with one task for the fire brigade."""
    m = walk(place, state)
    work = None
    if state == "implement":
        work = assign_work(
            actor=place.secretary, matter=m, title="维修坑洼路面", unit=place.fire, due_on=place.soon
        )
        if done_task:
            report_progress(actor=place.fire_staff, work=work, text="4处破损路面已维修", done=True)
    return m, work


def forms_on(response, m) -> set[str]:
    found = set()
    for target, body in re.findall(
        r'<form method="post" action="([^"]+)"[^>]*>(.*?)</form>', html(response), re.S
    ):
        match = re.fullmatch(rf"/m/{m.pk}/(?:works/\d+/)?(\w+)/", target)
        if not match:
            continue  # the page's own switches: log out, language, elderly mode
        name = match.group(1)
        found.add("record_support" if name == "support" and 'name="phone"' in body else name)
    return found


def login(client, who):
    client.logout()
    if who is not None:
        client.force_login(who)


@pytest.mark.parametrize("state", list(FORMS))
def test_each_role_finds_exactly_the_forms_of_the_table(place, people, client, state):
    m, _work = at(place, state, done_task=True)
    found = {}
    for role in ROLES:
        login(client, people[role])
        response = client.get(f"/m/{m.pk}/")
        assert response.status_code == 200
        found[role] = forms_on(response, m)

    assert found == FORMS[state]


def test_a_resident_who_already_supports_is_told_so_instead_of_offered_the_button(place, client):
    m, _work = at(place, "ideas")
    client.force_login(place.neighbour)

    response = client.get(f"/m/{m.pk}/")

    assert escape(tr("You support this matter.")) in html(response)


def test_the_anonymous_visitor_is_offered_to_log_in_to_add_their_name(place, client):
    m, _work = at(place, "ideas")

    response = client.get(f"/m/{m.pk}/")

    assert f'href="/login/?next=/m/{m.pk}/"' in html(response)


def _setup(place, action: str):
    """A matter where ``action`` belongs, and the URL part and data to post it."""
    state = WHERE[action]
    m, work = at(place, state, done_task=action == "supervise")
    data = {
        "support": {},
        "screen": {"decision": "accept"},
        "advance": {"expected_step": "ideas"},
        "return": {"step": "draft", "expected_step": "consensus", "reason": "预算需要重新核算"},
        "withdraw": {"reason": "已经自行解决"},
        "close": {"reason": "多方无法达成一致"},
        "session": session_data(),
        "plan": plan_data(place),
        "consensus": {"minutes": "同意"},
        "review": {"decision": "approve", "opinion": "可行。"},
        "vote": vote_data(20),
        "works": {"title": "清理路面", "unit": place.property.pk, "due_on": "2026-11-15"},
        "report": {"text": "正在施工"},
        "supervise": {"verdict": "confirm", "rating": "5"},
        "publish": publish_data(),
    }.get(action)
    if action == "merge":
        data = {"into": other_matter(place, title="西侧路积水", by=place.outsider).pk}
    if action == "advance":
        flows.session(place, m)
    path = f"works/{work.pk}/{action}" if action in ("report", "supervise") else action
    return m, path, data


@pytest.mark.parametrize("action", list(POSTS))
def test_each_role_posting_each_action_gets_the_answer_of_the_table(place, people, client, action):
    expected = dict(zip(ROLES, POSTS[action], strict=True))
    m, path, data = _setup(place, action)
    url = f"/m/{m.pk}/{path}/"
    # Refusals first, on one matter: none of them may change anything.
    for role in [r for r in ROLES if expected[r] != 302]:
        login(client, people[role])
        before = snapshot()
        response = client.post(url, data)
        if expected[role] == L:
            assert response.status_code == 302, role
            assert response.url == f"/login/?next={url}", role
        else:
            assert response.status_code == expected[role], (role, response.status_code)
            reason = (
                CONFLICT.get((action, role))
                or FORBIDDEN.get(action)
                or ("You do not have the authority to do this here.")
            )
            assert escape(tr(reason)) in html(response), role
        assert snapshot() == before, role
    # Each success on a matter of its own, so that one success does not stand in the way of the next.
    for role in [r for r in ROLES if expected[r] == 302]:
        m, path, data = _setup(place, action)
        login(client, people[role])
        before = snapshot()
        response = client.post(f"/m/{m.pk}/{path}/", data)
        assert response.status_code == 302, (role, response.status_code)
        assert response.url == f"/m/{m.pk}/", role
        assert snapshot() != before, role


def test_the_two_tables_agree_whoever_sees_a_form_may_use_it():
    for action, answers in POSTS.items():
        allowed = {role for role, answer in zip(ROLES, answers, strict=True) if answer == 302}
        shown = {role for role, names in FORMS[WHERE[action]].items() if action in names}
        assert shown == allowed, action
