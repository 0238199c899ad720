#!/usr/bin/env python
"""Write the JSON API's OpenAPI schema to docs/openapi.json, the committed copy clients build against.

    .venv/bin/python scripts/openapi.py           # regenerate after changing an endpoint or a schema
    .venv/bin/python scripts/openapi.py --check   # exit 1 when the committed copy has drifted

tests/web/test_openapi.py fails on drift and points here.
"""

import json
import os
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
TARGET = ROOT / "docs" / "openapi.json"


def render() -> str:
    """The schema as committed: sorted keys, two-space indent, Chinese kept readable, final newline."""
    from yishi.api import api

    return json.dumps(api.get_openapi_schema(), indent=2, ensure_ascii=False, sort_keys=True) + "\n"


def main(argv: list[str]) -> int:
    sys.path.insert(0, str(ROOT / "src"))
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "yishi.settings")
    import django

    django.setup()
    schema = render()
    if "--check" in argv:
        current = TARGET.read_text(encoding="utf-8") if TARGET.exists() else ""
        if current != schema:
            print(f"{TARGET.relative_to(ROOT)} is out of date: run .venv/bin/python scripts/openapi.py")
            return 1
        return 0
    TARGET.parent.mkdir(parents=True, exist_ok=True)
    TARGET.write_text(schema, encoding="utf-8")
    print(f"wrote {TARGET.relative_to(ROOT)}")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
