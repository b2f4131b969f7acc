"""Fail unless the browser tests ran (a count of them in pytest's JUnit report).

Counts the test cases of ``tests/test_browser*.py`` in a JUnit XML report (``python -m pytest
--junitxml=...``) and requires at least ``--min`` of them, none skipped, failed or in error::

    python .ci/count_browser_tests.py test-output/junit.xml --min 23
"""

from __future__ import annotations

import argparse
import sys
import xml.etree.ElementTree as ET


def browser_cases(path: str) -> list[ET.Element]:
    """The ``<testcase>`` elements of the browser test modules (``tests.test_browser*``)."""
    cases = ET.parse(path).getroot().iter("testcase")
    return [case for case in cases
            if case.get("classname", "").split(".")[-1].startswith("test_browser")]


def verdict(cases: list[ET.Element], minimum: int) -> list[str]:
    """What is wrong with these browser test cases (an empty list: they all ran and passed)."""
    problems = []
    if len(cases) < minimum:
        problems.append(f"only {len(cases)} browser tests in the report, at least {minimum} "
                        "expected")
    for case in cases:
        for outcome in ("skipped", "failure", "error"):
            element = case.find(outcome)
            if element is not None:
                problems.append(f"{case.get('classname')}::{case.get('name')} {outcome}: "
                                f"{(element.get('message') or '').splitlines()[:1]}")
    return problems


def main(argv: list[str] | None = None) -> int:
    """Check the report named in ``argv``; 0 when the browser tests ran, 1 otherwise."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("report", help="JUnit XML written by pytest --junitxml")
    parser.add_argument("--min", type=int, required=True, dest="minimum",
                        help="fewest browser test cases that must have run")
    args = parser.parse_args(argv)
    cases = browser_cases(args.report)
    problems = verdict(cases, args.minimum)
    for problem in problems:
        print(problem, file=sys.stderr)
    if not problems:
        print(f"{len(cases)} browser tests ran, none skipped")
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main())
