"""Cold start: ``import filters`` and the app's first render, each in a fresh Python process.

``import filters`` must stay under 0.5 s (torch, OpenCV and SciPy's heavy parts load lazily);
the first render is ``AppTest.from_file("app.py").run()`` in a new process, the work Streamlit
does before a visitor sees the landing page.
"""

from __future__ import annotations

import statistics
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
IMPORT_TARGET_S = 0.5

_IMPORT = "import time; s = time.perf_counter(); import filters; print(time.perf_counter() - s)"
_FIRST_RENDER = """
import time
from streamlit.testing.v1 import AppTest
at = AppTest.from_file("app.py", default_timeout=120)
s = time.perf_counter(); at.run(); elapsed = time.perf_counter() - s
assert not at.exception, at.exception
print(elapsed)
"""


def _seconds_in_fresh_process(code: str) -> float:
    result = subprocess.run([sys.executable, "-c", code], cwd=ROOT, capture_output=True,
                            text=True, timeout=300, check=True)
    return float(result.stdout.strip().splitlines()[-1])


def run(quick: bool = True) -> list[dict[str, object]]:
    """Rows ``kind="startup"``: median seconds of ``import filters`` and of the first render."""
    repeats = 3 if quick else 7
    rows = []
    for op, code in (("import filters", _IMPORT), ("app first render (AppTest)", _FIRST_RENDER)):
        seconds = statistics.median(_seconds_in_fresh_process(code) for _ in range(repeats))
        rows.append({"kind": "startup", "case": op, "size": "", "channels": "", "dtype": "",
                     "op": op, "call": "fresh process", "seconds": seconds, "ratio": None,
                     "peak_mib": None})
    return rows


if __name__ == "__main__":
    sys.path.insert(0, str(ROOT))
    for row in run():
        print(f"{row['case']}: {1000 * float(row['seconds']):.0f} ms")  # type: ignore[arg-type]
