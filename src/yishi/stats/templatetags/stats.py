"""Template tags of the figures: a table cell's number, and the public figures on a region's home page."""

from django import template
from django.urls import reverse

from ..charts import plain_number

register = template.Library()


@register.filter
def figure(value) -> str:
    """A table cell: whole numbers plain, fractions with one decimal, text as it is, no value as a dash."""
    if value is None:
        return "–"
    if isinstance(value, int | float) and not isinstance(value, bool):
        return plain_number(value)
    return str(value)


@register.inclusion_tag("stats/_public_figures.html", takes_context=True)
def public_figures(context, region):
    """This year's headline for everyone: matters raised and resolved, meetings held, satisfaction.

    Counts only, nothing about a person; staff who may see the whole dashboard also get a link to it.
    """
    from ..figures import Period, headline
    from ..pages import may_view

    period = Period.current_year()
    f = headline(region, period)
    request = context.get("request")
    user = getattr(request, "user", None)
    return {
        "region": region,
        "year": period.start.year,
        "raised": f.raised,
        "resolved": f.resolved,
        "meetings_held": f.meetings_held,
        "satisfaction": f.satisfaction,
        "rating_count": f.rating_count,
        "dashboard_url": reverse("stats:dashboard", args=[region.pk]) if may_view(user, region) else None,
    }


@register.filter
def days(value) -> str:
    """A duration in days (``None`` a dash, past the last bucket “over 730”)."""
    from ..pages import days as shown

    return shown(value)


@register.filter
def share(value) -> str:
    """A share 0–1 as a percentage."""
    from ..pages import share as shown

    return shown(value)
