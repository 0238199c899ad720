"""A printed notice carries the checkpoint it was published under; scanning it asks the record about the paper."""

import re

from django.urls import reverse

from tests.notices.test_board import html, post
from yishi.audit import receipts, tree
from yishi.audit.actions import Action
from yishi.audit.models import AuditEntry


def printed(client, notice) -> str:
    return html(client.get(reverse("notices:print", args=[notice.pk])))


def test_the_paper_names_its_entry_and_checkpoint_and_the_link_carries_them(client, s1):
    notice = post(s1)
    assert "?record=" not in printed(client, notice)  # no checkpoint holds it yet: nothing to print
    checkpoint = tree.extend(checkpoint_now=True).checkpoint
    entry = AuditEntry.objects.get(action="notices.publish", target_id=str(notice.pk))
    page = printed(client, notice)
    token = re.search(r"\?record=([A-Za-z0-9_.-]+)", page).group(1)
    assert token.startswith(f"{checkpoint.size}.")
    assert f"entry {entry.seq}" in page or f"第{entry.seq}条" in page
    assert checkpoint.root[:12] in page

    scanned = html(client.get(reverse("notices:detail", args=[notice.pk]), {"record": token}))
    assert 'id="paper-check"' in scanned and "warn" not in scanned.split('id="paper-check"')[0][-40:]
    assert receipts.check_paper(notice, Action.NOTICES_PUBLISH, token).included


def test_a_paper_with_a_mark_the_record_never_signed_is_not_confirmed(client, s1):
    notice = post(s1)
    checkpoint = tree.extend(checkpoint_now=True).checkpoint
    forged = f"{checkpoint.size}.{'A' * 43}"
    for token in (forged, "garbage", f"{checkpoint.size + 5}.{'A' * 43}"):
        scanned = html(client.get(reverse("notices:detail", args=[notice.pk]), {"record": token}))
        assert re.search(r'class="panel warn" role="alert" id="paper-check"', scanned), token
    check = receipts.check_paper(notice, Action.NOTICES_PUBLISH, forged)
    assert (check.signed, check.included) == (False, False)


def test_a_notice_under_a_later_checkpoint_of_the_same_record_is_still_confirmed(client, s1):
    notice = post(s1)
    first = tree.extend(checkpoint_now=True).checkpoint
    post(s1, title="公示：第二份")
    later = tree.extend(checkpoint_now=True).checkpoint
    assert later.size > first.size
    token = receipts.Recorded(1, later.size, bytes.fromhex(later.root)).token
    assert receipts.check_paper(notice, Action.NOTICES_PUBLISH, token).included
