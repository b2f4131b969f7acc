"""The Padding page, driven with AppTest: the notes' grids as displayed, padded sizes, and the
border effect of each mode (checked against filters.pad/conv2d and the notes of seed 002)."""

from __future__ import annotations

import numpy as np
import pytest

import filters
from tests.conftest import chart_traces, open_page, png_bytes, upload
from tests.test_study_notes import SEED2_PADDED

PADDING = "pages/2_Padding.py"
GREY = filters.to_grey(filters.load_sample("china"))


def test_the_notes_grids_are_displayed_exactly_as_in_the_notes():
    at = open_page(PADDING)
    assert len(at.table) == 4
    for table, mode in zip(at.table, filters.PADDING_MODES, strict=True):
        shown = table.value.astype(int).to_numpy().tolist()
        assert shown == SEED2_PADDED[mode], mode
    assert at.session_state["padding_grids"] == SEED2_PADDED


def test_the_four_modes_pad_the_image_by_the_chosen_amount():
    at = open_page(PADDING)
    assert at.slider(key="pad_amount").max == 427 // 4
    at.slider(key="pad_amount").set_value(10).run()
    shapes = at.session_state["padding_shapes"]
    assert shapes == {mode: (447, 660, 3) for mode in filters.PADDING_MODES}


def test_border_outputs_and_profiles_follow_each_mode():
    at = open_page(PADDING)
    at.radio(key="pad_corner").set_value("tl").run()
    border = at.session_state["padding_border"]
    assert border["corner"] == "tl"
    crop = GREY[:96, :96]
    box = filters.get_kernel("box_blur", size=15)
    for mode in filters.PADDING_MODES:
        expected = filters.conv2d(crop, box, padding="same", padding_mode=mode)
        np.testing.assert_allclose(border["outputs"][mode], expected, atol=1e-6)
    # zeros pulls a blurred border towards black; reflect keeps the image's brightness
    assert border["outputs"]["zeros"][0, 0] < 0.6 * border["outputs"]["reflect"][0, 0]
    traces = chart_traces(at)
    assert [trace["name"] for trace in traces] == list(filters.PADDING_MODES)
    for trace, mode in zip(traces, filters.PADDING_MODES, strict=True):
        np.testing.assert_allclose(trace["y"], border["outputs"][mode][0, :48], atol=1e-6)
    at.radio(key="pad_border_kernel").set_value("edge").run()
    at.radio(key="pad_corner").set_value("br").run()
    out = at.session_state["padding_border"]["outputs"]["circular"]
    expected = filters.conv2d(GREY[-96:, -96:], filters.get_kernel("sobel_x"), padding="same",
                              padding_mode="circular")
    np.testing.assert_allclose(out, expected, atol=1e-6)


def test_the_names_table_comes_from_the_backends():
    at = open_page(PADDING)
    table = at.dataframe[0].value.set_index("mode")
    assert table.loc["reflect", "SciPy ndimage"] == "mirror"
    assert table.loc["replicate", "NumPy np.pad"] == "edge"
    assert table.loc["reflect", "OpenCV"] == "BORDER_REFLECT_101"
    assert table.loc["reflect", "1 2 3 padded by 2"] == "3 2 │ 1 2 3 │ 2 1"
    assert table.loc["circular", "1 2 3 padded by 2"] == "2 3 │ 1 2 3 │ 1 2"


@pytest.mark.parametrize("shape", [(1, 1), (2, 2), (3, 5), (1, 40)])
def test_tiny_images_give_messages_not_tracebacks(shape):
    at = open_page(PADDING)
    upload(at, "tiny.png", png_bytes(np.full(shape, 200, np.uint8)), "image/png")
    assert not at.exception
    assert at.session_state["image"].array.shape[:2] == shape
    assert at.session_state["padding_grids"] == SEED2_PADDED


def test_chinese_labels_of_the_modes():
    at = open_page(PADDING, lang="zh")
    assert at.title[0].value == "填充"
    options = at.radio(key="pad_border_kernel").options
    assert options == ["15×15 均值模糊", "Sobel x"]
    assert chart_traces(at)[0]["name"] == "零填充 zeros"
