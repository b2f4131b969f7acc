"""The real app in Debian's Chromium: every address, the navigation and what it keeps, a
corrupt upload, two sessions at once. What each page shows is read and checked against the
library in ``tests/test_browser_pages.py``.

Skipped (with the reason) where /usr/bin/chromium or Playwright is missing, a failure instead
with ``REQUIRE_BROWSER=1``. Screenshots go to test-output/screenshots/. Console errors fail every
test.
"""

from __future__ import annotations

import time

import numpy as np
import pytest
from PIL import Image

from ui.i18n import STRINGS

from . import browser_support
from .browser_support import (
    assert_no_console_errors,
    new_tab,
    output_image_src,
    require_browser,
    running_apps,
    shot,
    upload_image,
    wait_idle,
)

require_browser()
pytestmark = pytest.mark.browser
# The shared fixtures: one app and one browser for this module, a fresh tab per test.
app_url, browser, page = browser_support.app_url, browser_support.browser, browser_support.page


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


def test_two_browser_sessions_never_see_each_others_image(browser, app_url, tmp_path):
    """Two visitors at once (two browser contexts, two sessions): A's upload stays A's."""
    pixels = (np.random.default_rng(1).random((60, 80, 3)) * 255).astype(np.uint8)
    path = tmp_path / "only_for_a.png"
    Image.fromarray(pixels).save(path)
    errors_a: list[str] = []
    errors_b: list[str] = []
    a, b = new_tab(browser, errors_a), new_tab(browser, errors_b)
    a.goto(f"{app_url}/Filter")
    wait_idle(a)
    upload_image(a, path, STRINGS["image.source.upload"][0])
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
        time.sleep(0.1)
    assert output_image_src(b) != b_output, "B's kernel change did not rerun B"
    wait_idle(a)
    assert output_image_src(a) == a_output, "B's kernel change reached A's page"
    assert a.get_by_text("only_for_a.png", exact=False).count() >= 1
    a.context.close()
    b.context.close()
    assert_no_console_errors(errors_a)
    assert_no_console_errors(errors_b)


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
        time.sleep(0.1)
    assert page.locator("[data-testid='stSidebarNav']").count() == 0, address
    labels = [STRINGS[key][language] for _, _, key in ADDRESSES]
    assert sidebar_links(page) == labels, (address, sidebar_links(page))


def heading(page) -> str:
    return page.locator("h1").first.inner_text().strip()


FIRST_REQUESTS = ["", "Pooling_and_Upsampling"]


@pytest.fixture(scope="module")
def fresh_apps():
    """One server per first request, all started together; each serves only its own test."""
    with running_apps(len(FIRST_REQUESTS)) as urls:
        yield dict(zip(FIRST_REQUESTS, urls, strict=True))


@pytest.mark.parametrize("first", FIRST_REQUESTS)
def test_the_first_request_and_every_address_open_their_own_page(browser, fresh_apps, first):
    """On a server that has just started, the first request (to / or straight to a page) and
    then a direct request to every address open that page with the lab's own navigation."""
    errors: list[str] = []
    url = fresh_apps[first]
    page = new_tab(browser, errors)
    for address, key, _ in [a for a in ADDRESSES if a[0] == first] + ADDRESSES:
        page.goto(f"{url}/{address}")
        wait_idle(page)
        page.locator("h1").first.wait_for(timeout=30000)
        shot(page, f"first_{first or 'home'}_{address or 'home'}")
        assert heading(page) == STRINGS[key][0], address
        assert_own_navigation(page, address)
        assert page.locator("[data-testid='stException']").count() == 0, address
    page.context.close()
    assert_no_console_errors(errors)


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
