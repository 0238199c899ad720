"""Accessibility checks with axe-core on every page a browser test visits, in normal and in elderly mode.

``Audit.watch(context)`` makes a browser context audited: axe-core (shipped by axe_playwright_python) is
injected into every page and runs in it once the page has loaded, reporting back through a binding. The
page's next navigation (a link, a form post, a goto) is held until that report has come, so no page is left
unchecked however quickly the test moves on; a context the test closes waits for its pages' reports too.
(Evaluating in a page whose navigation is pending hangs, so the check cannot simply run at that moment.)

``Audit.finish(base)`` then visits each page once more in elderly mode, switched on with the page's own
toggle (a form posting to /elderly/), as the person who first saw it (their cookies), and checks it again;
pages never checked in normal mode (left before their check could run) are checked there too. Violations
of impact "serious" or "critical" fail the test, each named by page, rule and element.
"""

from __future__ import annotations

import re
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import urlsplit

import axe_playwright_python
from playwright.sync_api import BrowserContext, Page

AXE_JS = Path(axe_playwright_python.__file__).with_name("axe.min.js")
FAILING = ("serious", "critical")
AXE_RUN = """async () => {
  if (document.contentType !== "text/html" || !window.axe) return null;
  const result = await axe.run(document, {runOnly: {type: "tag", values: ["wcag2a", "wcag2aa"]}, resultTypes: ["violations"]});
  return {
    elderly: document.body.classList.contains("elderly"),
    violations: result.violations.map(v => ({
      id: v.id, impact: v.impact, help: v.help,
      nodes: v.nodes.map(n => ({target: n.target.join(" "), html: n.html.slice(0, 200), impact: n.impact})),
    })),
  };
}"""
# In every page of a watched context: check it once loaded, and report (null for feeds, PDFs and the like).
ON_LOAD = f"""if (window.top === window) window.addEventListener("load", () => {{
  ({AXE_RUN})().then(r => window.__a11yReport(location.href, r), e => window.__a11yReport(location.href, {{error: String(e)}}));
}});"""


def page_key(url: str) -> str:
    """One key per page, whatever the record it shows: /m/12/works/3/report/ is /m/#/works/#/report/."""
    return re.sub(r"/\d+(?=/|$)", "/#", urlsplit(url).path)


@dataclass
class Finding:
    url: str
    mode: str
    rule: str
    impact: str
    help: str
    target: str
    html: str

    def __str__(self):
        return f"{self.url} [{self.mode}] {self.rule} ({self.impact}: {self.help}) at {self.target}: {self.html}"


@dataclass
class Audit:
    new_context: Callable[..., BrowserContext]  # the browser's own, not the audited one
    findings: list[Finding] = field(default_factory=list)
    checked: dict[str, set[str]] = field(default_factory=dict)  # page key -> modes checked
    first_seen: dict[str, tuple[str, dict]] = field(default_factory=dict)  # page key -> (url, storage state)
    not_html: set[str] = field(default_factory=set)  # feeds, PDFs and printables without the site's frame
    post_only: set[str] = field(default_factory=set)  # seen in normal mode only: no GET shows them again
    errors: list[str] = field(default_factory=list)
    runs: int = 0
    _pending: dict[Page, str] = field(default_factory=dict)  # pages loaded whose report has not come yet
    _contexts: list[BrowserContext] = field(default_factory=list)

    def watch(self, context: BrowserContext) -> BrowserContext:
        context.add_init_script(path=str(AXE_JS))
        context.add_init_script(script=ON_LOAD)
        context.expose_binding("__a11yReport", self._report)
        context.route("**/*", self._before_request)
        context.on("page", self._track)
        close = context.close

        def close_after_checking(*args, **kwargs):
            for page in list(context.pages):
                self._wait(page)
            return close(*args, **kwargs)

        context.close = close_after_checking  # a test that closes a context has left its last pages
        self._contexts.append(context)
        return context

    def _track(self, page: Page):
        page.on("load", lambda: self._pending.__setitem__(page, page.url))

    def _wait(self, page: Page, seconds: float = 15):
        deadline = time.monotonic() + seconds
        while page in self._pending and not page.is_closed() and time.monotonic() < deadline:
            page.wait_for_timeout(25)
        if self._pending.pop(page, None):
            self.errors.append(f"{page.url}: no report from axe-core within {seconds}s")

    def _before_request(self, route, request):
        if request.is_navigation_request() and request.frame.parent_frame is None:
            self._wait(request.frame.page)
        route.fallback()

    def _report(self, source, url, result):
        page = source["page"]
        self._pending.pop(page, None)
        if not url.startswith("http"):
            return
        key = page_key(url)
        if key not in self.first_seen:
            self.first_seen[key] = (url, page.context.storage_state())
        self._record(url, result)

    def _record(self, url: str, result: dict | None):
        key = page_key(url)
        if result is None:
            self.not_html.add(key)
            return
        if "error" in result:
            self.errors.append(f"{url}: {result['error']}")
            return
        self.runs += 1
        mode = "elderly" if result["elderly"] else "normal"
        self.checked.setdefault(key, set()).add(mode)
        for v in result["violations"]:
            for node in v["nodes"]:
                impact = node["impact"] or v["impact"]
                if impact in FAILING:
                    self.findings.append(Finding(url, mode, v["id"], impact, v["help"], node["target"], node["html"]))

    @staticmethod
    def _answers_post_only(context: BrowserContext, url: str) -> bool:
        return context.request.head(url).status == 405

    def finish(self):
        """Check each page in elderly mode (and in normal mode where it was never checked), then fail on findings."""
        for context in self._contexts:
            for page in list(context.pages):
                self._wait(page)
        for key, (url, state) in list(self.first_seen.items()):
            if key in self.not_html or self.checked.get(key, set()) >= {"normal", "elderly"}:
                continue
            context = self.new_context(storage_state=state, viewport={"width": 390, "height": 844},
                                       locale="zh-CN", has_touch=True)
            context.set_default_timeout(10_000)
            context.add_init_script(path=str(AXE_JS))
            try:
                page = context.new_page()
                response = page.goto(url) if not self._answers_post_only(context, url) else None
                if response is None or not response.ok:
                    self.post_only.add(key)  # shown after a form post (a refusal, the next login step)
                    continue
                if "normal" not in self.checked.get(key, set()):
                    self._record(url, page.evaluate(AXE_RUN))
                toggle = page.locator("form[action$='/elderly/'] button[type=submit]")
                if not toggle.count():
                    self.not_html.add(key)  # a printable: no site frame, no elderly mode
                    continue
                toggle.click()
                page.wait_for_load_state()
                self._record(url, page.evaluate(AXE_RUN))
            finally:
                context.close()
        missing = sorted(k for k in self.first_seen if k not in self.not_html | self.post_only
                         and self.checked.get(k, set()) != {"normal", "elderly"})
        assert not self.findings, "Accessibility violations (serious or critical):\n" + "\n".join(
            sorted({str(f) for f in self.findings}))
        assert not self.errors, "axe-core did not run on:\n" + "\n".join(self.errors)
        assert not missing, f"Pages not checked in both modes: {missing}"
