"""Time a rerun of the Filter page (AppTest, headless) on 1920×1080 and 12 MP colour photos.

Two numbers per size: a rerun whose convolution is cached (a widget elsewhere changed) and a
rerun that recomputes (the bias changes every time). Run: ``python benchmarks/bench_page.py``.
"""

from __future__ import annotations

import io
import statistics
import sys
import time
from pathlib import Path

import numpy as np
from PIL import Image

ROOT = Path(__file__).resolve().parent.parent


def _photo(width: int, height: int) -> bytes:
    rng = np.random.default_rng(0)
    small = (rng.random((height // 8, width // 8, 3)) * 255).astype(np.uint8)
    image = Image.fromarray(small).resize((width, height), Image.Resampling.BICUBIC)
    buffer = io.BytesIO()
    image.save(buffer, format="PNG", compress_level=1)
    return buffer.getvalue()


def time_filter_page(width: int, height: int, repeats: int = 5) -> dict[str, float | str]:
    """Median seconds of cached and recomputing reruns of the Filter page at ``width×height``."""
    from streamlit.testing.v1 import AppTest

    at = AppTest.from_file(str(ROOT / "app.py"), default_timeout=300)
    at.run()
    at.switch_page("pages/1_Filter.py")
    at.run()
    at.radio(key="image_source").set_value("upload").run()
    at.file_uploader(key="upload").set_value(("photo.png", _photo(width, height), "image/png"))
    at.run()
    at.radio(key="filter_category").set_value("blur").run()
    at.selectbox(key="filter_kernel").select("gaussian_blur").run()  # 5×5 by default
    assert not at.exception, at.exception
    assert at.session_state["filter_output_summary"]["shape"] == (height, width, 3)
    cached, fresh = [], []
    for index in range(repeats):
        start = time.perf_counter()
        at.radio(key="filter_normalize").set_value(["clip", "abs", "minmax"][index % 3]).run()
        cached.append(time.perf_counter() - start)
        start = time.perf_counter()
        at.number_input(key="filter_bias").set_value(0.1 * (index + 1)).run()
        fresh.append(time.perf_counter() - start)
        assert not at.exception, at.exception
    return {
        "case": f"Filter page rerun, {width}×{height} RGB, Gaussian 5×5",
        "cached_s": statistics.median(cached),
        "recompute_s": statistics.median(fresh),
    }


def run(quick: bool = True) -> list[dict[str, float | str]]:
    """Rows for the benchmark table (12 MP only when not ``quick``)."""
    sizes = [(1920, 1080)] + ([] if quick else [(4000, 3000)])
    return [time_filter_page(w, h, repeats=3 if quick else 5) for w, h in sizes]


if __name__ == "__main__":
    sys.path.insert(0, str(ROOT))
    for row in run(quick="--quick" in sys.argv):
        print(f"{row['case']}: cached rerun {row['cached_s']:.3f} s, "
              f"recomputing rerun {row['recompute_s']:.3f} s")
