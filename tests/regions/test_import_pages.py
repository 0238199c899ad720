"""The import pages: upload, template download, authority, and what the pages show."""

import io

import openpyxl
import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.files.uploadhandler import TemporaryFileUploadHandler
from django.http.multipartparser import MultiPartParser
from django.test import Client
from django.urls import reverse

from tests import builders
from yishi.people.models import Person
from yishi.regions.models import Household, Region
from yishi.regions.workbooks import XLSX_CONTENT_TYPE, too_large_message

REGION_HEADER = ["代码", "名称", "级别", "上级代码"]
HOUSEHOLD_HEADER = ["楼栋", "单元", "房号", "户号", "居住状态", "建筑面积", "户主姓名", "户主手机"]
BACKEND = "yishi.people.backends.PhonePasswordBackend"


def xlsx(header, rows) -> bytes:
    workbook = openpyxl.Workbook()
    sheet = workbook.active
    for row in (header, *rows):
        sheet.append(list(row))
    out = io.BytesIO()
    workbook.save(out)
    return out.getvalue()


def upload(content: bytes, name="data.xlsx"):
    return SimpleUploadedFile(name, content, content_type=XLSX_CONTENT_TYPE)


def households_url(region):
    return reverse("regions:import_households", args=[region.pk])


def regions_url(region):
    return reverse("regions:import_regions", args=[region.pk])


def template_url(region, kind):
    return reverse("regions:import_template", args=[region.pk, kind])


@pytest.fixture
def t(db):
    return builders.tree()


def logged_in(client, role=None, where=None, name="工作人员"):
    person = builders.person(name)
    if role:
        builders.role(person, role, where)
    client.force_login(person, backend=BACKEND)
    return client


@pytest.fixture
def committee(client, t):
    return logged_in(client, "committee", t.community, "社区书记")


@pytest.fixture
def bureau(client, t):
    return logged_in(client, "bureau", t.district, "民政局")


# --- authority ----------------------------------------------------------------------------------------------


@pytest.mark.parametrize("kind", ["regions", "households"])
def test_anonymous_visitors_are_sent_to_log_in(client, t, kind):
    for url in (reverse(f"regions:import_{kind}", args=[t.compound.pk]), template_url(t.compound, kind)):
        response = client.get(url)
        assert response.status_code == 302
        assert response["Location"].startswith(reverse("people:login"))
    response = client.post(households_url(t.compound), {"file": upload(b"x")})
    assert response.status_code == 302


@pytest.mark.parametrize("who", ["resident", "sibling_committee", "bureau"])
def test_people_without_authority_over_the_compound_get_403(client, t, who):
    role, where = {
        "resident": ("resident", t.community),
        "sibling_committee": ("committee", t.sibling),
        "bureau": ("bureau", t.district),
    }[who]
    logged_in(client, role, where)
    assert client.get(households_url(t.compound)).status_code == 403
    assert client.get(template_url(t.compound, "households")).status_code == 403
    rows = [("1号楼", "1", "101", None, "常住")]
    response = client.post(households_url(t.compound), {"file": upload(xlsx(HOUSEHOLD_HEADER[:5], rows))})
    assert response.status_code == 403
    assert not Household.objects.exists()


def test_committee_members_may_not_import_regions(committee, t):
    assert committee.get(regions_url(t.community)).status_code == 403
    assert committee.get(template_url(t.community, "regions")).status_code == 403


def test_a_region_that_does_not_exist_is_404(committee):
    assert committee.get(reverse("regions:import_households", args=[999999])).status_code == 404


def test_an_unknown_import_kind_is_404(committee, t):
    assert committee.get(template_url(t.compound, "people")).status_code == 404


def test_the_own_committee_sees_the_form_and_the_template_link(committee, t):
    response = committee.get(households_url(t.compound))
    assert response.status_code == 200
    page = response.content.decode()
    assert 'enctype="multipart/form-data"' in page
    assert template_url(t.compound, "households") in page
    assert "户主手机" in page


def test_the_bureau_sees_the_region_import_form(bureau, t):
    response = bureau.get(regions_url(t.district))
    assert response.status_code == 200
    assert template_url(t.district, "regions") in response.content.decode()


def test_a_household_import_on_a_community_says_where_rosters_go(committee, t):
    response = committee.get(households_url(t.community))
    assert response.status_code == 400
    assert "multipart/form-data" not in response.content.decode()


# --- templates ----------------------------------------------------------------------------------------------


@pytest.mark.parametrize(("kind", "header"), [("households", HOUSEHOLD_HEADER)])
def test_the_committee_downloads_a_template_that_opens_in_excel(committee, t, kind, header):
    response = committee.get(template_url(t.compound, kind))
    assert response.status_code == 200
    assert response["Content-Type"] == XLSX_CONTENT_TYPE
    assert "attachment" in response["Content-Disposition"]
    workbook = openpyxl.load_workbook(io.BytesIO(response.content))
    assert [c.value for c in workbook.worksheets[0][1]] == header
    assert "说明" in workbook.sheetnames


def test_the_bureau_downloads_the_region_template(bureau, t):
    response = bureau.get(template_url(t.district, "regions"))
    assert response.status_code == 200
    workbook = openpyxl.load_workbook(io.BytesIO(response.content))
    assert [c.value for c in workbook.worksheets[0][1]][:4] == REGION_HEADER


# --- uploads ------------------------------------------------------------------------------------------------


