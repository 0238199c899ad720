"""The JSON API (OpenAPI at /api/v1/docs). Each app has a router; every error is answered here as a Problem.

Whatever goes wrong, a client gets JSON of one shape (``yishi.api_schemas.Problem``) with a stable ``code``:
a malformed input 422 ``invalid``, an unknown id 404 ``not_found``, no or a bad token 401 ``unauthenticated``,
a refusal 403 ``forbidden`` or 409 with the service's code, too many attempts 429, a bug 500 ``server_error``.
The codes are listed in docs/api-errors.md; each operation's schema lists the answers it may give.
"""

import logging
import re
from collections import defaultdict

from django.core.exceptions import ImproperlyConfigured, PermissionDenied, SuspiciousOperation
from django.db import DataError, IntegrityError
from django.http import Http404, JsonResponse
from django.http.multipartparser import MultiPartParserError
from django.utils.translation import gettext as _
from ninja import NinjaAPI, Schema
from ninja.errors import AuthenticationError, AuthorizationError, HttpError, ValidationError
from ninja.openapi import schema as ninja_openapi
from ninja.parser import Parser
from ninja.schema import NinjaGenerateJsonSchema

from .errors import Refused, api_refusal_status
from .regions.workbooks import ImportRejected
from .storable_text import unstorable

logger = logging.getLogger("yishi.api")

BEARER_HELP = (
    "A client (a mobile app, a mini-program) sends `Authorization: Bearer <token>`, the token from "
    "`POST /api/v1/people/token` (phone and password; valid 30 days; it stops working when the password "
    "changes or the person is deactivated). A presented token that does not hold is refused with 401, "
    "never ignored."
)
SESSION_HELP = (
    "A browser signed in on the site uses its session cookie; writes then also need the `X-CSRFToken` header "
    "(the `csrftoken` cookie's value)."
)


#: A schema class of an app, ``yishi.<app>.<module>.<Class>:<id>``: in its api.py or another module (such
#: as matters' schemas, shared with the step apps' routers under a matter). ``yishi.api_schemas`` is no app's.
_APP_SCHEMA = re.compile(r"^yishi\.(\w+)\.(?:\w+\.)+?(\w+)(:\d+)$")
_shared_names: set[str] = set()


def _names_in_several_apps() -> set[str]:
    """Schema class names that more than one app (or api_schemas) defines, e.g. ``Ref``.

    One app defining a name twice, in two of its modules, is refused: nothing would tell the two apart.
    """
    apps: defaultdict[str, set[str]] = defaultdict(set)
    modules: defaultdict[tuple[str, str], set[str]] = defaultdict(set)
    stack = [Schema]
    while stack:
        cls = stack.pop()
        stack.extend(cls.__subclasses__())
        match = re.fullmatch(r"yishi\.(\w+)\.[\w.]+|yishi\.(api_schemas)", cls.__module__)
        if match:
            app = match[1] or match[2]
            apps[cls.__name__].add(app)
            modules[app, cls.__name__].add(cls.__module__)
    twice = sorted(
        f"{name} ({', '.join(sorted(found))})" for (_, name), found in modules.items() if len(found) > 1
    )
    if twice:
        raise ImproperlyConfigured(f"An app defines an API schema name twice: {'; '.join(twice)}")
    return {name for name, owners in apps.items() if len(owners) > 1}


class AppQualifiedNames(NinjaGenerateJsonSchema):
    """Name a component ``MattersNoticeOut`` when several apps have a ``NoticeOut``.

    ninja merges every model's definitions into one ``components/schemas`` by bare class name, so two apps'
    ``NoticeOut`` would silently share one schema and every answer of the other would break it.
    """

    def get_defs_ref(self, core_mode_ref):
        core_ref, mode = core_mode_ref
        match = _APP_SCHEMA.match(core_ref)
        if match and match[2] in _shared_names:
            app, name, ref_id = match.groups()
            core_ref = f"yishi.{app}.api.{app.title()}{name}{ref_id}"
        return super().get_defs_ref((core_ref, mode))


ninja_openapi.NinjaGenerateJsonSchema = AppQualifiedNames


class UnstorableText(Exception):
    def __init__(self, loc: tuple):
        super().__init__(loc)
        self.loc = loc


class StorableTextParser(Parser):
    """Bodies and form fields are refused whole when any text in them cannot be stored (storable_text)."""

    def parse_body(self, request):
        data = super().parse_body(request)
        self._check(data, "body")
        return data

    def parse_querydict(self, data, list_fields, request):
        result = super().parse_querydict(data, list_fields, request)
        self._check(result, "form")
        return result

    @staticmethod
    def _check(data, where: str) -> None:
        for loc in unstorable(data):
            raise UnstorableText((where, *loc))


