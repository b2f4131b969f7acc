"""A 12-megapixel phone photo in real Chromium: the Filter page convolves all 4000×3000 pixels
(its statistics are the library's on the decoded file), and a page that shows a comparison says
it works on the 1200×900 working copy. Screenshots: test-output/screenshots/photo_*.png.
"""

from __future__ import annotations

import pytest

import filters
from benchmarks.load import photo
from ui.i18n import STRINGS

from . import browser_support
from .browser_support import metric_text, numbers_in, require_browser, shot, upload_image

require_browser()
pytestmark = pytest.mark.browser
app_url, browser, page = browser_support.app_url, browser_support.browser, browser_support.page


def visit(page, path: str) -> None:
    """Go to a page through the sidebar link (a new address would be a new session)."""
    page.locator(f"[data-testid='stSidebar'] a[href='{path}'], "
                 f"[data-testid='stSidebar'] a[href$='/{path}']").first.click()
    browser_support.wait_idle(page, timeout=120)


def test_a_12_megapixel_photo_is_convolved_at_full_resolution(app_url, page, tmp_path):
    data = photo(12, seed=7)
    path = tmp_path / "phone_photo.jpg"
    path.write_bytes(data)
    page.goto(app_url)
    browser_support.wait_idle(page)
    upload_image(page, path, STRINGS["image.source.upload"][0])
    visit(page, "Filter")
    assert metric_text(page, "shape") == "3000×4000×3"
    expected = filters.conv2d(filters.load_image(data), filters.get_kernel("sobel_x"),
                              padding="same", padding_mode="reflect")
    for name in ("min", "max", "mean"):
        shown = numbers_in(metric_text(page, name))[0]
        assert shown == pytest.approx(float(getattr(expected, name)()), rel=2e-3, abs=1e-4)
    shot(page, "photo_filter_en")

    visit(page, "Padding")
    note = page.get_by_text("working copy", exact=False).first
    note.wait_for(timeout=30000)
    assert "1200×900" in note.inner_text() and "4000×3000" in note.inner_text()
    shot(page, "photo_padding_en")
