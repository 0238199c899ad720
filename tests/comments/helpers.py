"""Shared by the comment tests: a matter to talk about, and its states."""

from tests.procedures import flows
from yishi.comments import services as comments
from yishi.matters import services as matters
from yishi.matters.models import Matter

BACKEND = "yishi.people.backends.PhonePasswordBackend"


def flood(place, **kwargs) -> Matter:
    """The flooded lane, raised online by 刘桂兰 in 万泰丽景小区 (waiting to be screened)."""
    return flows.raise_flood(place, **kwargs)


def declined(place) -> Matter:
    return matters.decline(actor=place.secretary, matter=flood(place), reason="不属于社区议事范围")


def merged(place) -> Matter:
    into = flood(place)
    dup = matters.raise_matter(
        actor=place.neighbour,
        region=place.tree.compound,
        category=place.category,
        title="西边小路积水",
        description="一下雨就积水",
    )
    return matters.merge(actor=place.secretary, matter=dup, into=into)


def withdrawn(place) -> Matter:
    from yishi.procedures import services as engine

    m = matters.accept(actor=place.secretary, matter=flood(place))
    return engine.withdraw(actor=place.secretary, matter=m, reason="居民撤回")


def thread(place, m, n: int) -> None:
    """``n`` comments, each with one reply (half of them the community's answer)."""
    for i in range(n):
        c = comments.post_comment(
            actor=place.neighbour if i % 2 else place.outsider, matter=m, body=f"意见{i}"
        )
        comments.reply(actor=place.secretary if i % 2 else place.resident, comment=c, body=f"回复{i}")
