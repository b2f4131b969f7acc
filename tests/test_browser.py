"""The real app in Debian's Chromium: every address, the navigation and what it keeps, upload,
pick a kernel, switch padding and language.

Skipped (with the reason) where /usr/bin/chromium or Playwright is missing. Screenshots go to
test-output/screenshots/. Console errors fail the test.
"""

from __future__ import annotations

import io
import time

import numpy as np
import pytest
from PIL import Image

from ui.i18n import STRINGS

from .browser_support import CHROMIUM, CHROMIUM_ARGS, SCREENSHOTS, running_app

playwright_api = pytest.importorskip("playwright.sync_api", reason="pip install pytest-playwright")

pytestmark = [
    pytest.mark.browser,
    pytest.mark.skipif(not CHROMIUM.exists(),
                       reason=f"{CHROMIUM} not found: apt-get install -y chromium"),
]

IGNORED_CONSOLE = ("favicon", "WebGL", "GPU stall")


@pytest.fixture(scope="module")
def app_url():
    with running_app() as url:
        yield url


@pytest.fixture
def page(app_url, tmp_path):
    errors: list[str] = []
    with playwright_api.sync_playwright() as p:
        browser = p.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        context = browser.new_context(viewport={"width": 1400, "height": 1800})
        tab = context.new_page()
        tab.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
        tab.on("pageerror", lambda e: errors.append(str(e)))
        tab.on("requestfailed", lambda r: errors.append(f"FAILED {r.url} {r.failure}"))
        tab.on("response", lambda r: errors.append(f"HTTP {r.status} {r.url}")
               if r.status >= 400 else None)
        tab.errors = errors  # type: ignore[attr-defined]
        yield tab
        context.close()
        browser.close()
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
        if error.startswith(generic) and excused:
            excused -= 1
            continue
        real.append(error)
    return real


def wait_idle(page, timeout: float = 60.0) -> None:
    """Wait until Streamlit has finished the script run (the app element's
    ``data-test-script-state`` is ``notRunning``)."""
    app = page.locator("[data-testid='stApp']")
    app.wait_for(timeout=timeout * 1000)
    deadline = time.monotonic() + timeout
    time.sleep(0.5)  # a click's rerun may start a moment later
    while time.monotonic() < deadline:
        if app.get_attribute("data-test-script-state") == "notRunning":
            return
        time.sleep(0.2)
    raise AssertionError("the app kept running")


def shot(page, name: str) -> None:
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SCREENSHOTS / f"{name}.png"), full_page=True)


def output_image_src(page) -> str:
    images = page.locator("[data-testid='stImage'] img")
    images.nth(1).wait_for(timeout=30000)
    return images.nth(1).get_attribute("src") or ""


def test_upload_filter_padding_and_chinese(page, app_url, tmp_path):
    page.goto(f"{app_url}/Filter")
    wait_idle(page)
    shot(page, "filter_sample")

    pixels = (np.random.default_rng(0).random((60, 80, 3)) * 255).astype(np.uint8)
    path = tmp_path / "noise.png"
    Image.fromarray(pixels).save(path)
    page.get_by_text("Upload", exact=True).click()
    wait_idle(page)
    page.locator("input[type='file']").first.set_input_files(str(path))
    wait_idle(page)
    page.get_by_text("noise.png", exact=False).first.wait_for(timeout=30000)
    before = output_image_src(page)

    page.get_by_text("Sharpen", exact=True).click()
    wait_idle(page)
    deadline = time.monotonic() + 30  # the rerun may start a moment after the click
    while output_image_src(page) == before and time.monotonic() < deadline:
        time.sleep(0.3)
    assert output_image_src(page) != before, "the output image did not change with the kernel"

    page.get_by_text("number", exact=True).click()
    wait_idle(page)
    page.locator("[data-testid='stSelectbox']").filter(has_text="Padding mode").click()
    page.get_by_role("option", name="circular").click()
    wait_idle(page)
    shot(page, "filter_upload_circular")

    page.get_by_text("中文", exact=True).click()
    wait_idle(page)
    assert page.get_by_role("heading", name="滤波").count() >= 1
    shot(page, "filter_zh")


