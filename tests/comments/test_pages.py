"""The comment section on the matter page and its forms, through the request as a browser sends it."""

import re

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils.html import escape

from tests.comments.helpers import BACKEND, declined, flood, merged, thread
from tests.matters.test_pages import html, tr
from yishi.audit.models import AuditEntry
from yishi.comments import services as comments
from yishi.comments.models import Comment
from yishi.comments.presenters import mask_name


def section(response) -> str:
    match = re.search(r'<section id="comments".*?</section>', html(response), re.S)
    assert match, "no comment section on the page"
    return match.group(0)


def login(client, person):
    client.force_login(person, backend=BACKEND)
    return client


def has(page: str, text: str) -> bool:
    """The text is on the page, as a template writes it ({% translate %} leaves quotes, {{ }} escapes them)."""
    return text in page or escape(text) in page


# --- reading -----------------------------------------------------------------------------------------------


def test_an_anonymous_visitor_reads_the_thread_and_is_offered_to_log_in(place, client):
    m = flood(place)
    c = comments.post_comment(actor=place.neighbour, matter=m, body="我家楼下也积水。")
    comments.reply(actor=place.secretary, comment=c, body="本周五召开协商会。")

    page = section(client.get(f"/m/{m.pk}/"))

    assert "我家楼下也积水。" in page and "本周五召开协商会。" in page
    assert f'id="comment-{c.pk}"' in page
    assert escape(mask_name(place.neighbour.name)) in page and place.neighbour.name not in page
    assert has(page, tr("The community's answer")) and place.secretary.name in page
    assert place.neighbour.phone not in page
    assert tr("Log in to comment") in page and "next=%2Fm%2F" in page
    assert "<textarea" not in page and "/hide/" not in page


def test_a_resident_sees_a_labelled_form_and_posting_returns_to_the_comment(place, client):
    m = flood(place)
    login(client, place.neighbour)
    page = section(client.get(f"/m/{m.pk}/"))
    assert '<label for="id_comment_body">' in page and 'id="id_comment_body"' in page
    assert 'maxlength="1000"' in page

    response = client.post(f"/m/{m.pk}/comments/", {"body": "  路口也有积水  "})

    c = Comment.objects.get()
    assert response.status_code == 302 and response["Location"] == f"/m/{m.pk}/#comment-{c.pk}"
    assert c.body == "路口也有积水" and c.author == place.neighbour
    page = section(client.get(f"/m/{m.pk}/"))
    assert "路口也有积水" in page and has(page, tr("you"))


def test_an_empty_comment_re_renders_the_page_with_its_error(place, client):
    m = flood(place)
    login(client, place.neighbour)
    response = client.post(f"/m/{m.pk}/comments/", {"body": "   "})
    assert response.status_code == 400
    page = section(response)
    assert has(page, tr("Write your comment first.")) and 'role="alert"' in page
    assert not Comment.objects.exists()


def test_a_too_long_comment_is_shown_again_with_its_text_kept(place, client):
    m = flood(place)
    login(client, place.neighbour)
    text = "积水" * 501
    response = client.post(f"/m/{m.pk}/comments/", {"body": text})
    assert response.status_code == 400
    page = section(response)
    assert text in page  # the resident does not lose what they wrote
    assert "1002" in page and not Comment.objects.exists()


def test_a_reply_is_posted_and_shown_under_its_comment(place, client):
    m = flood(place)
    c = comments.post_comment(actor=place.neighbour, matter=m, body="什么时候修？")
    login(client, place.outsider)
    page = section(client.get(f"/m/{m.pk}/"))
    assert f'action="/comments/{c.pk}/reply/"' in page and f'<label for="id_reply_{c.pk}_body">' in page

    response = client.post(f"/comments/{c.pk}/reply/", {"body": "同问"})

    r = Comment.objects.get(parent=c)
    assert response["Location"] == f"/m/{m.pk}/#comment-{r.pk}"
    item = re.search(
        rf'<li id="comment-{c.pk}".*?</li>\s*</ol>', section(client.get(f"/m/{m.pk}/")), re.S
    ).group(0)
    assert "同问" in item


