"""Hardening the headers test does not cover: matter submission is rate-limited, uploads are checked by
content (type, bytes, pixels, decompression bombs, the EXIF location), and no secret is committed.

Login and one-time codes have their limits tested in tests/people (test_login.py, test_token.py); the
deploy check under the production profile in tests/web/test_deploy_check.py.
"""

import io
import re
import subprocess
from pathlib import Path

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from PIL import Image

from tests import builders
from yishi.errors import Refused
from yishi.matters.models import Matter
from yishi.people.tokens import issue_token
from yishi.uploads import MAX_PIXELS, clean_photo

ROOT = Path(__file__).resolve().parents[2]
BACKEND = "yishi.people.backends.PhonePasswordBackend"
TOO_MANY = "Too many attempts in a short time. Please wait a few minutes and try again."


@pytest.fixture
def resident(db):
    builders.tree()
    return builders.person("刘桂兰")


def test_raising_matters_on_the_page_is_limited_with_a_clear_message(resident):
    client = Client(HTTP_ACCEPT_LANGUAGE="en")
    client.force_login(resident, backend=BACKEND)
    # Empty forms count as much as full ones: the limit is on attempts, so a script cannot probe freely.
    statuses = [client.post("/m/new/", {}).status_code for _ in range(20)]
    assert 429 not in statuses
    response = client.post("/m/new/", {"title": "第二十一件", "description": "……"})
    assert response.status_code == 429
    assert TOO_MANY in response.content.decode()
    assert Matter.objects.count() == 0


def test_raising_matters_through_the_api_is_limited_with_a_stable_code(resident):
    client = Client(HTTP_ACCEPT_LANGUAGE="en", HTTP_AUTHORIZATION=f"Bearer {issue_token(resident)}")
    body = {"region": 999_999, "category": "environment", "title": "路灯不亮", "description": "西门路灯坏了"}
    statuses = [
        client.post("/api/v1/matters/", body, content_type="application/json").status_code for _ in range(21)
    ]
    assert 429 not in statuses[:20]
    assert statuses[20] == 429
    answer = client.post("/api/v1/matters/", body, content_type="application/json").json()
    assert answer["code"] == "rate_limited" and answer["detail"] == TOO_MANY


# ---- uploads, by content -----------------------------------------------------------------------------------


def upload(image: Image.Image, kind: str, name: str = "photo.png", **save) -> SimpleUploadedFile:
    out = io.BytesIO()
    image.save(out, kind, **save)
    return SimpleUploadedFile(name, out.getvalue())


def refusal(upload_file) -> Refused:
    with pytest.raises(Refused) as error:
        clean_photo(upload_file)
    return error.value


def test_a_small_file_with_too_many_pixels_is_refused_before_it_is_decoded():
    # 48 million one-bit pixels compress to a few kilobytes: the byte limit alone would let it through.
    bomb = upload(Image.new("1", (8000, 6000)), "PNG")
    assert bomb.size < 100_000 and MAX_PIXELS < 8000 * 6000
    assert refusal(bomb).code == "upload_too_many_pixels"


def test_a_decompression_bomb_beyond_pillows_own_guard_is_refused():
    bomb = upload(Image.new("1", (20_000, 10_000)), "PNG")  # 200 megapixels in a few tens of kilobytes
    assert refusal(bomb).code in ("upload_too_many_pixels", "upload_not_image")


@pytest.mark.parametrize(
    ("make", "name"),
    [
        (lambda: upload(Image.new("RGB", (40, 30)), "GIF", "photo.jpg"), "a GIF named .jpg"),
        (lambda: SimpleUploadedFile("photo.jpg", b"<script>alert(1)</script>" * 10), "a script named .jpg"),
        (lambda: SimpleUploadedFile("photo.png", b"\x89PNG\r\n\x1a\n" + bytes(200)), "a broken PNG"),
    ],
)
def test_files_that_are_not_accepted_photos_are_refused_by_content(make, name):
    assert refusal(make()).code == "upload_not_image", name


