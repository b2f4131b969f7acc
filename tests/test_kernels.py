"""The kernel catalogue against OpenCV's own kernels, and parse_kernel's reading of typed text."""

from __future__ import annotations

import re

import cv2
import numpy as np
import pytest

import filters
from filters.kernels import CATEGORIES, KERNELS, gaussian_1d, separate

REQUIRED = {
    "identity",
    "box_blur",
    "gaussian_blur",
    "motion_blur",
    "sobel_x",
    "sobel_y",
    "scharr_x",
    "scharr_y",
    "prewitt_x",
    "prewitt_y",
    "laplacian_4",
    "laplacian_8",
    "laplacian_of_gaussian",
    "sharpen",
    "unsharp_mask",
    "emboss",
    "outline",
    "vertical_edge",
    "horizontal_edge",
}


def test_catalogue_covers_the_required_kernels():
    assert set(KERNELS) >= REQUIRED


@pytest.mark.parametrize("name", sorted(KERNELS))
def test_every_entry_is_described_in_english_and_builds(name):
    entry = KERNELS[name]
    assert entry.name == name and entry.category in CATEGORIES
    # The library speaks English (the interface's Chinese lives in ui/i18n.py, keyed by name).
    assert re.fullmatch(r"[A-Z0-9d].*\.", entry.description), entry.description
    assert not re.search(r"[\u4e00-\u9fff]", entry.description)
    kernel = filters.get_kernel(name)
    assert kernel.dtype == np.float64 and kernel.ndim == 2 and np.isfinite(kernel).all()
    if entry.separable:
        assert filters.is_separable(kernel)


@pytest.mark.parametrize("size", [3, 5, 7])
def test_sobel_equals_opencv_sobel_on_an_image(size):
    image = np.random.default_rng(0).random((20, 24)).astype(np.float32)
    for name, dx, dy in (("sobel_x", 1, 0), ("sobel_y", 0, 1)):
        ours = filters.conv2d(
            image, filters.get_kernel(name, size=size), padding="same", padding_mode="reflect"
        )
        theirs = cv2.Sobel(image, cv2.CV_32F, dx, dy, ksize=size, borderType=cv2.BORDER_REFLECT_101)
        np.testing.assert_allclose(ours, theirs, atol=1e-4)


def test_scharr_equals_opencv_scharr():
    image = np.random.default_rng(1).random((16, 16)).astype(np.float32)
    ours = filters.conv2d(image, filters.get_kernel("scharr_x"), padding=1, padding_mode="reflect")
    theirs = cv2.Scharr(image, cv2.CV_32F, 1, 0, borderType=cv2.BORDER_REFLECT_101)
    np.testing.assert_allclose(ours, theirs, atol=1e-4)


def test_laplacian_4_equals_opencv_laplacian():
    image = np.random.default_rng(2).random((16, 16)).astype(np.float32)
    ours = filters.conv2d(
        image, filters.get_kernel("laplacian_4"), padding=1, padding_mode="reflect"
    )
    theirs = cv2.Laplacian(image, cv2.CV_32F, ksize=1, borderType=cv2.BORDER_REFLECT_101)
    np.testing.assert_allclose(ours, theirs, atol=1e-4)


@pytest.mark.parametrize(("size", "sigma"), [(3, 0.8), (5, 1.0), (9, 2.5), (15, 4.0)])
def test_gaussian_equals_opencv_gaussian(size, sigma):
    np.testing.assert_allclose(
        gaussian_1d(size, sigma), cv2.getGaussianKernel(size, sigma).ravel(), atol=1e-12
    )
    kernel = filters.gaussian_kernel(size, sigma)
    assert kernel.sum() == pytest.approx(1.0)
    image = np.random.default_rng(3).random((30, 30)).astype(np.float32)
    ours = filters.conv2d(image, kernel, padding="same", padding_mode="reflect")
    theirs = cv2.GaussianBlur(image, (size, size), sigma, borderType=cv2.BORDER_REFLECT_101)
    np.testing.assert_allclose(ours, theirs, atol=1e-5)


def test_gaussian_default_sigma_follows_opencv_rule():
    # OpenCV's rule for sigma <= 0 and sizes over 7 (smaller sizes use fixed tables).
    np.testing.assert_allclose(gaussian_1d(11), cv2.getGaussianKernel(11, 0).ravel(), atol=1e-12)


