"""Screenshots of every step of a browser story, kept only when the story fails.

Each ``shot`` goes into a temporary folder, numbered in the order taken and named by who took the step and
what it was; the ``film`` fixture (conftest.py) copies the folder to var/test-results/<test>/ when the test
fails, so a failure can be read step by step as each person saw it.
"""

from __future__ import annotations

import re
import shutil
from pathlib import Path

from playwright.sync_api import Error, Page

RESULTS = Path(__file__).resolve().parents[2] / "var" / "test-results"


class Film:
    def __init__(self, folder: Path):
        self.folder = folder
        self.count = 0
        self.pages: dict[str, Page] = {}  # who -> their page, shot once more when the story fails

    def shot(self, page: Page, who: str, step: str) -> Path | None:
        self.pages[who] = page
        self.count += 1
        name = re.sub(r"[^\w.-]+", "-", f"{self.count:03d}-{who}-{step}").strip("-")[:120]
        path = self.folder / f"{name}.png"
        try:
            page.screenshot(path=str(path), full_page=True)
        except Error:
            return None  # a closed page has nothing to show; the next shot tells the story on
        return path

    def keep(self, test_name: str) -> Path:
        for who, page in self.pages.items():  # where each person was when it failed: the step that broke
            self.shot(page, who, "at-failure")
        target = RESULTS / re.sub(r"[^\w.-]+", "_", test_name)
        shutil.rmtree(target, ignore_errors=True)
        shutil.copytree(self.folder, target)
        return target
