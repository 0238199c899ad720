"""The matter page and the API's matter in full: composed above this app, reached from it through here.

Both show every step's evidence (sessions, plan versions and reviews, votes, tasks, notices), the procedure's
checklist and what the viewer may do. Those are read from the procedure engine and the step apps, which build
on matters and which matters therefore does not import. The web layer composes them
(``yishi.web.matter_page``, ``yishi.web.matter_api``) and names its two functions here when Django starts
(``yishi.web.apps``). Every view with a form on the matter page (matters', the step apps', comments')
renders the page through ``matter_context``; every API answer that carries the whole matter, through
``matter_detail``.
"""

from collections.abc import Callable

_composers: dict[str, Callable[..., dict]] = {}


def compose_with(*, page: Callable[..., dict], detail: Callable[..., dict]) -> None:
    _composers.update(page=page, detail=detail)


def matter_context(request, matter, bound: dict, dossier: bool = False) -> dict:
    """The matter page's (or the dossier's) context, with the forms in ``bound`` as they were sent."""
    return _composers["page"](request, matter, bound, dossier=dossier)


def matter_detail(matter, viewer) -> dict:
    """The matter as the API's ``MatterDetail`` answers it to ``viewer``."""
    return _composers["detail"](matter, viewer)