def test_every_page_renders_without_errors(page, app_url):
    for path, heading in (("", "Convolution Lab"), ("Padding", "Padding"),
                          ("How_convolution_works", "How convolution works")):
        page.goto(f"{app_url}/{path}")
        wait_idle(page)
        assert page.get_by_role("heading", name=heading).count() >= 1, path
        assert page.locator("[data-testid='stException']").count() == 0, path
        shot(page, path or "home")


def test_corrupt_upload_shows_an_error(page, app_url, tmp_path):
    page.goto(f"{app_url}/Filter")
    wait_idle(page)
    broken = tmp_path / "broken.png"
    broken.write_bytes(b"<html>definitely not a png</html>")
    page.get_by_text("Upload", exact=True).click()
    wait_idle(page)
    page.locator("input[type='file']").first.set_input_files(str(broken))
    wait_idle(page)
    page.get_by_text("Could not use broken.png", exact=False).first.wait_for(timeout=30000)
    assert page.locator("[data-testid='stException']").count() == 0


def _png(array: np.ndarray) -> bytes:
    buffer = io.BytesIO()
    Image.fromarray(array).save(buffer, format="PNG")
    return buffer.getvalue()


def test_train_lenet_for_a_few_ticks_and_the_loss_chart_grows(page, app_url):
    import re

    page.goto(f"{app_url}/Train_LeNet")
    wait_idle(page)
    page.get_by_role("button", name="Start / resume").click()
    status = page.get_by_text(re.compile(r"step \d+ · loss"))
    status.first.wait_for(timeout=60000)

    def step() -> int:
        return int(re.search(r"step (\d+)", status.first.inner_text()).group(1))

    first = step()
    deadline = time.monotonic() + 30
    while step() <= first and time.monotonic() < deadline:
        time.sleep(0.5)
    assert step() > first, "the training loop did not tick"
    # The chart is redrawn on every tick: wait for it rather than catch it mid-redraw.
    page.locator(".js-plotly-plot").first.wait_for(timeout=30000)
    page.get_by_role("button", name="Pause").click()
    wait_idle(page)
    shot(page, "train_lenet")


def test_two_browser_sessions_never_see_each_others_image(app_url, tmp_path):
    """Two visitors at once (two browser contexts, two sessions): A's upload stays A's."""
    pixels = (np.random.default_rng(1).random((60, 80, 3)) * 255).astype(np.uint8)
    path = tmp_path / "only_for_a.png"
    Image.fromarray(pixels).save(path)
    with playwright_api.sync_playwright() as p:
        browser = p.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        a = browser.new_context(viewport={"width": 1400, "height": 1800}).new_page()
        b = browser.new_context(viewport={"width": 1400, "height": 1800}).new_page()
        a.goto(f"{app_url}/Filter")
        wait_idle(a)
        a.get_by_text("Upload", exact=True).click()
        wait_idle(a)
        a.locator("input[type='file']").first.set_input_files(str(path))
        a.get_by_text("only_for_a.png", exact=False).first.wait_for(timeout=30000)
        wait_idle(a)
        a_output = output_image_src(a)

        b.goto(f"{app_url}/Filter")
        wait_idle(b)
        b_output = output_image_src(b)
        assert b.get_by_text("only_for_a.png", exact=False).count() == 0
        assert b_output != a_output, "B is shown A's filtered image"

        b.get_by_text("Sharpen", exact=True).click()  # B works; A's page must not follow
        wait_idle(b)
        deadline = time.monotonic() + 30
        while output_image_src(b) == b_output and time.monotonic() < deadline:
            time.sleep(0.3)
        assert output_image_src(b) != b_output, "B's kernel change did not rerun B"
        wait_idle(a)
        assert output_image_src(a) == a_output, "B's kernel change reached A's page"
        assert a.get_by_text("only_for_a.png", exact=False).count() >= 1
        browser.close()


# --- navigation ------------------------------------------------------------------------------

# Every address the app had when Streamlit discovered pages/ on its own (read from the links of
# the app before ui/nav.py drew them), with
# the ui.i18n keys of the page's heading and of its link in the sidebar.
ADDRESSES = [
    ("", "app.title", "nav.home"),
    ("Filter", "filter.title", "nav.filter"),
    ("Padding", "padding.title", "nav.padding"),
    ("Pooling_and_Upsampling", "pool.title", "nav.pooling"),
    ("How_convolution_works", "explain.title", "nav.explain"),
    ("Learn_a_kernel", "learn.title", "nav.learn"),
    ("Train_LeNet", "lenet.title", "nav.lenet"),
    ("Receptive_fields", "rf.title", "nav.receptive"),
    ("Benchmarks", "bench.title", "nav.bench"),
]


