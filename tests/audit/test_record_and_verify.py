"""Appending to the audit chain, and catching every way of tampering with it afterwards."""

import itertools
import json
import re
from datetime import date, timedelta
from decimal import Decimal

import pytest
from django.conf import settings
from django.core.management import CommandError, call_command
from django.db import connection, connections, transaction

from tests import builders
from yishi.__main__ import main as yishi_console
from yishi.audit.actions import Action
from yishi.audit.chain import entry_hash, personal_digest
from yishi.audit.models import GENESIS_HASH, AuditEntry, AuditHead
from yishi.audit.services import actor_ref_for, record, verify
from yishi.regions.models import Level
from yishi.regions.services import create_region

TABLE = connection.ops.quote_name(AuditEntry._meta.db_table)
HASHED = [
    "seq",
    "at",
    "actor_ref",
    "action",
    "target_type",
    "target_id",
    "data",
    "personal_digest",
    "prev_hash",
]


# Any action serves: the chain hashes whichever was given.
STEP = Action.REGIONS_SET_RULE


def raw(sql: str, params=()) -> None:
    """Tamper the way someone with database access would: SQL, around every check in the model.

    ``{table}`` is the audit table; ``{json}`` a JSON parameter (PostgreSQL wants it cast to jsonb).
    """
    json_param = "CAST(%s AS jsonb)" if connection.vendor == "postgresql" else "%s"
    with connection.cursor() as cursor:
        cursor.execute(sql.replace("{table}", TABLE).replace("{json}", json_param), params)


def append(target, count: int, actor=None) -> list[AuditEntry]:
    entries = []
    for n in range(count):
        with transaction.atomic():
            entries.append(record(actor=actor, action=STEP, target=target, data={"n": n}))
    return entries


@pytest.fixture
def region(db):
    return create_region(actor=None, parent=None, level=Level.CITY, name="沧州市", code="130900000000")


@pytest.fixture
def chain(region) -> list[AuditEntry]:
    """Five entries: the region's creation and four steps."""
    append(region, 4)
    entries = list(AuditEntry.objects.order_by("seq"))
    assert [e.seq for e in entries] == [1, 2, 3, 4, 5]
    return entries


def verify_command() -> str:
    """The management command's verdict: its output when intact, its error when broken."""
    try:
        out = []

        class Out:
            def write(self, text):
                out.append(text)

            def flush(self):
                pass

        call_command("verify_audit", stdout=Out())
    except CommandError as exc:
        return f"ERROR {exc}"
    return "".join(out)


# ---- appending -------------------------------------------------------------------------------------------


def test_an_empty_chain_verifies(db):
    assert AuditEntry.objects.count() == 0
    assert verify() is None
    assert "intact: 0 entries" in verify_command()


def test_record_appends_contiguous_seq_each_linked_to_the_previous_hash(region):
    entries = [AuditEntry.objects.get(seq=1), *append(region, 4)]
    assert [e.seq for e in entries] == [1, 2, 3, 4, 5]
    assert entries[0].prev_hash == GENESIS_HASH
    for before, after in itertools.pairwise(entries):
        assert after.prev_hash == before.hash
    head = AuditHead.objects.get()
    assert (head.last_seq, head.last_hash) == (5, entries[-1].hash)
    assert verify() is None


def test_a_stored_entry_hashes_to_its_stored_hash_when_read_back(chain):
    for stored in AuditEntry.objects.values(*HASHED, "hash"):
        assert entry_hash(**{field: stored[field] for field in HASHED}) == stored["hash"]


def test_record_describes_the_target_and_keeps_data_in_clear(region):
    (entry,) = append(region, 1)
    entry.refresh_from_db()
    assert (entry.action, entry.target_type, entry.target_id) == (
        "regions.set_rule",
        "regions.region",
        str(region.pk),
    )
    assert entry.data == {"n": 0}
    assert entry.actor_ref == ""  # the system


