"""The memory budget (filters.limits, ui.memory): its arithmetic, the working-memory ledger, the
8-bit samples the app keeps, and what the pages do at full resolution, on the working copy and
when the budget says no — read from what the pages show, checked against the library."""

from __future__ import annotations

import subprocess
import sys
import threading

import numpy as np
import pytest

import filters
from filters import limits
from filters.conv import plan_conv
from filters.image_io import fit_for_screen, load_image, to_unit, unit_scale
from tests.conftest import ROOT, open_page, png_bytes, upload
from tests.rendered import image_captions, output_stats, shape_in, texts
from ui import memory
from ui.memory import CACHE_SHARES, LEDGER, WorkLedger, working_memory

MB = 2**20
BIG = (1300, 1700)  # larger than the working copy's 1200 px: the pages must tell the two apart


def photo(shape=BIG, seed=0) -> np.ndarray:
    """A smooth colour picture with detail (uint8), so every filter has something to show."""
    rng = np.random.default_rng(seed)
    y, x = np.mgrid[0:shape[0], 0:shape[1]].astype(np.float32)
    fields = np.stack([np.sin(x / 37 + c) + np.cos(y / 23 - c) for c in range(3)], axis=-1)
    return np.clip(fields * 60 + 128 + rng.normal(0, 6, (*shape, 3)), 0, 255).astype(np.uint8)


@pytest.fixture(scope="module")
def big_png() -> bytes:
    return png_bytes(photo())


def arrays_in(value) -> list[np.ndarray]:
    """The numpy arrays a session-state value holds (itself, or a dataclass's fields)."""
    if isinstance(value, np.ndarray):
        return [value]
    fields = getattr(value, "__dataclass_fields__", {})
    return [v for name in fields for v in arrays_in(getattr(value, name))]


def view_of(pixels: np.ndarray) -> np.ndarray:
    """The working copy as the budget defines it: area-averaged to WORK_SIDE, then [0, 1]."""
    return to_unit(fit_for_screen(pixels, limits.WORK_SIDE)[0])


# --- the budget's arithmetic ------------------------------------------------------------------


def test_a_12_megapixel_convolution_fits_one_request_and_a_40_megapixel_one_does_not():
    sobel = filters.get_kernel("sobel_x")
    twelve = np.zeros((3000, 4000, 3), np.uint8)
    forty = np.zeros((5000, 8000, 3), np.uint8)
    assert plan_conv(twelve, sobel, padding="same").working_bytes <= limits.REQUEST_WORK_BYTES
    assert plan_conv(forty, sobel, padding="same").working_bytes > limits.REQUEST_WORK_BYTES


def test_five_12_megapixel_sessions_fit_the_stated_peak_in_the_worst_estimate():
    held = 4000 * 3000 * 3 + 1200 * 900 * 3 * 4  # the 8-bit image and its working copy
    worst = (limits.PROCESS_BASE_BYTES + 5 * held + limits.PROCESS_CACHE_BYTES
             + limits.PROCESS_WORK_BYTES)
    assert worst <= 1600 * MB  # MB = 2**20, as benchmarks/load.py reports RSS
    assert limits.PROCESS_CACHE_BYTES >= 4 * limits.SESSION_CACHE_BYTES
    assert limits.PROCESS_WORK_BYTES >= limits.REQUEST_WORK_BYTES


def test_the_session_caches_share_the_session_budget():
    assert sum(CACHE_SHARES.values()) == pytest.approx(1.0)
    used = set()
    for path in [ROOT / "app.py", *(ROOT / "pages").glob("*.py"), *(ROOT / "ui").glob("*.py")]:
        used |= {name for name in CACHE_SHARES if f'session_cache("{name}")' in path.read_text()}
    assert used == set(CACHE_SHARES)


# --- the ledger -------------------------------------------------------------------------------


def test_a_reservation_waits_for_room_and_gets_it_when_the_other_is_released():
    ledger = WorkLedger(100)
    release, granted = threading.Event(), []

    def second() -> None:
        with ledger.reserve(70, timeout=30) as ok:
            granted.append((ok, ledger.in_use))

    with ledger.reserve(60, timeout=0) as first:
        assert first and ledger.in_use == 60
        waiter = threading.Thread(target=second)
        waiter.start()
        waiter.join(0.3)
        assert not granted  # 60 + 70 > 100: it waits
        release.set()
    waiter.join(10)
    assert granted == [(True, 70)]
    assert ledger.in_use == 0


def test_no_room_in_time_and_a_request_over_its_limit_are_refused():
    ledger = WorkLedger(100)
    with ledger.reserve(100, timeout=0), ledger.reserve(1, timeout=0.05) as late:
        assert late is False
    with ledger.reserve(101, timeout=5) as over:
        assert over is False
    assert ledger.in_use == 0
    with working_memory(limits.REQUEST_WORK_BYTES + 1) as verdict:
        assert verdict == "too_large"
    with LEDGER.reserve(LEDGER.capacity, timeout=0) as full:
        assert full
        with working_memory(MB, timeout=0.05) as verdict:
            assert verdict == "busy"
    with working_memory(MB) as verdict:
        assert verdict == "ok"


# --- 8-bit samples ----------------------------------------------------------------------------


