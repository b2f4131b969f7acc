"""One registry per fact: backend names (filters.backends) and padding-mode names (filters.padding).

Every list of backend names in the code is read from the registry; this test fails when one
is written out by hand and disagrees with it (the issue that made ``--backend fft`` refused),
and when a table of padding-mode names appears outside ``filters/padding.py``.
"""

from __future__ import annotations

import ast
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

import filters
from filters.__main__ import build_parser
from filters.backends import (
    AUTO,
    BACKEND_CHOICES,
    BACKEND_MODULES,
    BACKEND_NAMES,
    BackendBase,
    get_backend,
    is_available,
)
from filters.export import conv_snippets, pad_snippets
from filters.padding import MODE_NAMES, PADDING_MODES

ROOT = Path(__file__).resolve().parent.parent
FOLDERS = ("filters", "ui", "pages", "tests", "benchmarks")
SOURCES = [*sorted(path for folder in FOLDERS for path in (ROOT / folder).rglob("*.py")),
           ROOT / "app.py"]
REGISTRY = ROOT / "filters" / "backends" / "__init__.py"
MODE_TABLE = ROOT / "filters" / "padding.py"


def _string_literals(node: ast.AST) -> list[str] | None:
    """The strings of a list/tuple/set literal made only of string constants, else None."""
    if not isinstance(node, (ast.List, ast.Tuple, ast.Set)) or len(node.elts) < 2:
        return None
    values = [elt.value for elt in node.elts
              if isinstance(elt, ast.Constant) and isinstance(elt.value, str)]
    return values if len(values) == len(node.elts) else None


def _backend_name_lists() -> list[tuple[str, int, set[str]]]:
    """Every literal list (or dict's keys) of 3+ backend names outside the registry."""
    found = []
    for path in SOURCES:
        if path == REGISTRY or not path.exists():
            continue
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            names = _string_literals(node)
            if isinstance(node, ast.Dict) and node.keys:
                keys = [k.value for k in node.keys if isinstance(k, ast.Constant)]
                names = keys if len(keys) == len(node.keys) else None
            if names is None or not set(names) <= set(BACKEND_CHOICES):
                continue
            backends = set(names) - {AUTO}
            if len(backends) >= 3:
                found.append((str(path.relative_to(ROOT)), node.lineno, backends))
    return found


def test_the_registry_lists_every_backend_module_and_its_name():
    assert tuple(BACKEND_MODULES) == BACKEND_NAMES
    assert (*BACKEND_NAMES, AUTO) == BACKEND_CHOICES
    for name in BACKEND_NAMES:
        if is_available(name):
            backend = get_backend(name)
            assert backend.name == name
            assert isinstance(backend, BackendBase)  # the Protocol's optional members exist
            assert isinstance(backend.native_dtypes, frozenset)


def test_every_literal_list_of_backend_names_is_the_whole_registry():
    wrong = [(path, line, sorted(names)) for path, line, names in _backend_name_lists()
             if names != set(BACKEND_NAMES)]
    assert not wrong, f"backend name lists that disagree with filters.backends: {wrong}"


def test_the_checker_finds_a_drifted_list():
    """The scan above would have caught the old ``--backend`` choices (fft missing)."""
    node = ast.parse('["auto", "numpy", "scipy", "torch", "opencv"]').body[0].value
    names = set(_string_literals(node) or []) - {AUTO}
    assert len(names) >= 3 and names != set(BACKEND_NAMES)


def test_public_lists_read_the_registry():
    assert filters.BACKENDS == BACKEND_CHOICES
    assert set(filters.available_backends()) <= set(BACKEND_CHOICES)
    apply = build_parser()._subparsers._group_actions[0].choices["apply"]  # type: ignore[union-attr]
    backend = next(action for action in apply._actions if action.dest == "backend")
    assert tuple(backend.choices) == BACKEND_CHOICES
    mode = next(action for action in apply._actions if action.dest == "padding_mode")
    assert tuple(mode.choices) == PADDING_MODES


