"""Who may do what with comments, role by role, on the page and through the API.

Everyone logged in may comment and reply. Only the committee (两委) of the matter's community, from its own
node or from the community above the compound the matter is about, and the system administrator may hide and
show comments again; their posts are the community's answer. A sibling community's committee, an expert, a
unit's staff, the bureau and residents and representatives may not.
"""

import pytest
from django.test import Client

from tests import builders
from tests.comments.helpers import BACKEND
from yishi.comments import services as comments
from yishi.comments.models import Comment
from yishi.errors import Refused
from yishi.matters import services as matters

# who -> (role, where it is held, may moderate a matter about the compound)
WHO = {
    "resident": ("resident", "compound", False),
    "representative": ("representative", "community", False),
    "committee (the community above the compound)": ("committee", "community", True),
    "committee (a sibling community)": ("committee", "sibling", False),
    "expert": ("expert", "city", False),
    "unit staff": ("unit_staff", "community", False),
    "bureau (the street above)": ("bureau", "street", False),
    "administrator": ("admin", "city", True),
}


def holder(place, role: str, where: str):
    region = getattr(place.tree, where)
    person = builders.person(f"{role}@{where}")
    extra = {}
    if role == "unit_staff":
        extra["unit"] = builders.unit(f"{region.name}服务队", home_region=region)
    if role == "expert":
        extra["expertise"] = "legal"
    builders.role(person, role, region, **extra)
    return person


def matter_at(place, where: str):
    return matters.raise_matter(
        actor=place.neighbour,
        region=getattr(place.tree, where),
        category=place.category,
        title="楼道灯坏了",
        description="三单元楼道灯坏了一个月",
    )


def client_for(person) -> Client:
    client = Client()
    if person is not None:
        client.force_login(person, backend=BACKEND)
    return client


@pytest.mark.parametrize("who", WHO)
def test_each_role_comments_replies_and_moderates_only_where_it_may(place, who):
    role, where, moderates = WHO[who]
    person = holder(place, role, where)
    m = matter_at(place, "compound")
    c = comments.post_comment(actor=place.outsider, matter=m, body="一直没人修")
    client = client_for(person)

    mine = client.post(
        f"/api/v1/comments/matters/{m.pk}", {"body": "我也看到了"}, content_type="application/json"
    )
    answer = client.post(
        f"/api/v1/comments/{c.pk}/replies", {"body": "收到"}, content_type="application/json"
    )
    assert (mine.status_code, answer.status_code) == (201, 201)
    assert mine.json()["community_answer"] is moderates and answer.json()["community_answer"] is moderates

    hide = client.post(f"/comments/{c.pk}/hide/", {"reason": "重复内容"})
    assert hide.status_code == (302 if moderates else 403)
    assert Comment.objects.get(pk=c.pk).is_hidden is moderates
    if moderates:
        assert client.post(f"/comments/{c.pk}/unhide/").status_code == 302
    else:
        comments.hide(actor=place.secretary, comment=c, reason="重复内容")
        assert client.post(f"/comments/{c.pk}/unhide/").status_code == 403
        assert Comment.objects.get(pk=c.pk).is_hidden
    page = client.get(f"/m/{m.pk}/").content.decode()
    assert (
        f'action="/comments/{c.pk}/hide/"' in page or f'action="/comments/{c.pk}/unhide/"' in page
    ) is moderates


def test_the_committee_moderates_a_matter_at_its_own_node_too(place):
    m = matter_at(place, "community")
    c = comments.post_comment(actor=place.outsider, matter=m, body="一直没人修")
    assert comments.hide(actor=place.secretary, comment=c, reason="重复").is_hidden
    with pytest.raises(Refused) as exc:
        comments.unhide(actor=place.other_secretary, comment=c)
    assert exc.value.code == Refused.FORBIDDEN


def test_a_sibling_communitys_committee_moderates_its_own_matters_not_ours(place):
    theirs = matters.raise_matter(
        actor=place.outsider,
        region=place.tree.sibling_compound,
        category=place.category,
        title="路灯不亮",
        description="戒毒所小区路灯不亮",
    )
    c = comments.post_comment(actor=place.neighbour, matter=theirs, body="晚上很黑")
    assert comments.hide(actor=place.other_secretary, comment=c, reason="无关").is_hidden
    with pytest.raises(Refused):
        comments.unhide(actor=place.secretary, comment=c)


def test_a_revoked_committee_member_no_longer_moderates(place):
    from yishi.access.models import RoleAssignment
    from yishi.access.services import revoke_role

    member = holder(place, "committee", "community")
    c = comments.post_comment(actor=place.outsider, matter=matter_at(place, "compound"), body="一直没人修")
    revoke_role(actor=None, assignment=RoleAssignment.objects.get(person=member))
    member = type(member).objects.get(pk=member.pk)  # roles are read once per person object
    with pytest.raises(Refused) as exc:
        comments.hide(actor=member, comment=c, reason="重复")
    assert exc.value.code == Refused.FORBIDDEN


def test_anonymous_reads_but_may_not_write_anywhere(place):
    m = matter_at(place, "compound")
    c = comments.post_comment(actor=place.outsider, matter=m, body="一直没人修")
    client = client_for(None)
    assert client.get(f"/m/{m.pk}/").status_code == 200
    assert client.get(f"/api/v1/comments/matters/{m.pk}").status_code == 200
    assert (
        client.post(
            f"/api/v1/comments/matters/{m.pk}", {"body": "x"}, content_type="application/json"
        ).status_code
        == 401
    )
    assert client.post(f"/m/{m.pk}/comments/", {"body": "x"}).status_code == 302
    assert client.post(f"/comments/{c.pk}/hide/", {"reason": "x"}).status_code == 302
    assert Comment.objects.count() == 1 and not Comment.objects.get().is_hidden
