"""Every code snippet the app can export runs and reproduces the app's numbers to 1e-4."""

from __future__ import annotations

import itertools
import os
from pathlib import Path

import numpy as np
import pytest

import filters
from filters.export import (
    LIBRARIES,
    conv_snippets,
    pad_snippets,
    pool_snippets,
    transposed_snippets,
)

RNG = np.random.default_rng(11)
IMAGES = {
    "grey": RNG.random((13, 12)).astype(np.float32),
    "rgb": RNG.random((11, 14, 3)).astype(np.float32),
}
KERNELS = {
    "sobel_x": filters.get_kernel("sobel_x"),
    "even 2x3": RNG.normal(size=(2, 3)),
    "gaussian 5": filters.get_kernel("gaussian_blur", size=5, sigma=1.2),
}


def run_snippet(code: str, image: np.ndarray, folder: Path) -> np.ndarray:
    np.save(folder / "input.npy", image)
    namespace: dict = {}
    cwd = os.getcwd()
    os.chdir(folder)
    try:
        exec(compile(code, "<snippet>", "exec"), namespace)
    finally:
        os.chdir(cwd)
    return np.asarray(namespace["out"])


CONV_GRID = [
    dict(stride=s, padding=p, padding_mode=m, dilation=d, bias=b, flip=f)
    for s, p, m, d, b, f in itertools.product(
        [1, 2],
        [0, 1, "same"],
        ["zeros", "reflect", "replicate", "circular"],
        [1, 2],
        [None, 0.25],
        [False, True],
    )
    if not (p == "same" and s != 1)
]


@pytest.mark.parametrize("image_name", list(IMAGES))
@pytest.mark.parametrize("kernel_name", list(KERNELS))
def test_conv_snippets_reproduce_the_app_output(image_name, kernel_name, tmp_path):
    image, kernel = IMAGES[image_name], KERNELS[kernel_name]
    channels = 1 if image.ndim == 2 else image.shape[2]
    checked = 0
    for settings in CONV_GRID[:: 3 if kernel_name != "sobel_x" else 1]:
        expected = filters.conv2d(image, kernel, **settings)
        for library, code in conv_snippets(kernel, channels=channels, **settings).items():
            out = run_snippet(code, image, tmp_path)
            np.testing.assert_allclose(
                out, expected, atol=1e-4, err_msg=f"{library} {settings}\n{code}"
            )
            checked += 1
    assert checked >= 4 * len(CONV_GRID) // 3


@pytest.mark.parametrize("padding", [1, (2, 3), (0, 1, 2, 3)])
@pytest.mark.parametrize("mode", ["zeros", "reflect", "replicate", "circular"])
@pytest.mark.parametrize("image_name", list(IMAGES))
def test_pad_snippets_reproduce_filters_pad(padding, mode, image_name, tmp_path):
    image = IMAGES[image_name]
    expected = filters.pad(image, padding, mode)
    snippets = pad_snippets(padding, mode)
    assert set(snippets) == set(LIBRARIES)
    for library, code in snippets.items():
        np.testing.assert_allclose(
            run_snippet(code, image, tmp_path), expected, atol=1e-6, err_msg=library
        )


@pytest.mark.parametrize("image_name", list(IMAGES))
def test_pool_snippets_reproduce_pool2d_in_every_library(image_name, tmp_path):
    image = np.abs(IMAGES[image_name])  # Lp pooling of negatives is complex for fractional p
    checked = 0
    for mode, ceil_mode, kernel, stride, padding, include in itertools.product(
        ["max", "avg", "lp"], [False, True], [2, 3], [None, 2], [0, 1], [True, False]
    ):
        if (mode == "lp" and padding) or (mode != "avg" and not include):
            continue
        options = dict(stride=stride, padding=padding, mode=mode, ceil_mode=ceil_mode)
        expected = filters.pool2d(image, kernel, count_include_pad=include, p=2.0, **options)
        snippets = pool_snippets(kernel, count_include_pad=include, image_shape=image.shape,
                                 **options)
        assert set(snippets) == set(LIBRARIES)
        for library, code in snippets.items():
            np.testing.assert_allclose(run_snippet(code, image, tmp_path), expected, atol=1e-4,
                                       err_msg=f"{library} {options} {include}\n{code}")
            checked += 1
    assert checked >= 100


