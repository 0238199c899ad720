"""THE AUTHORITY MATRIX, generated: every page and API operation that changes something, taken by every role held
at the object's own node, at a parent and at a sibling, by anonymous, by a resident with no role and by the
people of the stories. Who may take it comes from tests/security/authority.py; everyone else must be refused
and leave the database exactly as it was. An endpoint missing from the table fails the first test by name.
"""

import dataclasses
import inspect

import pytest
from django.conf import settings
from django.contrib import admin
from django.db import transaction
from django.test import Client
from django.urls import URLPattern, URLResolver, get_resolver, path
from django.utils import timezone
from django.views.decorators.http import require_POST

from tests.security import world as world_module
from tests.security.authority import ENDPOINTS, Req
from yishi.access.roles import ACTIONS

CHANGING = {"POST", "PUT", "PATCH", "DELETE"}


def view_methods(view) -> set[str]:
    """The HTTP methods a view answers: from its require_http_methods decorator, else from its source."""
    f = view
    while f is not None:
        for cell in f.__closure__ or ():
            try:
                value = cell.cell_contents
            except ValueError:
                continue
            if (
                isinstance(value, list | tuple)
                and value
                and all(isinstance(v, str) and v.isupper() for v in value)
            ):
                return set(value)
        inner = getattr(f, "__wrapped__", None)
        if inner is None:
            break
        f = inner
    try:
        source = inspect.getsource(f)
    except (OSError, TypeError):
        return {"GET", "POST"}  # unknown: assume it may change something
    return {"GET", "POST"} if ("POST" in source or "request.method" in source) else {"GET"}


def page_endpoints(patterns=None, namespace=()) -> dict[str, str]:
    """name -> route of every URL pattern whose view accepts a changing method (the API and the admin apart)."""
    found = {}
    for p in get_resolver().url_patterns if patterns is None else patterns:
        if isinstance(p, URLResolver):
            if p.namespace in ("api", "admin"):
                continue
            found |= page_endpoints(p.url_patterns, (*namespace, p.namespace) if p.namespace else namespace)
        elif isinstance(p, URLPattern) and view_methods(p.callback) & CHANGING:
            name = ":".join((*namespace, p.name)) if p.name else str(p.pattern)
            found[name] = str(p.pattern)
    return found


def api_endpoints(ninja_api=None, prefix=None) -> set[str]:
    if ninja_api is None:
        from yishi.api import api as ninja_api
    schema = ninja_api.get_openapi_schema(path_prefix=prefix)
    return {
        f"{method.upper()} {route}"
        for route, ops in schema["paths"].items()
        for method in ops
        if method.upper() in CHANGING
    }


def missing(pages, operations) -> list[str]:
    return sorted(name for name in (*pages, *operations) if name not in ENDPOINTS)


def endpoint_of(key: str) -> str:
    """A key may name a variant of an endpoint's request after "#" (a body naming something elsewhere)."""
    return key.split("#", 1)[0]


def test_every_changing_page_and_api_operation_has_an_entry():
    assert missing(page_endpoints(), api_endpoints()) == [], "add these to tests/security/authority.py"


def test_every_entry_is_a_real_endpoint():
    real = set(page_endpoints()) | api_endpoints()
    assert sorted(key for key in ENDPOINTS if endpoint_of(key) not in real) == []


def test_a_new_changing_endpoint_without_an_entry_fails_by_name():
    from ninja import NinjaAPI, Router

    @require_POST
    def erase_everything(request):  # pragma: no cover - never called
        raise AssertionError

    def reads_only(request):  # pragma: no cover - never called
        raise AssertionError

    patterns = [
        *get_resolver().url_patterns,
        path("erase/", erase_everything, name="erase"),
        path("look/", reads_only, name="look"),
    ]
    fake = NinjaAPI(urls_namespace="fake")
    router = Router()

    @router.delete("/everything")
    def delete_everything(request):  # pragma: no cover - never called
        raise AssertionError

    @router.get("/everything")
    def list_everything(request):  # pragma: no cover - never called
        raise AssertionError

    fake.add_router("/fake", router)
    assert missing(page_endpoints(patterns), api_endpoints(fake, "/api/fake")) == [
        "DELETE /api/fake/fake/everything",
        "erase",
    ]


# ------------------------------------------------------------------------------------------------ the world
@pytest.fixture(scope="module")
def world(django_db_setup, django_db_blocker):
    """Built once per module inside a transaction that is rolled back at its end; each test runs in a savepoint."""
    with django_db_blocker.unblock():
        atomic = transaction.atomic()
        atomic.__enter__()
        try:
            w = world_module.build()
            w.sessions = sign_in_once(w)
            yield w
        finally:
            transaction.set_rollback(True)
            atomic.__exit__(None, None, None)


def sign_in_once(w) -> dict[int, str]:
    """person pk -> a session key, for every principal: a login per request would cost more than the request.
    Each attempt's savepoint rolls back whatever the request does to its session row."""
    people = [w.plain, *(getattr(w, name) for name in NAMED_ROLES), *w.holders.values()]
    sessions = {}
    for person in people:
        client = Client()
        client.force_login(person)
        sessions[person.pk] = client.cookies[settings.SESSION_COOKIE_NAME].value
    return sessions


def assert_signed_in(w):
    """The sessions signed in once must still be live on the test's clock, else a refusal would prove nothing."""
    from django.contrib.sessions.models import Session

    live = Session.objects.filter(session_key__in=w.sessions.values(), expire_date__gt=timezone.now()).count()
    assert live == len(set(w.sessions.values())), "a principal's session has expired: sign in again"


