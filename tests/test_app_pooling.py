"""The Pooling & Upsampling page, driven with AppTest: the sizes, grids and captions it shows,
checked against PyTorch's own pooling and transposed convolution and the notes' numbers."""

from __future__ import annotations

import numpy as np
import pytest

import filters
from filters.pooling import pool_output_size
from filters.regions import centre_crop
from tests.conftest import open_page, png_bytes, upload
from tests.rendered import framed_cells, grid_values, image_captions, shape_in

POOLING = "pages/3_Pooling_and_Upsampling.py"
CHINA = filters.load_sample("china")
CENTRE = filters.to_grey(CHINA)[189:237, 296:344]  # the centre 48×48


def torch_pool(image: np.ndarray, kernel: int, *, stride: int | None = None, padding: int = 0,
               mode: str = "max", p: float = 2.0, ceil_mode: bool = False) -> np.ndarray:
    """PyTorch's pooling of an H×W×C image, in float64, laid out H×W×C."""
    import torch
    import torch.nn.functional as F

    x = torch.from_numpy(np.ascontiguousarray(image.transpose(2, 0, 1)[None], np.float64))
    stride = stride or kernel
    if mode == "max":
        y = F.max_pool2d(x, kernel, stride, padding, ceil_mode=ceil_mode)
    elif mode == "avg":
        y = F.avg_pool2d(x, kernel, stride, padding, ceil_mode=ceil_mode, count_include_pad=True)
    else:
        y = F.lp_pool2d(x, p, kernel, stride, ceil_mode=ceil_mode)
    return y[0].numpy().transpose(1, 2, 0)


def torch_conv_transpose(image: np.ndarray, kernel: np.ndarray, **kwargs) -> np.ndarray:
    """``F.conv_transpose2d`` of one H×W plane with one kernel, float64."""
    import torch
    import torch.nn.functional as F

    x = torch.from_numpy(np.asarray(image, np.float64)[None, None].copy())
    w = torch.from_numpy(np.asarray(kernel, np.float64)[None, None].copy())
    return F.conv_transpose2d(x, w, **kwargs)[0, 0].numpy()


def chain(at) -> tuple[int, int]:
    """The output size of the "Size chain" line."""
    line = next(m.value for m in at.markdown if m.value.startswith("Size chain"))
    return shape_in(line)


def test_default_max_pooling_halves_the_sample():
    at = open_page(POOLING)
    expected = torch_pool(CHINA, 2)
    assert expected.shape == (213, 320, 3)
    assert chain(at) == expected.shape[:2]
    np.testing.assert_allclose(filters.pool2d(CHINA, 2), expected, rtol=1e-6)
    formula = " ".join(e.value for e in at.latex)
    assert "427 + 2\\cdot0 - 2" in formula and "= 213" in formula and "= 320" in formula
    captions = image_captions(at)
    assert shape_in(captions[1]) == torch_pool(centre_crop(CHINA, 48), 2).shape[:2]


def test_average_ceil_mode_padding_and_lp_pooling():
    at = open_page(POOLING)
    at.radio(key="pool_mode").set_value("avg").run()
    at.toggle(key="pool_ceil").set_value(True).run()
    at.number_input(key="pool_kernel").set_value(3).run()
    at.number_input(key="pool_padding").set_value(1).run()
    expected = torch_pool(CHINA, 3, stride=2, padding=1, mode="avg", ceil_mode=True)
    assert chain(at) == expected.shape[:2] == (
        pool_output_size(427, 3, 2, 1, 1, True), pool_output_size(640, 3, 2, 1, 1, True))
    np.testing.assert_allclose(
        filters.pool2d(CHINA, 3, stride=2, padding=1, mode="avg", ceil_mode=True), expected,
        rtol=1e-5)
    assert any("\\left\\lceil" in e.value for e in at.latex)
    at.number_input(key="pool_padding").set_value(2).run()  # more than half of 3: refused
    assert not at.exception
    assert any("more than half the pooling window" in e.value for e in at.error)
    at.radio(key="pool_mode").set_value("lp").run()
    at.slider(key="pool_p").set_value(3.0).run()
    expected = torch_pool(CHINA, 3, stride=2, mode="lp", p=3.0, ceil_mode=True)
    assert chain(at) == expected.shape[:2]
    np.testing.assert_allclose(
        filters.pool2d(CHINA, 3, stride=2, mode="lp", p=3.0, ceil_mode=True), expected,
        rtol=1e-4, atol=1e-6)


