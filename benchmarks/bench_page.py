"""Time reruns of the Filter page (AppTest, headless) on a 1920×1080 colour photo, 5×5 kernel.

A rerun is what a user waits for after touching a control. Three kinds, each the median of
several reruns:

- ``display``: the display normalisation changes (the convolution comes from the cache);
- ``bias``: the bias changes (the convolution is recomputed);
- ``kernel``: the Gaussian's sigma changes (a new 5×5 kernel, recomputed).

The target is under one second for every kind. ``python benchmarks/bench_page.py`` prints the
table (``--full`` adds a 12-megapixel photo); ``run(quick=True)`` returns the rows.
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
TARGET_S = 1.0


def _photo(width: int, height: int) -> bytes:
    """A smooth random colour picture of ``width×height`` as PNG bytes (fast to decode)."""
    rng = np.random.default_rng(0)
    small = (rng.random((height // 8, width // 8, 3)) * 255).astype(np.uint8)
    image = Image.fromarray(small).resize((width, height), Image.Resampling.BICUBIC)
    buffer = io.BytesIO()
    image.save(buffer, format="PNG", compress_level=1)
    return buffer.getvalue()


def _timed(action) -> float:
    start = time.perf_counter()
    action()
    return time.perf_counter() - start


def time_filter_page(width: int, height: int, repeats: int = 5) -> dict[str, object]:
    """Median seconds of each kind of Filter-page rerun on a ``width×height`` RGB upload.

    Returns:
        ``case``; ``cached_s`` (display change), ``recompute_s`` (bias change), ``kernel_s``
        (new kernel): medians; ``max_s``: the slowest single rerun; ``runs`` per kind.
    """
    from streamlit.testing.v1 import AppTest

    at = AppTest.from_file(str(ROOT / "app.py"), default_timeout=300)
    at.run()
    at.switch_page("pages/1_Filter.py").run()
    at.radio(key="image_source").set_value("upload").run()
    at.file_uploader(key="upload").set_value(("photo.png", _photo(width, height), "image/png"))
    at.run()
    at.radio(key="filter_category").set_value("blur").run()
    at.selectbox(key="filter_kernel").select("gaussian_blur").run()  # 5×5 by default
    assert not at.exception, at.exception
    assert {m.label: m.value for m in at.metric}["shape"] == f"{height}×{width}×3"

    times: dict[str, list[float]] = {"display": [], "bias": [], "kernel": []}
    for index in range(repeats):
        normalize = ["clip", "abs", "minmax"][index % 3]
        times["display"].append(_timed(
            lambda n=normalize: at.radio(key="filter_normalize").set_value(n).run()))
        times["bias"].append(_timed(
            lambda i=index: at.number_input(key="filter_bias").set_value(0.1 * (i + 1)).run()))
        times["kernel"].append(_timed(
            lambda i=index: at.slider(key="param_gaussian_blur_sigma").set_value(
                round(1.2 + 0.3 * i, 1)).run()))
        assert not at.exception, at.exception
    assert {m.label: m.value for m in at.metric}["shape"] == f"{height}×{width}×3"
    return {
        "case": f"Filter page rerun, {width}×{height} RGB, Gaussian 5×5",
        "cached_s": statistics.median(times["display"]),
        "recompute_s": statistics.median(times["bias"]),
        "kernel_s": statistics.median(times["kernel"]),
        "max_s": max(max(values) for values in times.values()),
        "runs": repeats,
    }


def run(quick: bool = True) -> list[dict[str, object]]:
    """One row per image size: 1920×1080 (and 4000×3000 unless ``quick``)."""
    sizes = [(1920, 1080)] + ([] if quick else [(4000, 3000)])
    return [time_filter_page(w, h, repeats=3 if quick else 7) for w, h in sizes]


if __name__ == "__main__":
    sys.path.insert(0, str(ROOT))
    rows = run(quick="--full" not in sys.argv)
    print("| case | display change (cached) | bias change | new kernel | slowest |")
    print("|---|---:|---:|---:|---:|")
    for row in rows:
        print(f"| {row['case']} | {row['cached_s']:.3f} s | {row['recompute_s']:.3f} s | "
              f"{row['kernel_s']:.3f} s | {row['max_s']:.3f} s |")
    first = rows[0]
    worst = max(float(first["cached_s"]), float(first["recompute_s"]), float(first["kernel_s"]))
    print(f"1920×1080 target (median < {TARGET_S:.0f} s):", "met" if worst < TARGET_S else "MISSED")
