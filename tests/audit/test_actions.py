"""The record's vocabulary: one list of actions, each said in Chinese, the only words ``record`` accepts.

The call sites are read from the source (``ast``): every ``record(...)`` names its action by a member of the
list (or looks it up in one of the list's mappings), and every member is named by some call site, so the list
and the code cannot drift apart.
"""

import ast
from pathlib import Path

import pytest
from django.db import transaction
from django.utils import translation

import yishi
from yishi.audit.actions import MOVE_ACTIONS, Action, action_label
from yishi.audit.models import AuditEntry
from yishi.audit.services import record
from yishi.procedures.models import TransitionKind
from yishi.regions.models import Level
from yishi.regions.services import create_region

SOURCE = Path(yishi.__file__).resolve().parent
MAPPINGS = {"MOVE_ACTIONS": MOVE_ACTIONS}


def record_calls():
    """(file:line, the action argument's expression) for every ``record(...)`` call in the source."""
    for path in sorted(SOURCE.rglob("*.py")):
        if "migrations" in path.parts:
            continue
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.Call) and getattr(node.func, "id", None) == "record":
                action = next((k.value for k in node.keywords if k.arg == "action"), None)
                yield f"{path.relative_to(SOURCE)}:{node.lineno}", action


def members_named_in_source() -> set[Action]:
    named = set()
    for path in sorted(SOURCE.rglob("*.py")):
        if path == SOURCE / "audit" / "actions.py":
            continue
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.Attribute) and getattr(node.value, "id", None) == "Action":
                named.add(Action[node.attr])
            if isinstance(node, ast.Name) and node.id in MAPPINGS:
                named |= set(MAPPINGS[node.id].values())
    return named


def test_every_record_call_names_its_action_by_a_member_never_by_a_string():
    calls = list(record_calls())
    assert len(calls) > 60, "the source was not read"
    strings = [
        where
        for where, action in calls
        if action is None or isinstance(action, ast.Constant | ast.JoinedStr | ast.BinOp)
    ]
    assert strings == []
    for where, action in calls:
        if isinstance(action, ast.Attribute):
            assert getattr(action.value, "id", None) == "Action" and action.attr in Action.__members__, where
        elif isinstance(action, ast.Subscript):
            assert getattr(action.value, "id", None) in MAPPINGS, where
        else:
            # Passed through a helper (comments' ``_audit``), whose own callers are checked below.
            assert isinstance(action, ast.Name), where


def test_every_member_is_written_somewhere_and_nothing_else_is():
    assert members_named_in_source() == set(Action)


def test_every_member_is_named_after_its_value():
    for name, member in Action.__members__.items():
        assert name == member.value.upper().replace(".", "_")


def test_every_action_is_said_in_chinese():
    untranslated = []
    for member in Action:
        with translation.override("en"):
            english = str(member.label)
        with translation.override("zh-hans"):
            chinese = str(member.label)
        if chinese == english or not any("\u4e00" <= c <= "\u9fff" for c in chinese):
            untranslated.append(member.value)
    assert untranslated == []


def test_every_kind_of_move_has_its_action():
    assert set(MOVE_ACTIONS) == set(TransitionKind.values)
    # The closes at screening keep the matters' names their entries have had since before the engine made them.
    screening = {"decline", "refer", "merge"}
    assert all(MOVE_ACTIONS[k].value.startswith("procedures.") for k in set(MOVE_ACTIONS) - screening)
    assert all(MOVE_ACTIONS[k].value.startswith("matters.") for k in screening)


@pytest.mark.django_db
@pytest.mark.parametrize("action", ["regions.create_region", "regions.create_regoin"])
def test_record_refuses_anything_but_a_member_and_writes_nothing(action):
    region = create_region(actor=None, parent=None, level=Level.CITY, name="沧州市", code="130900000000")
    with pytest.raises(TypeError, match="Action member"), transaction.atomic():
        record(actor=None, action=action, target=region)
    assert AuditEntry.objects.count() == 1


@pytest.mark.django_db
def test_an_entry_stores_the_plain_value_and_shows_its_words():
    region = create_region(actor=None, parent=None, level=Level.CITY, name="沧州市", code="130900000000")
    entry = AuditEntry.objects.get()
    entry.refresh_from_db()
    assert entry.action == "regions.create_region" and type(entry.action) is str
    with translation.override("zh-hans"):
        assert entry.action_label == str(Action.REGIONS_CREATE_REGION.label)
        assert entry.target_label == "区划"
    assert entry.target_id == str(region.pk)


def test_an_action_this_version_does_not_know_is_shown_as_stored():
    assert action_label("someapp.retired_action") == "someapp.retired_action"
    assert AuditEntry(action="x.y", target_type="gone.model").target_label == "gone.model"
