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


def test_public_names_resolve():
    import filters

    for name in (
        "conv2d",
        "pad",
        "output_size",
        "transposed_output_size",
        "KERNELS",
        "get_kernel",
        "gaussian_kernel",
        "parse_kernel",
    ):
        assert getattr(filters, name) is not None
