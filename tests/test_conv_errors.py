"""Wrong calls raise ValueError/TypeError whose message says what was wrong and what is allowed.

Each wrong call also names what PyTorch does with the same call: a torch call that must raise
too, or the entry of :data:`tests.test_fuzz.TORCH_DIFFERENCES` that says why filters refuses
what torch has no refusal for.
"""

from __future__ import annotations

import numpy as np
import pytest

import filters

from .test_fuzz import TORCH_DIFFERENCES, TORCH_REFUSALS

IMAGE = np.random.default_rng(1).random((8, 9)).astype(np.float32)
RGB = np.random.default_rng(2).random((8, 9, 3)).astype(np.float32)
K3 = np.ones((3, 3))



def _torch_conv(x_shape, w_shape, *, bias=None, dtype="float64", transposed=False, **kwargs):
    """torch's ``F.conv2d`` (or ``F.conv_transpose2d``) on ones of these shapes (NCHW, OIHW)."""
    import torch
    import torch.nn.functional as F

    x = x_shape if isinstance(x_shape, str) else torch.ones(x_shape, dtype=getattr(torch, dtype))
    w = torch.ones(w_shape, dtype=torch.float64)
    b = None if bias is None else torch.tensor(bias, dtype=torch.float64)
    return (F.conv_transpose2d if transposed else F.conv2d)(x, w, b, **kwargs)


def _torch_pad(x_shape, padding, mode):
    """torch's ``F.pad`` of ``padding`` on every side, as a padded ``nn.Conv2d`` does first."""
    import torch
    import torch.nn.functional as F

    return F.pad(torch.ones(x_shape), (padding,) * 4, mode=mode)


def _torch_conv_layer(**kwargs):
    """torch's ``nn.Conv2d(1, 1, 3, **kwargs)``: where torch checks a padding mode."""
    import torch

    return torch.nn.Conv2d(1, 1, 3, **kwargs)