def test_a_good_roster_is_saved_and_summarised(committee, t):
    rows = [
        ("1号楼", "1", "101", None, "常住", 90, "张三", "13912340001"),
        ("5号楼", "1", "101", None, "空房"),
    ]
    response = committee.post(households_url(t.compound), {"file": upload(xlsx(HOUSEHOLD_HEADER, rows))})
    assert response.status_code == 200
    page = response.content.decode()
    assert "5号楼" in page
    assert Household.objects.filter(region__parent=t.compound).count() == 2
    assert Person.objects.filter(phone="13912340001").exists()


def test_a_good_region_list_is_saved_and_summarised(bureau, t):
    rows = [("130903002", "南陈屯乡", "乡", "130903"), ("130903002001", "李庄村", "村", "130903002")]
    response = bureau.post(regions_url(t.district), {"file": upload(xlsx(REGION_HEADER, rows))})
    assert response.status_code == 200
    assert Region.objects.get(code="130903002001").rural


def test_a_bad_roster_shows_the_problems_and_saves_nothing(committee, t):
    rows = [
        ("1号楼", "1", "101", "H1", "常住"),
        ("2号楼", "1", "101", "H1", "常住"),
        ("1号楼", "1", "102", None, "满"),
    ]
    response = committee.post(households_url(t.compound), {"file": upload(xlsx(HOUSEHOLD_HEADER[:5], rows))})
    assert response.status_code == 400
    page = response.content.decode()
    assert "<td>3</td><td>户号</td>" in page
    assert "<td>4</td><td>居住状态</td>" in page
    assert not Household.objects.exists()
    assert not Region.objects.filter(name="2号楼").exists()


def test_script_tags_in_names_are_shown_escaped(committee, t):
    name = "<script>alert(1)</script>楼"
    rows = [(name, "1", "101", None, "常住"), (name, "1", "101", None, "常住")]
    response = committee.post(households_url(t.compound), {"file": upload(xlsx(HOUSEHOLD_HEADER[:5], rows))})
    assert response.status_code == 400
    page = response.content.decode()
    assert "<script>alert(1)</script>" not in page
    assert "&lt;script&gt;alert(1)&lt;/script&gt;楼" in page

    response = committee.post(
        households_url(t.compound), {"file": upload(xlsx(HOUSEHOLD_HEADER[:5], rows[:1]))}
    )
    assert response.status_code == 200
    page = response.content.decode()
    assert "<script>alert(1)</script>" not in page
    assert "&lt;script&gt;alert(1)&lt;/script&gt;楼" in page
    assert Region.objects.get(parent=t.compound, name=name)


def test_a_file_that_is_not_xlsx_gets_a_clear_message(committee, t):
    response = committee.post(households_url(t.compound), {"file": upload(b"a,b,c\n1,2,3\n", "roster.csv")})
    assert response.status_code == 400
    assert ".xlsx" in response.content.decode()


def test_posting_without_a_file_asks_for_one(committee, t):
    response = committee.post(households_url(t.compound), {})
    assert response.status_code == 400
    assert 'class="error"' in response.content.decode()


def test_missing_headers_are_listed(committee, t):
    response = committee.post(
        households_url(t.compound), {"file": upload(xlsx(["楼栋", "房号"], [("1号楼", "101")]))}
    )
    assert response.status_code == 400
    assert "<td>1</td><td>居住状态</td>" in response.content.decode()


def test_a_50_mb_upload_is_refused_without_reading_the_body(committee, t, monkeypatch):
    def no_parsing(self):
        raise AssertionError("the body was parsed")

    monkeypatch.setattr(MultiPartParser, "parse", no_parsing)
    big = upload(b"\0" * (50 * 1024 * 1024), "big.xlsx")
    response = committee.post(households_url(t.compound), {"file": big})
    assert response.status_code == 413
    assert too_large_message() in response.content.decode()
    assert not Household.objects.exists()


def test_an_upload_past_the_limit_is_dropped_while_it_streams(committee, t, settings, monkeypatch):
    settings.MAX_UPLOAD_BYTES = 100 * 1024
    kept = []
    original = TemporaryFileUploadHandler.receive_data_chunk

    def counting(self, raw_data, start):
        kept.append(len(raw_data))
        return original(self, raw_data, start)

    monkeypatch.setattr(TemporaryFileUploadHandler, "receive_data_chunk", counting)
    settings.FILE_UPLOAD_MAX_MEMORY_SIZE = 0  # every upload goes through the temporary-file handler
    response = committee.post(households_url(t.compound), {"file": upload(b"\0" * (150 * 1024))})
    assert response.status_code == 413
    assert too_large_message() in response.content.decode()
    assert sum(kept) <= 100 * 1024


def test_the_upload_form_is_protected_against_csrf(t):
    client = Client(enforce_csrf_checks=True)
    logged_in(client, "committee", t.community)
    rows = [("1号楼", "1", "101", None, "常住")]
    response = client.post(households_url(t.compound), {"file": upload(xlsx(HOUSEHOLD_HEADER[:5], rows))})
    assert response.status_code == 403
    assert not Household.objects.exists()


def test_a_post_with_the_csrf_token_is_accepted(t):
    client = Client(enforce_csrf_checks=True)
    logged_in(client, "committee", t.community)
    client.get(households_url(t.compound))
    token = client.cookies["csrftoken"].value
    rows = [("1号楼", "1", "101", None, "常住")]
    response = client.post(
        households_url(t.compound),
        {"file": upload(xlsx(HOUSEHOLD_HEADER[:5], rows)), "csrfmiddlewaretoken": token},
    )
    assert response.status_code == 200
    assert Household.objects.filter(room="101").exists()
