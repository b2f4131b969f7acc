"""Without torch or OpenCV the library still filters on the other backends and says so."""

from __future__ import annotations

import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent


def run_without(module: str, code: str) -> subprocess.CompletedProcess:
    script = textwrap.dedent(
        f"""
        import importlib.abc, sys

        class NotInstalled(importlib.abc.MetaPathFinder):
            # importing the module now raises ImportError, as if it were not installed
            def find_spec(self, name, path, target=None):
                if name == {module!r} or name.startswith({module!r} + "."):
                    raise ModuleNotFoundError(f"No module named {{name!r}}")
                return None

        sys.meta_path.insert(0, NotInstalled())
        """
    ) + textwrap.dedent(code)
    return subprocess.run(
        [sys.executable, "-c", script], cwd=ROOT, capture_output=True, text=True, timeout=120
    )


@pytest.mark.parametrize("missing", ["torch", "cv2"])
def test_conv2d_works_without_a_library(missing):
    result = run_without(
        missing,
        """
        import numpy as np, filters
        image = np.random.default_rng(0).random((20, 30, 3)).astype(np.float32)
        kernel = filters.get_kernel("sobel_x")
        ref = filters.conv2d(image, kernel, padding=1, padding_mode="reflect", backend="numpy")
        auto = filters.conv2d(image, kernel, padding=1, padding_mode="reflect")
        full = filters.conv2d(image, np.ones((8, 3, 3, 3)), padding=1)
        assert np.allclose(ref, auto, atol=1e-5) and full.shape == (20, 30, 8)
        print(sorted(filters.available_backends()))
    """,
    )
    assert result.returncode == 0, result.stderr
    available = result.stdout.strip()
    assert ("'torch'" if missing == "torch" else "'opencv'") not in available


@pytest.mark.parametrize(("missing", "backend"), [("torch", "torch"), ("cv2", "opencv")])
def test_asking_for_a_missing_backend_says_it_is_not_installed(missing, backend):
    result = run_without(
        missing,
        f"""
        import numpy as np, filters
        try:
            filters.conv2d(np.ones((5, 5)), np.ones((3, 3)), backend={backend!r})
        except ValueError as error:
            print(error)
    """,
    )
    assert result.returncode == 0, result.stderr
    assert f"backend {backend!r} is not installed here" in result.stdout
