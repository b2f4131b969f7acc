"""Every page of the real app in Chromium, in English and in 中文: each test reads numbers from
the screen and compares them with an oracle computed here on the same input (PyTorch, the
notes' worked example, the benchmark CSV), and fails on any console error.

Skipped (with the reason) where /usr/bin/chromium or Playwright is missing, a failure instead
with ``REQUIRE_BROWSER=1``. Screenshots: test-output/screenshots/<page>_<lang>.png.
"""

from __future__ import annotations

import csv
import math
import re

import numpy as np
import pytest
from PIL import Image

import filters
from ui.i18n import STRINGS
from ui.state import DEFAULT_SAMPLE

from . import browser_support
from .browser_support import (
    ROOT,
    metric_text,
    poll,
    require_browser,
    shot,
    upload_image,
    wait_idle,
)
from .test_study_notes import SEED0_OUTPUT

require_browser()
pytestmark = pytest.mark.browser
# The shared fixtures: one app and one browser for this module, a fresh tab per test.
app_url, browser, page = browser_support.app_url, browser_support.browser, browser_support.page

LANGS = {"en": 0, "zh": 1}
NUMBER = r"-?\d+(?:\.\d+)?(?:e[-+]?\d+)?"


def text(key: str, lang: str) -> str:
    return STRINGS[key][LANGS[lang]]


def template(key: str, lang: str, words: tuple[str, ...] = ()) -> re.Pattern[str]:
    """The interface text ``key`` as a regex: each ``{field}`` a named number group (``words``
    name the fields that hold text); a field seen twice must repeat its first value."""
    parts, seen = [], set()
    for literal, field in re.findall(r"([^{]*)(?:\{(\w+)(?::[^}]*)?\})?", text(key, lang)):
        parts.append(re.escape(literal))
        if field and field in seen:
            parts.append(f"(?P={field})")
        elif field:
            seen.add(field)
            parts.append(f"(?P<{field}>{'.*?' if field in words else NUMBER})")
    return re.compile("".join(parts))


def open_page(page, app_url: str, address: str, lang: str, title_key: str) -> None:
    """Open ``address`` in ``lang`` (``?lang=``) and check its heading is in that language."""
    page.goto(f"{app_url}/{address}?lang={lang}")
    wait_idle(page)
    page.locator("h1").first.wait_for(timeout=30000)
    assert page.locator("h1").first.inner_text().strip() == text(title_key, lang)
    assert page.locator("[data-testid='stException']").count() == 0


def main_text(page) -> str:
    return str(page.locator("[data-testid='stMain']").inner_text())


def read(page, pattern: re.Pattern[str], timeout: float = 30.0) -> dict[str, str]:
    """The fields of the first text on the page that matches ``pattern`` (waits for it)."""
    found = poll(lambda: pattern.search(main_text(page)), bool, timeout)
    assert found, f"nothing on the page matches {pattern.pattern!r}"
    return found.groupdict()


def close(shown: str, expected: float, digits: int = 4) -> bool:
    """``shown`` (a number as the page writes it, ``digits`` significant) equals ``expected``."""
    values = re.findall(NUMBER, shown.replace("\u2212", "-"))
    if not values:
        return False
    tolerance = 0.51 * 10 ** (math.floor(math.log10(abs(expected) or 1.0)) - digits + 1)
    return abs(float(values[0]) - expected) <= tolerance + 1e-6


def plotly_text(page, key: str) -> list[list[str]]:
    """The numbers printed in the cells of the heatmap of the chart with widget key ``key``."""
    chart = page.locator(f".st-key-{key} .js-plotly-plot").first
    chart.wait_for(timeout=30000)
    return chart.evaluate("el => el.data[0].text")


def torch_conv_same(image: np.ndarray, kernel: np.ndarray, mode: str) -> np.ndarray:
    """PyTorch: pad each channel of an H×W×C image by 1 in ``mode``, correlate with a 3×3."""
    import torch
    import torch.nn.functional as F

    x = torch.from_numpy(np.ascontiguousarray(image.transpose(2, 0, 1)))[None]
    weight = torch.from_numpy(np.asarray(kernel, np.float32))[None, None]
    x = F.pad(x, (1, 1, 1, 1), mode=mode)
    out = F.conv2d(x, weight.repeat(image.shape[2], 1, 1, 1), groups=image.shape[2])
    return out[0].permute(1, 2, 0).numpy()


# --- the pages --------------------------------------------------------------------------------

@pytest.mark.parametrize("lang", LANGS)
def test_home_shows_the_sample_size(page, app_url, lang):
    open_page(page, app_url, "", lang, "app.title")
    size = read(page, template("home.preview_caption", lang))
    h, w = filters.load_sample(DEFAULT_SAMPLE).shape[:2]
    assert (int(size["h"]), int(size["w"])) == (h, w)
    shot(page, f"home_{lang}")


