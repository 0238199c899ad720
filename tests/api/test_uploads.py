"""What the pages upload is uploaded over the API too (multipart): a matter's photos, a progress report's photo,
a meeting's sign-in sheet, and the region and household spreadsheets."""

import datetime
import io

import openpyxl
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone
from PIL import Image

from tests import builders
from tests.api.conftest import API, anonymous, ok, problem, with_token
from tests.procedures import flows
from yishi.matters.models import Matter
from yishi.meetings import announcing, preparing
from yishi.meetings.models import SheetPhoto
from yishi.regions.models import Household, Region
from yishi.regions.workbooks import XLSX_CONTENT_TYPE
from yishi.works.models import ProgressReport
from yishi.works.services import assign_work


def png(name="photo.png") -> SimpleUploadedFile:
    out = io.BytesIO()
    Image.new("RGB", (40, 30), (30, 90, 200)).save(out, "PNG")
    return SimpleUploadedFile(name, out.getvalue(), content_type="image/png")


def not_an_image() -> SimpleUploadedFile:
    return SimpleUploadedFile("photo.png", b"plain text, not a picture", content_type="image/png")


def xlsx(header, rows) -> SimpleUploadedFile:
    workbook = openpyxl.Workbook()
    for row in (header, *rows):
        workbook.active.append(list(row))
    out = io.BytesIO()
    workbook.save(out)
    return SimpleUploadedFile("data.xlsx", out.getvalue(), content_type=XLSX_CONTENT_TYPE)


def _matter_fields(place) -> dict:
    return {
        "region": place.tree.compound.pk,
        "category": place.category.key,
        "title": "小区西侧小路积水",
        "description": "下雨后积水很深，老人摔倒过。",
    }


# --- a matter's photos ----------------------------------------------------------------------------------


def test_a_resident_raises_a_matter_with_photos(place):
    response = with_token(place.resident).post(
        f"{API}/matters/with_photos", {**_matter_fields(place), "photos": [png("a.png"), png("b.png")]}
    )
    body = ok(response, 201)
    assert len(body["photos"]) == 2 and all(p["width"] == 40 for p in body["photos"])
    assert Matter.objects.get().photos.count() == 2


def test_a_file_that_is_not_a_picture_refuses_the_whole_matter(place):
    response = with_token(place.resident).post(
        f"{API}/matters/with_photos", {**_matter_fields(place), "photos": [png(), not_an_image()]}
    )
    assert response.status_code == 409 and response.json()["field"] == "photos"
    assert not Matter.objects.exists()


def test_raising_with_photos_needs_the_fields_and_a_caller(place):
    problem(
        with_token(place.resident).post(f"{API}/matters/with_photos", {"photos": [png()]}), 422, "invalid"
    )
    problem(
        anonymous().post(f"{API}/matters/with_photos", {**_matter_fields(place), "photos": [png()]}),
        401,
        "unauthenticated",
    )
    assert not Matter.objects.exists()


# --- a progress report's photo --------------------------------------------------------------------------


def _assigned_work(place):
    """A matter on the short path at implementation, with a task for the fire brigade."""
    m = flows.implementing(place)
    return assign_work(
        actor=place.secretary, matter=m, title="维修坑洼路面", unit=place.fire, due_on=place.soon
    )


def test_the_responsible_unit_reports_progress_with_a_photo(place):
    work = _assigned_work(place)
    response = with_token(place.fire_staff).post(
        f"{API}/matters/{work.matter_id}/works/{work.pk}/reports/with_photo",
        {"text": "已疏通一半", "done": "false", "photo": png()},
    )
    body = ok(response, 201)
    assert body["text"] == "已疏通一半" and body["photo"]
    assert ProgressReport.objects.get().photo


def test_only_the_responsible_unit_reports_and_nothing_is_saved_otherwise(place):
    work = _assigned_work(place)
    url = f"{API}/matters/{work.matter_id}/works/{work.pk}/reports/with_photo"
    response = with_token(place.resident).post(url, {"text": "我来报", "photo": png()})
    assert response.status_code == 403 and response.json()["code"] == "forbidden"
    problem(with_token(place.resident).post(url, {"photo": png()}), 422, "invalid")
    problem(
        with_token(place.resident).post(
            f"{API}/matters/{work.matter_id}/works/999999/reports/with_photo", {"text": "x", "photo": png()}
        ),
        404,
        "not_found",
    )
    assert not ProgressReport.objects.exists()


# --- a meeting's sign-in sheet --------------------------------------------------------------------------


def _announced(place):
    meeting = preparing.create_meeting(
        actor=place.secretary,
        region=place.tree.community,
        form="consultation",
        platform="party_hall",
        title="西侧道路积水恳谈会",
        starts_at=timezone.now() + datetime.timedelta(days=10),
        place="党群议事厅",
    )
    announcing.announce(actor=place.secretary, meeting=meeting)
    return meeting


