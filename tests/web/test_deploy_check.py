"""``manage.py check --deploy`` passes with no warnings under the production profile.

Run in a subprocess: the settings module reads the environment once, at import.
"""

import os
import secrets
import subprocess
import sys
from pathlib import Path

import pytest

from yishi.audit import notes
from yishi.audit.signing import write_key_file

ROOT = Path(__file__).resolve().parents[2]

# Variables that would change what the production profile means; the test sets its own.
_OVERRIDES = (
    "DEBUG",
    "DATABASE_URL",
    "SECURE_SSL_REDIRECT",
    "SECURE_HSTS_SECONDS",
    "CSRF_TRUSTED_ORIGINS",
    "AXES_ENABLED",
    "RATELIMIT_ENABLE",
    "AUDIT_KEY",
    "AUDIT_SIGNING_KEY_FILE",
    "AUDIT_LOG_ORIGIN",
    "DJANGO_SETTINGS_MODULE",
    "DJANGO_ALLOW_ASYNC_UNSAFE",
)


def signing_key(tmp_path) -> str:
    path = tmp_path / "record.key"
    if not path.exists():
        write_key_file(path, notes.generate("yishi.example.org/record"))
    return str(path)


def deploy_check(tmp_path, **extra: str) -> subprocess.CompletedProcess:
    env = {k: v for k, v in os.environ.items() if k not in _OVERRIDES}
    env.update(
        {
            "YISHI_PROFILE": "production",
            "AUDIT_SIGNING_KEY_FILE": signing_key(tmp_path),
            "AUDIT_LOG_ORIGIN": "yishi.example.org/record",
            "SECRET_KEY": secrets.token_urlsafe(64),
            "ALLOWED_HOSTS": "yishi.example.org",
            "CACHE_URL": "redis://127.0.0.1:6379/1",
            "YISHI_VAR_DIR": str(tmp_path),
            **extra,
        }
    )
    return subprocess.run(
        [sys.executable, "manage.py", "check", "--deploy", "--fail-level", "WARNING"],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )


def test_the_production_profile_passes_the_deploy_check_with_no_warnings(tmp_path):
    result = deploy_check(tmp_path)
    output = result.stdout + result.stderr
    assert result.returncode == 0, output
    assert "System check identified no issues" in result.stdout, output
    assert "WARNING" not in output and "ERROR" not in output, output


def test_the_deploy_check_would_catch_a_weakened_setting(tmp_path):
    """The check above can fail: without HSTS, Django's own deploy check warns (security.W004)."""
    result = deploy_check(tmp_path, SECURE_HSTS_SECONDS="0")
    assert result.returncode != 0
    assert "security.W004" in result.stdout + result.stderr


def test_production_without_a_shared_cache_fails_the_deploy_check(tmp_path):
    result = deploy_check(tmp_path, CACHE_URL="")
    assert result.returncode != 0
    assert "django_ratelimit.E003" in result.stdout + result.stderr


def test_production_refuses_to_start_without_the_records_signing_key(tmp_path):
    result = deploy_check(tmp_path, AUDIT_SIGNING_KEY_FILE="")
    assert result.returncode != 0
    assert "AUDIT_SIGNING_KEY_FILE must name the record's signing key" in result.stderr


@pytest.mark.parametrize("problem", ["missing", "another record's", "not a key"])
def test_production_with_a_signing_key_it_cannot_use_fails_the_check(tmp_path, problem):
    path = tmp_path / "elsewhere.key"
    if problem == "another record's":
        write_key_file(path, notes.generate("other.example/record"))
    elif problem == "not a key":
        path.write_text("hello")
    result = deploy_check(tmp_path, AUDIT_SIGNING_KEY_FILE=str(path))
    assert result.returncode != 0
    assert "audit.E001" in result.stdout + result.stderr
