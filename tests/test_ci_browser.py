"""CI cannot go green without the browser tests: with ``REQUIRE_BROWSER=1`` (set by ``.ci/run``)
a missing Chromium or Playwright is a failure here, not a skip in ``tests/test_browser.py``."""

import importlib.util
import os

import pytest

from .browser_support import CHROMIUM

pytestmark = pytest.mark.skipif(os.environ.get("REQUIRE_BROWSER") != "1",
                                reason="only where REQUIRE_BROWSER=1 (.ci/run sets it)")


def test_chromium_is_installed():
    assert CHROMIUM.exists(), f"{CHROMIUM} not found: apt-get install -y chromium"


def test_playwright_is_installed():
    assert importlib.util.find_spec("playwright.sync_api") is not None, \
        "pip install pytest-playwright (requirements-test.txt)"