@pytest.mark.parametrize("backend", filters.conv.available_backends())
@pytest.mark.parametrize("case", ["depthwise", "bias_flip_stride", "full_weight"])
def test_convolving_8_bit_samples_with_the_scaled_kernel_is_convolving_the_unit_image(backend,
                                                                                      case):
    pixels = photo((40, 52), seed=3)
    unit = to_unit(pixels)
    if case == "full_weight":
        kernel = np.random.default_rng(1).normal(size=(4, 3, 3, 3))
        options = {"padding": 1, "bias": [0.5, -1.0, 0.0, 2.0]}
    elif case == "bias_flip_stride":
        kernel = filters.get_kernel("sobel_y")
        options = {"padding": "valid", "bias": 0.25, "flip": True, "stride": 2}
    else:
        kernel = filters.get_kernel("gaussian_blur", size=5)
        options = {"padding": "same", "padding_mode": "reflect"}
    expected = filters.conv2d(unit, kernel, backend="torch", **options)
    got = filters.conv2d(pixels, kernel * unit_scale(pixels.dtype), backend=backend, **options)
    np.testing.assert_allclose(got, expected, rtol=1e-5, atol=1e-5)


def test_listing_the_backends_does_not_import_torch():
    code = ("import sys, filters; names = filters.conv.available_backends(); "
            "print(','.join(names), 'torch' in sys.modules)")
    shown = subprocess.run([sys.executable, "-c", code], check=True, cwd=ROOT, timeout=60,
                           capture_output=True, text=True).stdout.split()
    assert "torch" in shown[0].split(",") and shown[1] == "False", shown


# --- the pages --------------------------------------------------------------------------------


def test_the_filter_page_convolves_the_full_resolution_upload(big_png):
    at = open_page()
    upload(at, "big.png", big_png, "image/png")
    at.switch_page("pages/1_Filter.py").run()
    assert not at.exception and not at.warning
    expected = filters.conv2d(load_image(big_png), filters.get_kernel("sobel_x"),
                              padding="same", padding_mode="reflect")
    stats = output_stats(at)
    assert stats["shape"] == expected.shape == (*BIG, 3)
    for name in ("min", "max", "mean"):
        value = float(getattr(expected, name)())
        assert stats[name] == pytest.approx(float(f"{value:.4g}"), rel=1e-3, abs=1e-6), name
    # the session keeps the image (8-bit) and its working copy, never the float32 output
    image = at.session_state["image"].array
    arrays = {id(a): a for key in at.session_state for a in arrays_in(at.session_state[key])}
    assert image.dtype == np.uint8 and id(image) in arrays
    assert sum(a.nbytes for a in arrays.values()) <= image.nbytes + view_of(photo()).nbytes


@pytest.mark.parametrize("lang", ["en", "zh"])
@pytest.mark.parametrize("page", ["pages/2_Padding.py", "pages/3_Pooling_and_Upsampling.py"])
def test_pages_showing_comparisons_say_they_use_the_working_copy(big_png, page, lang):
    at = open_page(lang=lang)
    upload(at, "big.png", big_png, "image/png")
    at.switch_page(page).run()
    assert not at.exception
    h, w = view_of(photo()).shape[:2]
    note = "working copy" if lang == "en" else "工作副本"
    said = [c for c in texts(at) if note in c]
    assert said and f"{w}×{h}" in said[0] and f"{BIG[1]}×{BIG[0]}" in said[0]


def test_the_padding_page_pads_the_working_copy(big_png):
    at = open_page()
    upload(at, "big.png", big_png, "image/png")
    at.switch_page("pages/2_Padding.py").run()
    view = view_of(photo())
    amount = int(at.slider(key="pad_amount").value)
    expected = filters.pad(view, amount, "zeros").shape[:2]
    assert expected == (view.shape[0] + 2 * amount, view.shape[1] + 2 * amount)
    padded = [shape_in(c) for c in image_captions(at)[:4]]
    assert padded == [expected] * 4


def test_a_convolution_over_the_request_limit_runs_on_the_working_copy_and_says_so(
        big_png, monkeypatch):
    at = open_page()
    upload(at, "big.png", big_png, "image/png")
    monkeypatch.setattr(limits, "REQUEST_WORK_BYTES", 8 * MB)  # after the decode, which it bounds
    at.switch_page("pages/1_Filter.py").run()
    assert not at.exception
    view = view_of(photo())
    expected = filters.conv2d(view, filters.get_kernel("sobel_x"), padding="same",
                              padding_mode="reflect")
    stats = output_stats(at)
    assert stats["shape"] == expected.shape
    assert stats["mean"] == pytest.approx(float(f"{expected.mean():.4g}"), rel=1e-3, abs=1e-6)
    warning = at.warning[0].value
    assert "8 MB" in warning and f"{view.shape[1]}×{view.shape[0]}" in warning


def test_a_busy_server_gives_the_working_copy_and_a_retry_at_full_resolution(big_png,
                                                                             monkeypatch):
    import streamlit as st

    monkeypatch.setattr(memory, "WORK_WAIT_S", 0.1)
    st.cache_data.clear()  # AppTest sessions share one id: forget the other tests' results
    at = open_page()
    upload(at, "big.png", big_png, "image/png")
    with LEDGER.reserve(LEDGER.capacity, timeout=0) as held:
        assert held
        at.switch_page("pages/1_Filter.py").run()
        assert not at.exception
        assert output_stats(at)["shape"][:2] == view_of(photo()).shape[:2]
        assert "busy" in at.warning[0].value
    at.button(key="filter_retry").click().run()
    assert output_stats(at)["shape"] == (*BIG, 3)
    assert not at.warning
