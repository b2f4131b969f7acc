"""``conv2d``: 2-D convolution of numpy images with PyTorch's parameters, on four backends.

The checks and the geometry (padding per side, output size) live here; the arithmetic lives in
:mod:`filters.backends`. Every backend gives the numbers of ``torch.nn.functional.conv2d``
(with ``F.pad`` for the non-zero padding modes) to 1e-4 in float32.
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Sequence
from typing import Any

import numpy as np

from ._validation import (
    check_bias,
    check_budget,
    check_choice,
    check_flag,
    check_image,
    check_int,
    check_weight,
    float_dtype,
    to_pair,
)
from .backends import AUTO, BACKEND_CHOICES, BACKEND_NAMES, Geometry, get_backend, is_available
from .kernels import is_separable
from .limits import MAX_MULTIPLY_ADDS
from .padding import PADDING_MODES, check_padding_fits, padding_sides
from .sizes import effective_kernel_size

__all__ = [
    "BACKENDS",
    "ConvPlan",
    "available_backends",
    "choose_backend",
    "conv2d",
    "plan_conv",
]

#: ``conv2d``'s ``backend`` choices: the registry's backends, then ``"auto"``.
BACKENDS: tuple[str, ...] = BACKEND_CHOICES


def available_backends() -> list[str]:
    """Names of the backends whose library imports here (``"auto"`` included).

    Example:
        >>> "numpy" in available_backends()
        True
    """
    return [name for name in BACKEND_NAMES if is_available(name)] + [AUTO]


def conv2d(
    image: Any,
    kernel: Any,
    *,
    stride: int | tuple[int, int] = 1,
    padding: int | tuple[int, int] | str = 0,
    padding_mode: str = "zeros",
    dilation: int | tuple[int, int] = 1,
    groups: int | None = None,
    bias: float | Sequence[float] | np.ndarray | None = None,
    flip: bool = False,
    backend: str = "auto",
) -> np.ndarray:
    """Convolve an image with a kernel (cross-correlation by default, like PyTorch).

    Args:
        image: ``H×W`` or ``H×W×C`` array of any real dtype (bool, ints, float16/32/64).
        kernel: ``kh×kw`` — applied to every channel on its own (depthwise); or a full layer
            weight ``C_out×(C_in/groups)×kh×kw`` as in ``torch.nn.Conv2d``.
        stride: step between windows, int or ``(sh, sw)``.
        padding: int, ``(ph, pw)``, ``"valid"`` (no padding) or ``"same"`` (output size =
            input size; needs stride 1; an even kernel pads one more on the bottom/right, as
            torch does).
        padding_mode: ``"zeros"``, ``"reflect"``, ``"replicate"`` or ``"circular"``.
        dilation: spacing between kernel taps, int or ``(dh, dw)``.
        groups: for a full weight, how many groups the channels split into (default 1); for a
            ``kh×kw`` kernel it is implied (``C``) and may be left out.
        bias: added to every output pixel: a number, or one number per output channel.
        flip: ``True`` for true (mathematical) convolution — the kernel rotated by 180°.
        backend: one of :data:`BACKENDS`: ``"numpy"``, ``"scipy"`` (``ndimage.correlate``),
            ``"fft"`` (``scipy.signal.fftconvolve``), ``"torch"``, ``"opencv"`` or ``"auto"``
            (the fastest here, see :func:`choose_backend`; the numbers do not depend on it
            beyond float rounding).

    Returns:
        ``H'×W'`` for a grey image with a ``kh×kw`` kernel, ``H'×W'×C`` for a colour one, and
        ``H'×W'×C_out`` for a full weight, with ``H' = ⌊(H + 2p − d(kh−1) − 1)/s⌋ + 1``.
        float32 (float64 if the image is float64).

    Raises:
        ValueError: a parameter out of range (the message says which and what is allowed).
        TypeError: a value of the wrong kind.

    Example:
        >>> x = np.array([[1, 2, 3, 0, 1], [0, 1, 2, 3, 0], [2, 0, 1, 2, 3],
        ...               [1, 2, 0, 1, 0], [0, 1, 2, 3, 1]])
        >>> k = np.array([[1, 0, -1]] * 3)
        >>> conv2d(x, k).tolist()  # notes §0.2: the 5×5 example
        [[-3.0, -2.0, 2.0], [0.0, -3.0, 0.0], [0.0, -3.0, -1.0]]
    """
    params = (stride, padding, padding_mode, dilation, groups, bias, flip, backend)
    key = _plan_key(image, kernel, params)
    plan = _PLANS.get(key) if key is not None else None
    if plan is not None:  # the same call on a same-shaped image: every check already passed
        if plan.runner is not None:
            out = plan.runner(image)
            return out if plan.bias is None else out + plan.bias
        return execute(plan.on(image))
    plan = plan_conv(
        image,
        kernel,
        stride=stride,
        padding=padding,
        padding_mode=padding_mode,
        dilation=dilation,
        groups=groups,
        bias=bias,
        flip=flip,
        backend=backend,
    )
    if key is not None:
        _remember(key, plan)
    return execute(plan)


class ConvPlan:
    """A checked ``conv2d`` call: the image as ``H×W×C``, the kernel, geometry and backend.

    ``source`` is the image in its own dtype (OpenCV reads uint8 and uint16 directly);
    ``image`` is the same pixels as float32 (float64 for float64 input), made on first use.
    """

    __slots__ = ("_image", "backend", "bias", "dtype", "geometry", "grey", "groups", "kernel",
                 "runner", "source")

    def __init__(
        self,
        source: np.ndarray,
        kernel: np.ndarray,
        groups: int | None,
        bias: np.ndarray | None,
        geometry: Geometry,
        backend: str,
        grey: bool,
    ) -> None:
        self.source = source
        self.dtype: np.dtype = _RESULT_DTYPE.get(source.dtype, _FALLBACK_DTYPE)
        self.kernel = kernel
        self.groups = groups
        self.bias = bias
        self.geometry = geometry
        self.backend = backend
        self.grey = grey
        self._image: np.ndarray | None = None
        #: For a remembered plan: the backend's ready-made call on a caller's image, if any.
        self.runner: Callable[[np.ndarray], np.ndarray] | None = None

    @property
    def image(self) -> np.ndarray:
        """The image as ``H×W×C`` float32 (or float64)."""
        if self._image is None:
            self._image = np.asarray(self.source, dtype=self.dtype)
        return self._image

    @property
    def working_bytes(self) -> int:
        """Bytes this call's working arrays take at most.

        A float copy of the image (unless the backend reads its dtype as it is, as OpenCV
        reads uint8), the padded image and the output.

        Example:
            >>> plan_conv(np.zeros((100, 100, 3), np.uint8), np.ones((3, 3)),
            ...           backend="opencv").working_bytes  # no float copy: OpenCV reads uint8
            235248
        """
        h, w, channels = self.source.shape
        g, item = self.geometry, self.dtype.itemsize
        padded = (h + g.top + g.bottom) * (w + g.left + g.right) * channels * item
        copy_free = self.source.dtype in get_backend(self.backend).copy_free_dtypes
        converted = 0 if copy_free else h * w * channels * item
        out_channels = self.kernel.shape[0] if self.is_full else channels
        return converted + padded + g.out_shape[0] * g.out_shape[1] * out_channels * item

    @property
    def is_full(self) -> bool:
        """True for a ``C_out×C_in/groups×kh×kw`` weight, False for a depthwise ``kh×kw`` kernel."""
        return self.kernel.ndim == 4

    def on(self, image: np.ndarray) -> ConvPlan:
        """The same plan for another image of the same shape and dtype (not checked again)."""
        source = image[:, :, None] if self.grey else image
        return ConvPlan(source, self.kernel, self.groups, self.bias, self.geometry, self.backend,
                        self.grey)


def plan_conv(
    image: Any,
    kernel: Any,
    *,
    stride: Any = 1,
    padding: Any = 0,
    padding_mode: str = "zeros",
    dilation: Any = 1,
    groups: int | None = None,
    bias: Any = None,
    flip: bool = False,
    backend: str = "auto",
) -> ConvPlan:
    """Check every argument of :func:`conv2d` and work out the geometry, without computing.

    Example:
        >>> plan_conv(np.zeros((32, 32)), np.ones((3, 3)), stride=2, padding=1).geometry.out_shape
        (16, 16)
    """
    array = check_image(image)
    grey = array.ndim == 2
    if grey:
        array = array[:, :, None]
    backend = check_choice(backend, BACKENDS, "backend")
    padding_mode = check_choice(padding_mode, PADDING_MODES, "padding_mode")
    flip = check_flag(flip, "flip")
    weight = check_weight(kernel, float_dtype(array.dtype))
    if flip:
        weight = weight[..., ::-1, ::-1].copy()
    groups = _check_groups(weight, array.shape[2], groups)
    stride_pair = to_pair(stride, "stride", minimum=1)
    dilation_pair = to_pair(dilation, "dilation", minimum=1)
    kh, kw = weight.shape[-2:]
    sides = _padding_sides(padding, (kh, kw), dilation_pair, stride_pair)
    check_padding_fits(array.shape[:2], sides, padding_mode)
    out_shape = _output_shape(array.shape[:2], (kh, kw), sides, stride_pair, dilation_pair)
    out_channels = weight.shape[0] if weight.ndim == 4 else array.shape[2]
    bias_array = check_bias(bias, out_channels, float_dtype(array.dtype))
    check_budget(_working_bytes(array, (kh, kw), dilation_pair, out_shape, out_channels),
                 "This convolution",
                 "Use a smaller image, a stride, fewer channels or float32.")
    geometry = Geometry(*sides, padding_mode, stride_pair, dilation_pair, out_shape)
    if backend == AUTO:
        backend = choose_backend(array.shape, weight, geometry)
    elif not is_available(backend):
        raise ValueError(
            f"backend {backend!r} is not installed here; available: {available_backends()}."
        )
    _check_work(backend, weight, out_shape, array.shape[2])
    return ConvPlan(array, weight, groups, bias_array, geometry, backend, grey)


def execute(plan: ConvPlan) -> np.ndarray:
    """Run a checked plan on its backend and shape the result like the input.

    Example:
        >>> execute(plan_conv(np.ones((4, 4)), np.ones((3, 3)))).tolist()
        [[9.0, 9.0], [9.0, 9.0]]
    """
    backend = get_backend(plan.backend)
    image = plan.source if plan.source.dtype in backend.native_dtypes else plan.image
    if plan.is_full:
        assert plan.groups is not None
        out = backend.full(image, plan.kernel, plan.groups, plan.geometry)
    else:
        out = backend.depthwise(image, plan.kernel, plan.geometry)
    out = np.ascontiguousarray(out, dtype=plan.dtype)
    if plan.bias is not None:
        if out.flags.writeable and not np.may_share_memory(out, plan.source):
            out += plan.bias  # in place: no second full-size output
        else:
            out = out + plan.bias
    if plan.grey and not plan.is_full:
        return out.reshape(out.shape[:2])
    return out


def choose_backend(image_shape: tuple[int, ...], weight: np.ndarray, geometry: Geometry) -> str:
    """The ``"auto"`` rule: the backend expected to be fastest for this call, without trying.

    A small cost model, with thresholds measured on this project's 2-core machine (see
    ``benchmarks/bench_conv.py`` and the README's speed table):

    1. A full layer with more than 4 (output, input) channel pairs → torch: one ``F.conv2d``
       instead of a loop of single-channel OpenCV calls (within
       :data:`~filters.limits.MAX_MULTIPLY_ADDS`).
    2. Otherwise OpenCV: ``sepFilter2D`` for rank-1 kernels, ``filter2D`` tap by tap for the
       rest, and ``matchTemplate``'s transform for dense float32 kernels of 130 taps or more
       (see :mod:`filters.backends.opencv_backend`). With that route, OpenCV beat
       ``scipy.signal.fftconvolve`` (the ``"fft"`` backend) by 1.5–4× on every size measured
       here (128² to 512², grey and RGB, uint8 and float32, 15×15 to 41×41), so the FFT
       backend is never picked automatically.
    3. Without OpenCV: SciPy's ``ndimage`` for separable kernels, else numpy.

    Example:
        >>> g = Geometry(1, 1, 1, 1, "zeros", (1, 1), (1, 1), (8, 8))
        >>> choose_backend((8, 8, 3), np.ones((3, 3)), g) in ("opencv", "numpy")
        True
    """
    pairs = weight.shape[0] * weight.shape[1] if weight.ndim == 4 else 1
    work = geometry.out_shape[0] * geometry.out_shape[1] * pairs * weight[0].size
    if weight.ndim == 4 and pairs > 4 and work <= MAX_MULTIPLY_ADDS and is_available("torch"):
        return "torch"
    if is_available("opencv"):
        return "opencv"
    if is_available("scipy") and (weight.ndim == 2 and is_separable(weight)):
        return "scipy"
    return "numpy"


# ---------------------------------------------------------------------------------------------
# Plan cache: repeated calls skip the checks (they are most of the cost on small images)

_FALLBACK_DTYPE = np.dtype(np.float32)
_RESULT_DTYPE: dict[np.dtype, np.dtype] = {
    np.dtype(np.float64): np.dtype(np.float64),
    np.dtype(np.float32): np.dtype(np.float32),
    np.dtype(np.uint8): np.dtype(np.float32),
}
_CACHED_DTYPES = frozenset(np.dtype(name) for name in ("uint8", "uint16", "int16", "float32",
                                                       "float64"))
_MAX_CACHED_KERNEL = 4096  # values; larger weights are planned afresh each call
_MAX_PLANS = 64
_PLANS: dict[tuple[Any, ...], ConvPlan] = {}
_PLANS_LOCK = threading.Lock()


def _plan_key(image: Any, kernel: Any, params: tuple[Any, ...]) -> tuple[Any, ...] | None:
    """What decides a plan: the image's shape and dtype, the kernel's values, every parameter.

    ``None`` (not cached) for anything unusual: lists, array-valued biases, other dtypes.
    Parameter types are part of the key, so ``stride=True`` is checked (and refused) even
    after ``stride=1`` was planned.
    """
    if (
        type(image) is not np.ndarray
        or type(kernel) is not np.ndarray
        or image.dtype not in _CACHED_DTYPES
        or kernel.size > _MAX_CACHED_KERNEL
    ):
        return None
    key = (image.shape, image.dtype.char, kernel.shape, kernel.dtype.char, kernel.tobytes(),
           params, tuple(map(type, params)))
    try:
        hash(key)
    except TypeError:
        return None
    return key


def _remember(key: tuple[Any, ...], plan: ConvPlan) -> None:
    """Keep a plan (without its image) for the next identical call; the oldest goes first."""
    with _PLANS_LOCK:
        if len(_PLANS) >= _MAX_PLANS:
            _PLANS.pop(next(iter(_PLANS)))
        # Copies, and a one-pixel stand-in for the image: the cache holds no reference to the
        # caller's arrays (a kernel changed in place must not change a remembered plan).
        bias = None if plan.bias is None else plan.bias.copy()
        kept = ConvPlan(plan.source[:1, :1].copy(), plan.kernel.copy(), plan.groups, bias,
                        plan.geometry, plan.backend, plan.grey)
        if not plan.is_full:
            shape = plan.source.shape[:2] if plan.grey else plan.source.shape
            kept.runner = get_backend(plan.backend).prepare(shape, plan.source.dtype, kept.kernel,
                                                            plan.geometry)
        _PLANS[key] = kept


# ---------------------------------------------------------------------------------------------
# Checks


def _check_groups(weight: np.ndarray, channels: int, groups: int | None) -> int | None:
    if groups is not None:
        groups = check_int(groups, "groups")
    if weight.ndim == 2:
        if groups not in (None, channels):
            raise ValueError(
                f"A kh×kw kernel is applied to each of the image's {channels} channels on its "
                f"own, which is groups={channels}; got groups={groups}. For other groupings pass "
                "a full weight C_out×C_in/groups×kh×kw."
            )
        return None
    groups = 1 if groups is None else check_int(groups, "groups", minimum=1)
    c_out, c_in_per_group = weight.shape[:2]
    if channels % groups:
        raise ValueError(
            f"groups={groups} does not divide the image's {channels} channels; choose a divisor "
            f"of {channels}."
        )
    if c_out % groups:
        raise ValueError(
            f"groups={groups} does not divide the weight's {c_out} output channels (C_out must be "
            "a multiple of groups)."
        )
    if c_in_per_group * groups != channels:
        raise ValueError(
            f"Channel mismatch: the weight expects {c_in_per_group}×{groups} = "
            f"{c_in_per_group * groups} input channels (C_in/groups × groups) but the image has "
            f"{channels}. A weight for this image has shape (C_out, {channels // groups}, kh, kw)."
        )
    return groups


def _padding_sides(
    padding: Any, kernel: tuple[int, int], dilation: tuple[int, int], stride: tuple[int, int]
) -> tuple[int, int, int, int]:
    if isinstance(padding, str):
        padding = check_choice(padding, ("valid", "same"), "padding")
        if padding == "valid":
            return 0, 0, 0, 0
        if stride != (1, 1):
            raise ValueError(
                f"padding='same' needs stride 1 (as in torch); got stride {stride}. With a "
                "stride, give the padding as a number, e.g. (k−1)//2."
            )
        # torch: total = d·(k−1); the extra pixel of an odd total goes to the bottom/right.
        total_h, total_w = (d * (k - 1) for d, k in zip(dilation, kernel, strict=True))
        return total_h // 2, total_h - total_h // 2, total_w // 2, total_w - total_w // 2
    if isinstance(padding, (tuple, list)) and len(padding) == 4:
        raise TypeError(
            "conv2d's padding is an int, (ph, pw), 'valid' or 'same'; for different padding on "
            "each side, call filters.pad first and then conv2d with padding=0."
        )
    return padding_sides(padding)


def _output_shape(
    size: tuple[int, ...],
    kernel: tuple[int, int],
    sides: tuple[int, int, int, int],
    stride: tuple[int, int],
    dilation: tuple[int, int],
) -> tuple[int, int]:
    top, bottom, left, right = sides
    shape = []
    for n, k, before, after, s, d, axis in zip(
        size,
        kernel,
        (top, left),
        (bottom, right),
        stride,
        dilation,
        ("rows", "columns"),
        strict=False,
    ):
        span = effective_kernel_size(k, d)
        padded = n + before + after
        if span > padded:
            raise ValueError(
                f"The kernel spans {span} {axis} (1 + dilation·(k−1) = 1 + {d}·{k - 1}) but the "
                f"padded image has only {padded} ({n} + {before} + {after}): there is no output. "
                "Use a smaller kernel or dilation, or more padding."
            )
        shape.append((padded - span) // s + 1)
    return shape[0], shape[1]


def _working_bytes(
    image: np.ndarray,
    kernel: tuple[int, int],
    dilation: tuple[int, int],
    out_shape: tuple[int, int],
    out_channels: int,
) -> int:
    """Bytes of the working arrays of one call: the padded image and two outputs."""
    item = np.dtype(float_dtype(image.dtype)).itemsize
    padded = (
        (image.shape[0] + kernel[0] * dilation[0])
        * (image.shape[1] + kernel[1] * dilation[1])
        * image.shape[2]
    )
    return item * (padded + out_shape[0] * out_shape[1] * max(out_channels, image.shape[2]) * 2)


def _check_work(backend: str, weight: np.ndarray, out_shape: tuple[int, int],
                channels: int) -> None:
    """Refuse calls that would keep a tap-by-tap backend busy for minutes."""
    if not get_backend(backend).work_grows_with_taps:
        return
    per_pixel = int(np.prod(weight.shape[:2])) if weight.ndim == 4 else channels
    work = out_shape[0] * out_shape[1] * per_pixel * weight.shape[-2] * weight.shape[-1]
    if work > MAX_MULTIPLY_ADDS:
        raise ValueError(
            f"This convolution is {work / 1e9:.0f} billion multiply-adds, over the "
            f"{MAX_MULTIPLY_ADDS / 1e9:.0f} billion that the {backend!r} backend may take on in "
            "one call. Use backend='auto' (OpenCV or FFT), a smaller kernel or image, or a stride."
        )