@pytest.mark.parametrize("lang", LANGS)
def test_filter_metrics_match_torch_and_circular_padding_changes_them(page, app_url, lang,
                                                                      tmp_path):
    """An uploaded ramp with noise, Sharpen: min / max / mean shown equal PyTorch's with
    reflect padding (the default) and then with circular padding 1, whose wrapped border (the
    ramp's dark left column next to its bright right one) moves the min and max."""
    rng = np.random.default_rng(3)
    ramp = np.linspace(0, 1, 64)[None, :, None] * np.ones((48, 1, 3))
    pixels = np.clip(ramp * 200 + rng.random((48, 64, 3)) * 55, 0, 255).astype(np.uint8)
    path = tmp_path / "ramp.png"
    Image.fromarray(pixels).save(path)
    image = pixels.astype(np.float32) / 255

    open_page(page, app_url, "Filter", lang, "filter.title")
    upload_image(page, path, text("image.source.upload", lang))
    page.locator("[data-testid='stMain']").get_by_text(
        text("kernel.sharpen.name", lang), exact=True).first.click()
    wait_idle(page)
    sharpen = filters.get_kernel("sharpen")

    def check(expected: np.ndarray) -> dict[str, str]:
        labels = {name: text(f"stats.{name}", lang) for name in ("min", "max", "mean")}
        wanted = {"min": float(expected.min()), "max": float(expected.max()),
                  "mean": float(expected.mean(dtype=np.float64))}

        def shown() -> dict[str, str]:
            return {name: metric_text(page, label) for name, label in labels.items()}

        values = poll(shown, lambda v: all(close(v[n], wanted[n]) for n in wanted))
        for name in wanted:
            assert close(values[name], wanted[name]), (name, values[name], wanted[name])
        assert metric_text(page, text("stats.shape", lang)) == "×".join(map(str, expected.shape))
        return values

    reflect = check(torch_conv_same(image, sharpen, "reflect"))
    page.get_by_text(text("filter.padding.custom", lang), exact=True).click()
    wait_idle(page)
    page.locator("[data-testid='stSelectbox']").filter(
        has_text=text("common.padding_mode", lang)).click()
    page.get_by_role("option", name=text("mode.circular", lang), exact=True).click()
    wait_idle(page)
    circular = check(torch_conv_same(image, sharpen, "circular"))
    assert circular["max"] != reflect["max"] and circular["min"] != reflect["min"]
    shot(page, f"filter_circular_{lang}")


@pytest.mark.parametrize("lang", LANGS)
def test_padding_grids_match_torch_pad(page, app_url, lang):
    """The notes' 4×4 matrix padded by 1 in the four modes, cell by cell, is F.pad's."""
    import torch
    import torch.nn.functional as F

    open_page(page, app_url, "Padding", lang, "padding.title")
    matrix = torch.from_numpy(np.asarray(filters.load_sample("notes_matrix_4x4"), np.float64))
    tables = page.locator("[data-testid='stMain'] table")  # st.table; st.dataframe is a canvas
    tables.nth(3).wait_for(timeout=30000)
    for index, mode in enumerate(filters.PADDING_MODES):
        expected = F.pad(matrix[None, None], (1, 1, 1, 1),
                         mode="constant" if mode == "zeros" else mode)[0, 0].numpy()
        rows = tables.nth(index).locator("tbody tr").all()
        shown = np.array([[float(cell.inner_text()) for cell in row.locator("td").all()]
                          for row in rows])
        np.testing.assert_array_equal(shown, expected, err_msg=mode)
    assert tables.nth(3).locator("tbody tr").first.locator("td").first.inner_text() == "16"
    shot(page, f"padding_{lang}")


@pytest.mark.parametrize("lang", LANGS)
def test_pooling_size_and_pooled_values_match_torch_max_pool(page, app_url, lang):
    """Max pooling 2×2 (the default) on the sample: the size chain and the 4×4 grid of the 8×8
    patch's winners are F.max_pool2d's."""
    import torch
    import torch.nn.functional as F

    open_page(page, app_url, "Pooling_and_Upsampling", lang, "pool.title")
    image = np.asarray(filters.load_sample(DEFAULT_SAMPLE), np.float32)
    chain = read(page, template("pool.chain", lang))
    pooled = F.max_pool2d(torch.from_numpy(image.transpose(2, 0, 1).copy()), 2)
    assert (int(chain["oh"]), int(chain["ow"])) == tuple(pooled.shape[1:])
    assert (int(chain["h"]), int(chain["w"])) == image.shape[:2]

    grey = filters.to_grey(image)
    top, left = (grey.shape[0] - 8) // 2, (grey.shape[1] - 8) // 2
    patch = np.round(grey[top:top + 8, left:left + 8] * 255)
    expected = F.max_pool2d(torch.from_numpy(patch)[None], 2)[0].numpy()
    shown = np.array(plotly_text(page, "winners_out"), dtype=np.float64)
    np.testing.assert_array_equal(shown, expected)
    shot(page, f"pooling_{lang}")


