"""Every kind of response carries the content-security policy and the security headers.

Pages, the API, static files, 404, 500 and 429 answers each take a different path through the middleware
(WhiteNoise answers static files before the rest of the stack runs; a 500 is made by the exception handler;
a 429 by the rate-limit middleware), so each is checked on its own. In production the cookies are secure.
"""

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
from django.test import Client

from tests import builders

ROOT = Path(__file__).resolve().parents[2]

EXPECTED = {
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "same-origin",
    "Cross-Origin-Opener-Policy": "same-origin",
}


def assert_hardened(response) -> None:
    for header, value in EXPECTED.items():
        assert response.headers.get(header) == value, (response.status_code, header, dict(response.headers))
    policy = response.headers.get("Content-Security-Policy", "")
    for directive in ("default-src 'self'", "script-src 'self'", "object-src 'none'", "base-uri 'self'"):
        assert directive in policy, (response.status_code, policy)
    # Framing is refused by either the CSP directive or the older header (browsers honour both).
    assert "frame-ancestors 'none'" in policy or response.headers.get("X-Frame-Options") == "DENY"
    assert "unsafe-inline" not in policy.split("script-src")[1].split(";")[0]


@pytest.fixture
def region(db):
    return builders.tree().community


@pytest.mark.parametrize("path", ["/", "/login/", "/healthz", "/audit/"])
def test_pages_carry_the_policy_and_headers(db, client, path):
    response = client.get(path)
    assert response.status_code == 200
    assert_hardened(response)


def test_a_region_page_and_the_api_carry_them(client, region):
    page = client.get(f"/r/{region.pk}/")
    assert page.status_code == 200
    assert_hardened(page)
    api = client.get(f"/api/v1/board/{region.pk}")
    assert api.status_code == 200 and api["Content-Type"].startswith("application/json")
    assert_hardened(api)


def test_static_files_carry_them(db, client):
    response = client.get("/static/yishi/site.css")
    assert response.status_code == 200
    assert_hardened(response)


def test_not_found_pages_and_api_answers_carry_them(db, client):
    for path in ("/no-such-page/", "/api/v1/no-such-endpoint", "/static/no-such-file.css"):
        response = client.get(path)
        assert response.status_code == 404, path
        assert_hardened(response)


def test_a_server_error_carries_them(db, monkeypatch):
    from yishi.regions import queries

    def broken():
        raise RuntimeError("simulated failure")

    monkeypatch.setattr(queries, "landing_region", broken)
    response = Client(raise_request_exception=False).get("/")
    assert response.status_code == 500
    assert_hardened(response)
    assert "simulated failure" not in response.content.decode()


def test_a_rate_limited_answer_carries_them_and_says_what_happened(db, client):
    ask = lambda: client.post("/login/code/request/", {"phone": "13912345678"}, HTTP_ACCEPT_LANGUAGE="en")  # noqa: E731
    statuses = [ask().status_code for _ in range(6)]
    assert statuses == [200, 409, 409, 409, 409, 429]
    response = ask()
    assert response.status_code == 429
    assert_hardened(response)
    assert "Too many attempts in a short time" in response.content.decode()


def production(code: str, **extra) -> dict:
    """Run ``code`` under the production profile in a fresh process; it prints one JSON value."""
    env = {
        **os.environ,
        "YISHI_PROFILE": "production",
        "SECRET_KEY": "x" * 60,
        "ALLOWED_HOSTS": "yishi.example",
        "CACHE_URL": "redis://127.0.0.1:6379/15",
        "DATABASE_URL": "sqlite:///:memory:",
        "DEBUG": "",
        "DJANGO_SETTINGS_MODULE": "yishi.settings",
        # Named, not read: these answers sign no checkpoint (the deploy check tests the key itself).
        "AUDIT_SIGNING_KEY_FILE": "/nonexistent/record.key",
        **extra,
    }
    env.pop("YISHI_VAR_DIR", None)
    result = subprocess.run(  # noqa: S603 - the project's own interpreter
        [sys.executable, "-c", "import django; django.setup()\n" + code],
        env=env,
        cwd=ROOT / "src",
        capture_output=True,
        text=True,
        check=False,
        timeout=120,
    )
    assert result.returncode == 0, result.stderr
    return json.loads(result.stdout.strip().splitlines()[-1])


def test_production_cookies_are_secure_and_http_only_and_debug_is_off():
    values = production(
        "import json\n"
        "from django.conf import settings as s\n"
        "from django.test import Client, override_settings\n"
        # The hashed-name manifest exists only after collectstatic; cookies do not depend on it.
        "override_settings(STORAGES={**s.STORAGES, 'staticfiles': {'BACKEND':"
        " 'django.contrib.staticfiles.storage.StaticFilesStorage'}}).enable()\n"
        "r = Client(HTTP_X_FORWARDED_PROTO='https').get('/login/', HTTP_HOST='yishi.example')\n"
        "c = r.cookies['csrftoken']\n"
        "print(json.dumps({'status': r.status_code, 'csrf_secure': bool(c['secure']),"
        " 'csrf_httponly': bool(c['httponly']), 'session_secure': s.SESSION_COOKIE_SECURE,"
        " 'session_httponly': s.SESSION_COOKIE_HTTPONLY, 'debug': s.DEBUG,"
        " 'hsts': r.headers.get('Strict-Transport-Security', ''), 'csp': r.headers.get('Content-Security-Policy', '')}))"
    )
    assert values["status"] == 200
    assert values["csrf_secure"] and values["csrf_httponly"]
    assert values["session_secure"] and values["session_httponly"]
    assert values["debug"] is False
    assert "max-age=31536000" in values["hsts"] and "includeSubDomains" in values["hsts"]
    assert "frame-ancestors 'none'" in values["csp"]


def test_production_redirects_plain_http_to_https_except_the_health_check():
    values = production(
        "import json\n"
        "from django.test import Client\n"
        "c = Client()\n"
        "print(json.dumps({'login': [c.get('/login/', HTTP_HOST='yishi.example').status_code,"
        " c.get('/login/', HTTP_HOST='yishi.example').headers.get('Location')],"
        " 'healthz': c.get('/healthz', HTTP_HOST='yishi.example').status_code}))"
    )
    assert values["login"] == [301, "https://yishi.example/login/"]
    assert values["healthz"] == 200