def test_benchmarks_race_every_backend_of_the_registry():
    sys.path.insert(0, str(ROOT))
    from benchmarks import bench_conv, run_all

    assert set(bench_conv.RAW_CALLS) == set(BACKEND_NAMES)
    assert run_all.BACKEND_COLUMNS[0] == AUTO
    assert set(run_all.BACKEND_COLUMNS[1:]) <= set(BACKEND_NAMES)


@pytest.mark.parametrize("backend", BACKEND_NAMES)
def test_the_command_line_takes_every_backend(backend, tmp_path):
    if not is_available(backend):
        pytest.skip(f"{backend} is not installed")
    source = tmp_path / "in.npy"
    image = np.random.default_rng(0).random((12, 10)).astype(np.float32)
    from filters.image_io import save_image

    save_image(tmp_path / "in.png", image)
    np.save(source, image)
    out = tmp_path / "out.npy"
    done = subprocess.run(
        [sys.executable, "-m", "filters", "apply", str(tmp_path / "in.png"), "-o", str(out),
         "--kernel", "box_blur", "--padding", "1", "--padding-mode", "zeros",
         "--backend", backend],
        cwd=ROOT, capture_output=True, text=True, timeout=120,
    )
    assert done.returncode == 0, done.stderr
    result = np.load(out)
    reference = filters.conv2d(filters.load_image(tmp_path / "in.png"),
                               filters.get_kernel("box_blur"), padding=1, backend="numpy")
    np.testing.assert_allclose(result, reference, atol=1e-5)


# --- padding-mode names --------------------------------------------------------------------


def test_the_mode_table_covers_exactly_the_four_modes():
    assert tuple(MODE_NAMES) == PADDING_MODES == ("zeros", "reflect", "replicate", "circular")


def test_no_other_table_of_mode_names_exists():
    """Translations such as ``"replicate": "edge"`` or ``"reflect": "mirror"`` live only in
    ``filters/padding.py``; every backend, the export and the app read ``MODE_NAMES``."""
    foreign = {names.numpy for names in MODE_NAMES.values()} | {
        names.scipy for names in MODE_NAMES.values()} | {
        names.opencv for names in MODE_NAMES.values()}
    found = []
    for path in SOURCES:
        if path == MODE_TABLE or path.name == "test_registry.py" or not path.exists():
            continue
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if not isinstance(node, ast.Dict):
                continue
            keys = [k.value for k in node.keys if isinstance(k, ast.Constant)]
            values = [v.value if isinstance(v, ast.Constant) else getattr(v, "attr", None)
                      for v in node.values]
            if len(set(keys) & set(PADDING_MODES)) >= 2 and set(values) & foreign - set(
                    PADDING_MODES):
                found.append((str(path.relative_to(ROOT)), node.lineno))
    assert not found, f"padding-mode tables outside filters/padding.py: {found}"


@pytest.mark.parametrize("mode", PADDING_MODES)
def test_the_exported_code_uses_the_table_names(mode):
    names = MODE_NAMES[mode]
    padded = pad_snippets(1, mode)
    assert f"mode={names.torch!r}" in padded["pytorch"]
    assert f"mode={names.numpy!r}" in padded["scipy"]
    assert f"cv2.{names.opencv}" in padded["opencv"]
    conv = conv_snippets(np.ones((3, 3)), channels=1, padding=1, padding_mode=mode)
    assert f"mode={names.scipy!r}" in conv["scipy"]
    assert f"cv2.{names.opencv}" in conv["opencv"]


def test_the_padding_page_table_is_the_library_table():
    pytest.importorskip("streamlit")
    from ui.controls import padding_names_table

    rows = padding_names_table()
    assert [row["OpenCV"] for row in rows] == [n.opencv for n in MODE_NAMES.values()]
    assert [row["SciPy ndimage"] for row in rows] == [n.scipy for n in MODE_NAMES.values()]
    assert [row["NumPy np.pad"] for row in rows] == [n.numpy for n in MODE_NAMES.values()]
    assert [row["PyTorch F.pad"] for row in rows] == [n.torch for n in MODE_NAMES.values()]