def test_which_pixel_won_is_the_maximum_of_each_window():
    at = open_page(POOLING)
    at.slider(key="pool_patch_row").set_value(100).run()
    at.slider(key="pool_patch_col").set_value(200).run()
    patch = grid_values(at, "winners_in")
    grey = filters.to_grey(CHINA)
    np.testing.assert_array_equal(patch, np.round(grey[100:108, 200:208] * 255))
    winners = framed_cells(at, "winners_in")
    assert len(winners) == 16
    for index, (row, col) in enumerate(winners):
        window_row, window_col = divmod(index, 4)
        assert (row // 2, col // 2) == (window_row, window_col)
        window = patch[2 * window_row:2 * window_row + 2, 2 * window_col:2 * window_col + 2]
        assert patch[row, col] == window.max()
    pooled = torch_pool(patch[:, :, None], 2)[:, :, 0]
    np.testing.assert_array_equal(grid_values(at, "winners_out"), pooled)


def test_the_notes_round_trip_and_the_checkerboard():
    at = open_page(POOLING)
    captions = image_captions(at)
    assert [shape_in(c) for c in captions[9:13]] == [(32, 32), (16, 16), (31, 31), (32, 32)]
    assert any("maps 32 to 16" in c.value and "gives 31" in c.value and "restores 32" in c.value
               for c in at.caption)
    board = grid_values(at, "checker_grid")
    np.testing.assert_array_equal(
        board, torch_conv_transpose(np.ones((8, 8)), np.ones((3, 3)), stride=2)[:9, :9])
    assert sorted(set(board[2:-2, 2:-2].ravel().tolist())) == [1.0, 2.0, 4.0]


def transposed_shape(at) -> tuple[int, int]:
    caption = next(c for c in image_captions(at) if c.startswith("Transposed convolution ·"))
    return shape_in(caption)


def test_bilinear_transposed_convolution_size_and_formula():
    at = open_page(POOLING)
    from filters.upsampling import bilinear_kernel

    assert transposed_shape(at) == torch_conv_transpose(
        CENTRE, bilinear_kernel(2), stride=2, padding=1).shape == (96, 96)
    at.slider(key="up_factor").set_value(3).run()
    assert transposed_shape(at) == torch_conv_transpose(
        CENTRE, bilinear_kernel(3), stride=3, padding=1).shape == (144, 144)
    formula = " ".join(e.value for e in at.latex)
    assert "(48-1)\\cdot3 - 2\\cdot1 + 1\\cdot(5-1) + 0 + 1 = 144" in formula


def test_a_transposed_kernel_the_user_edits():
    at = open_page(POOLING)
    at.radio(key="up_tkernel").set_value("custom").run()
    size = filters.transposed_output_size(48, 3, 2, 1, 1)
    assert transposed_shape(at) == (size, size) == (96, 96)
    at.text_area(key="up_text").input("1 2 1\n2 4 2\n1 2 1\n0 0 0").run()
    at.number_input(key="up_stride").set_value(3).run()
    at.number_input(key="up_output_padding").set_value(2).run()
    kernel = np.array([[1, 2, 1], [2, 4, 2], [1, 2, 1], [0, 0, 0]])
    expected = torch_conv_transpose(CENTRE, kernel, stride=3, padding=1, output_padding=2)
    assert transposed_shape(at) == expected.shape == (
        filters.transposed_output_size(48, 4, 3, 1, 2),
        filters.transposed_output_size(48, 3, 3, 1, 2))
    np.testing.assert_allclose(
        filters.conv_transpose2d(CENTRE, kernel, stride=3, padding=1, output_padding=2),
        expected, rtol=1e-5, atol=1e-5)
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
    # every one is smaller than the 32×32 centre the round trip needs: the page says so
    assert any("at least 32×32 pixels" in i.value for i in at.info), [i.value for i in at.info]
