"""docs/notes.md, the study notes as a syllabus, against the code that cites it and that it names.

- every "notes §x.y" (or "笔记 §x.y") cited in filters/, ui/, pages/, app.py or tests/ is a
  subsection heading of docs/notes.md;
- the headings are §0…§4 with subsections numbered 1, 2, 3… in order;
- every ``filters.…`` name in the document resolves in the library, every page file exists,
  every interface key (i18n `key`) is in ``ui.i18n.STRINGS``, and every test named as
  ``tests/file.py::test`` (or ``::Class::test``) is defined there (read with ast);
- the document is written in the project's own words: no run of Chinese text from the notes
  themselves (checked where the notes are available, next to the checkout).
"""

from __future__ import annotations

import ast
import importlib
import re
from functools import cache
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
DOC = ROOT / "docs" / "notes.md"
CITING = ("filters", "ui", "pages", "tests")
NOTES = ROOT.parent / "shared" / "seeds"

# "notes §3.2", "Notes §1.19 / §1.20", "笔记 §0.2"; a list after the first number counts too.
CITATION = re.compile(
    r"(?:\bnotes|笔记) ?§(\d+(?:\.\d+)?)((?:(?: / |, | and |、)§\d+(?:\.\d+)?)*)", re.IGNORECASE
)
MORE = re.compile(r"§(\d+(?:\.\d+)?)")

SECTION = re.compile(r"^## §(\d+) \S", re.MULTILINE)
SUBSECTION = re.compile(r"^### §(\d+)\.(\d+) \S", re.MULTILINE)
LIBRARY_NAME = re.compile(r"`(filters(?:\.[A-Za-z_]\w*)+)")
PAGE = re.compile(r"`(pages/[^`\s]+\.py)`")
TEST = re.compile(r"`(tests/[\w/]+\.py)::([\w:]+)`")
I18N_KEY = re.compile(r"i18n `([^`]+)`((?:, `[^`]+`)*)")


def cited(text: str) -> list[str]:
    """The subsections a text cites: "notes §1.5 / §3.9" gives ["1.5", "3.9"]."""
    return [number for m in CITATION.finditer(text)
            for number in (m.group(1), *MORE.findall(m.group(2)))]


def doc_text() -> str:
    return DOC.read_text(encoding="utf-8")


def sources() -> list[Path]:
    files = [ROOT / "app.py"] if (ROOT / "app.py").exists() else []
    for folder in CITING:
        files += sorted((ROOT / folder).rglob("*.py"))
    return [f for f in files if f.resolve() != Path(__file__).resolve()]


def headings() -> set[str]:
    text = doc_text()
    return {m.group(1) for m in SECTION.finditer(text)} | {
        f"{m.group(1)}.{m.group(2)}" for m in SUBSECTION.finditer(text)
    }


def test_every_citation_in_the_code_is_a_heading():
    known = headings()
    missing = []
    for path in sources():
        for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
            for section in cited(line):
                if section not in known:
                    missing.append(f"{path.relative_to(ROOT)}:{number}: §{section}")
    assert not missing, "cited but not in docs/notes.md:\n" + "\n".join(missing)


def test_the_citation_pattern_finds_what_code_writes():
    found = cited("(notes §1.17) · Notes §3.2: … ; （笔记 §0.2） · see notes §4 · "
                  "notes §1.5 / §3.9 · Notes §1.19 and §1.20 · §9.9 alone")
    assert found == ["1.17", "3.2", "0.2", "4", "1.5", "3.9", "1.19", "1.20"]
    assert cited("footnotes §3.2 · notes 3.2 · § 3.2") == []


def test_sections_0_to_4_with_subsections_numbered_in_order():
    text = doc_text()
    assert [int(m.group(1)) for m in SECTION.finditer(text)] == [0, 1, 2, 3, 4]
    by_section: dict[int, list[int]] = {}
    for m in SUBSECTION.finditer(text):
        by_section.setdefault(int(m.group(1)), []).append(int(m.group(2)))
    assert sorted(by_section) == [0, 1, 2, 3, 4]
    for section, numbers in by_section.items():
        assert numbers == list(range(1, len(numbers) + 1)), (section, numbers)
    # A subsection sits under its own section.
    current = None
    for line in text.splitlines():
        if m := SECTION.match(line):
            current = m.group(1)
        elif m := SUBSECTION.match(line):
            assert m.group(1) == current, line


