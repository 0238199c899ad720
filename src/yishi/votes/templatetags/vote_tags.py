from django import template

from yishi.votes.queries import open_votes_for

register = template.Library()


@register.simple_tag
def votes_open_to(user, limit: int = 20) -> list:
    """The open votes ``user`` may vote in (as an elector, for their household or by proxy), one query."""
    return list(open_votes_for(user)[:limit])