def test_box_blur_equals_opencv_blur():
    image = np.random.default_rng(4).random((20, 20)).astype(np.float32)
    ours = filters.conv2d(
        image, filters.get_kernel("box_blur", size=5), padding=2, padding_mode="replicate"
    )
    theirs = cv2.blur(image, (5, 5), borderType=cv2.BORDER_REPLICATE)
    np.testing.assert_allclose(ours, theirs, atol=1e-5)


def test_laplacian_of_gaussian_and_outline_are_zero_on_flat_images():
    flat = np.full((15, 15), 0.7)
    for name in ("laplacian_of_gaussian", "outline", "laplacian_8", "sobel_x"):
        assert np.abs(filters.conv2d(flat, filters.get_kernel(name))).max() < 1e-9


@pytest.mark.parametrize("angle", [0, 30, 45, 90, 135])
def test_motion_blur_sums_to_one_and_is_symmetric(angle):
    kernel = filters.get_kernel("motion_blur", length=9, angle=angle)
    assert kernel.sum() == pytest.approx(1.0)
    np.testing.assert_allclose(kernel, kernel[::-1, ::-1], atol=1e-12)


def test_motion_blur_angle_90_is_vertical():
    kernel = filters.get_kernel("motion_blur", length=5, angle=90)
    np.testing.assert_allclose(kernel[:, 2], 0.2)


def test_unsharp_mask_is_identity_plus_detail():
    kernel = filters.get_kernel("unsharp_mask", size=5, sigma=1.0, amount=0.0)
    np.testing.assert_allclose(kernel, filters.get_kernel("identity", size=5), atol=1e-12)


def test_separate_returns_exact_integer_factors():
    column, row = separate(filters.get_kernel("sobel_x"))
    np.testing.assert_array_equal(np.outer(column, row), filters.get_kernel("sobel_x"))
    assert separate(filters.get_kernel("laplacian_4")) is None


# parse_kernel -------------------------------------------------------------------------------

PARSED = [
    ("1 0 -1\n1 0 -1\n1 0 -1", [[1, 0, -1]] * 3),
    ("1,0,-1; 1,0,-1; 1,0,-1", [[1, 0, -1]] * 3),
    ("1/16\n1 2 1\n2 4 2\n1 2 1", (np.array([[1, 2, 1], [2, 4, 2], [1, 2, 1]]) / 16).tolist()),
    ("1/9 *\n1 1 1\n1 1 1\n1 1 1", np.full((3, 3), 1 / 9).tolist()),
    ("[[0, 1], [2, 3]]", [[0, 1], [2, 3]]),
    ("  1/4  -1/4 \n\n 0.5e0 , .25  ", [[0.25, -0.25], [0.5, 0.25]]),
    ("1 -1", [[1, -1]]),
    ("1\n2\n1", [[1], [2], [1]]),
    ("5", [[5]]),
]


@pytest.mark.parametrize(("text", "expected"), PARSED)
def test_parse_kernel_reads_what_people_type(text, expected):
    np.testing.assert_allclose(filters.parse_kernel(text), np.array(expected, dtype=float))


BAD_TEXT = [
    ("", "empty"),
    ("   \n ; ", "empty"),
    ("1 2 3\n4 5", "Row 2 has 2 numbers but row 1 has 3"),
    ("1 2\n3 x", "Row 2, column 2: 'x' is not a number"),
    ("1 nan", "'nan' is not a finite number"),
    ("inf 1", "not a finite number"),
    ("1/0 1", "divides by zero"),
    ("1e999 1", "too large"),
    ("\n".join(["1 " * 32] * 32), "32×32; the largest allowed is 31×31"),
    ("1 2 *\n1 2", "a factor line is a single number"),
]


@pytest.mark.parametrize(("text", "words"), BAD_TEXT)
def test_parse_kernel_names_the_problem(text, words):
    with pytest.raises(ValueError, match=None) as info:
        filters.parse_kernel(text)
    assert words in str(info.value)


def test_parse_kernel_refuses_non_text():
    with pytest.raises(TypeError, match="must be a string"):
        filters.parse_kernel(None)  # type: ignore[arg-type]


@pytest.mark.parametrize("name", sorted(KERNELS))
def test_format_then_parse_round_trips(name):
    kernel = filters.get_kernel(name)
    np.testing.assert_allclose(
        filters.parse_kernel(filters.format_kernel(kernel)), kernel, atol=1e-6
    )
