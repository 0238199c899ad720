"""The JSON API (OpenAPI at /api/v1/docs). Each app has a router; ``Refused`` has one handler here."""

from ninja import NinjaAPI

from .errors import Refused

api = NinjaAPI(
    title="Yishi 议事 API",
    version="1",
    description="Community consultation (八步议事): regions, people, matters and their procedure.",
    urls_namespace="api",
)


@api.exception_handler(Refused)
def refused(request, exc: Refused):
    status = 403 if exc.code == Refused.FORBIDDEN else 409
    return api.create_response(request, {"detail": str(exc.reason), "code": exc.code}, status=status)


def _mount():
    from yishi.audit.api import router as audit_router
    from yishi.funds.api import router as funds_router
    from yishi.matters.api import router as matters_router
    from yishi.meetings.api import router as meetings_router
    from yishi.notices.api import router as board_router
    from yishi.people.api import router as people_router
    from yishi.regions.api import router as regions_router
    from yishi.surveys.api import router as surveys_router
    from yishi.votes.api import router as votes_router

    api.add_router("/regions", regions_router)
    api.add_router("/people", people_router)
    api.add_router("/audit", audit_router)
    api.add_router("/matters", matters_router)
    api.add_router("/surveys", surveys_router)
    api.add_router("/funds", funds_router)
    api.add_router("/votes", votes_router)
    api.add_router("/meetings", meetings_router)
    api.add_router("/board", board_router)


_mount()
