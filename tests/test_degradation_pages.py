"""The pages without torch or without OpenCV: they still work, and say what to install."""

from __future__ import annotations

import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
PAGES = ["pages/1_Filter.py", "pages/2_Padding.py", "pages/3_Pooling_and_Upsampling.py",
         "pages/4_How_convolution_works.py", "pages/5_Learn_a_kernel.py",
         "pages/6_Train_LeNet.py", "pages/7_Receptive_fields.py", "pages/8_Benchmarks.py"]


@pytest.mark.parametrize("missing", ["torch", "cv2"])
def test_every_page_runs_without_a_library(missing):
    script = textwrap.dedent(f"""
        import importlib.abc, sys

        class NotInstalled(importlib.abc.MetaPathFinder):
            # importing the module now raises ImportError, as if it were not installed
            def find_spec(self, name, path, target=None):
                if name == {missing!r} or name.startswith({missing!r} + "."):
                    raise ModuleNotFoundError(f"No module named {{name!r}}")
                return None

        sys.meta_path.insert(0, NotInstalled())
        from streamlit.testing.v1 import AppTest
        at = AppTest.from_file("app.py", default_timeout=120).run()
        assert not at.exception, at.exception
        for page in {PAGES!r}:
            at.switch_page(page).run()
            assert not at.exception, (page, at.exception)
            errors = [e.value for e in at.error]
            if page.endswith("Train_LeNet.py") and {missing!r} == "torch":
                assert any("pip install torch" in e for e in errors), errors
            else:
                assert not errors, (page, errors)
        print("ok")
    """)
    result = subprocess.run([sys.executable, "-c", script], cwd=ROOT, capture_output=True,
                            text=True, timeout=600)
    assert result.returncode == 0, result.stderr[-3000:]
    assert result.stdout.strip().endswith("ok")
