"""The matter page: composed above this app, reached from it through here.

It shows every step's evidence (sessions, plan versions and reviews, votes, tasks, notices), the procedure's
checklist and what the viewer may do. Those are read from the procedure engine and the step apps, which build
on matters and which matters therefore does not import. The web layer composes the page
(``yishi.web.matter_page``) and names its function here when Django starts (``yishi.web.apps``). Every view with
a form on the matter page (matters', the step apps', comments') renders the page through ``matter_context``.
"""

from collections.abc import Callable

_composers: dict[str, Callable[..., dict]] = {}


def compose_with(*, page: Callable[..., dict]) -> None:
    _composers.update(page=page)


def matter_context(request, matter, bound: dict, dossier: bool = False) -> dict:
    """The matter page's (or the dossier's) context, with the forms in ``bound`` as they were sent."""
    return _composers["page"](request, matter, bound, dossier=dossier)
