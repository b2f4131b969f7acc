"""`import filters` stays light: no torch, no Streamlit, no OpenCV until a function needs them."""

from __future__ import annotations

import subprocess
import sys


def modules_after(code: str) -> set[str]:
    script = f"import sys\n{code}\nprint('\\n'.join(sorted(sys.modules)))"
    out = subprocess.run(
        [sys.executable, "-c", script], capture_output=True, text=True, check=True, timeout=120
    )
    return set(out.stdout.split())


def test_import_filters_does_not_import_torch_streamlit_or_cv2():
    loaded = modules_after("import filters")
    assert not {"torch", "streamlit", "cv2", "scipy"} & loaded


def test_numpy_backend_call_does_not_import_torch():
    loaded = modules_after(
        "import numpy as np, filters\n"
        "filters.conv2d(np.ones((5, 5)), filters.get_kernel('sobel_x'), backend='numpy')\n"
        "filters.pad(np.ones((3, 3)), 1, 'reflect')\nfilters.output_size(32, 3, 2, 1)"
    )
    assert "torch" not in loaded


def test_library_never_imports_streamlit():
    loaded = modules_after(
        "import filters, filters.conv, filters.kernels, filters.padding, filters.sizes"
    )
    assert "streamlit" not in loaded


def test_every_name_in_all_resolves_to_the_object_of_its_module():
    import importlib

    import filters

    assert filters.__all__ == sorted(filters.__all__) and len(filters.__all__) >= 37
    for name in filters.__all__:
        value = getattr(filters, name)
        module = importlib.import_module(f"filters.{filters._EXPORTS[name]}")
        assert value is getattr(module, name), name
        assert name in dir(filters), name


def test_lazy_map_and_all_agree_both_ways():
    import filters

    assert set(filters._EXPORTS) == set(filters.__all__)
    assert not set(filters._EXPORTS) & filters._SUBMODULES  # a name is one or the other
    duplicated = [name for name in filters.__all__ if filters.__all__.count(name) > 1]
    assert not duplicated, duplicated
    # the imports for type checkers name the same module as the lazy map
    import ast
    from pathlib import Path

    tree = ast.parse(Path(filters.__file__).read_text())
    typed = {alias.asname or alias.name: node.module for node in ast.walk(tree)
             if isinstance(node, ast.ImportFrom) and node.level == 1 for alias in node.names}
    assert typed, "no imports for type checkers found"
    assert {name: filters._EXPORTS.get(name) for name in typed} == typed


def test_every_submodule_in_the_lazy_map_exists_and_unknown_names_are_refused():
    import importlib
    import pkgutil

    import pytest

    import filters

    found = {info.name for info in pkgutil.iter_modules(filters.__path__)}
    assert set(filters._EXPORTS.values()) <= found
    assert not filters._SUBMODULES - found
    for name in filters._SUBMODULES:
        assert getattr(filters, name) is importlib.import_module(f"filters.{name}")
    with pytest.raises(AttributeError, match="no attribute 'conv2D'"):
        filters.conv2D  # noqa: B018
