from django.shortcuts import get_object_or_404
from ninja import Query, Router, Schema

from yishi.api_schemas import Paging, page_of

from . import queries
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