def test_record_names_a_person_only_by_their_pseudonym(region):
    someone = builders.person(name="李建国")
    (entry,) = append(region, 1, actor=someone)
    assert entry.actor_ref == actor_ref_for(someone)
    assert entry.actor_ref not in ("", str(someone.pk))


def test_record_stores_decimals_and_dates_as_the_text_it_hashed_so_the_chain_still_verifies(region):
    with transaction.atomic():
        entry = record(
            actor=None,
            action=Action.FUNDS_RECORD_PAYMENT,
            target=region,
            data={"amount": Decimal("150.00"), "due": date(2026, 12, 31)},
        )
    entry.refresh_from_db()
    assert entry.data == {"amount": "150.00", "due": "2026-12-31"}
    assert verify() is None


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_record_refuses_to_run_outside_a_transaction():
    region = create_region(actor=None, parent=None, level=Level.CITY, name="沧州市", code="130900000000")
    assert not connection.in_atomic_block
    with pytest.raises(RuntimeError, match="inside the transaction"):
        record(actor=None, action=STEP, target=region)
    assert AuditEntry.objects.count() == 1
    assert AuditHead.objects.get().last_seq == 1


def test_an_entry_recorded_in_a_rolled_back_transaction_leaves_no_gap(region):
    with pytest.raises(ZeroDivisionError), transaction.atomic():
        record(actor=None, action=STEP, target=region)
        1 / 0  # noqa: B018 - the change fails after its entry was written
    (entry,) = append(region, 1)
    assert entry.seq == 2
    assert verify() is None


# ---- personal data ---------------------------------------------------------------------------------------

PHONE = "13912345678"
NAME = "张秀英"


def stored_text() -> list[str]:
    """Every column of every audit row, as stored, and the data column decoded as well."""
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT * FROM {TABLE}")  # noqa: S608 - the table name is ours
        rows = cursor.fetchall()
    texts = [str(value) for row in rows for value in row]
    for data in AuditEntry.objects.values_list("data", flat=True):
        texts.append(json.dumps(data, ensure_ascii=False))
    return texts


def test_personal_data_given_to_record_appears_nowhere_in_the_stored_row(region):
    with transaction.atomic():
        entry = record(
            actor=None,
            action=Action.REGIONS_IMPORT_HOUSEHOLDS,
            target=region,
            personal={"name": NAME, "phone": PHONE},
        )
    texts = stored_text()
    assert any(entry.hash in text for text in texts)  # the search does see the stored rows
    for text in texts:
        assert PHONE not in text
        assert NAME not in text
        assert json.dumps(NAME) not in text  # nor as \\u escapes
    assert entry.personal_digest == personal_digest(settings.AUDIT_KEY, {"name": NAME, "phone": PHONE})


def test_registering_a_person_records_their_phone_and_name_only_as_a_digest(db):
    person = builders.person(name=NAME, phone=PHONE)
    entry = AuditEntry.objects.get(action="people.register_person")
    assert entry.target_id == str(person.pk)
    assert entry.personal_digest
    for text in stored_text():
        assert PHONE not in text
        assert NAME not in text


# ---- the model itself refuses rewriting ------------------------------------------------------------------


def test_the_model_refuses_to_save_an_existing_entry(chain):
    entry = AuditEntry.objects.get(seq=3)
    entry.data = {"n": 99}
    with pytest.raises(ValueError, match="append-only"):
        entry.save()
    assert AuditEntry.objects.get(seq=3).data == {"n": 1}
    assert verify() is None


def test_the_model_refuses_to_delete_an_entry(chain):
    with pytest.raises(ValueError, match="append-only"):
        AuditEntry.objects.get(seq=3).delete()
    assert AuditEntry.objects.count() == 5


# ---- tampering, and verify naming the first broken entry -------------------------------------------------


def edit_data(seq):
    raw("UPDATE {table} SET data = {json} WHERE seq = %s", ['{"n": 99}', seq])


def edit_action(seq):
    raw("UPDATE {table} SET action = %s WHERE seq = %s", ["test.harmless", seq])