class YishiAPI(NinjaAPI):
    def get_openapi_schema(self, *, path_prefix=None, path_params=None):
        _shared_names.clear()
        _shared_names.update(_names_in_several_apps())
        schema = super().get_openapi_schema(path_prefix=path_prefix, path_params=path_params)
        _document_errors(schema)
        _decimal_strings(schema)
        schemes = schema.get("components", {}).get("securitySchemes", {})
        if "BearerToken" in schemes:
            schemes["BearerToken"].update(bearerFormat="signed token", description=BEARER_HELP)
        if "SessionAuth" in schemes:
            schemes["SessionAuth"]["description"] = SESSION_HELP
        return schema


api = YishiAPI(
    title="Yishi 议事 API",
    version="1",
    description=(
        "Community consultation (八步议事): regions, people, matters and their procedure, meetings, votes, "
        "surveys, funds and the public board.\n\n"
        "Reads are public unless marked; writes need a token or the browser's session (see the security "
        "schemes). Lists take `limit` (1-100) and `offset` and answer `{count, limit, offset, items}`. "
        "Every error is a Problem `{detail, code, field?, errors?}` with a stable `code` "
        "(docs/api-errors.md)."
    ),
    urls_namespace="api",
    parser=StorableTextParser(),
)

_PROBLEM = {"application/json": {"schema": {"$ref": "#/components/schemas/Problem"}}}
_WHY = {
    400: "The body cannot be read as the content type it claims (code `bad_request`)",
    401: "Not signed in, or the token does not hold (code `unauthenticated`)",
    403: "The caller lacks the authority (code `forbidden`), or the session's CSRF check failed",
    404: "Not found, or not visible to the caller (code `not_found`)",
    422: "Malformed input (code `invalid`, with `errors`) or a number out of range (`out_of_range`)",
}


def _document_errors(schema: dict) -> None:
    """Add to each operation the Problem answers the handlers below may give it, where its router did not."""
    for operations in schema.get("paths", {}).values():
        for operation in operations.values():
            responses = operation.setdefault("responses", {})
            params = operation.get("parameters", [])
            statuses = []
            if "requestBody" in operation:
                statuses.append(400)
            if params or "requestBody" in operation:
                # Any id given, in the path, the query or the body, may name nothing.
                statuses += [404, 422]
            if operation.get("security"):
                statuses += [401, 403]
            for status in statuses:
                responses.setdefault(status, {"description": _WHY[status], "content": _PROBLEM})
            for param in params:
                # Ids are positive: a client need not send anything else (the URL does not match it either).
                if param["in"] == "path" and param.get("schema", {}).get("type") == "integer":
                    param["schema"].setdefault("minimum", 0)


#: How a decimal (money, an area) may be written as a string: plain notation, as the pages take it.
DECIMAL_PATTERN = r"^[+-]?(\d{1,15}(\.\d{0,6})?|\.\d{1,6})$"


def _decimal_strings(schema: dict) -> None:
    """A ``Decimal`` input is published as ``number | string``; say which strings, or any text would pass."""
    for name, component in schema.get("components", {}).get("schemas", {}).items():
        if not re.search(r"In$|In[A-Z]|Query$|Filter$", name):
            continue
        for prop in component.get("properties", {}).values():
            branches = prop.get("anyOf", [])
            if {"number", "string"} <= {b.get("type") for b in branches}:
                for branch in branches:
                    if branch.get("type") == "string":
                        branch.setdefault("pattern", DECIMAL_PATTERN)


def problem(request, status: int, detail, code: str, **extra) -> JsonResponse:
    body = {"detail": str(detail), "code": code}
    body.update({k: v for k, v in extra.items() if v is not None})
    return api.create_response(request, body, status=status)


@api.exception_handler(Refused)
def refused(request, exc: Refused):
    return problem(request, api_refusal_status(exc), exc.reason, exc.code, field=exc.field)


@api.exception_handler(ImportRejected)
def import_rejected(request, exc: ImportRejected):
    """A spreadsheet with problems: each one as an error at its row and column; nothing was saved."""
    errors = [
        {"loc": ["file", issue.row or 0, issue.column], "msg": str(issue.reason), "type": issue.code}
        for issue in exc.issues
    ]
    return problem(request, 409, exc.reason, exc.code, errors=errors)


@api.exception_handler(ValidationError)
def invalid(request, exc: ValidationError):
    errors = [
        {"loc": list(e.get("loc", ())), "msg": str(e.get("msg", "")), "type": str(e.get("type", ""))}
        for e in exc.errors
    ]
    first = errors[0] if errors else None
    detail = _("Some input is missing or malformed.")
    if first:
        detail = f"{detail} {'.'.join(map(str, first['loc']))}: {first['msg']}"
    return problem(request, 422, detail, "invalid", errors=errors)


@api.exception_handler(Http404)
def not_found(request, exc):
    return problem(request, 404, _("Not found."), "not_found")


@api.exception_handler(AuthenticationError)
def unauthenticated(request, exc):
    return problem(
        request, 401, _("Sign in first: send a valid token or use a signed-in session."), "unauthenticated"
    )