def test_snippets_name_each_librarys_border():
    snippets = conv_snippets(np.ones((3, 3)), channels=3, padding=1, padding_mode="reflect")
    assert "BORDER_REFLECT_101" in snippets["opencv"]
    assert "mode='reflect'" in snippets["pytorch"]
    assert "'mirror'" in snippets["scipy"]


# --- large dilation (the Filter page crashed at dilation ≥ 24 on the 427×640 sample) ----------


@pytest.mark.parametrize("dilation", [24, 30, 32])
@pytest.mark.parametrize("mode", ["reflect", "circular", "zeros"])
def test_conv_snippets_accept_every_dilation_conv2d_accepts(dilation, mode):
    kernel = filters.get_kernel("sobel_x")
    image = np.zeros((427, 640, 3), np.float32)
    assert filters.conv2d(image, kernel, padding="same", padding_mode=mode,
                          dilation=dilation).shape == image.shape
    for shape in [(), image.shape]:  # planned on a blank probe, or on the user's shape
        snippets = conv_snippets(kernel, channels=3, padding="same", padding_mode=mode,
                                 dilation=dilation, image_shape=shape)
        assert set(snippets) == set(LIBRARIES)
        assert f"dilation={dilation}" in snippets["filters"]
    custom = conv_snippets(kernel, channels=3, padding=dilation + 5, padding_mode=mode,
                           dilation=dilation)  # explicit padding larger than 8·k
    assert f"padding={dilation + 5}" in custom["filters"]


@pytest.mark.parametrize("dilation", [24, 30])
def test_large_dilation_snippets_reproduce_the_app_output(dilation, tmp_path):
    image = RNG.random((67, 71, 3)).astype(np.float32)  # reflect needs pad 30 < 67
    kernel = KERNELS["even 2x3"]
    for settings in [dict(padding="same", padding_mode="reflect"),
                     dict(padding=(dilation, 3), padding_mode="circular", stride=2),
                     dict(padding="valid", padding_mode="zeros", bias=0.5, flip=True)]:
        expected = filters.conv2d(image, kernel, dilation=dilation, **settings)
        snippets = conv_snippets(kernel, channels=3, dilation=dilation, image_shape=image.shape,
                                 **settings)
        for library, code in snippets.items():
            np.testing.assert_allclose(run_snippet(code, image, tmp_path), expected, atol=1e-4,
                                       err_msg=f"{library} {settings}\n{code}")


def test_conv_snippets_on_the_users_shape_refuse_what_conv2d_refuses():
    kernel = filters.get_kernel("sobel_x")
    with pytest.raises(ValueError, match="reflect padding of 24 rows") as real:
        filters.conv2d(np.zeros((20, 60)), kernel, padding="same", padding_mode="reflect",
                       dilation=24)
    with pytest.raises(ValueError) as exported:
        conv_snippets(kernel, channels=1, padding="same", padding_mode="reflect", dilation=24,
                      image_shape=(20, 60))
    assert str(exported.value) == str(real.value)
    with pytest.raises(ValueError, match="stride"):
        conv_snippets(kernel, channels=1, padding="same", stride=2)


# --- transposed convolution -------------------------------------------------------------------

def _pair(value) -> tuple[int, int]:
    return (value, value) if isinstance(value, int) else value


TRANSPOSED_GRID = [  # torch's rule: output_padding < stride or < dilation, on each axis
    dict(stride=s, padding=p, output_padding=o, dilation=d)
    for s, p, o, d in itertools.product([1, 2, (2, 3)], [0, 1, (1, 2)], [0, 1], [1, 2, (2, 1)])
    if all(o < max(st, dl) for st, dl in zip(_pair(s), _pair(d), strict=True))
]


