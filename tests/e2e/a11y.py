"""Accessibility checks with axe-core on every page a browser test visits, in normal and in elderly mode.

``Audit.watch(context)`` makes a browser context audited: axe-core (shipped by axe_playwright_python) is
injected into every page and runs in it once the page has loaded, reporting back through a binding, unless a
page of the same route and the same shape (the kinds of element it is built of, see ``SHAPE``) was checked
earlier in the run: the same step of a story walked again, or another test's visit, finds nothing new. The
page's next navigation (a link, a form post, a goto) is held until that report has come, so no page is left
unchecked however quickly the test moves on; a context the test closes waits for its pages' reports too.
(Evaluating in a page whose navigation is pending hangs, so the check cannot simply run at that moment.)
If the report has not come within 15 s, the navigation goes on and the page is checked later beside the test,
in both modes, as the person.

The first time a page is seen (one page key per route: /m/12/ and /m/13/ are one page), it is also opened
beside the test, in a fresh context with the same person's cookies, switched to elderly mode with the page's
own toggle (the form posting to /elderly/), and checked again — as soon as its first check reports, while the
test goes on, so it shows nearly the same state. ``Audit.finish()`` does the same for pages still open at the end, then fails the test on any
violation of impact "serious" or "critical", each named by page, mode, rule and element. A page only a form
post shows (a refusal, the second login step) is checked in normal mode only: no GET shows it again.
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
FRESH_URL = "/__a11y/fresh"
# A page's shape: the kinds of element it is built of (tag, class, type, role) and its mode, not its text. Two
# loads of one shape share their violations (a missing label, a colour pair), so one check covers both.
SHAPE = """() => {
  const kinds = new Set();
  for (const e of document.body ? document.body.querySelectorAll("*") : [])
    kinds.add([e.tagName, e.getAttribute("class") || "", e.getAttribute("type") || "", e.getAttribute("role") || ""].join("."));
  if (document.body && document.body.classList.contains("elderly")) kinds.add("(elderly)");
  return [...kinds].sort().join("|");
}"""
# In every page of a watched context: once loaded, check it unless a page of its route and shape has been checked
# in this run, and report (null for feeds, PDFs and the like; {seen} for a shape checked before).
ON_LOAD = f"""if (window.top === window) window.addEventListener("load", async () => {{
  const report = r => window.__a11yReport(location.href, r);
  try {{
    // Asked by a request the audit answers itself: a binding's answer is delivered by evaluating in the page,
    // which hangs once the test has started the next navigation.
    const fresh = document.contentType !== "text/html" || (await (await fetch("{FRESH_URL}", {{
      method: "POST", body: location.href + "\\n" + ({SHAPE})(),
    }})).text()) === "1";
    if (!fresh) {{
      report({{seen: true, elderly: document.body.classList.contains("elderly")}});
      return;
    }}
    report(await ({AXE_RUN})());
  }} catch (e) {{ report({{error: String(e)}}); }}
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
        return (
            f"{self.url} [{self.mode}] {self.rule} ({self.impact}: {self.help}) at {self.target}: {self.html}"
        )


@dataclass
class Audit:
    new_context: Callable[..., BrowserContext]  # the browser's own, not the audited one
    findings: list[Finding] = field(default_factory=list)
    checked: dict[str, set[str]] = field(default_factory=dict)  # page key -> modes checked
    first_seen: dict[str, tuple[str, dict]] = field(default_factory=dict)  # page key -> (url, storage state)
    not_html: set[str] = field(default_factory=set)  # feeds, PDFs and printables without the site's frame
    post_only: set[str] = field(default_factory=set)  # seen in normal mode only: no GET shows them again
    _visiting: int = 0  # elderly visits running beside the test
    errors: list[str] = field(default_factory=list)
    runs: int = 0
    _pending: dict[Page, str] = field(default_factory=dict)  # pages loaded whose report has not come yet
    _early: dict[Page, str] = field(default_factory=dict)  # reports that came before their page's load event
    _contexts: list[BrowserContext] = field(default_factory=list)
    # Routes an earlier test of the run has checked in elderly mode: the elderly visit beside this test is
    # skipped for them (the in-place check still runs on every new shape of a page this test loads).
    elderly_done: set[str] = field(default_factory=set)
    # (route, shape) pairs checked in this run: shared between the tests of a run, like ``elderly_done``.
    shapes_done: set[tuple[str, str]] = field(default_factory=set)
    skipped: int = 0

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
        def loaded():
            if self._early.pop(page, None) != page.url:
                self._pending[page] = page.url

        page.on("load", loaded)

    def _wait(self, page: Page, seconds: float = 15):
        deadline = time.monotonic() + seconds
        while page in self._pending and not page.is_closed() and time.monotonic() < deadline:
            page.wait_for_timeout(25)
        url = self._pending.pop(page, None)
        if url and url.startswith("http") and page_key(url) not in self.first_seen and not page.is_closed():
            # The check in place was cut short (a slow first run in a cold browser): check it beside the test.
            self.first_seen[page_key(url)] = (url, page.context.storage_state())

    def _before_request(self, route, request):
        if urlsplit(request.url).path == FRESH_URL:
            url, _, shape = (request.post_data or "").partition("\n")
            route.fulfill(status=200, content_type="text/plain", body="1" if self._fresh(url, shape) else "0")
            return
        if request.is_navigation_request() and request.frame.parent_frame is None:
            self._wait(request.frame.page)
        route.fallback()

    def _report(self, source, url, result):
        page = source["page"]
        if self._pending.pop(page, None) is None:
            self._early[page] = url  # the report overtook the page's load event: that load needs no wait
        if not url.startswith("http"):
            return
        key = page_key(url)
        first = key not in self.first_seen
        if first:
            self.first_seen[key] = (url, page.context.storage_state())
        self._record(url, result)
        if first and result and "elderly" in result:
            # This runs in its own greenlet: the test goes on meanwhile, and its page may move on at once.
            self._visiting += 1
            try:
                self._visit(key, *self.first_seen[key])
            except Exception as exc:  # an error in a binding callback would be lost: report it with the rest
                self.errors.append(f"{url} in elderly mode: {exc}")
            finally:
                self._visiting -= 1

    def _fresh(self, url: str, shape: str) -> bool:
        """True the first time a route is seen in this shape in this run (the page is then checked)."""
        seen = (page_key(url), shape)
        if seen in self.shapes_done:
            return False
        self.shapes_done.add(seen)
        return True

    def _record(self, url: str, result: dict | None):
        key = page_key(url)
        if result is None:
            self.not_html.add(key)
            return
        if "error" in result:
            self.errors.append(f"{url}: {result['error']}")
            return
        mode = "elderly" if result["elderly"] else "normal"
        self.checked.setdefault(key, set()).add(mode)
        if result.get("seen"):
            self.skipped += 1
            return
        self.runs += 1
        for v in result["violations"]:
            for node in v["nodes"]:
                impact = node["impact"] or v["impact"]
                if impact in FAILING:
                    self.findings.append(
                        Finding(url, mode, v["id"], impact, v["help"], node["target"], node["html"])
                    )

    @staticmethod
    def _answers_post_only(context: BrowserContext, url: str) -> bool:
        return context.request.head(url).status == 405

    def _visit(self, key: str, url: str, state: dict):
        """Open ``url`` as the person (``state``: their cookies) in elderly mode, and check it."""
        if key in self.not_html or self.checked.get(key, set()) >= {"normal", "elderly"}:
            return
        if key in self.elderly_done and "normal" in self.checked.get(key, set()):
            return
        context = self.new_context(
            storage_state=state, viewport={"width": 390, "height": 844}, locale="zh-CN", has_touch=True
        )
        context.set_default_timeout(10_000)
        context.add_init_script(path=str(AXE_JS))
        try:
            page = context.new_page()
            response = page.goto(url) if not self._answers_post_only(context, url) else None
            if response is None or not response.ok:
                self.post_only.add(key)
                return
            if "normal" not in self.checked.get(key, set()):
                self._record(url, page.evaluate(AXE_RUN))
            toggle = page.locator("form[action$='/elderly/'] button[type=submit]")
            if not toggle.count():
                self.not_html.add(key)  # a printable: no site frame, no elderly mode
                return
            toggle.click()
            page.wait_for_selector("body.elderly", state="attached")  # the toggle's redirect has come back
            page.wait_for_load_state()
            self._record(url, page.evaluate(AXE_RUN))
        finally:
            context.close()

    def finish(self):
        """Check what is left (pages still open, pages never checked), then fail on findings."""
        open_pages = [page for context in self._contexts for page in context.pages]
        for page in open_pages:
            self._wait(page)
        deadline = time.monotonic() + 30
        while open_pages and self._visiting and time.monotonic() < deadline:
            open_pages[0].wait_for_timeout(50)
        for key, (url, state) in list(self.first_seen.items()):
            self._visit(key, url, state)
        missing = sorted(
            k
            for k in self.first_seen
            if k not in self.not_html | self.post_only
            and self.checked.get(k, set()) | ({"elderly"} if k in self.elderly_done else set())
            != {"normal", "elderly"}
        )
        assert not self.findings, "Accessibility violations (serious or critical):\n" + "\n".join(
            sorted({str(f) for f in self.findings})
        )
        assert not self.errors, "axe-core did not run on:\n" + "\n".join(self.errors)
        assert not missing, f"Pages not checked in both modes: {missing}"
