"""Start the app on a free loopback port and drive it with Debian's Chromium (Playwright).

Used by ``tests/test_browser*.py``: one server and one browser per test module, a fresh browser
context (one Streamlit session) per test, console errors checked in every test, screenshots in
``test-output/screenshots/``. Never downloads a browser: it launches ``/usr/bin/chromium``. Where
it (or Playwright) is missing the tests are skipped with the reason, and with ``REQUIRE_BROWSER=1``
(``.ci/run``) they fail instead.
"""

from __future__ import annotations

import contextlib
import os
import re
import socket
import subprocess
import sys
import time
import urllib.request
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest

ROOT = Path(__file__).resolve().parent.parent
CHROMIUM = Path(os.environ.get("CHROMIUM", "/usr/bin/chromium"))
CHROMIUM_ARGS = [
    "--headless=new",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]
SCREENSHOTS = ROOT / "test-output" / "screenshots"


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def start_app() -> tuple[subprocess.Popen[bytes], str, Any]:
    """Start ``streamlit run app.py`` on a free port of 127.0.0.1 (without waiting for it): the
    process, its URL and its open log file."""
    port = free_port()
    command = [
        sys.executable, "-m", "streamlit", "run", str(ROOT / "app.py"),
        "--server.headless", "true", "--server.port", str(port),
        "--server.address", "127.0.0.1", "--browser.gatherUsageStats", "false",
        "--server.fileWatcherType", "none",
    ]
    (ROOT / "test-output").mkdir(exist_ok=True)
    log = open(ROOT / "test-output" / f"streamlit-{port}.log", "w")  # noqa: SIM115
    process = subprocess.Popen(command, cwd=ROOT, stdout=log, stderr=subprocess.STDOUT)
    return process, f"http://127.0.0.1:{port}", log


def wait_healthy(process: subprocess.Popen[bytes], url: str, log: Any,
                 timeout: float = 60.0) -> None:
    """Wait until the server at ``url`` answers its health check (it has served no page)."""
    deadline = time.monotonic() + timeout
    while True:
        try:
            with urllib.request.urlopen(f"{url}/_stcore/health", timeout=2) as response:
                if response.status == 200:
                    return
        except OSError:
            pass
        if process.poll() is not None or time.monotonic() > deadline:
            raise RuntimeError(f"streamlit did not start; see {log.name}")
        time.sleep(0.1)


def stop_app(process: subprocess.Popen[bytes], log: Any) -> None:
    process.terminate()
    try:
        process.wait(timeout=10)
    except subprocess.TimeoutExpired:
        process.kill()
    log.close()


@contextlib.contextmanager
def running_apps(count: int, timeout: float = 60.0) -> Iterator[list[str]]:
    """Start ``count`` servers at once (they boot side by side), wait for each and yield their
    URLs; stop them afterwards. No page has been requested from any of them."""
    started = []
    try:
        for _ in range(count):
            started.append(start_app())
        for process, url, log in started:
            wait_healthy(process, url, log, timeout)
        yield [url for _, url, _ in started]
    finally:
        for process, _, log in started:
            stop_app(process, log)


@contextlib.contextmanager
def running_app(timeout: float = 60.0) -> Iterator[str]:
    """Run ``streamlit run app.py`` on 127.0.0.1 and yield its URL; stop it afterwards."""
    with running_apps(1, timeout) as (url,):
        yield url


# --- the browser: present, or a skip (a failure where REQUIRE_BROWSER=1) -----------------------

def browser_missing() -> str | None:
    """Why the browser tests cannot run here (``None`` when they can)."""
    import importlib.util

    if not CHROMIUM.exists():
        return f"{CHROMIUM} not found: apt-get install -y chromium"
    if importlib.util.find_spec("playwright") is None:
        return "Playwright is missing: pip install pytest-playwright (requirements-test.txt)"
    return None


def require_browser() -> Any:
    """``playwright.sync_api`` for a browser test module, or skip the whole module with the
    reason; with ``REQUIRE_BROWSER=1`` the module fails to load instead (CI never skips)."""
    missing = browser_missing()
    if missing:
        if os.environ.get("REQUIRE_BROWSER") == "1":
            pytest.fail(f"REQUIRE_BROWSER=1 but the browser tests cannot run: {missing}",
                        pytrace=False)
        pytest.skip(missing, allow_module_level=True)
    import playwright.sync_api

    return playwright.sync_api


VIEWPORT = {"width": 1400, "height": 1800}
IGNORED_CONSOLE = ("favicon", "WebGL", "GPU stall")


@pytest.fixture(scope="module")
def app_url() -> Iterator[str]:
    """One running app per test module."""
    with running_app() as url:
        yield url


@pytest.fixture(scope="module")
def browser() -> Iterator[Any]:
    """One headless Chromium per test module."""
    api = require_browser()
    with api.sync_playwright() as p:
        chromium = p.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        yield chromium
        chromium.close()


def new_tab(browser: Any, errors: list[str]) -> Any:
    """A tab in a context of its own (a new Streamlit session) whose console errors, page
    errors, failed requests and HTTP errors are appended to ``errors``."""
    context = browser.new_context(viewport=VIEWPORT)
    context.add_init_script(WATCH_RUNS)
    tab = context.new_page()
    watch_errors(tab, errors)
    return tab


def watch_errors(tab: Any, errors: list[str]) -> None:
    tab.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
    tab.on("pageerror", lambda e: errors.append(str(e)))
    tab.on("requestfailed", lambda r: errors.append(f"FAILED {r.url} {r.failure}"))
    tab.on("response", lambda r: errors.append(f"HTTP {r.status} {r.url}")
           if r.status >= 400 else None)