def edit_at(seq):
    earlier = AuditEntry.objects.get(seq=seq).at - timedelta(seconds=1)
    raw("UPDATE {table} SET at = %s WHERE seq = %s", [connection.ops.adapt_datetimefield_value(earlier), seq])


def edit_target_id(seq):
    raw("UPDATE {table} SET target_id = %s WHERE seq = %s", ["999", seq])


EDITS = {"data": edit_data, "action": edit_action, "at": edit_at, "target_id": edit_target_id}


@pytest.mark.parametrize("field", sorted(EDITS))
def test_verify_names_a_row_edited_in_the_database(chain, field):
    before = AuditEntry.objects.values_list(field, flat=True).get(seq=3)
    EDITS[field](3)
    assert AuditEntry.objects.values_list(field, flat=True).get(seq=3) != before
    broken = verify()
    assert broken is not None
    assert broken.seq == 3
    assert "edited" in broken.reason


@pytest.mark.parametrize("field", sorted(EDITS))
def test_the_verify_audit_command_fails_naming_a_row_edited_in_the_database(chain, field):
    EDITS[field](3)
    with pytest.raises(CommandError, match="entry #3:"):
        call_command("verify_audit")


def test_verify_names_a_row_deleted_in_the_middle(chain):
    raw("DELETE FROM {table} WHERE seq = %s", [3])
    broken = verify()
    assert (broken.seq, "missing" in broken.reason) == (3, True)
    assert verify_command().startswith("ERROR audit record broken: entry #3:")


def test_verify_names_the_first_row_when_it_is_deleted(chain):
    raw("DELETE FROM {table} WHERE seq = %s", [1])
    assert verify().seq == 1


def test_verify_names_the_last_row_when_it_is_deleted(chain):
    raw("DELETE FROM {table} WHERE seq = %s", [5])
    broken = verify()
    assert (broken.seq, "missing" in broken.reason) == (5, True)
    assert "entry #5:" in verify_command()


def test_verify_notices_the_whole_chain_deleted(chain):
    raw("DELETE FROM {table}")
    assert verify().seq == 1


def forge(seq: int, data: dict) -> None:
    """Rewrite an entry and give it a matching hash, as a forger who knows the recipe would."""
    fields = AuditEntry.objects.values(*HASHED).get(seq=seq)
    fields["data"] = data
    raw(
        "UPDATE {table} SET data = {json}, hash = %s WHERE seq = %s",
        [json.dumps(data), entry_hash(**fields), seq],
    )


def test_verify_names_a_forged_row_whose_new_hash_breaks_the_next_link(chain):
    forge(3, {"n": 99})
    broken = verify()
    assert broken.seq == 3
    assert "entry #4" in broken.reason
    assert "entry #3:" in verify_command()


def test_verify_names_a_forged_last_row_whose_new_hash_differs_from_the_chain_head(chain):
    forge(5, {"n": 99})
    broken = verify()
    assert broken.seq == 5
    assert "head" in broken.reason


def test_verify_names_a_row_slipped_in_after_the_last_without_going_through_record(chain):
    last = chain[-1]
    fields = {field: getattr(last, field) for field in HASHED}
    fields.update(seq=6, prev_hash=last.hash, action="test.slipped_in")
    AuditEntry.objects.bulk_create([AuditEntry(**fields, hash=entry_hash(**fields))])
    broken = verify()
    assert broken.seq == 6
    assert "head" in broken.reason


def test_verify_names_the_first_of_several_broken_rows(chain):
    edit_action(4)
    raw("DELETE FROM {table} WHERE seq = %s", [2])
    assert verify().seq == 2


def test_the_verify_audit_command_reports_an_intact_chain_with_its_length(chain):
    assert "audit chain intact: 5 entries" in verify_command()