@pytest.mark.parametrize("lang", LANGS)
def test_explain_steps_give_the_notes_output(page, app_url, lang):
    """The notes' 5×5 matrix with the vertical-edge kernel (the defaults): the first four
    steps write the notes' outputs -3, -2, 2, 0 (notes §0.2)."""
    open_page(page, app_url, "How_convolution_works", lang, "explain.title")
    pattern = template("explain.sum", lang, words=("bias",))
    for index in range(4):
        i, j = divmod(index, 3)
        found = poll(lambda: pattern.search(main_text(page)),
                     lambda m, i=i, j=j: bool(m) and (m["i"], m["j"]) == (str(i), str(j)))
        assert found and (found["i"], found["j"]) == (str(i), str(j)), found
        assert float(found["value"]) == SEED0_OUTPUT[i][j], (i, j, found["value"])
        page.get_by_role("button", name=text("explain.next", lang)).click()
        wait_idle(page)
    shot(page, f"explain_{lang}")


def training_progress(page, key: str, lang: str, start_key: str, pause_key: str,
                      timeout: float = 90.0) -> tuple[dict[str, str], dict[str, str]]:
    """Press start, read the status line ``key`` until its step has grown and its loss has
    fallen below the first loss read; pause. The first and the last readings."""
    pattern = template(key, lang, words=("state",))
    page.get_by_role("button", name=text(start_key, lang)).click()
    first = read(page, pattern, timeout=60)
    last = poll(lambda: read(page, pattern),
                lambda now: int(now["step"]) > int(first["step"])
                and float(now["loss"]) < float(first["loss"]), timeout)
    page.get_by_role("button", name=text(pause_key, lang)).click()
    wait_idle(page)
    return first, last


@pytest.mark.parametrize("lang", LANGS)
@pytest.mark.parametrize(("address", "prefix"), [("Learn_a_kernel", "learn"),
                                                 ("Train_LeNet", "lenet")])
def test_training_counts_steps_and_the_loss_falls(page, app_url, lang, address, prefix):
    """Learn a kernel (the hidden catalogue kernel) and Train LeNet (the offline digits): after
    Start the status line's step grows and its loss falls below the first loss shown."""
    open_page(page, app_url, address, lang, f"{prefix}.title")
    first, last = training_progress(page, f"{prefix}.status", lang, f"{prefix}.start",
                                    f"{prefix}.pause")
    assert int(last["step"]) > int(first["step"]), (first, last)
    assert float(last["loss"]) < float(first["loss"]), (first, last)
    page.locator(".js-plotly-plot").first.wait_for(timeout=30000)  # the loss chart
    shot(page, f"{prefix}_{lang}")


@pytest.mark.parametrize("lang", LANGS)
def test_receptive_field_shown_is_the_librarys(page, app_url, lang):
    """The default preset, two 3×3 convolutions: the centre output sees 5×5 input pixels
    (notes §4.8), as filters.receptive_field says."""
    from filters.receptive import PRESETS

    open_page(page, app_url, "Receptive_fields", lang, "rf.title")
    window = read(page, template("rf.window", lang, words=("padding",)))
    assert int(window["size"]) == filters.receptive_field(PRESETS["two 3×3"]) == 5
    assert int(window["bottom"]) - int(window["top"]) + 1 == 5
    shot(page, f"receptive_{lang}")


@pytest.mark.parametrize("lang", LANGS)
def test_benchmarks_summary_matches_the_results_csv(page, app_url, lang):
    """The worst filters[auto] ratio and the number of conv cases shown are the CSV's."""
    from ui.bench_view import NEAR

    with open(ROOT / "benchmarks" / "results" / "quick.csv", newline="") as handle:
        rows = [r for r in csv.DictReader(handle)
                if r["kind"] == "conv" and r["call"] == "filters[auto]" and r["ratio"]]
    per_case: dict[str, float] = {}
    for row in rows:
        per_case[row["case"]] = max(per_case.get(row["case"], 0.0), float(row["ratio"]))
    open_page(page, app_url, "Benchmarks", lang, "bench.title")
    worst = poll(lambda: metric_text(page, text("bench.worst", lang)), bool)
    assert worst == f"{max(per_case.values()):.2f}×"
    within = metric_text(page, text("bench.within", lang).format(near=f"{NEAR:g}"))
    counts = template("bench.within_value", lang).fullmatch(within)
    assert counts, within
    assert int(counts["cases"]) == len(per_case)
    assert int(counts["within"]) == sum(r <= NEAR for r in per_case.values())
    shot(page, f"benchmarks_{lang}")