@pytest.mark.parametrize("image_name", list(IMAGES))
@pytest.mark.parametrize("kernel_name", ["sobel_x", "even 2x3"])
def test_transposed_snippets_reproduce_conv_transpose2d_in_every_library(
    image_name, kernel_name, tmp_path
):
    image, kernel = IMAGES[image_name], KERNELS[kernel_name]
    checked = 0
    grid_keys = set()
    for settings in TRANSPOSED_GRID:
        expected = filters.conv_transpose2d(image, kernel, **settings)
        snippets = transposed_snippets(kernel, **settings)
        assert set(snippets) == set(LIBRARIES)
        for library, code in snippets.items():
            out = run_snippet(code, image, tmp_path)
            assert out.shape == expected.shape, f"{library} {settings}"
            np.testing.assert_allclose(out, expected, atol=1e-4,
                                       err_msg=f"{library} {settings}\n{code}")
            checked += 1
        grid_keys.add(tuple(sorted(settings.items())))
    assert checked == 4 * len(TRANSPOSED_GRID)
    # the grid holds stride 2 with padding 1, output_padding 1 and dilation 2 at once
    assert (("dilation", 2), ("output_padding", 1), ("padding", 1), ("stride", 2)) in grid_keys


def test_transposed_pytorch_snippet_matches_torch_itself(tmp_path):
    torch = pytest.importorskip("torch")
    image, kernel = IMAGES["rgb"], KERNELS["gaussian 5"]
    settings = dict(stride=2, padding=1, output_padding=1, dilation=2)
    x = torch.from_numpy(image).permute(2, 0, 1)[None]
    weight = torch.from_numpy(kernel.astype(np.float32))[None, None].repeat(3, 1, 1, 1)
    expected = torch.nn.functional.conv_transpose2d(x, weight, groups=3, **settings)
    code = transposed_snippets(kernel, **settings)["pytorch"]
    np.testing.assert_allclose(run_snippet(code, image, tmp_path),
                               expected[0].permute(1, 2, 0).numpy(), atol=1e-5)


# --- the Filter page's code expander, driven with AppTest -------------------------------------


@pytest.mark.parametrize("dilation", [24, 30])
def test_filter_page_shows_snippets_for_large_dilation(dilation):
    from tests.conftest import open_page
    from tests.rendered import output_shape

    at = open_page("pages/1_Filter.py")  # sample image 427×640×3, sobel_x, "same", reflect
    at.number_input(key="filter_dilation").set_value(dilation).run()
    assert not at.exception, at.exception
    assert not at.error, [e.value for e in at.error]
    codes = dict(zip(LIBRARIES, (c.value for c in at.code), strict=True))
    assert f"dilation={dilation}," in codes["filters"]
    assert f"dilation=({dilation}, {dilation})" in codes["pytorch"]
    assert f"spread[::{dilation}, ::{dilation}]" in codes["scipy"]
    assert f"spread[::{dilation}, ::{dilation}]" in codes["opencv"]
    assert output_shape(at) == (427, 640, 3)


def test_filter_page_shows_a_message_when_snippets_cannot_be_made(monkeypatch):
    from tests.conftest import open_page

    def refuse(*args, **kwargs):
        raise ValueError("no snippet for these settings")

    monkeypatch.setattr("filters.export.conv_snippets", refuse)
    at = open_page("pages/1_Filter.py")
    assert not at.exception, at.exception
    assert any("no snippet for these settings" in e.value for e in at.error)
    assert not at.code


@pytest.mark.parametrize(("page", "prefixes"), [
    ("pages/2_Padding.py", ["pad_dl_code_"]),
    ("pages/3_Pooling_and_Upsampling.py", ["pool_dl_code_", "up_dl_code_"]),
])
def test_padding_and_pooling_pages_offer_each_snippet_as_a_download(page, prefixes):
    from tests.conftest import open_page

    at = open_page(page)
    assert not at.exception, at.exception
    ids = [button.proto.id for button in at.get("download_button")]
    for prefix in prefixes:
        for library in LIBRARIES:
            assert sum(i.endswith(prefix + library) for i in ids) == 1, (prefix, library, ids)
    assert len(at.code) == len(LIBRARIES) * len(prefixes)
