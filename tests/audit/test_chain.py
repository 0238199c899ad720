"""The hash chain's pure functions: no database, so anyone can re-implement and check them."""

import hashlib
import json
from datetime import UTC, datetime, timedelta, timezone

import pytest

from yishi.audit.chain import actor_ref, canonical_json, entry_hash, personal_digest

AT = datetime(2026, 3, 1, 9, 30, 15, 123456, tzinfo=UTC)
FIELDS = {
    "seq": 7,
    "at": AT,
    "actor_ref": "a" * 32,
    "action": "matters.advance",
    "target_type": "matters.matter",
    "target_id": "42",
    "data": {"from": "ideas", "to": "draft", "supporters": [3, 5]},
    "personal_digest": "b" * 64,
    "prev_hash": "c" * 64,
}
# One different value per field, each a plausible forgery.
CHANGED = {
    "seq": 8,
    "at": AT + timedelta(microseconds=1),
    "actor_ref": "d" * 32,
    "action": "matters.return_to",
    "target_type": "matters.plan",
    "target_id": "43",
    "data": {"from": "ideas", "to": "vote", "supporters": [3, 5]},
    "personal_digest": "",
    "prev_hash": "e" * 64,
}


def test_entry_hash_is_a_sha256_hex_digest():
    value = entry_hash(**FIELDS)
    assert len(value) == 64
    int(value, 16)


def test_entry_hash_is_the_same_for_the_same_fields():
    assert entry_hash(**FIELDS) == entry_hash(**dict(FIELDS))


def test_entry_hash_does_not_depend_on_the_order_of_keys_in_data():
    reordered = dict(FIELDS, data={"supporters": [3, 5], "to": "draft", "from": "ideas"})
    assert entry_hash(**reordered) == entry_hash(**FIELDS)


def test_entry_hash_is_the_same_instant_in_any_time_zone():
    beijing = AT.astimezone(timezone(timedelta(hours=8)))
    assert entry_hash(**dict(FIELDS, at=beijing)) == entry_hash(**FIELDS)


def test_entry_hash_can_be_recomputed_from_its_published_recipe():
    # The recipe a third party would implement from the public documentation.
    body = json.dumps(
        [
            7,
            "2026-03-01T09:30:15.123456+00:00",
            "a" * 32,
            "matters.advance",
            "matters.matter",
            "42",
            {"from": "ideas", "supporters": [3, 5], "to": "draft"},
            "b" * 64,
            "c" * 64,
        ],
        sort_keys=True,
        ensure_ascii=False,
        separators=(",", ":"),
    )
    assert entry_hash(**FIELDS) == hashlib.sha256(body.encode()).hexdigest()


@pytest.mark.parametrize("field", sorted(FIELDS))
def test_entry_hash_changes_when_any_field_changes(field):
    assert CHANGED[field] != FIELDS[field]
    assert entry_hash(**dict(FIELDS, **{field: CHANGED[field]})) != entry_hash(**FIELDS)


def test_every_hashed_field_has_a_forgery_in_the_test():
    assert set(CHANGED) == set(FIELDS)


def test_entry_hash_refuses_a_naive_time_which_would_hash_differently_on_each_machine():
    with pytest.raises(ValueError, match="aware"):
        entry_hash(**dict(FIELDS, at=AT.replace(tzinfo=None)))


def test_canonical_json_keeps_chinese_text_readable():
    assert canonical_json({"名": "丽景社区"}) == '{"名":"丽景社区"}'


PHONE = "13812341234"
PERSONAL = {"name": "张秀英", "phone": PHONE}


def test_personal_digest_is_empty_when_nothing_personal_is_recorded():
    assert personal_digest("key", None) == ""
    assert personal_digest("key", {}) == ""


def test_personal_digest_is_deterministic_for_one_key():
    assert personal_digest("key-1", PERSONAL) == personal_digest("key-1", dict(PERSONAL))


def test_personal_digest_depends_on_the_key():
    assert personal_digest("key-1", PERSONAL) != personal_digest("key-2", PERSONAL)


def test_personal_digest_is_not_the_plain_hash_anyone_could_compute_by_trying_every_phone():
    plain = hashlib.sha256(canonical_json(PERSONAL).encode()).hexdigest()
    assert personal_digest("key-1", PERSONAL) != plain


def test_personal_digest_changes_with_the_personal_value():
    assert personal_digest("key-1", PERSONAL) != personal_digest("key-1", dict(PERSONAL, phone="13812341235"))


def test_personal_digest_never_contains_the_clear_value():
    digest = personal_digest("key-1", PERSONAL)
    assert len(digest) == 64
    for clear in (PHONE, "张秀英", PHONE[-4:], PHONE[:7]):
        assert clear not in digest


def test_actor_ref_is_a_stable_32_character_pseudonym():
    ref = actor_ref("key-1", 17)
    assert ref == actor_ref("key-1", 17)
    assert len(ref) == 32
    int(ref, 16)


def test_actor_ref_differs_between_people_and_between_keys():
    assert actor_ref("key-1", 17) != actor_ref("key-1", 18)
    assert actor_ref("key-1", 17) != actor_ref("key-2", 17)


def test_actor_ref_cannot_be_found_by_hashing_candidate_person_ids_without_the_key():
    ref = actor_ref("key-1", 17)
    for candidate in range(1000):
        assert ref != hashlib.sha256(f"person:{candidate}".encode()).hexdigest()[:32]


def test_actor_ref_of_the_system_is_empty():
    assert actor_ref("key-1", None) == ""