# The roles of the stories' people, for the expectation (written here, not asked of the code under test).
NAMED_ROLES = {
    "secretary": ("committee", "community"),
    "council": ("council", "community"),
    "lawyer": ("expert", "city"),
    "fire_staff": ("unit_staff", "city"),
    "other_secretary": ("committee", "sibling"),
    "resident": None,
    "neighbour": None,
    "outsider": None,
}


def principals(w, region):
    yield "anonymous", None, None, False
    yield "plain resident", w.plain, None, False
    for name, held in NAMED_ROLES.items():
        role, reaches = None, False
        if held:
            role = held[0]
            reaches = getattr(w.tree, held[1]) in world_module.chain(region)
        yield name, getattr(w, name), role, reaches
    for label, who, reaches in world_module.positions(w, region):
        yield label, who, label.split("@")[0], reaches


def expected(entry, label, who, role, reaches) -> bool:
    name = label if label in NAMED_ROLES else None
    if name in entry.barred:
        return False
    if entry.anyone or (entry.residents and who is not None) or name in entry.named:
        return True
    return bool(entry.action and role and reaches and role in ACTIONS[entry.action])


def send(client, req):
    if req.json:
        import json

        body = "" if req.data is None else json.dumps(req.data)
        return getattr(client, req.method)(req.path, body, content_type="application/json")
    return getattr(client, req.method)(req.path, req.data or {})


def refused(response) -> bool:
    if response.status_code in (301, 302):
        return "/login/" in response.get("Location", "")
    return 400 <= response.status_code < 500


def attempt(w, make, who, before):
    """One request in a savepoint rolled back after it: (status, what changed in the database since ``before``,
    the fingerprint taken once for all of a test's attempts, as each one leaves the database as it found it)."""
    from django.core.cache import cache

    cache.clear()  # rate limits count per address: forty principals from one test client
    client = Client()
    if who is not None:
        client.cookies[settings.SESSION_COOKIE_NAME] = w.sessions[who.pk]
    with transaction.atomic():
        try:
            response = send(client, make())
            after = world_module.fingerprint()
        finally:
            transaction.set_rollback(True)
    return response, world_module.difference(before, after)


def check(entry, w) -> tuple[list[str], int]:
    """Send the entry's request as every principal: (what went wrong, how many requests)."""
    region, make = entry.build(w)
    assert_signed_in(w)
    before = world_module.fingerprint()
    problems, count = [], 0
    for label, who, role, reaches in principals(w, region):
        allowed = expected(entry, label, who, role, reaches)
        response, changed = attempt(w, make, who, before)
        count += 1
        ok_status = response.status_code < 400 and not refused(response)
        if allowed and not (ok_status and (changed or not entry.changes)):
            problems.append(
                f"{label}: expected success, got {response.status_code} ({changed or 'nothing changed'})"
                f" {response.content[:300]!r}"[: 400 if len(problems) < 3 else 120]
            )
        if not allowed and (changed or not (refused(response) or entry.quiet)):
            problems.append(f"{label}: UNEXPECTED SUCCESS {response.status_code} {changed}")
    return problems, count


@pytest.fixture
def clocked(world, monkeypatch, settings):
    """Services read the time through timezone.now: a clock the builders move (a meeting sits at its hour)."""
    from tests.meetings.conftest import Clock

    settings.AUDIT_WITNESSES = [world.witness.verifier_key()]
    world.clock = Clock(timezone.now())
    monkeypatch.setattr(timezone, "now", world.clock)
    return world


@pytest.mark.parametrize("key", sorted(ENDPOINTS))
def test_only_those_with_authority_change_anything(key, clocked, db):
    problems, _count = check(ENDPOINTS[key], clocked)
    assert not problems, f"{key}:\n" + "\n".join(problems)


def test_the_matrix_notices_a_wrong_entry(clocked, db):
    """Proof the check has teeth: screening written as open to every resident, then as open to nobody."""
    screen = ENDPOINTS["matters:screen"]
    too_open, _count = check(dataclasses.replace(screen, action=None, residents=True), clocked)
    assert any(p.startswith("plain resident: expected success") for p in too_open)
    too_closed, _count = check(dataclasses.replace(screen, action=None), clocked)
    assert any(p.startswith("committee@own: UNEXPECTED SUCCESS") for p in too_closed)
    assert any(p.startswith("admin@own: UNEXPECTED SUCCESS") for p in too_closed)
    assert not any("sibling" in p for p in too_closed)


# ------------------------------------------------------------------------------------------------ the admin
def admin_endpoints() -> list[str]:
    from django.urls import reverse

    return sorted(
        reverse(f"admin:{model._meta.app_label}_{model._meta.model_name}_{view}")
        for model in admin.site._registry
        for view in ("add", "changelist")
    )


@pytest.mark.parametrize("url", admin_endpoints())
def test_the_admin_site_is_for_the_system_administrator_alone(url, world, db):
    """Every admin page answers a post from anyone but a superuser with the admin login, changing nothing;
    the ADMIN role held at a city is not the system administrator."""
    region = world.tree.compound
    before = world_module.fingerprint()
    for label, who, _role, _reaches in principals(world, region):
        if label not in (
            "anonymous",
            "plain resident",
            "secretary",
            "admin@own",
            "admin@parent",
            "bureau@own",
            "committee@own",
        ):
            continue
        response, changed = attempt(
            world,
            lambda: Req(
                url, {"name": "x", "action": "delete_selected", "_selected_action": "1", "post": "yes"}
            ),
            who,
            before,
        )
        assert response.status_code == 302 and "/admin/login/" in response["Location"], (label, response)
        assert not changed, (label, changed)