def sidebar_links(page) -> list[str]:
    """The sidebar's page links as shown (the icon's ligature name comes first: dropped)."""
    return [link.inner_text().strip().split("\n")[-1] for link in
            page.locator("[data-testid='stSidebar'] [data-testid='stPageLink'] a").all()]


def assert_own_navigation(page, address: str, language: int = 0) -> None:
    """The page shows the lab's translated links, never Streamlit's auto-discovered list."""
    deadline = time.monotonic() + 30  # the sidebar may still be drawing its links
    while len(sidebar_links(page)) < len(ADDRESSES) and time.monotonic() < deadline:
        time.sleep(0.3)
    assert page.locator("[data-testid='stSidebarNav']").count() == 0, address
    labels = [STRINGS[key][language] for _, _, key in ADDRESSES]
    assert sidebar_links(page) == labels, (address, sidebar_links(page))


def heading(page) -> str:
    return page.locator("h1").first.inner_text().strip()


@pytest.mark.parametrize("first", ["", "Pooling_and_Upsampling"])
def test_the_first_request_and_every_address_open_their_own_page(first):
    """On a server that has just started, the first request (to / or straight to a page) and
    then a direct request to every address open that page with the lab's own navigation."""
    with running_app() as url, playwright_api.sync_playwright() as p:
        browser = p.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        page = browser.new_page(viewport={"width": 1400, "height": 1000})
        for address, key, _ in [a for a in ADDRESSES if a[0] == first] + ADDRESSES:
            page.goto(f"{url}/{address}")
            wait_idle(page)
            page.locator("h1").first.wait_for(timeout=30000)
            shot(page, f"first_{first or 'home'}_{address or 'home'}")
            assert heading(page) == STRINGS[key][0], address
            assert_own_navigation(page, address)
            assert page.locator("[data-testid='stException']").count() == 0, address
        browser.close()


def number_input(page, label: str):
    return page.locator("[data-testid='stNumberInput']").filter(has_text=label).locator("input")


def sample_box(page):
    return page.locator("[data-testid='stSidebar'] [data-testid='stSelectbox']").filter(
        has_text=STRINGS["image.sample"][1])


def sample_shown(page) -> str:
    """The sample picker's value as shown (in its combo box input)."""
    return sample_box(page).locator("input").input_value()


def test_language_image_and_filter_setting_are_kept_on_every_page(page, app_url):
    """中文, another sample and stride 2 chosen on Filter; every page through the sidebar; back
    on Filter all three are still there."""
    zh = {key: pair[1] for key, pair in STRINGS.items()}
    sample = zh["sample.checkerboard.name"]
    page.goto(f"{app_url}/Filter")
    wait_idle(page)
    page.get_by_text("中文", exact=True).click()
    wait_idle(page)
    sample_box(page).click()
    page.get_by_role("option", name=sample, exact=True).click()
    wait_idle(page)
    assert sample_shown(page) == sample
    stride = number_input(page, zh["common.stride"])
    stride.fill("2")
    stride.press("Enter")
    wait_idle(page)
    assert stride.input_value() == "2"
    shot(page, "kept_filter_before")

    for address, key, nav_key in ADDRESSES[2:] + ADDRESSES[:2]:  # the others, Home, Filter
        page.locator("[data-testid='stSidebar'] [data-testid='stPageLink'] a").filter(
            has_text=zh[nav_key]).first.click()
        page.wait_for_url(f"{app_url}/{address}", timeout=30000)
        wait_idle(page)
        page.locator("h1").first.wait_for(timeout=30000)
        assert heading(page) == zh[key], address
        assert page.title() == f"{zh[key]} · Convolution Lab", address
        assert_own_navigation(page, address, language=1)
        if address != "Benchmarks":   # the only page without the image picker
            assert sample_shown(page) == sample, address
        assert page.locator("[data-testid='stException']").count() == 0, address
    shot(page, "kept_filter_after")
    assert number_input(page, zh["common.stride"]).input_value() == "2"
    assert sample_shown(page) == sample
    assert page.get_by_role("radio", name="中文").is_checked()
