"""Browser tests: Playwright driving Debian's Chromium against a live test server.

They run in the integration leg (`make test-integration`); elsewhere they are skipped when
Chromium or Playwright is missing. Nothing downloads a browser.
"""

import os
import shutil
from pathlib import Path

import pytest

CHROMIUM = os.environ.get("CHROMIUM_PATH", "/usr/bin/chromium")
AXE = Path(__file__).resolve().parents[2] / "node_modules" / "axe-core" / "axe.min.js"
ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]

# Playwright's sync API runs an event loop in this thread; the test code around it is
# synchronous Django code that touches the database, which Django would otherwise refuse.
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")


def pytest_collection_modifyitems(items):
    for item in items:
        if "tests/browser/" in str(item.fspath):
            item.add_marker(pytest.mark.browser)


@pytest.fixture(scope="session")
def browser():
    try:
        from playwright.sync_api import sync_playwright
    except ImportError:
        pytest.skip("playwright is not installed")
    if not shutil.which(CHROMIUM) and not Path(CHROMIUM).exists():
        pytest.skip(f"no Chromium at {CHROMIUM}")
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, headless=True, args=ARGS)
        yield browser
        browser.close()


@pytest.fixture
def new_page(browser, live_server):
    contexts = []

    def make(language="nl"):
        context = browser.new_context(
            base_url=live_server.url, locale=language, accept_downloads=True
        )
        context.set_default_timeout(15_000)
        contexts.append(context)
        return context.new_page()

    yield make
    for context in contexts:
        context.close()


@pytest.fixture
def page(new_page):
    return new_page()


_AXE_SOURCE: list[str] = []


def _axe_source() -> str:
    if not _AXE_SOURCE:
        _AXE_SOURCE.append(AXE.read_text(encoding="utf-8"))
    return _AXE_SOURCE[0]


def axe_violations(page, impacts=("serious", "critical")) -> list[dict]:
    """Run axe-core in the page; return the violations of the given impacts, and every ARIA
    check axe could not decide ("needs review"): an aria-describedby pointing at an id that does
    not exist shows up only there."""
    if not AXE.exists():
        pytest.skip("axe-core is not installed (npm ci)")
    # Evaluated through the DevTools protocol: our CSP (rightly) refuses injected <script>s.
    if not page.evaluate("() => typeof window.axe !== 'undefined'"):
        page.evaluate(_axe_source() + "\n;true")
    result = page.evaluate(
        "async () => await axe.run(document, {resultTypes: ['violations', 'incomplete']})"
    )
    found = [v for v in result["violations"] if v["impact"] in impacts]
    found += [v for v in result["incomplete"] if v["id"].startswith("aria-")]
    return [
        {"id": v["id"], "impact": v["impact"], "nodes": [n["target"] for n in v["nodes"]][:3]}
        for v in found
    ]


@pytest.fixture
def check_accessibility():
    """Call with a page after each step: collects serious/critical axe violations per URL."""
    found: dict[str, list] = {}

    def check(page):
        violations = axe_violations(page)
        if violations:
            found[page.url] = violations

    yield check
    assert not found, found


@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_makereport(item, call):
    """On a failed browser test, keep a screenshot of every open page for the developer."""
    outcome = yield
    report = outcome.get_result()
    if report.when == "call" and report.failed and "new_page" in item.fixturenames:
        browser = item.funcargs.get("browser")
        folder = Path(os.environ.get("BROWSER_ARTIFACTS", "/tmp/essportal-browser"))
        folder.mkdir(parents=True, exist_ok=True)
        for c, context in enumerate(getattr(browser, "contexts", [])):
            for p, page in enumerate(context.pages):
                target = folder / f"{item.name}-{c}-{p}.png"
                page.screenshot(path=str(target), full_page=True)
                report.sections.append(("browser", f"{page.url} -> {target}"))
