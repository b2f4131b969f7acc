"""Every docstring example in the ``filters`` package runs, each as its own test case.

The examples are collected with :class:`doctest.DocTestFinder` from every module that
:func:`pkgutil.walk_packages` finds in ``filters`` (and the package itself). Each example runs
with its module's globals, plus ``np`` (numpy) and ``filters`` provided in doctest's globs, so an
example may use them without importing them (today every example imports what it uses).

Examples that need torch run wherever torch is installed; without torch, a case whose only
failures are "No module named 'torch'" is skipped, any other failure still fails.
"""

from __future__ import annotations

import doctest
import importlib
import pkgutil

import numpy as np
import pytest

import filters

#: Docstrings with examples counted when this test was written (125 docstrings, 234 examples):
#: collecting fewer means examples were lost (a module no longer found, a docstring rewritten).
MIN_DOCSTRINGS = 125
MIN_EXAMPLES = 234
OPTIONS = doctest.ELLIPSIS
OPTIONAL = {"torch", "safetensors"}  # the ``torch`` extra of pyproject.toml


def _modules():
    yield filters
    for info in pkgutil.walk_packages(filters.__path__, prefix="filters."):
        yield importlib.import_module(info.name)


def _collect() -> list[doctest.DocTest]:
    finder = doctest.DocTestFinder()
    found = {}
    for module in _modules():
        for test in finder.find(module, module.__name__,
                                extraglobs={"np": np, "filters": filters}):
            if test.examples:
                found.setdefault(test.name, test)
    return sorted(found.values(), key=lambda test: test.name)


DOCTESTS = _collect()


class _Runner(doctest.DocTestRunner):
    """A runner that remembers the exceptions examples raised unexpectedly."""

    def __init__(self) -> None:
        super().__init__(optionflags=OPTIONS, verbose=False)
        self.raised: list[BaseException] = []

    def report_unexpected_exception(self, out, test, example, exc_info):
        self.raised.append(exc_info[1])
        super().report_unexpected_exception(out, test, example, exc_info)


def test_every_module_example_is_collected():
    assert len(DOCTESTS) >= MIN_DOCSTRINGS, [test.name for test in DOCTESTS]
    assert sum(len(test.examples) for test in DOCTESTS) >= MIN_EXAMPLES
    names = {test.name for test in DOCTESTS}
    for expected in ("filters", "filters.conv.conv2d", "filters.lenet",
                     "filters.image_io.decode.load_image", "filters.backends.get_backend"):
        assert expected in names, expected


@pytest.mark.parametrize("test", DOCTESTS, ids=[test.name for test in DOCTESTS])
def test_docstring_example(test: doctest.DocTest):
    runner = _Runner()
    report: list[str] = []
    result = runner.run(test, out=report.append, clear_globs=True)
    missing = {getattr(e, "name", None) for e in runner.raised
               if isinstance(e, ModuleNotFoundError)}
    if (result.failed and missing and missing <= OPTIONAL
            and len(runner.raised) == result.failed):
        pytest.skip(f"needs {', '.join(sorted(missing))}")
    assert result.failed == 0, "".join(report)
    assert result.attempted == len(test.examples)
