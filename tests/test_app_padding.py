"""The Padding page, driven with AppTest: the notes' grids as displayed, padded sizes, and the
border effect of each mode (checked against filters.pad/conv2d and the notes of seed 002)."""

from __future__ import annotations

import numpy as np
import pytest
import torch
import torch.nn.functional as F

import filters
from tests.conftest import chart_traces, open_page, png_bytes, upload
from tests.references import torch_conv2d
from tests.rendered import image_captions, shape_in
from tests.test_study_notes import SEED2_PADDED

PADDING = "pages/2_Padding.py"
GREY = filters.to_grey(filters.load_sample("china"))


def shown_grids(at) -> dict[str, list[list[int]]]:
    """The four padded 4×4 grids as the page's tables show them, by mode."""
    assert len(at.table) == 4
    return {mode: table.value.astype(int).to_numpy().tolist()
            for table, mode in zip(at.table, filters.PADDING_MODES, strict=True)}


def test_the_notes_grids_are_displayed_exactly_as_in_the_notes():
    at = open_page(PADDING)
    assert shown_grids(at) == SEED2_PADDED


def test_the_four_modes_pad_the_image_by_the_chosen_amount():
    at = open_page(PADDING)
    assert at.slider(key="pad_amount").max == 427 // 4
    at.slider(key="pad_amount").set_value(10).run()
    captions = image_captions(at)[:4]
    assert [caption.split(" · ")[0] for caption in captions] == list(filters.PADDING_MODES)
    assert [shape_in(caption) for caption in captions] == [(447, 660)] * 4
    china = filters.load_sample("china")
    chw = torch.from_numpy(np.ascontiguousarray(china.transpose(2, 0, 1)))[None]
    for mode in filters.PADDING_MODES:  # torch's own F.pad, with the same mode names
        expected = F.pad(chw, (10, 10, 10, 10), mode="constant" if mode == "zeros" else mode)
        expected = expected[0].numpy().transpose(1, 2, 0)
        assert expected.shape == (447, 660, 3)
        np.testing.assert_allclose(filters.pad(china, 10, mode), expected)


def test_border_outputs_and_profiles_follow_each_mode():
    at = open_page(PADDING)
    at.radio(key="pad_corner").set_value("tl").run()
    assert at.radio(key="pad_corner").value == "tl"
    crop = GREY[:96, :96].astype(np.float64)
    box = np.full((15, 15), 1 / 225)
    traces = chart_traces(at)
    assert [trace["name"] for trace in traces] == list(filters.PADDING_MODES)
    expected = {mode: torch_conv2d(crop, box, padding="same", padding_mode=mode)
                for mode in filters.PADDING_MODES}
    for trace, mode in zip(traces, filters.PADDING_MODES, strict=True):
        assert len(trace["y"]) == 48
        np.testing.assert_allclose(trace["y"], expected[mode][0, :48], atol=1e-5)
    # zeros pulls a blurred border towards black; reflect keeps the image's brightness
    assert traces[0]["y"][0] < 0.6 * traces[1]["y"][0]
    at.radio(key="pad_border_kernel").set_value("edge").run()
    at.radio(key="pad_corner").set_value("br").run()
    sobel = np.array([[-1.0, 0.0, 1.0], [-2.0, 0.0, 2.0], [-1.0, 0.0, 1.0]])
    expected = torch_conv2d(GREY[-96:, -96:], sobel, padding="same", padding_mode="circular")
    circular = chart_traces(at)[3]
    assert circular["name"] == "circular"
    # the bottom row, read from the bottom-right corner inwards
    np.testing.assert_allclose(circular["y"], expected[-1, ::-1][:48], atol=1e-5)
    assert image_captions(at)[4:8] == list(filters.PADDING_MODES)  # the zoomed corners


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
    assert shown_grids(at) == SEED2_PADDED


def test_chinese_labels_of_the_modes():
    at = open_page(PADDING, lang="zh")
    assert at.title[0].value == "填充"
    options = at.radio(key="pad_border_kernel").options
    assert options == ["15×15 均值模糊", "Sobel x"]
    assert chart_traces(at)[0]["name"] == "零填充 zeros"
