"""The Pooling & Upsampling page, driven with AppTest: sizes and values against filters.pool2d /
conv_transpose2d / upsample (checked against PyTorch elsewhere) and the notes' numbers."""

from __future__ import annotations

import numpy as np
import pytest

import filters
from filters.pooling import pool_output_size
from tests.conftest import open_page, png_bytes, upload

POOLING = "pages/3_Pooling_and_Upsampling.py"
CHINA = filters.load_sample("china")


def test_default_max_pooling_halves_the_sample():
    at = open_page(POOLING)
    assert at.session_state["pool_output_shape"] == (213, 320, 3)
    expected = filters.pool2d(CHINA, 2)
    assert at.session_state["pool_output_sum"] == pytest.approx(
        float(expected.sum(dtype=np.float64)), rel=1e-6)
    formula = " ".join(e.value for e in at.latex)
    assert "427 + 2\\cdot0 - 2" in formula and "= 213" in formula and "= 320" in formula


def test_average_ceil_mode_padding_and_lp_pooling():
    at = open_page(POOLING)
    at.radio(key="pool_mode").set_value("avg").run()
    at.toggle(key="pool_ceil").set_value(True).run()
    at.number_input(key="pool_kernel").set_value(3).run()
    at.number_input(key="pool_padding").set_value(1).run()
    expected = filters.pool2d(CHINA, 3, stride=2, padding=1, mode="avg", ceil_mode=True)
    assert at.session_state["pool_output_shape"] == expected.shape == (
        pool_output_size(427, 3, 2, 1, 1, True), pool_output_size(640, 3, 2, 1, 1, True), 3)
    assert at.session_state["pool_output_sum"] == pytest.approx(
        float(expected.sum(dtype=np.float64)), rel=1e-6)
    assert any("\\left\\lceil" in e.value for e in at.latex)
    at.number_input(key="pool_padding").set_value(2).run()  # more than half of 3: refused
    assert not at.exception
    assert any("more than half the pooling window" in e.value for e in at.error)
    at.radio(key="pool_mode").set_value("lp").run()
    at.slider(key="pool_p").set_value(3.0).run()
    expected = filters.pool2d(CHINA, 3, stride=2, mode="lp", p=3.0, ceil_mode=True)
    assert at.session_state["pool_output_sum"] == pytest.approx(
        float(expected.sum(dtype=np.float64)), rel=1e-5)


def test_which_pixel_won_is_the_maximum_of_each_window():
    at = open_page(POOLING)
    at.slider(key="pool_patch_row").set_value(100).run()
    at.slider(key="pool_patch_col").set_value(200).run()
    patch = at.session_state["pool_patch"]
    grey = filters.to_grey(CHINA)
    np.testing.assert_array_equal(patch, np.round(grey[100:108, 200:208] * 255))
    winners = at.session_state["pool_winners"]
    assert len(winners) == 16
    for index, (row, col) in enumerate(winners):
        window_row, window_col = divmod(index, 4)
        assert (row // 2, col // 2) == (window_row, window_col)
        window = patch[2 * window_row:2 * window_row + 2, 2 * window_col:2 * window_col + 2]
        assert patch[row, col] == window.max()


def test_the_notes_round_trip_and_the_checkerboard():
    at = open_page(POOLING)
    assert at.session_state["round_trip"] == (16, 31, 32)
    assert at.session_state["checkerboard"] == [1.0, 2.0, 4.0]


def test_bilinear_transposed_convolution_size_and_formula():
    at = open_page(POOLING)
    assert at.session_state["up_transposed_shape"] == (96, 96)
    at.slider(key="up_factor").set_value(3).run()
    assert at.session_state["up_transposed_shape"] == (144, 144)
    formula = " ".join(e.value for e in at.latex)
    assert "(48-1)\\cdot3 - 2\\cdot1 + 1\\cdot(5-1) + 0 + 1 = 144" in formula


def test_a_transposed_kernel_the_user_edits():
    at = open_page(POOLING)
    at.radio(key="up_tkernel").set_value("custom").run()
    size = filters.transposed_output_size(48, 3, 2, 1, 1)
    assert at.session_state["up_transposed_shape"] == (size, size) == (96, 96)
    at.text_area(key="up_text").input("1 2 1\n2 4 2\n1 2 1\n0 0 0").run()
    at.number_input(key="up_stride").set_value(3).run()
    at.number_input(key="up_output_padding").set_value(2).run()
    assert at.session_state["up_transposed_shape"] == (
        filters.transposed_output_size(48, 4, 3, 1, 2),
        filters.transposed_output_size(48, 3, 3, 1, 2))
    crop = filters.to_grey(CHINA)[189:237, 296:344]  # the centre 48×48
    kernel = np.array([[1, 2, 1], [2, 4, 2], [1, 2, 1], [0, 0, 0]])
    expected = filters.conv_transpose2d(crop, kernel, stride=3, padding=1, output_padding=2)
    assert at.session_state["up_transposed_sum"] == pytest.approx(
        float(expected.sum(dtype=np.float64)), rel=1e-6)
    at.number_input(key="up_output_padding").set_value(3).run()  # must be < stride
    assert not at.exception
    assert any("output_padding" in e.value for e in at.error)
    at.text_area(key="up_text").input("1 2 x").run()
    assert not at.exception
    assert any("'x' is not a number" in e.value for e in at.error)
    assert at.text_area(key="up_text").value == "1 2 x"


@pytest.mark.parametrize("shape", [(1, 1), (5, 5), (2, 64)])
def test_tiny_images_give_messages_not_tracebacks(shape):
    at = open_page(POOLING)
    upload(at, "tiny.png", png_bytes(np.full(shape, 90, np.uint8)), "image/png")
    assert not at.exception
    assert at.session_state["image"].array.shape[:2] == shape
