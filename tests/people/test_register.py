"""register_person: the one way a person is recorded."""

import json

import pytest
from django.db.models import QuerySet

from tests import builders
from yishi.audit.models import AuditEntry
from yishi.audit.services import verify
from yishi.errors import Refused
from yishi.people.models import Person
from yishi.people.services import register_person

pytestmark = pytest.mark.django_db


def _counts():
    return Person.objects.count(), AuditEntry.objects.count()


def test_register_person_records_the_person_with_the_normalised_phone():
    person = register_person(actor=None, name="  张  金利 ", phone="+86 138 1234 5678", gender="F")

    person.refresh_from_db()
    assert person.name == "张 金利"
    assert person.phone == "13812345678"
    assert person.gender == "F"
    assert person.is_active
    assert not person.has_usable_password()


def test_register_person_with_a_password_lets_them_use_it():
    person = register_person(actor=None, name="孙丽", phone="13812345678", password="yishi-demo-2026")
    assert person.check_password("yishi-demo-2026")
    assert not person.check_password("wrong")


def test_people_without_a_phone_can_be_recorded_side_by_side():
    first = register_person(actor=None, name="李大爷")
    second = register_person(actor=None, name="王奶奶")
    assert first.phone is None and second.phone is None


def test_register_person_writes_an_audit_entry_with_no_personal_data_in_clear():
    before = AuditEntry.objects.count()

    person = register_person(actor=None, name="张金利", phone="13812345678")

    assert AuditEntry.objects.count() == before + 1
    entry = AuditEntry.objects.latest("seq")
    assert entry.action == "people.register_person"
    assert (entry.target_type, entry.target_id) == ("people.person", str(person.pk))
    assert entry.personal_digest  # the name and phone are proven by a keyed digest ...
    public = json.dumps(
        [
            entry.actor_ref,
            entry.action,
            entry.target_type,
            entry.target_id,
            entry.data,
            entry.personal_digest,
        ],
        ensure_ascii=False,
    )
    for secret in ("张金利", "13812345678", "5678"):  # ... and appear nowhere in clear
        assert secret not in public
    assert verify() is None


def test_the_audit_digest_differs_for_different_people():
    register_person(actor=None, name="张金利", phone="13812345678")
    register_person(actor=None, name="张金利", phone="13812345679")
    first, second = AuditEntry.objects.filter(action="people.register_person").order_by("seq")
    assert first.personal_digest != second.personal_digest


def test_a_name_with_markup_is_stored_exactly_as_typed():
    name = '<script>alert("x")</script>&amp;'
    person = register_person(actor=None, name=name)
    person.refresh_from_db()
    assert person.name == name


@pytest.mark.parametrize(
    ("kwargs", "code", "field"),
    [
        ({"name": ""}, "name_required", "name"),
        ({"name": "  \t\n "}, "name_required", "name"),
        ({"name": "张" * 51}, "name_too_long", "name"),
        ({"name": "张金利", "phone": "12345"}, "invalid_phone", "phone"),
        ({"name": "张金利", "phone": "23812345678"}, "invalid_phone", "phone"),
        ({"name": "张金利", "phone": "not a phone"}, "invalid_phone", "phone"),
        ({"name": "张金利", "gender": "X"}, "invalid_gender", "gender"),
    ],
)
def test_register_person_refuses_bad_input_and_saves_nothing(kwargs, code, field):
    before = _counts()
    with pytest.raises(Refused) as exc:
        register_person(actor=None, **kwargs)
    assert exc.value.code == code
    assert exc.value.field == field
    assert str(exc.value.reason)
    assert _counts() == before


def test_a_name_of_exactly_fifty_characters_is_accepted():
    assert register_person(actor=None, name="张" * 50).name == "张" * 50


def test_a_phone_number_already_registered_is_refused_in_any_spelling():
    builders.person("张金利", phone="13812345678")
    before = _counts()

    with pytest.raises(Refused) as exc:
        register_person(actor=None, name="另一个人", phone="+86 138-1234-5678")

    assert exc.value.code == "phone_taken"
    assert exc.value.field == "phone"
    assert _counts() == before


def test_a_phone_registered_at_the_same_moment_elsewhere_is_refused_not_an_error(monkeypatch):
    """The check and the insert are two statements: another office may register the number in between.

    Simulated by letting the first existence check miss the other office's row; the unique index decides.
    """
    builders.person("另一个办公室登记的人", phone="13812345678")
    before = _counts()
    original_exists = QuerySet.exists
    calls = []

    def first_check_misses(queryset):
        calls.append(queryset)
        return False if len(calls) == 1 else original_exists(queryset)

    monkeypatch.setattr(QuerySet, "exists", first_check_misses)
    with pytest.raises(Refused) as exc:
        register_person(actor=None, name="张金利", phone="13812345678")

    assert exc.value.code == "phone_taken"
    assert _counts() == before