def test_a_file_over_the_byte_limit_is_refused_before_it_is_read(settings):
    settings.MAX_UPLOAD_BYTES = 1024
    big = upload(Image.effect_noise((200, 200), 50).convert("RGB"), "PNG")
    assert big.size > 1024
    assert refusal(big).code == "upload_too_large"


def test_the_exif_location_is_stripped_and_the_photo_re_encoded():
    exif = Image.Exif()
    exif[0x8825] = {1: "N", 2: (38.0, 18.0, 0.0), 3: "E", 4: (116.0, 50.0, 0.0)}  # GPSInfo: 沧州
    exif[0x010F] = "PhoneMaker"
    original = upload(Image.new("RGB", (64, 48), "orange"), "JPEG", "p.jpg", exif=exif.tobytes())
    with Image.open(io.BytesIO(original.read())) as probe:
        assert probe.getexif().get_ifd(0x8825)  # the test photo does carry a location
    original.seek(0)
    cleaned, width, height = clean_photo(original)
    with Image.open(io.BytesIO(cleaned.read())) as result:
        assert result.format == "JPEG" and (width, height) == (64, 48)
        assert not result.getexif().get_ifd(0x8825) and not dict(result.getexif())


# ---- no secrets in the repository --------------------------------------------------------------------------

# Assembled from parts so that this file does not match itself.
SECRET_PATTERNS = {
    "a private key": re.compile("-----BEGIN ([A-Z]+ )?" + "PRIVATE KEY-----"),
    "an AWS access key": re.compile(r"\bAKIA" + r"[0-9A-Z]{16}\b"),
    "a GitHub token": re.compile(r"\bgh[pousr]_" + r"[A-Za-z0-9]{36,}\b"),
    "a Slack token": re.compile(r"\bxox[abprs]-" + r"[A-Za-z0-9-]{10,}"),
    "a hard-coded Django secret key": re.compile(r"""^\s*SECRET_KEY\s*=\s*['"][^'"]{20,}['"]""", re.M),
    "a password in a database URL": re.compile(
        r"postgres(ql)?://[^:/@\s]+:(?!\{|\$)[^@\s]{3,}@" + r"(?!127\.|localhost)"
    ),
}


def tracked_files() -> list[Path]:
    try:
        listed = subprocess.run(["git", "ls-files", "-z"], cwd=ROOT, capture_output=True, check=True)  # noqa: S607
    except (OSError, subprocess.CalledProcessError):
        pytest.skip("not a git checkout: nothing tracked to search")
    return [ROOT / name for name in listed.stdout.decode().split("\0") if name]


def test_no_secrets_are_committed():
    found = []
    files = tracked_files()
    assert len(files) > 100
    for path in files:
        if not path.is_file() or path.suffix in {".mo", ".png", ".jpg", ".pdf", ".ico", ".woff2"}:
            continue
        text = path.read_text(errors="ignore")
        found += [
            f"{path.relative_to(ROOT)}: {what}"
            for what, pattern in SECRET_PATTERNS.items()
            if pattern.search(text)
        ]
    assert found == []
    assert not any(p.name in {"secret_key", ".env", "id_rsa", "id_ed25519"} for p in files)


def test_the_secret_search_would_find_a_committed_key():
    sample = "-----BEGIN RSA " + "PRIVATE KEY-----\nMIIEow...\n"
    assert SECRET_PATTERNS["a private key"].search(sample)
    assert SECRET_PATTERNS["a hard-coded Django secret key"].search('SECRET_KEY = "' + "k" * 40 + '"')
    assert SECRET_PATTERNS["a password in a database URL"].search(
        "postgresql://yishi:" + "hunter2@db.internal/yishi"
    )
    assert not SECRET_PATTERNS["a password in a database URL"].search(
        "postgresql://postgres@127.0.0.1:5432/x"
    )
