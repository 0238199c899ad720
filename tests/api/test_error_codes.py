"""docs/api-errors.md lists every error code a client may meet: it must not drift from the source."""

import importlib.util
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


def _script():
    spec = importlib.util.spec_from_file_location("api_errors_script", ROOT / "scripts" / "api_errors.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_the_committed_error_codes_list_every_code_the_source_refuses_with():
    script = _script()
    committed = (ROOT / "docs" / "api-errors.md").read_text(encoding="utf-8")
    assert committed == script.render(), (
        "docs/api-errors.md has drifted from the codes in the source: regenerate it with "
        ".venv/bin/python scripts/api_errors.py and commit the result."
    )


def test_the_codes_the_api_itself_answers_are_documented():
    committed = (ROOT / "docs" / "api-errors.md").read_text(encoding="utf-8")
    source = (ROOT / "src" / "yishi" / "api.py").read_text(encoding="utf-8")
    for code in [
        "bad_request",
        "unauthenticated",
        "forbidden",
        "csrf_failed",
        "not_found",
        "invalid",
        "out_of_range",
        "rate_limited",
        "locked_out",
        "server_error",
        "invalid_login",
        "invalid_code",
    ]:
        assert f"`{code}`" in committed, code
    for code in [
        "bad_request",
        "unauthenticated",
        "csrf_failed",
        "not_found",
        "invalid",
        "out_of_range",
        "server_error",
    ]:
        assert f'"{code}"' in source, code
