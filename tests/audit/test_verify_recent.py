"""The public verification is reused while the head is unchanged; the command always walks the chain."""

import pytest
from django.core.management import call_command
from django.db import connection, transaction

from tests import builders
from yishi.audit.models import AuditEntry
from yishi.audit.services import verify_recent


def test_a_new_entry_makes_the_public_check_walk_the_chain_again(db, django_assert_max_num_queries):
    builders.person("甲")
    assert verify_recent() is None
    with django_assert_max_num_queries(1):  # only the head is read
        assert verify_recent() is None
    first = AuditEntry.objects.order_by("seq").first()
    with connection.cursor() as cursor:
        cursor.execute("UPDATE audit_auditentry SET action = %s WHERE id = %s", ["forged", first.pk])
    with transaction.atomic():
        builders.person("乙")  # a new entry moves the head
    broken = verify_recent()
    assert broken is not None and broken.seq == first.seq


def test_the_command_is_never_fooled_by_a_cached_result(db):
    builders.person("甲")
    assert verify_recent() is None
    first = AuditEntry.objects.order_by("seq").first()
    with connection.cursor() as cursor:
        cursor.execute("UPDATE audit_auditentry SET action = %s WHERE id = %s", ["forged", first.pk])
    with pytest.raises(Exception, match=f"#{first.seq}"):
        call_command("verify_audit")
