"""Step-by-step convolution and the size formula solved forwards and backwards.

Everything the "How convolution works" page shows comes from here, so the page never recomputes
a number: each :class:`ConvStep` holds the window's position on the padded input, the element-wise
products and their sum, which equals the output pixel that :func:`filters.conv2d` computes.

Example:
    >>> import numpy as np
    >>> x = np.array([[1, 2, 3, 0, 1], [0, 1, 2, 3, 0], [2, 0, 1, 2, 3],
    ...               [1, 2, 0, 1, 0], [0, 1, 2, 3, 1]])
    >>> steps = conv_steps(x, np.array([[1, 0, -1]] * 3))
    >>> len(steps), steps[0].value, steps[0].products.tolist()
    (9, -3.0, [[1.0, 0.0, -3.0], [0.0, 0.0, -2.0], [2.0, 0.0, -1.0]])
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np

from ._validation import check_array, check_image, check_int, check_number
from .conv import conv2d, execute, plan_conv
from .padding import pad
from .sizes import effective_kernel_size, output_size, transposed_output_size

__all__ = [
    "ConvStep",
    "ConvWalkthrough",
    "Solution",
    "conv_steps",
    "conv_walkthrough",
    "down_and_up",
    "partial_output",
    "solve_output_padding",
    "solve_padding",
    "solve_stride",
]


@dataclass(frozen=True)
class ConvStep:
    """One position of the sliding window (single-channel or summed over channels).

    Attributes:
        out_row, out_col: the output pixel this step fills.
        rows, cols: indices of the taps in the *padded* input (dilation leaves holes between).
        products: ``kh×kw`` (or ``C×kh×kw`` for several channels) kernel × input products.
        bias: the bias added (0 if none).
        value: ``products.sum() + bias`` — equal to ``conv2d(...)[out_row, out_col]``.
    """

    out_row: int
    out_col: int
    rows: tuple[int, ...]
    cols: tuple[int, ...]
    products: np.ndarray
    bias: float
    value: float


@dataclass(frozen=True)
class ConvWalkthrough:
    """All steps of a small convolution plus the pictures a student needs.

    Attributes:
        padded: the padded input, ``Hp×Wp`` (or ``Hp×Wp×C``), float64.
        kernel: the kernel actually slid, i.e. rotated by 180° when ``flip=True``, float64.
        output: ``conv2d``'s result, ``H'×W'`` float64.
        steps: one :class:`ConvStep` per output pixel, row by row.
        padding: ``(top, bottom, left, right)``.
    """

    padded: np.ndarray
    kernel: np.ndarray
    output: np.ndarray
    steps: tuple[ConvStep, ...]
    padding: tuple[int, int, int, int]


def conv_walkthrough(
    image: Any,
    kernel: Any,
    *,
    stride: Any = 1,
    padding: Any = 0,
    padding_mode: str = "zeros",
    dilation: Any = 1,
    bias: float = 0.0,
    flip: bool = False,
    max_outputs: int = 4096,
) -> ConvWalkthrough:
    """Every window of a single-output-channel convolution, with products and sums.

    Args:
        image: ``H×W`` or ``H×W×C`` (the steps then sum over channels, notes §1.5 / §3.9).
        kernel: ``kh×kw`` (the same slice for every channel) or ``C×kh×kw`` (one slice each).
        stride: as in :func:`filters.conv2d`.
        padding: as in :func:`filters.conv2d`.
        padding_mode: as in :func:`filters.conv2d`.
        dilation: as in :func:`filters.conv2d`.
        flip: ``True`` slides the kernel rotated by 180° (true convolution).
        bias: one number added to every output pixel.
        max_outputs: refuse larger outputs (this is for teaching-sized inputs).

    Returns:
        A :class:`ConvWalkthrough`; its ``output`` equals ``conv2d``'s, checked on construction.

    Example:
        >>> w = conv_walkthrough(np.arange(9.0).reshape(3, 3), np.array([[0, 1], [2, 3]]))
        >>> w.output.tolist(), [s.value for s in w.steps]
        ([[19.0, 25.0], [37.0, 43.0]], [19.0, 25.0, 37.0, 43.0])
    """
    x = check_image(image).astype(np.float64)
    k = check_array(kernel, "kernel", "a numpy array (kh×kw or C×kh×kw)").astype(np.float64)
    bias = check_number(bias, "bias")
    max_outputs = check_int(max_outputs, "max_outputs", minimum=1)
    multi = x.ndim == 3
    if multi and k.ndim == 2:
        k = np.broadcast_to(k, (x.shape[2], *k.shape)).copy()
    if multi and (k.ndim != 3 or k.shape[0] != x.shape[2]):
        raise ValueError(
            f"For a {x.shape[2]}-channel image give one kh×kw kernel or {x.shape[2]}×kh×kw "
            f"(one slice per channel); got shape {k.shape}."
        )
    if not multi and k.ndim != 2:
        raise ValueError(f"For a one-channel image the kernel is kh×kw; got shape {k.shape}.")
    weight = k[None] if multi else k
    plan = plan_conv(
        x,
        weight,
        stride=stride,
        padding=padding,
        padding_mode=padding_mode,
        dilation=dilation,
        bias=bias,
        flip=flip,
        backend="numpy",
    )
    out_h, out_w = plan.geometry.out_shape
    if out_h * out_w > max_outputs:
        raise ValueError(
            f"The output has {out_h * out_w} pixels; the walkthrough shows at most {max_outputs}. "
            "Pick a smaller patch or a larger stride."
        )
    g = plan.geometry
    sides = (g.top, g.bottom, g.left, g.right)
    padded = pad(x, (g.left, g.right, g.top, g.bottom), padding_mode).astype(np.float64)
    slid = plan.kernel[0] if multi else plan.kernel  # already rotated when flip=True
    output = execute(plan)
    output = output[:, :, 0] if multi else output
    steps = []
    (sh, sw), (dh, dw) = g.stride, g.dilation
    kh, kw = slid.shape[-2:]
    for i in range(out_h):
        for j in range(out_w):
            rows = tuple(i * sh + u * dh for u in range(kh))
            cols = tuple(j * sw + v * dw for v in range(kw))
            window = (
                padded[np.ix_(rows, cols)]
                if not multi
                else padded[np.ix_(rows, cols)].transpose(2, 0, 1)
            )
            products = window * slid
            value = float(products.sum() + bias)
            steps.append(ConvStep(i, j, rows, cols, products, float(bias), value))
    values = np.array([s.value for s in steps]).reshape(out_h, out_w)
    if not np.allclose(values, output, atol=1e-9):  # pragma: no cover - a bug if it happens
        raise AssertionError("walkthrough disagrees with conv2d")
    return ConvWalkthrough(padded, np.asarray(slid, dtype=np.float64), output, tuple(steps), sides)


def conv_steps(image: Any, kernel: Any, **kwargs: Any) -> tuple[ConvStep, ...]:
    """Just the steps of :func:`conv_walkthrough` (same arguments)."""
    return conv_walkthrough(image, kernel, **kwargs).steps


@dataclass(frozen=True)
class Solution:
    """An answer of the backwards solver: the value, whether it is exact, and the working."""

    value: int
    exact: bool
    working: str


def solve_padding(
    n: int, kernel_size: int, *, stride: int = 1, dilation: int = 1, target: int | None = None
) -> Solution:
    """Smallest padding that gives ``target`` outputs (default: keep the size, "same").

    For stride 1 and odd ``d(k−1)`` the answer is ``d(k−1)/2``; with an even total torch's
    ``padding="same"`` puts the extra pixel on one side, which one int cannot say (``exact``
    is then False).

    Example:
        >>> solve_padding(32, 3).value, solve_padding(32, 5, dilation=2).value
        (1, 4)
    """
    target = n if target is None else check_int(target, "target", minimum=1)
    n, stride = check_int(n, "n", minimum=1), check_int(stride, "stride", minimum=1)
    span = effective_kernel_size(kernel_size, dilation)
    for p in range(0, span + n * stride + 1):
        if n + 2 * p < span:
            continue
        if output_size(n, kernel_size, stride, p, dilation) == target:
            numerator = n + 2 * p - span
            return Solution(
                p,
                numerator % stride == 0,
                f"⌊({n} + 2·{p} − {dilation}·({kernel_size}−1) − 1)/{stride}⌋ + 1 = {target}",
            )
        if output_size(n, kernel_size, stride, p, dilation) > target:
            break
    total = dilation * (kernel_size - 1)
    raise ValueError(
        f"No symmetric padding gives {target} outputs from {n} with k={kernel_size}, "
        f"s={stride}, d={dilation} (the total padding needed, {total}, is odd). Use "
        "padding='same' (torch pads the extra pixel on the bottom/right) or an odd kernel."
    )


def solve_stride(
    n: int, target: int, kernel_size: int, *, padding: int = 0, dilation: int = 1
) -> Solution:
    """Smallest stride that maps ``n`` to ``target`` outputs (e.g. halve 32 → 16).

    Example:
        >>> solve_stride(32, 16, 3, padding=1).value
        2
    """
    n, target = check_int(n, "n", minimum=1), check_int(target, "target", minimum=1)
    padding = check_int(padding, "padding", minimum=0)
    for s in range(1, n + 2 * padding + 1):
        size = output_size(n, kernel_size, s, padding, dilation)
        if size == target:
            numerator = n + 2 * padding - effective_kernel_size(kernel_size, dilation)
            return Solution(
                s,
                numerator % s == 0,
                f"⌊({n} + 2·{padding} − {dilation}·({kernel_size}−1) − 1)/{s}⌋ + 1 = {target}",
            )
        if size < target:
            break
    raise ValueError(
        f"No stride maps {n} to exactly {target} with k={kernel_size}, p={padding}, "
        f"d={dilation}; try another padding."
    )


def solve_output_padding(
    n: int, target: int, kernel_size: int, *, stride: int, padding: int = 0, dilation: int = 1
) -> Solution:
    """The ``output_padding`` that makes a transposed convolution give ``target`` (16 → 32).

    Example:
        >>> solve_output_padding(16, 32, 3, stride=2, padding=1).value
        1
    """
    base = transposed_output_size(n, kernel_size, stride, padding, 0, dilation)
    needed = check_int(target, "target", minimum=1) - base
    if not 0 <= needed < max(stride, dilation):
        raise ValueError(
            f"Without output_padding the output is {base}; {target} would need output_padding "
            f"{needed}, but it must be in 0…{max(stride, dilation) - 1} (smaller than the stride "
            "or dilation). Change the stride, padding or kernel instead."
        )
    return Solution(
        needed,
        True,
        f"({n}−1)·{stride} − 2·{padding} + {dilation}·({kernel_size}−1) + {needed} + 1 = {target}",
    )


def partial_output(walk: ConvWalkthrough, index: int) -> np.ndarray:
    """The output filled in up to step ``index`` (inclusive); the pixels not reached yet are NaN.

    Args:
        walk: from :func:`conv_walkthrough`.
        index: a step, ``0 … len(walk.steps) - 1``.

    Returns:
        ``walk.output``'s shape, float64.

    Example:
        >>> walk = conv_walkthrough(np.arange(9.0).reshape(3, 3), np.ones((2, 2)))
        >>> partial_output(walk, 1).tolist()
        [[8.0, 12.0], [nan, nan]]
    """
    from ._validation import to_pair

    if not isinstance(walk, ConvWalkthrough):
        raise TypeError(f"walk must be a ConvWalkthrough; got {type(walk).__name__}.")
    index = to_pair(index, "index", minimum=-(2**62))[0]
    if not 0 <= index < len(walk.steps):
        raise ValueError(f"index must be in 0…{len(walk.steps) - 1}; got {index}.")
    partial = np.full(walk.output.shape, np.nan)
    for done in walk.steps[: index + 1]:
        partial[done.out_row, done.out_col] = done.value
    return partial


def down_and_up(image: Any) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """The notes' round trip 32 → 16 → 31 or 32 (down by a strided blur, up by a tent kernel).

    A 3×3 box blur with stride 2 (padding 1) halves the image, and a
    transposed convolution with the tent kernel ``[1 2 1]ᵀ[1 2 1]/4`` (stride 2, padding 1)
    brings it back, one pixel short unless ``output_padding=1``: 32 → 16 → 31 or 32.

    Args:
        image: ``H×W`` (e.g. a 32×32 crop).

    Returns:
        ``(down, short, up)``: the downsampled image, the transposed convolution without and
        with ``output_padding=1``.

    Example:
        >>> tuple(a.shape[0] for a in down_and_up(np.zeros((32, 32))))
        (16, 31, 32)
    """
    from .kernels import get_kernel
    from .upsampling import conv_transpose2d

    tent = np.outer([1.0, 2.0, 1.0], [1.0, 2.0, 1.0]) / 4.0
    down = conv2d(image, get_kernel("box_blur", size=3), stride=2, padding=1)
    short = conv_transpose2d(down, tent, stride=2, padding=1)
    up = conv_transpose2d(down, tent, stride=2, padding=1, output_padding=1)
    return down, short, up