@api.exception_handler(AuthorizationError)
def unauthorized(request, exc):
    return problem(request, 403, _("You do not have the authority to do this here."), Refused.FORBIDDEN)


@api.exception_handler(PermissionDenied)
def permission_denied(request, exc):
    return problem(request, 403, _("You do not have the authority to do this here."), Refused.FORBIDDEN)


@api.exception_handler(HttpError)
def http_error(request, exc: HttpError):
    if exc.status_code == 403 and "CSRF" in str(exc):
        return problem(
            request,
            403,
            _("The CSRF check failed: send the X-CSRFToken header with a session."),
            "csrf_failed",
        )
    if isinstance(exc.__cause__, UnstorableText):  # django-ninja wraps what the parser raises
        return unstorable_text(request, exc.__cause__)
    if exc.status_code == 400:  # django-ninja's own words are English: "Cannot parse request body"
        return _unreadable(request, exc)
    codes = {
        401: "unauthenticated",
        403: "forbidden",
        404: "not_found",
        429: "rate_limited",
    }
    return problem(request, exc.status_code, str(exc), codes.get(exc.status_code, "error"))


def _unreadable(request, exc):
    return problem(
        request, 400, _("The request body cannot be read as its content type says."), "bad_request"
    )


api.add_exception_handler(MultiPartParserError, _unreadable)
api.add_exception_handler(SuspiciousOperation, _unreadable)


@api.exception_handler(UnstorableText)
def unstorable_text(request, exc: UnstorableText):
    field = next((part for part in reversed(exc.loc) if isinstance(part, str)), None)
    return problem(
        request,
        422,
        _(
            "The text contains a character that cannot be saved (a null character or a broken one): remove it and send again."
        ),
        "unstorable_text",
        field=field,
    )


def _out_of_range(request, exc):
    return problem(
        request, 422, _("A number or a date is out of the range this field accepts."), "out_of_range"
    )


# A number past what the database column or a date can hold: the input's fault, not the server's.
api.add_exception_handler(OverflowError, _out_of_range)
api.add_exception_handler(DataError, _out_of_range)


@api.exception_handler(IntegrityError)
def integrity(request, exc: IntegrityError):
    # SQLite's word for a LIMIT or OFFSET past 64 bits; any other integrity error is a bug.
    if "datatype mismatch" in str(exc):
        return _out_of_range(request, exc)
    return server_error(request, exc)


@api.exception_handler(Exception)
def server_error(request, exc):
    logger.exception("API error on %s %s", request.method, request.path)
    return problem(request, 500, _("Something went wrong on the server. It has been logged."), "server_error")


def not_found_view(request, exception=None):
    """The site's 404 for a URL that matches no route: JSON under the API's prefix, the HTML page elsewhere."""
    from django.views.defaults import page_not_found

    if request.path.startswith("/api/"):
        return JsonResponse({"detail": str(_("Not found.")), "code": "not_found"}, status=404)
    return page_not_found(request, exception)


def _mount():
    # Late: the apps' routers import schemas and handlers that need this module's ``api`` object defined.
    from yishi.audit.api import router as audit_router
    from yishi.comments.api import router as comments_router
    from yishi.funds.api import router as funds_router
    from yishi.matters.api import router as matters_router
    from yishi.meetings.api import router as meetings_router
    from yishi.meetings.matter_api import router as sessions_router
    from yishi.notices.api import router as board_router
    from yishi.notices.matter_api import router as results_router
    from yishi.people.api import router as people_router
    from yishi.plans.api import router as plans_router
    from yishi.procedures.api import router as procedures_router
    from yishi.regions.api import router as regions_router
    from yishi.reminders.api import router as notifications_router
    from yishi.reviews.api import router as reviews_router
    from yishi.stats.api import router as figures_router
    from yishi.surveys.api import router as surveys_router
    from yishi.votes.api import router as votes_router
    from yishi.votes.matter_api import router as vote_results_router
    from yishi.works.api import router as works_router

    api.add_router("/regions", regions_router)
    api.add_router("/people", people_router)
    api.add_router("/audit", audit_router)
    api.add_router("/matters", matters_router)
    # What is done under a matter (/matters/{id}/plan_versions …): each app's own router, beside matters'.
    for under_a_matter in (
        procedures_router,
        sessions_router,
        plans_router,
        reviews_router,
        vote_results_router,
        works_router,
        results_router,
    ):
        api.add_router("/matters", under_a_matter)
    api.add_router("/comments", comments_router)
    api.add_router("/surveys", surveys_router)
    api.add_router("/funds", funds_router)
    api.add_router("/votes", votes_router)
    api.add_router("/meetings", meetings_router)
    api.add_router("/board", board_router)
    api.add_router("/notifications", notifications_router)
    api.add_router("/figures", figures_router)


_mount()