def test_a_bad_reply_opens_its_form_with_the_error_and_the_text(place, client):
    m = flood(place)
    c = comments.post_comment(actor=place.neighbour, matter=m, body="什么时候修？")
    login(client, place.outsider)
    response = client.post(f"/comments/{c.pk}/reply/", {"body": "问" * 1001})
    assert response.status_code == 400
    page = section(response)
    assert "<details open>" in page and "问" * 1001 in page
    assert Comment.objects.count() == 1


def test_a_reply_to_a_reply_is_refused_with_409(place, client):
    m = flood(place)
    c = comments.post_comment(actor=place.neighbour, matter=m, body="什么时候修？")
    r = comments.reply(actor=place.secretary, comment=c, body="周五")
    login(client, place.outsider)
    response = client.post(f"/comments/{r.pk}/reply/", {"body": "谢谢"})
    assert response.status_code == 409
    assert has(section(response), tr("Answer the comment this reply belongs to: replies go one level deep."))


def test_anonymous_posts_go_to_the_login_page_and_save_nothing(place, client):
    m = flood(place)
    c = comments.post_comment(actor=place.neighbour, matter=m, body="什么时候修？")
    for url, data in [
        (f"/m/{m.pk}/comments/", {"body": "x"}),
        (f"/comments/{c.pk}/reply/", {"body": "x"}),
        (f"/comments/{c.pk}/hide/", {"reason": "x"}),
        (f"/comments/{c.pk}/unhide/", {}),
    ]:
        response = client.post(url, data)
        assert response.status_code == 302 and response["Location"].startswith("/login/"), url
    assert Comment.objects.count() == 1 and not Comment.objects.get().is_hidden


def test_get_is_not_allowed_on_the_form_targets(place, client):
    m = flood(place)
    login(client, place.neighbour)
    assert client.get(f"/m/{m.pk}/comments/").status_code == 405


def test_unknown_matter_or_comment_is_404(place, client):
    login(client, place.secretary)
    assert client.post("/m/999999/comments/", {"body": "x"}).status_code == 404
    assert client.post("/comments/999999/reply/", {"body": "x"}).status_code == 404
    assert client.post("/comments/999999/hide/", {"reason": "x"}).status_code == 404
    assert client.post("/comments/999999/unhide/").status_code == 404


@pytest.mark.parametrize("make", [declined, merged])
def test_a_closed_matter_shows_why_it_takes_no_comments_and_refuses_a_post(place, client, make):
    m = make(place)
    login(client, place.neighbour)
    page = section(client.get(f"/m/{m.pk}/"))
    assert "<textarea" not in page and tr("Log in to comment") not in page
    response = client.post(f"/m/{m.pk}/comments/", {"body": "还有话说"})
    assert response.status_code == 409 and not Comment.objects.exists()


# --- moderation --------------------------------------------------------------------------------------------


def test_a_moderator_hides_a_comment_and_everyone_else_sees_only_the_trace(place, client):
    m = flood(place)
    c = comments.post_comment(actor=place.neighbour, matter=m, body="某某是骗子")
    login(client, place.secretary)
    assert f'action="/comments/{c.pk}/hide/"' in section(client.get(f"/m/{m.pk}/"))

    response = client.post(f"/comments/{c.pk}/hide/", {"reason": "含有侮辱性语言"})

    assert response.status_code == 302 and response["Location"] == f"/m/{m.pk}/#comment-{c.pk}"
    c.refresh_from_db()
    trace_prefix = escape(tr("Hidden by the community on %(at)s: %(reason)s").split("%(at)s")[0])
    staff_page = section(client.get(f"/m/{m.pk}/"))
    assert "某某是骗子" in staff_page and has(staff_page, tr("Only moderators see this"))
    assert f'action="/comments/{c.pk}/unhide/"' in staff_page
    for viewer in (place.neighbour, place.outsider, place.other_secretary, None):
        client.logout()
        if viewer:
            login(client, viewer)
        page = section(client.get(f"/m/{m.pk}/"))
        assert "某某是骗子" not in page, viewer
        assert "含有侮辱性语言" in page and trace_prefix in page
        assert "/unhide/" not in page