@pytest.fixture
def page(browser: Any) -> Iterator[Any]:
    """A fresh tab; the test fails on any console error it logged (see :func:`real_errors`)."""
    errors: list[str] = []
    tab = new_tab(browser, errors)
    yield tab
    tab.context.close()
    assert_no_console_errors(errors)


def assert_no_console_errors(errors: list[str]) -> None:
    assert not real_errors(errors), f"console errors: {real_errors(errors)}"


def real_errors(errors: list[str]) -> list[str]:
    """Errors minus two kinds of 404 that Streamlit's frontend causes and recovers from.

    It first asks for health and host-config relative to the page's path, gets a 404 and falls
    back to the root; and when a rerun replaces an image, the browser may still fetch the old
    /media/ file that the server has just dropped (the new image follows). Each such 404 also
    logs one generic console line.
    """
    probes = [e for e in errors if e.startswith("HTTP 404") and ("/_stcore/" in e
                                                                  or "/media/" in e)]
    generic = "Failed to load resource: the server responded with a status of 404"
    real, excused = [], len(probes)
    for error in errors:
        if error in probes or any(s in error for s in IGNORED_CONSOLE):
            continue
        if error.startswith("FAILED") and "net::ERR_ABORTED" in error:
            continue  # cancelled by the browser because the test moved to the next page
        if error.startswith("Client Error: Image source error") and "/media/" in error:
            continue  # the same race as the /media/ 404: a rerun replaced the image
        if error.startswith(generic) and excused:
            excused -= 1
            continue
        real.append(error)
    return real


# --- reading the page ------------------------------------------------------------------------

#: Run in every document of a tab (see :func:`new_tab`): the time of the last user action
#: (click, key, change of an input) and of the last end of a script run (the app element's
#: ``data-test-script-state`` turning ``notRunning``), for :func:`wait_idle`.
WATCH_RUNS = """
window.__lastAction = -1;
window.__lastIdle = -2;
for (const type of ["click", "keydown", "change"]) {
  document.addEventListener(type, () => { window.__lastAction = performance.now(); }, true);
}
new MutationObserver((changes) => {
  for (const change of changes) {
    if (change.target.getAttribute("data-test-script-state") === "notRunning") {
      window.__lastIdle = performance.now();
    }
  }
}).observe(document, {subtree: true, attributes: true,
                      attributeFilter: ["data-test-script-state"]});
"""
#: After an action, how long a rerun may take to start before the action is taken for one that
#: started none (opening a list, clicking the value already chosen).
NO_RERUN = 5.0


def wait_idle(page: Any, timeout: float = 60.0) -> None:
    """Wait until Streamlit has finished the script run (the app element's
    ``data-test-script-state`` is ``notRunning``) that the last action (or the page load)
    started: the state must have turned ``notRunning`` after the last click, key or input
    change of the tab (:data:`WATCH_RUNS`). An action no rerun follows within
    :data:`NO_RERUN` s started none."""
    app = page.locator("[data-testid='stApp']")
    app.wait_for(timeout=timeout * 1000)
    deadline = time.monotonic() + timeout
    quiet_since = None
    while time.monotonic() < deadline:
        state, action, idle = page.evaluate(
            "() => [document.querySelector(\"[data-testid='stApp']\")"
            "?.getAttribute('data-test-script-state'), window.__lastAction, window.__lastIdle]")
        if state == "notRunning":
            if idle is not None and idle > action:
                return
            quiet_since = quiet_since or time.monotonic()
            if time.monotonic() - quiet_since > NO_RERUN:
                return
        else:
            quiet_since = None
        time.sleep(0.05)
    raise AssertionError("the app kept running")


def poll(read: Callable[[], Any], done: Callable[[Any], bool], timeout: float = 30.0) -> Any:
    """``read()`` again every 0.1 s until ``done`` accepts it or ``timeout`` s pass; the last
    value read (the caller asserts on it)."""
    deadline = time.monotonic() + timeout
    value = read()
    while not done(value) and time.monotonic() < deadline:
        time.sleep(0.1)
        value = read()
    return value


def shot(page: Any, name: str) -> None:
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SCREENSHOTS / f"{name}.png"), full_page=True)


def output_image_src(page: Any) -> str:
    images = page.locator("[data-testid='stImage'] img")
    images.nth(1).wait_for(timeout=30000)
    return images.nth(1).get_attribute("src") or ""


def metric_text(page: Any, label: str) -> str:
    """The value shown by the ``st.metric`` whose label is ``label``."""
    metric = page.locator("[data-testid='stMetric']").filter(
        has=page.locator("[data-testid='stMetricLabel']").get_by_text(label, exact=True))
    return str(metric.locator("[data-testid='stMetricValue']").first.inner_text()).strip()


NUMBER = re.compile(r"-?\d+(?:\.\d+)?(?:e[-+]?\d+)?")


def numbers_in(text: str) -> list[float]:
    """Every number written in ``text``, in order (``"1.11×"`` → ``[1.11]``)."""
    return [float(v) for v in NUMBER.findall(text.replace("\u2212", "-"))]


def upload_image(page: Any, path: Path, upload_label: str) -> None:
    """Choose the sidebar's upload source (its label in the page's language) and upload."""
    page.locator("[data-testid='stSidebar']").get_by_text(upload_label, exact=True).click()
    wait_idle(page)
    page.locator("input[type='file']").first.set_input_files(str(path))
    wait_idle(page)
    page.get_by_text(path.name, exact=False).first.wait_for(timeout=30000)
