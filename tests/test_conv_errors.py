"""Wrong calls raise ValueError/TypeError whose message says what was wrong and what is allowed."""

from __future__ import annotations

import numpy as np
import pytest

import filters

IMAGE = np.random.default_rng(1).random((8, 9)).astype(np.float32)
RGB = np.random.default_rng(2).random((8, 9, 3)).astype(np.float32)
K3 = np.ones((3, 3))

# (id, call, exception type, words the message must contain)
WRONG_CALLS = [
    (
        "kernel bigger than padded image",
        lambda: filters.conv2d(IMAGE, np.ones((11, 3))),
        ValueError,
        ["spans 11 rows", "no output"],
    ),
    (
        "dilated kernel too wide",
        lambda: filters.conv2d(IMAGE, K3, dilation=5),
        ValueError,
        ["1 + dilation·(k−1)", "no output"],
    ),
    (
        "stride 0",
        lambda: filters.conv2d(IMAGE, K3, stride=0),
        ValueError,
        ["stride must be at least 1"],
    ),
    (
        "negative stride pair",
        lambda: filters.conv2d(IMAGE, K3, stride=(1, -2)),
        ValueError,
        ["stride must be at least 1"],
    ),
    (
        "float stride",
        lambda: filters.conv2d(IMAGE, K3, stride=1.5),
        TypeError,
        ["stride must be an int"],
    ),
    (
        "negative padding",
        lambda: filters.conv2d(IMAGE, K3, padding=-1),
        ValueError,
        ["must not be negative"],
    ),
    (
        "dilation 0",
        lambda: filters.conv2d(IMAGE, K3, dilation=0),
        ValueError,
        ["dilation must be at least 1"],
    ),
    (
        "same with stride 2",
        lambda: filters.conv2d(IMAGE, K3, padding="same", stride=2),
        ValueError,
        ["padding='same' needs stride 1"],
    ),
    (
        "unknown padding word",
        lambda: filters.conv2d(IMAGE, K3, padding="full"),
        ValueError,
        ["Unknown padding 'full'", "'valid'", "'same'"],
    ),
    (
        "reflect padding >= size",
        lambda: filters.conv2d(IMAGE, K3, padding=8, padding_mode="reflect"),
        ValueError,
        ["reflect padding of 8 rows", "at least 9 rows"],
    ),
    (
        "circular padding > size",
        lambda: filters.conv2d(IMAGE, K3, padding=10, padding_mode="circular"),
        ValueError,
        ["circular padding of 10", "at most 8"],
    ),
    (
        "unknown padding mode with suggestion",
        lambda: filters.conv2d(IMAGE, K3, padding=1, padding_mode="reflection"),
        ValueError,
        ["Unknown padding_mode 'reflection'", "Did you mean 'reflect'?"],
    ),
    (
        "scipy's name for torch's reflect",
        lambda: filters.conv2d(IMAGE, K3, padding_mode="mirror"),
        ValueError,
        ["Unknown padding_mode 'mirror'", "'zeros'"],
    ),
    (
        "unknown backend with suggestion",
        lambda: filters.conv2d(IMAGE, K3, backend="cv2"),
        ValueError,
        ["Unknown backend 'cv2'"],
    ),
    (
        "backend typo",
        lambda: filters.conv2d(IMAGE, K3, backend="pytorch"),
        ValueError,
        ["Did you mean 'torch'?"],
    ),
    (
        "NaN in the kernel",
        lambda: filters.conv2d(IMAGE, np.array([[1.0, np.nan]])),
        ValueError,
        ["kernel must hold finite numbers", "(0, 1)"],
    ),
    (
        "inf in the kernel",
        lambda: filters.conv2d(IMAGE, np.array([[np.inf]])),
        ValueError,
        ["finite"],
    ),
    (
        "4-D image",
        lambda: filters.conv2d(np.zeros((2, 8, 8, 3)), K3),
        ValueError,
        ["2-D (H×W) or 3-D (H×W×C)", "4-D"],
    ),
    ("1-D image", lambda: filters.conv2d(np.zeros(8), K3), ValueError, ["got 1-D"]),
    ("empty image", lambda: filters.conv2d(np.zeros((0, 5)), K3), ValueError, ["empty"]),
    (
        "complex image",
        lambda: filters.conv2d(np.zeros((4, 4), complex), K3),
        TypeError,
        ["real numbers", "complex"],
    ),
    (
        "image is not an array",
        lambda: filters.conv2d("photo.png", K3),
        TypeError,
        ["numpy array", "str"],
    ),
    (
        "3-D kernel",
        lambda: filters.conv2d(RGB, np.ones((3, 3, 3))),
        ValueError,
        ["kernel must be 2-D", "or 4-D", "got 3-D"],
    ),
    (
        "channel mismatch for a full weight",
        lambda: filters.conv2d(RGB, np.ones((2, 2, 3, 3))),
        ValueError,
        ["Channel mismatch", "image has 3", "(C_out, 3, kh, kw)"],
    ),
    (
        "groups not dividing channels",
        lambda: filters.conv2d(RGB, np.ones((2, 1, 3, 3)), groups=2),
        ValueError,
        ["groups=2 does not divide the image's 3 channels"],
    ),
    (
        "groups not dividing C_out",
        lambda: filters.conv2d(RGB, np.ones((2, 1, 3, 3)), groups=3),
        ValueError,
        ["does not divide the weight's 2 output channels"],
    ),
    (
        "groups 0",
        lambda: filters.conv2d(RGB, np.ones((3, 3, 3, 3)), groups=0),
        ValueError,
        ["groups must be at least 1"],
    ),
    (
        "groups with a 2-D kernel",
        lambda: filters.conv2d(RGB, K3, groups=1),
        ValueError,
        ["each of the image's 3 channels", "full weight"],
    ),
    (
        "bias of the wrong length",
        lambda: filters.conv2d(RGB, K3, bias=[1.0, 2.0]),
        ValueError,
        ["bias needs 1 value or one per output channel (3)"],
    ),
    (
        "NaN bias",
        lambda: filters.conv2d(RGB, K3, bias=np.nan),
        ValueError,
        ["bias must hold finite"],
    ),
    (
        "flip not a bool",
        lambda: filters.conv2d(IMAGE, K3, flip="yes"),
        TypeError,
        ["flip must be True or False"],
    ),
    (
        "four-sided padding in conv2d",
        lambda: filters.conv2d(IMAGE, K3, padding=(1, 2, 3, 4)),
        TypeError,
        ["call filters.pad first"],
    ),
    (
        "over the memory budget",
        lambda: filters.conv2d(
            np.zeros((1, 1), np.float64), np.ones((31, 31)), padding=(40_000, 40_000), dilation=50
        ),
        ValueError,
        ["GiB", "budget"],
    ),
    (
        "output_size with no output",
        lambda: filters.output_size(4, 7),
        ValueError,
        ["spans 7 pixels", "no output"],
    ),
    (
        "output_padding not below stride",
        lambda: filters.transposed_output_size(16, 3, stride=2, padding=1, output_padding=2),
        ValueError,
        ["output_padding (2) must be smaller than stride (2) or dilation (1)"],
    ),
    (
        "unknown kernel name",
        lambda: filters.get_kernel("sobelx"),
        ValueError,
        ["Unknown kernel name 'sobelx'", "Did you mean 'sobel_x'?"],
    ),
    (
        "kernel parameter out of range",
        lambda: filters.get_kernel("gaussian_blur", size=99),
        ValueError,
        ["'size' must be between 1 and 31"],
    ),
    (
        "even size for a centred kernel",
        lambda: filters.get_kernel("gaussian_blur", size=4),
        ValueError,
        ["must be odd"],
    ),
    (
        "unknown kernel parameter",
        lambda: filters.get_kernel("sobel_x", sigma=2),
        ValueError,
        ["takes size", "unknown parameter 'sigma'"],
    ),
]


