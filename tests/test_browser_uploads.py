"""Hostile uploads in the real app (Debian's Chromium): a kernel file that is an image renamed
.json, and a data set zip with one damaged member. The page shows the library's message, no
traceback element, and keeps what it had. Every case of the corpus is checked in AppTest
(``tests/test_hostile_uploads.py``); these two go through the browser's own upload path.
"""

from __future__ import annotations

import pytest

from ui.i18n import STRINGS

from . import browser_support
from .browser_support import require_browser, shot, wait_idle
from .hostile import corpus, image_zip, kernel_json

require_browser()
pytestmark = pytest.mark.browser
app_url, browser, page = browser_support.app_url, browser_support.browser, browser_support.page


def uploader(page, label_key: str):
    """The file input of the uploader labelled ``STRINGS[label_key]`` (English)."""
    return page.locator("[data-testid='stFileUploader']").filter(
        has_text=STRINGS[label_key][0]).locator("input[type='file']")


def send(page, label_key: str, path) -> None:
    uploader(page, label_key).set_input_files(str(path))
    wait_idle(page)


def no_traceback(page) -> bool:
    return page.locator("[data-testid='stException']").count() == 0


def test_a_png_renamed_json_in_the_kernel_library(page, app_url, tmp_path):
    page.goto(f"{app_url}/Filter")
    wait_idle(page)
    page.get_by_text(STRINGS["filter.source.library"][0], exact=True).click()
    wait_idle(page)
    good = tmp_path / "kernels.json"
    good.write_bytes(kernel_json())
    send(page, "filter.library_upload", good)
    page.get_by_text(STRINGS["filter.library_added"][0].format(n=2)).wait_for(timeout=30000)
    data = corpus("kernel")["wrong type"][1]
    bad = tmp_path / "edge.json"  # the image under the name the uploader accepts
    bad.write_bytes(data)
    send(page, "filter.library_upload", bad)
    page.get_by_text("edge.json is not text (it looks like a PNG image)",
                     exact=False).first.wait_for(timeout=30000)
    shot(page, "upload_kernel_png_as_json")
    assert no_traceback(page)
    picked = page.locator("[data-testid='stSelectbox']").filter(
        has_text=STRINGS["filter.library_pick"][0]).locator("input").input_value()
    assert picked.startswith("blur"), picked  # the saved kernels are still there


def test_a_dataset_zip_with_a_damaged_member(page, app_url, tmp_path):
    page.goto(f"{app_url}/Train_LeNet")
    wait_idle(page)
    page.locator("[data-testid='stSelectbox']").filter(
        has_text=STRINGS["lenet.dataset"][0]).first.click()
    page.get_by_role("option", name=STRINGS["lenet.dataset.own"][0]).click()
    wait_idle(page)
    good = tmp_path / "data.zip"
    good.write_bytes(image_zip())
    send(page, "lenet.zip", good)
    page.get_by_text("6 images in 2 classes").wait_for(timeout=30000)
    bad = tmp_path / "damaged.zip"
    bad.write_bytes(corpus("dataset")["corrupt member"][1])
    send(page, "lenet.zip", bad)
    page.get_by_text("Bad CRC-32 for file 'cats/1.png'", exact=False).first.wait_for(
        timeout=30000)
    shot(page, "upload_dataset_damaged_member")
    assert no_traceback(page)
