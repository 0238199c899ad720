"""The API answers as its schema says: schemathesis in-process against the WSGI app, on both databases.

A short run over the key operations (the lists with their filters, a matter, raising a matter), so a
schema break fails the normal suite; scripts/fuzz-api fuzzes every operation against a live server in CI.
"""

import pytest
import schemathesis
from django.core.signals import request_finished, request_started
from django.core.wsgi import get_wsgi_application
from django.db import close_old_connections
from hypothesis import HealthCheck, settings
from schemathesis.checks import (
    content_type_conformance,
    not_a_server_error,
    response_schema_conformance,
    status_code_conformance,
)

from tests import builders
from yishi.api import api
from yishi.matters import services as matters
from yishi.people.tokens import issue_token

schema = schemathesis.openapi.from_wsgi("/api/v1/openapi.json", get_wsgi_application())
CHECKS = [not_a_server_error, status_code_conformance, content_type_conformance, response_schema_conformance]
KEY_OPERATIONS = (
    r"^(GET|POST) /api/v1/matters/$|^GET /api/v1/matters/\{matter_id\}$|^GET /api/v1/(votes|meetings|surveys)/$"
    r"|^GET /api/v1/audit/entries$|^GET /api/v1/regions/|^GET /api/v1/board/\{region_id\}$"
    r"|^GET /api/v1/notifications/$"
)


@pytest.fixture
def world(place):
    """The place with one matter raised, and a token for its secretary.

    The WSGI calls go through Django's handler, whose request signals close the database connection, and with
    it the test's transaction on PostgreSQL; Django's own test client switches that off the same way.
    """
    request_started.disconnect(close_old_connections)
    request_finished.disconnect(close_old_connections)
    matters.raise_matter(
        actor=place.resident,
        region=place.tree.compound,
        category=place.category,
        title="小区西侧小路积水",
        description="下雨后积水很深，老人摔倒过。",
    )
    builders.household(place.tree.building, room="101")
    yield issue_token(place.secretary)
    request_started.connect(close_old_connections)
    request_finished.connect(close_old_connections)


@pytest.mark.django_db
@schema.include(name_regex=KEY_OPERATIONS).parametrize()
@settings(
    max_examples=6, deadline=None, derandomize=True, database=None, suppress_health_check=list(HealthCheck)
)
def test_key_operations_answer_as_the_schema_says(case, world):
    case.call_and_validate(headers={"Authorization": f"Bearer {world}"}, checks=CHECKS)


def test_no_two_schemas_share_a_component_name():
    """ninja names components by class name: two apps' ``NoticeOut`` must not overwrite each other."""
    from ninja import Schema

    components = api.get_openapi_schema()["components"]["schemas"]
    stack, models = [Schema], []
    while stack:
        cls = stack.pop()
        stack.extend(cls.__subclasses__())
        if cls.__module__.startswith("yishi.") and cls.__module__.endswith("api"):
            models.append(cls)
    for model in models:
        app = model.__module__.split(".")[1].title()
        for name in (model.__name__, f"{app}{model.__name__}"):
            if name in components and set(components[name].get("properties", {})) == {
                (f.alias or n) for n, f in model.model_fields.items()
            }:
                break
        else:
            if any(name in components for name in (model.__name__, f"{app}{model.__name__}")):
                raise AssertionError(
                    f"{model.__module__}.{model.__name__} is published under another's schema"
                )