@pytest.mark.parametrize(
    ("call", "error", "words"), [c[1:] for c in WRONG_CALLS], ids=[c[0] for c in WRONG_CALLS]
)
def test_wrong_call_raises_with_actionable_message(call, error, words):
    with pytest.raises(error) as info:
        call()
    message = str(info.value)
    for word in words:
        assert word in message, f"{word!r} not in {message!r}"


def test_there_are_at_least_twenty_wrong_calls():
    assert len(WRONG_CALLS) >= 20


def test_torch_refuses_what_we_refuse():
    """Each refusal of ours that torch also has: torch raises too (we only word it better)."""
    import torch
    import torch.nn.functional as F

    x = torch.zeros(1, 1, 8, 9)
    w = torch.ones(1, 1, 3, 3)
    for kwargs in (
        {"stride": 0},
        {"padding": -1},
        {"dilation": 0},
        {"padding": "same", "stride": 2},
    ):
        with pytest.raises((RuntimeError, ValueError)):
            F.conv2d(x, w, **kwargs)
    with pytest.raises((RuntimeError, ValueError)):
        F.conv2d(x, torch.ones(1, 1, 11, 3))
    with pytest.raises((RuntimeError, ValueError, NotImplementedError)):
        F.pad(x, (0, 0, 8, 8), mode="reflect")