# (id, call, exception type, words the message must contain,
#  torch's call that must raise too, or the TORCH_DIFFERENCES entry saying why none does)
WRONG_CALLS = [
    (
        "kernel bigger than padded image",
        lambda: filters.conv2d(IMAGE, np.ones((11, 3))),
        ValueError,
        ["spans 11 rows", "no output"],
        lambda: _torch_conv((1, 1, 8, 9), (1, 1, 11, 3)),
    ),
    (
        "dilated kernel too wide",
        lambda: filters.conv2d(IMAGE, K3, dilation=5),
        ValueError,
        ["1 + dilation·(k−1)", "no output"],
        lambda: _torch_conv((1, 1, 8, 9), (1, 1, 3, 3), dilation=5),
    ),
    (
        "stride 0",
        lambda: filters.conv2d(IMAGE, K3, stride=0),
        ValueError,
        ["stride must be at least 1"],
        lambda: _torch_conv((1, 1, 8, 9), (1, 1, 3, 3), stride=0),
    ),
    (
        "negative stride pair",
        lambda: filters.conv2d(IMAGE, K3, stride=(1, -2)),
        ValueError,
        ["stride must be at least 1"],
        lambda: _torch_conv((1, 1, 8, 9), (1, 1, 3, 3), stride=(1, -2)),
    ),
    (
        "float stride",
        lambda: filters.conv2d(IMAGE, K3, stride=1.5),
        TypeError,
        ["stride must be an int"],
        lambda: _torch_conv((1, 1, 8, 9), (1, 1, 3, 3), stride=1.5),
    ),
    (
        "negative padding",
        lambda: filters.conv2d(IMAGE, K3, padding=-1),
        ValueError,
        ["must not be negative"],
        lambda: _torch_conv((1, 1, 8, 9), (1, 1, 3, 3), padding=-1),
    ),
    (
        "dilation 0",
        lambda: filters.conv2d(IMAGE, K3, dilation=0),
        ValueError,
        ["dilation must be at least 1"],
        lambda: _torch_conv((1, 1, 8, 9), (1, 1, 3, 3), dilation=0),
    ),
    (
        "same with stride 2",
        lambda: filters.conv2d(IMAGE, K3, padding="same", stride=2),
        ValueError,
        ["padding='same' needs stride 1"],
        lambda: _torch_conv((1, 1, 8, 9), (1, 1, 3, 3), padding="same", stride=2),
    ),
    (
        "unknown padding word",
        lambda: filters.conv2d(IMAGE, K3, padding="full"),
        ValueError,
        ["Unknown padding 'full'", "'valid'", "'same'"],
        lambda: _torch_conv((1, 1, 8, 9), (1, 1, 3, 3), padding="full"),
    ),
    (
        "reflect padding >= size",
        lambda: filters.conv2d(IMAGE, K3, padding=8, padding_mode="reflect"),
        ValueError,
        ["reflect padding of 8 rows", "at least 9 rows"],
        lambda: _torch_pad((1, 1, 8, 9), 8, "reflect"),
    ),
    (
        "circular padding > size",
        lambda: filters.conv2d(IMAGE, K3, padding=10, padding_mode="circular"),
        ValueError,
        ["circular padding of 10", "at most 8"],
        lambda: _torch_pad((1, 1, 8, 9), 10, "circular"),
    ),
    (
        "unknown padding mode with suggestion",
        lambda: filters.conv2d(IMAGE, K3, padding=1, padding_mode="reflection"),
        ValueError,
        ["Unknown padding_mode 'reflection'", "Did you mean 'reflect'?"],
        lambda: _torch_conv_layer(padding=1, padding_mode="reflection"),
    ),
    (
        "scipy's name for torch's reflect",
        lambda: filters.conv2d(IMAGE, K3, padding_mode="mirror"),
        ValueError,
        ["Unknown padding_mode 'mirror'", "'zeros'"],
        lambda: _torch_conv_layer(padding_mode="mirror"),
    ),
    (
        "unknown backend with suggestion",
        lambda: filters.conv2d(IMAGE, K3, backend="cv2"),
        ValueError,
        ["Unknown backend 'cv2'"],
        "backend",
    ),
    (
        "backend typo",
        lambda: filters.conv2d(IMAGE, K3, backend="pytorch"),
        ValueError,
        ["Did you mean 'torch'?"],
        "backend",
    ),
    (
        "NaN in the kernel",
        lambda: filters.conv2d(IMAGE, np.array([[1.0, np.nan]])),
        ValueError,
        ["kernel must hold finite numbers", "(0, 1)"],
        "non-finite kernel",
    ),
    (
        "inf in the kernel",
        lambda: filters.conv2d(IMAGE, np.array([[np.inf]])),
        ValueError,
        ["finite"],
        "non-finite kernel",
    ),
    (
        "4-D image",
        lambda: filters.conv2d(np.zeros((2, 8, 8, 3)), K3),
        ValueError,
        ["2-D (H×W) or 3-D (H×W×C)", "4-D"],
        "4-D image",
    ),
    (
        "1-D image",
        lambda: filters.conv2d(np.zeros(8), K3),
        ValueError,
        ["got 1-D"],
        lambda: _torch_conv((8,), (1, 1, 3, 3)),
    ),
    (
        "empty image",
        lambda: filters.conv2d(np.zeros((0, 5)), K3),
        ValueError,
        ["empty"],
        lambda: _torch_conv((1, 1, 0, 5), (1, 1, 3, 3)),
    ),
    (
        "complex image",
        lambda: filters.conv2d(np.zeros((4, 4), complex), K3),
        TypeError,
        ["real numbers", "complex"],
        lambda: _torch_conv((1, 1, 4, 4), (1, 1, 3, 3), dtype="complex128"),
    ),
    (
        "image is not an array",
        lambda: filters.conv2d("photo.png", K3),
        TypeError,
        ["numpy array", "str"],
        lambda: _torch_conv("photo.png", (1, 1, 3, 3)),
    ),
    (
        "3-D kernel",
        lambda: filters.conv2d(RGB, np.ones((3, 3, 3))),
        ValueError,
        ["kernel must be 2-D", "or 4-D", "got 3-D"],
        lambda: _torch_conv((1, 3, 8, 9), (3, 3, 3)),
    ),
    (
        "channel mismatch for a full weight",
        lambda: filters.conv2d(RGB, np.ones((2, 2, 3, 3))),
        ValueError,
        ["Channel mismatch", "image has 3", "(C_out, 3, kh, kw)"],
        lambda: _torch_conv((1, 3, 8, 9), (2, 2, 3, 3)),
    ),
    (
        "groups not dividing channels",
        lambda: filters.conv2d(RGB, np.ones((2, 1, 3, 3)), groups=2),
        ValueError,
        ["groups=2 does not divide the image's 3 channels"],
        lambda: _torch_conv((1, 3, 8, 9), (2, 1, 3, 3), groups=2),
    ),
    (
        "groups not dividing C_out",
        lambda: filters.conv2d(RGB, np.ones((2, 1, 3, 3)), groups=3),
        ValueError,
        ["does not divide the weight's 2 output channels"],
        lambda: _torch_conv((1, 3, 8, 9), (2, 1, 3, 3), groups=3),
    ),
    (
        "groups 0",
        lambda: filters.conv2d(RGB, np.ones((3, 3, 3, 3)), groups=0),
        ValueError,
        ["groups must be at least 1"],
        lambda: _torch_conv((1, 3, 8, 9), (3, 3, 3, 3), groups=0),
    ),
    (
        "groups with a 2-D kernel",
        lambda: filters.conv2d(RGB, K3, groups=1),
        ValueError,
        ["each of the image's 3 channels", "full weight"],
        "groups with a 2-D kernel",
    ),
    (
        "bias of the wrong length",
        lambda: filters.conv2d(RGB, K3, bias=[1.0, 2.0]),
        ValueError,
        ["bias needs 1 value or one per output channel (3)"],
        lambda: _torch_conv((1, 3, 8, 9), (3, 1, 3, 3), bias=[1.0, 2.0], groups=3),
    ),
    (
        "NaN bias",
        lambda: filters.conv2d(RGB, K3, bias=np.nan),
        ValueError,
        ["bias must hold finite"],
        "non-finite bias",
    ),
    (
        "flip not a bool",
        lambda: filters.conv2d(IMAGE, K3, flip="yes"),
        TypeError,
        ["flip must be True or False"],
        "flip",
    ),
    (
        "four-sided padding in conv2d",
        lambda: filters.conv2d(IMAGE, K3, padding=(1, 2, 3, 4)),
        TypeError,
        ["call filters.pad first"],
        lambda: _torch_conv((1, 1, 8, 9), (1, 1, 3, 3), padding=(1, 2, 3, 4)),
    ),
    (
        "over the memory budget",
        lambda: filters.conv2d(
            np.zeros((1, 1), np.float64), np.ones((31, 31)), padding=(40_000, 40_000), dilation=50
        ),
        ValueError,
        ["GiB", "budget"],
        "work budget",
    ),
    (
        "output_size with no output",
        lambda: filters.output_size(4, 7),
        ValueError,
        ["spans 7 pixels", "no output"],
        lambda: _torch_conv((1, 1, 4, 4), (1, 1, 7, 7)),
    ),
    (
        "output_padding not below stride",
        lambda: filters.transposed_output_size(16, 3, stride=2, padding=1, output_padding=2),
        ValueError,
        ["output_padding (2) must be smaller than stride (2) or dilation (1)"],
        lambda: _torch_conv(
            (1, 1, 16, 16), (1, 1, 3, 3), transposed=True, stride=2, padding=1, output_padding=2
        ),
    ),
    (
        "unknown kernel name",
        lambda: filters.get_kernel("sobelx"),
        ValueError,
        ["Unknown kernel name 'sobelx'", "Did you mean 'sobel_x'?"],
        "named kernels",
    ),
    (
        "kernel parameter out of range",
        lambda: filters.get_kernel("gaussian_blur", size=99),
        ValueError,
        ["'size' must be between 1 and 31"],
        "named kernels",
    ),
    (
        "even size for a centred kernel",
        lambda: filters.get_kernel("gaussian_blur", size=4),
        ValueError,
        ["must be odd"],
        "named kernels",
    ),
    (
        "unknown kernel parameter",
        lambda: filters.get_kernel("sobel_x", sigma=2),
        ValueError,
        ["takes size", "unknown parameter 'sigma'"],
        "named kernels",
    ),
]


@pytest.mark.parametrize(
    ("call", "error", "words", "torch"), [c[1:] for c in WRONG_CALLS],
    ids=[c[0] for c in WRONG_CALLS],
)
def test_wrong_call_raises_with_actionable_message_where_torch_refuses_too(
        call, error, words, torch):
    with pytest.raises(error) as info:
        call()
    message = str(info.value)
    for word in words:
        assert word in message, f"{word!r} not in {message!r}"
    if isinstance(torch, str):
        assert torch in TORCH_DIFFERENCES, f"{torch!r} is not a documented difference"
    else:
        with pytest.raises(TORCH_REFUSALS):
            torch()
