from django.shortcuts import get_object_or_404
from ninja import Field, File, Query, Router, Schema, UploadedFile

from yishi.api_schemas import WRITE_ERRORS, Paging, created, page_of
from yishi.people.tokens import WRITE_AUTH

from . import household_import, queries, region_import, services
from .models import Region

router = Router(tags=["regions"])


class RegionOut(Schema):
    id: int
    name: str
    level: int
    level_label: str
    code: str | None
    rural: bool
    parent_id: int | None

    @staticmethod
    def resolve_level_label(obj) -> str:
        return obj["level_label"] if isinstance(obj, dict) else obj.kind_label


class RegionDetail(RegionOut):
    ancestors: list[RegionOut]
    children: list[RegionOut]
    household_count: int | None


class RegionPage(Schema):
    count: int
    limit: int
    offset: int
    items: list[RegionOut]


@router.get("/", response=RegionPage, summary="Top-level regions (a region's page lists its children)")
def list_roots(request, paging: Query[Paging]):
    return page_of(queries.roots(), paging)


@router.get("/{int:region_id}", response=RegionDetail, summary="A region with its ancestors and children")
def region_detail(request, region_id: int):
    region = get_object_or_404(Region, pk=region_id)
    ctx = queries.region_page_context(region)
    return {
        **RegionOut.from_orm(region).dict(),
        "ancestors": ctx["ancestors"],
        "children": ctx["children"],
        "household_count": ctx["household_count"],
    }


class RegionRef(Schema):
    id: int
    name: str


class RuleOut(Schema):
    key: str
    label: str
    kind: str = Field(..., description="days (a whole number, or null for no minimum) | fraction ([n, d])")
    value: int | list[int] | None = Field(..., description="What holds at this region")
    source: str = Field(..., description="Who decided it and why (the statute for a default)")
    set_at: RegionRef | None = Field(
        ..., description="The region that set it: this one or an ancestor; null for the default"
    )
    default: int | list[int] | None
    default_source: str


class RuleIn(Schema):
    value: int | list[int] | None = Field(
        ..., description="Days as a whole number 0-60 or null; a threshold [n, d]"
    )
    source: str = Field(..., max_length=500, description="Who decided this, and why")


def _rules(region: Region) -> list[dict]:
    return [
        {
            "key": row["rule"].key,
            "label": str(row["rule"].label),
            "kind": row["rule"].kind,
            "value": row["value"],
            "source": str(row["source"]),
            "set_at": {"id": row["set_at"].pk, "name": row["set_at"].name} if row["set_at"] else None,
            "default": row["default"],
            "default_source": str(row["default_source"]),
        }
        for row in queries.rules_page_rows(region)
    ]


@router.get(
    "/{int:region_id}/rules",
    response=list[RuleOut],
    summary="The rules in force at a region (notice periods, vote thresholds), each with its source",
)
def region_rules(request, region_id: int):
    return _rules(get_object_or_404(Region, pk=region_id))


@router.put(
    "/{int:region_id}/rules/{key}",
    auth=WRITE_AUTH,
    response={200: list[RuleOut], **WRITE_ERRORS},
    summary="Set a rule at a region, for it and everything below it (the bureau)",
)
def set_rule(request, region_id: int, key: str, body: RuleIn):
    region = get_object_or_404(Region, pk=region_id)
    services.set_region_rule(actor=request.auth, region=region, key=key, value=body.value, source=body.source)
    return _rules(region)


class RegionImportOut(Schema):
    rows: int
    created: int
    unchanged: int
    villages: int
    by_level: dict[int, int] = Field(..., description="Regions created, by level number")


class HouseholdImportOut(Schema):
    rows: int
    households_created: int
    households_updated: int
    households_unchanged: int
    buildings_created: list[str]
    heads_named: int = Field(
        ...,
        description="Heads of household the roster names; a registered person is asked to confirm, not linked",
    )


@router.post(
    "/{int:region_id}/import/regions",
    auth=WRITE_AUTH,
    response={201: RegionImportOut, **WRITE_ERRORS},
    summary="Import part of the tree under a region from the official division-code list (.xlsx, multipart). "
    "A file with problems saves nothing: 409 import_rejected lists each as errors[]",
)
def import_regions(request, region_id: int, file: File[UploadedFile]):
    result = region_import.import_regions(
        actor=request.auth, root=get_object_or_404(Region, pk=region_id), file=file
    )
    return created(
        {
            "rows": result.rows,
            "created": result.created,
            "unchanged": result.unchanged,
            "villages": result.villages,
            "by_level": result.by_level,
        }
    )


@router.post(
    "/{int:region_id}/import/households",
    auth=WRITE_AUTH,
    response={201: HouseholdImportOut, **WRITE_ERRORS},
    summary="Import a compound's household roster (.xlsx, multipart): buildings, households, their heads",
)
def import_households(request, region_id: int, file: File[UploadedFile]):
    result = household_import.import_households(
        actor=request.auth, compound=get_object_or_404(Region, pk=region_id), file=file
    )
    return created(
        {
            "rows": result.rows,
            "households_created": result.households_created,
            "households_updated": result.households_updated,
            "households_unchanged": result.households_unchanged,
            "buildings_created": list(result.buildings_created),
            "heads_named": result.heads_named,
        }
    )
