"""CI cannot go green without the browser tests: with ``REQUIRE_BROWSER=1`` (set by ``.ci/run``)
a missing Chromium or Playwright is a failure, not a skip, and ``.ci/count_browser_tests.py``
fails the run when the JUnit report holds too few browser tests or a skipped one."""

import importlib.util
import os
import sys
from pathlib import Path

import pytest

from . import browser_support
from .browser_support import CHROMIUM, ROOT

only_in_ci = pytest.mark.skipif(os.environ.get("REQUIRE_BROWSER") != "1",
                                reason="only where REQUIRE_BROWSER=1 (.ci/run sets it)")

sys.path.insert(0, str(ROOT / ".ci"))
import count_browser_tests  # noqa: E402


@only_in_ci
def test_chromium_is_installed():
    assert CHROMIUM.exists(), f"{CHROMIUM} not found: apt-get install -y chromium"


@only_in_ci
def test_playwright_is_installed():
    assert importlib.util.find_spec("playwright.sync_api") is not None, \
        "pip install pytest-playwright (requirements-test.txt)"


def test_a_missing_chromium_fails_the_browser_modules_where_required(monkeypatch, tmp_path):
    monkeypatch.setattr(browser_support, "CHROMIUM", tmp_path / "no-chromium")
    monkeypatch.setenv("REQUIRE_BROWSER", "1")
    with pytest.raises(pytest.fail.Exception, match=r"REQUIRE_BROWSER=1 .*no-chromium"):
        browser_support.require_browser()
    monkeypatch.delenv("REQUIRE_BROWSER")
    with pytest.raises(pytest.skip.Exception, match="no-chromium not found"):
        browser_support.require_browser()


def junit(path: Path, cases: list[tuple[str, str, str]]) -> str:
    """A pytest-style JUnit report of ``(module, name, outcome)`` cases."""
    body = "".join(
        f'<testcase classname="tests.{module}" name="{name}" time="1.0">'
        + ("" if outcome == "passed" else f'<{outcome} message="{outcome} here"/>')
        + "</testcase>" for module, name, outcome in cases)
    path.write_text(f'<?xml version="1.0"?><testsuites><testsuite name="pytest">{body}'
                    "</testsuite></testsuites>")
    return str(path)


def test_the_count_accepts_enough_browser_tests_that_ran(tmp_path, capsys):
    report = junit(tmp_path / "j.xml", [("test_browser", "test_a", "passed"),
                                        ("test_browser_pages", "test_b[en]", "passed"),
                                        ("test_padding", "test_c", "skipped")])
    assert count_browser_tests.main([report, "--min", "2"]) == 0
    assert "2 browser tests ran" in capsys.readouterr().out


def test_the_count_fails_on_a_skipped_browser_test_or_too_few(tmp_path, capsys):
    skipped = junit(tmp_path / "s.xml", [("test_browser", "test_a", "passed"),
                                         ("test_browser_pages", "test_b[zh]", "skipped")])
    assert count_browser_tests.main([skipped, "--min", "2"]) == 1
    assert "test_b[zh] skipped" in capsys.readouterr().err
    few = junit(tmp_path / "f.xml", [("test_browser", "test_a", "passed"),
                                     ("test_padding", "test_c", "passed")])
    assert count_browser_tests.main([few, "--min", "2"]) == 1
    assert "only 1 browser tests" in capsys.readouterr().err
