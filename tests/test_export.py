"""Every code snippet the app can export runs and reproduces the app's numbers to 1e-4."""

from __future__ import annotations

import itertools
import os
from pathlib import Path

import numpy as np
import pytest

import filters
from filters.export import LIBRARIES, conv_snippets, pad_snippets, pool_snippets

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