def test_the_yishi_console_command_verify_audit_exits_1_naming_the_broken_entry(chain, capsys, monkeypatch):
    # A console command closes its connections when done; here that would end the test's transaction.
    monkeypatch.setattr(connections, "close_all", lambda: None)
    yishi_console(["yishi", "verify-audit"])
    assert "intact: 5 entries" in capsys.readouterr().out
    edit_target_id(2)
    with pytest.raises(SystemExit) as exit_:
        yishi_console(["yishi", "verify-audit"])
    assert exit_.value.code == 1
    assert "entry #2:" in capsys.readouterr().err


# ---- the public page and the API -------------------------------------------------------------------------


def test_the_public_page_lists_entries_newest_first_without_verifying(client, chain):
    response = client.get("/audit/")
    assert response.status_code == 200
    page = response.content.decode()
    assert page.index(chain[4].hash[:12]) < page.index(chain[0].hash[:12])
    assert 'href="?verify=1"' in page
    assert 'role="status"' not in page
    assert 'role="alert"' not in page


def test_the_public_page_reports_an_intact_chain_when_asked_to_verify(client, chain):
    response = client.get("/audit/", {"verify": "1"})
    assert response.status_code == 200
    assert 'role="status"' in response.content.decode()
    assert 'role="alert"' not in response.content.decode()


def test_the_public_page_names_the_broken_entry_when_asked_to_verify(client, chain):
    edit_data(3)
    page = client.get("/audit/", {"verify": "1"}).content.decode()
    assert 'role="alert"' in page
    assert "entry #3:" in page


def test_the_public_page_shows_no_personal_data(client, db):
    builders.person(name=NAME, phone=PHONE)
    page = client.get("/audit/").content.decode()
    assert "登记人员" in page  # the entry is listed, in words
    assert PHONE not in page
    assert NAME not in page


def test_the_public_page_says_each_action_and_object_in_words_and_links_the_entry_as_hashed(client, chain):
    page = client.get("/audit/").content.decode()
    assert "设定区划规则" in page and "区划 #" in page
    assert "regions.set_rule" not in page and "regions.region" not in page
    link = re.search(r'href="([^"]+)"[^>]*>5</a>', page).group(1).replace("&amp;", "&")
    (entry,) = client.get(link).json()["items"]
    assert (entry["seq"], entry["action"], entry["target_type"]) == (5, "regions.set_rule", "regions.region")
    assert entry["hash"] == chain[4].hash


def test_the_api_lists_the_chain_oldest_first_with_every_field_needed_to_check_it(client, chain):
    response = client.get("/api/v1/audit/entries")
    assert response.status_code == 200
    body = response.json()["items"]
    assert response.json()["count"] == 5
    assert [e["seq"] for e in body] == [1, 2, 3, 4, 5]
    assert [e["hash"] for e in body] == [e.hash for e in chain]
    assert set(body[0]) >= {*HASHED, "hash"}


def test_the_api_pages_the_chain_after_a_sequence_number(client, chain):
    body = client.get("/api/v1/audit/entries", {"after": 2, "limit": 2}).json()
    assert [e["seq"] for e in body["items"]] == [3, 4] and body["count"] == 3


def test_the_api_caps_a_page_between_one_and_500_entries(client, region):
    append(region, 501)
    assert len(client.get("/api/v1/audit/entries", {"limit": 500}).json()["items"]) == 500
    for limit in (10_000, 0):
        response = client.get("/api/v1/audit/entries", {"limit": limit})
        assert response.status_code == 422 and response.json()["code"] == "invalid"


def test_the_api_verify_reports_an_intact_chain(client, chain):
    response = client.get("/api/v1/audit/verify")
    assert response.status_code == 200
    assert response.json() == {"intact": True, "entries": 5, "first_break": None}


def test_the_api_verify_names_the_first_broken_entry(client, chain):
    raw("DELETE FROM {table} WHERE seq = %s", [4])
    body = client.get("/api/v1/audit/verify").json()
    assert body["intact"] is False
    assert body["entries"] == 4
    assert body["first_break"].startswith("entry #4:")