def test_every_subsection_says_where_what_and_which_test():
    parts = re.split(r"^### ", doc_text(), flags=re.MULTILINE)[1:]
    assert len(parts) > 50
    for part in parts:
        title = part.splitlines()[0]
        body = part.split("\n## ")[0]
        for label in ("**In the lab:**", "**Library:**", "**Tested by:**"):
            assert label in body, (title, label)


def resolve(dotted: str) -> object:
    """``filters.a.b`` as an attribute path, importing submodules where needed."""
    parts = dotted.split(".")
    value: object = importlib.import_module(parts[0])
    for index, part in enumerate(parts[1:], start=1):
        try:
            value = getattr(value, part)
        except AttributeError:
            value = importlib.import_module(".".join(parts[: index + 1]))
    return value


def test_every_library_name_resolves():
    names = sorted({m.group(1) for m in LIBRARY_NAME.finditer(doc_text())})
    assert "filters.conv2d" in names and len(names) > 20
    broken = []
    for name in names:
        try:
            resolve(name)
        except (AttributeError, ImportError) as error:
            broken.append(f"{name}: {error}")
    assert not broken, broken


def test_resolve_fails_for_a_name_that_does_not_exist():
    with pytest.raises((AttributeError, ImportError)):
        resolve("filters.no_such_function")
    with pytest.raises((AttributeError, ImportError)):
        resolve("filters.receptive.no_such_name")


def test_every_page_file_exists():
    pages = sorted(set(PAGE.findall(doc_text())))
    assert len(pages) >= 7
    assert not [p for p in pages if not (ROOT / p).is_file()]


def test_every_interface_key_exists():
    from ui.i18n import STRINGS

    keys = set()
    for m in I18N_KEY.finditer(doc_text()):
        keys.add(m.group(1))
        keys.update(re.findall(r"`([^`]+)`", m.group(2)))
    assert len(keys) > 40
    assert sorted(k for k in keys if k not in STRINGS) == []


@cache
def defined_tests(file: str) -> frozenset[str]:
    """``name`` and ``Class::name`` of every test function defined in ``file``."""
    tree = ast.parse((ROOT / file).read_text(encoding="utf-8"))
    names = set()
    for node in tree.body:
        if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef):
            names.add(node.name)
        elif isinstance(node, ast.ClassDef):
            for item in node.body:
                if isinstance(item, ast.FunctionDef | ast.AsyncFunctionDef):
                    names.add(f"{node.name}::{item.name}")
    return frozenset(names)


def test_every_named_test_exists():
    named = sorted(set(TEST.findall(doc_text())))
    assert len(named) > 60
    missing = []
    for file, test in named:
        if not (ROOT / file).is_file():
            missing.append(f"{file} (no such file)")
        elif not test.split("::")[-1].startswith("test") or test not in defined_tests(file):
            missing.append(f"{file}::{test}")
    assert not missing, missing


def test_named_tests_are_found_inside_classes_too():
    assert "TestNotesMatrices::test_4x4_is_seed_002s_matrix" in defined_tests(
        "tests/test_samples.py")
    assert "test_4x4_is_seed_002s_matrix" not in defined_tests("tests/test_samples.py")


def test_the_document_is_not_a_copy_of_the_notes():
    notes = sorted(NOTES.glob("00[0-4]_*.txt")) if NOTES.is_dir() else []
    if len(notes) != 5:
        pytest.skip(f"the five study notes are not in {NOTES}")
    original = "".join(path.read_text(encoding="utf-8") for path in notes)
    runs = re.findall(r"[\u4e00-\u9fff，。、：；（）]{8,}", doc_text())
    copied = [run for run in runs if run in original]
    assert not copied, copied