def test_hiding_without_a_reason_reopens_the_form_with_the_error(place, client):
    m = flood(place)
    c = comments.post_comment(actor=place.neighbour, matter=m, body="某某是骗子")
    login(client, place.secretary)
    response = client.post(f"/comments/{c.pk}/hide/", {"reason": "  "})
    assert response.status_code == 400
    page = section(response)
    assert has(page, tr("Give the reason for hiding; it is shown publicly.")) and "<details open>" in page
    assert not Comment.objects.get().is_hidden


def test_showing_again_and_a_refused_second_hide_are_answered_on_the_page(place, client):
    m = flood(place)
    c = comments.post_comment(actor=place.neighbour, matter=m, body="某某是骗子")
    comments.hide(actor=place.secretary, comment=c, reason="侮辱")
    login(client, place.secretary)
    again = client.post(f"/comments/{c.pk}/hide/", {"reason": "再藏"})
    assert again.status_code == 409 and has(section(again), tr("This comment is already hidden."))
    shown = client.post(f"/comments/{c.pk}/unhide/")
    assert shown.status_code == 302 and not Comment.objects.get().is_hidden
    refused = client.post(f"/comments/{c.pk}/unhide/")
    assert refused.status_code == 409 and has(section(refused), tr("This comment is not hidden."))
    assert AuditEntry.objects.filter(action__startswith="comments.").count() == 3  # post, hide, unhide


@pytest.mark.parametrize(
    "who", ["neighbour", "resident", "other_secretary", "lawyer", "fire_staff", "council"]
)
def test_people_who_do_not_moderate_there_get_403_and_change_nothing(place, client, who):
    m = flood(place)
    c = comments.post_comment(actor=place.neighbour, matter=m, body="某某是骗子")
    login(client, getattr(place, who))
    response = client.post(f"/comments/{c.pk}/hide/", {"reason": "我不喜欢"})
    assert response.status_code == 403
    assert has(section(response), tr("You do not have the authority to do this here."))
    assert not Comment.objects.get().is_hidden


# --- the page's cost ---------------------------------------------------------------------------------------


def _queries(client, url) -> int:
    client.get(url)  # warm: session, content types
    with CaptureQueriesContext(connection) as ctx:
        response = client.get(url)
    assert response.status_code == 200
    return len(ctx.captured_queries)


@pytest.mark.parametrize("viewer", ["secretary", "neighbour", None])
def test_the_matter_page_costs_as_many_queries_with_60_comments_and_replies_as_with_2(place, client, viewer):
    if viewer:
        login(client, getattr(place, viewer))
    small, big = flood(place), flood(place)
    thread(place, small, 1)  # 1 comment + 1 reply
    thread(place, big, 30)  # 30 comments + 30 replies
    c = Comment.objects.filter(matter=big, parent=None).first()
    comments.hide(actor=place.secretary, comment=c, reason="侮辱")

    assert _queries(client, f"/m/{big.pk}/") == _queries(client, f"/m/{small.pk}/")
    assert section(client.get(f"/m/{big.pk}/")).count('<li id="comment-') == 60


def test_the_admin_lists_comments_read_only(place, client):
    from yishi.people.models import Person

    comments.post_comment(actor=place.neighbour, matter=flood(place), body="路口也积水")
    root = Person.objects.create_superuser(phone="13999999999", name="管理员", password="pw-12345678x")
    login(client, root)
    listing = client.get("/admin/comments/comment/")
    assert listing.status_code == 200
    c = Comment.objects.get()
    assert client.get(f"/admin/comments/comment/{c.pk}/change/").status_code == 200  # a view, no save
    assert client.post(f"/admin/comments/comment/{c.pk}/change/", {"body": "改了"}).status_code == 403
    assert Comment.objects.get().body == "路口也积水"
