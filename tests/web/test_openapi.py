"""The committed OpenAPI schema (docs/openapi.json) is the API clients build against: it must not drift."""

import difflib
import importlib.util
import json
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
COMMITTED = ROOT / "docs" / "openapi.json"
REGENERATE = ".venv/bin/python scripts/openapi.py"


def _script():
    spec = importlib.util.spec_from_file_location("openapi_script", ROOT / "scripts" / "openapi.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_the_generated_openapi_schema_equals_the_committed_one():
    generated = _script().render()
    committed = COMMITTED.read_text(encoding="utf-8") if COMMITTED.exists() else ""

    if generated != committed:
        diff = "".join(
            list(
                difflib.unified_diff(
                    committed.splitlines(keepends=True),
                    generated.splitlines(keepends=True),
                    "docs/openapi.json (committed)",
                    "generated from yishi.api",
                )
            )[:60]
        )
        raise AssertionError(
            f"docs/openapi.json has drifted from the API. If the change is intended, regenerate it with\n"
            f"    {REGENERATE}\nand commit the result.\n\n{diff}"
        )


def test_the_committed_schema_is_valid_json_describing_this_api():
    schema = json.loads(COMMITTED.read_text(encoding="utf-8"))
    assert schema["openapi"].startswith("3.")
    assert schema["info"]["title"] == "Yishi 议事 API"
    assert "/api/v1/people/me" in schema["paths"]