def test_staff_attach_a_photo_of_the_paper_sign_in_sheet(place):
    meeting = _announced(place)
    body = ok(with_token(place.secretary).post(f"{API}/meetings/{meeting.pk}/sheet", {"photo": png()}), 201)
    assert (body["width"], body["height"]) == (40, 30)
    assert SheetPhoto.objects.filter(meeting=meeting).count() == 1


def test_a_sheet_photo_is_refused_to_others_for_a_draft_and_when_not_a_picture(place):
    meeting = _announced(place)
    problem(
        with_token(place.other_secretary).post(f"{API}/meetings/{meeting.pk}/sheet", {"photo": png()}),
        403,
        "forbidden",
    )
    problem(anonymous().post(f"{API}/meetings/{meeting.pk}/sheet", {"photo": png()}), 401, "unauthenticated")
    response = with_token(place.secretary).post(
        f"{API}/meetings/{meeting.pk}/sheet", {"photo": not_an_image()}
    )
    assert response.status_code == 409
    problem(with_token(place.secretary).post(f"{API}/meetings/{meeting.pk}/sheet", {}), 422, "invalid")
    draft = preparing.create_meeting(
        actor=place.secretary,
        region=place.tree.community,
        form="consultation",
        platform="party_hall",
        title="草稿会议",
        starts_at=timezone.now() + datetime.timedelta(days=10),
        place="党群议事厅",
    )
    problem(
        with_token(place.secretary).post(f"{API}/meetings/{draft.pk}/sheet", {"photo": png()}),
        409,
        "not_held",
    )
    assert not SheetPhoto.objects.exists()


# --- spreadsheets ---------------------------------------------------------------------------------------

REGION_HEADER = ["代码", "名称", "级别", "上级代码"]
HOUSEHOLD_HEADER = ["楼栋", "单元", "房号", "户号", "居住状态", "建筑面积", "户主姓名", "户主手机"]


def test_the_committee_imports_a_household_roster(place):
    rows = [
        ("1号楼", "1", "101", None, "常住", 90, "张三", "13912340001"),
        ("5号楼", "1", "101", None, "空房"),
    ]
    body = ok(
        with_token(place.secretary).post(
            f"{API}/regions/{place.tree.compound.pk}/import/households",
            {"file": xlsx(HOUSEHOLD_HEADER, rows)},
        ),
        201,
    )
    assert body["rows"] == 2 and body["households_created"] == 2 and body["buildings_created"] == ["5号楼"]
    assert Household.objects.filter(region__parent=place.tree.compound).count() == 2


def test_a_roster_with_problems_lists_each_at_its_row_and_saves_nothing(place):
    rows = [
        ("1号楼", "1", "101", "H1", "常住"),
        ("2号楼", "1", "101", "H1", "常住"),
        ("1号楼", "1", "102", None, "满"),
    ]
    body = problem(
        with_token(place.secretary).post(
            f"{API}/regions/{place.tree.compound.pk}/import/households",
            {"file": xlsx(HOUSEHOLD_HEADER[:5], rows)},
        ),
        409,
        "import_rejected",
    )
    assert {(e["loc"][1], e["loc"][2]) for e in body["errors"]} >= {(3, "户号"), (4, "居住状态")}
    assert not Household.objects.exists() and not Region.objects.filter(name="2号楼").exists()


def test_the_bureau_imports_regions_and_a_committee_may_not(place):
    bureau = builders.person("民政局")
    builders.role(bureau, "bureau", place.tree.district)
    rows = [("130903002", "南陈屯乡", "乡", "130903"), ("130903002001", "李庄村", "村", "130903002")]
    problem(
        with_token(place.secretary).post(
            f"{API}/regions/{place.tree.district.pk}/import/regions", {"file": xlsx(REGION_HEADER, rows)}
        ),
        403,
        "forbidden",
    )
    assert not Region.objects.filter(code="130903002001").exists()
    body = ok(
        with_token(bureau).post(
            f"{API}/regions/{place.tree.district.pk}/import/regions", {"file": xlsx(REGION_HEADER, rows)}
        ),
        201,
    )
    assert body["created"] == 2 and Region.objects.get(code="130903002001").rural


def test_an_import_needs_a_file_a_spreadsheet_and_a_region(place):
    url = f"{API}/regions/{place.tree.compound.pk}/import/households"
    problem(with_token(place.secretary).post(url, {}), 422, "invalid")
    response = with_token(place.secretary).post(
        url, {"file": SimpleUploadedFile("a.xlsx", b"not a workbook")}
    )
    assert response.status_code == 409 and response.json()["detail"]
    problem(
        with_token(place.secretary).post(
            f"{API}/regions/999999/import/households", {"file": xlsx(HOUSEHOLD_HEADER, [])}
        ),
        404,
        "not_found",
    )
    assert not Household.objects.exists()
