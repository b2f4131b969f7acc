r"""The kernel catalogue, parametric kernels and a forgiving parser for kernels typed by hand.

Every kernel is a float64 ``kh×kw`` array meant for cross-correlation (the default of
:func:`filters.conv2d`, like ``torch.nn.functional.conv2d`` and ``cv2.filter2D``): ``sobel_x`` is
positive where the image gets brighter to the right.

Example:
    >>> get_kernel("sobel_x").tolist()
    [[-1.0, 0.0, 1.0], [-2.0, 0.0, 2.0], [-1.0, 0.0, 1.0]]
    >>> parse_kernel("1/16\n1 2 1\n2 4 2\n1 2 1").sum()
    np.float64(1.0)
"""

from __future__ import annotations

import io
import json
import math
import re
import tokenize
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from fractions import Fraction
from typing import Any, Literal

import numpy as np

from ._validation import check_array, check_choice, check_finite, check_int, check_number
from .limits import MAX_KERNEL_FILE_BYTES, MAX_KERNEL_SIZE, MAX_WEIGHT_VALUES

__all__ = [
    "CATEGORIES",
    "KERNELS",
    "Kernel",
    "Param",
    "format_kernel",
    "gaussian_kernel",
    "get_kernel",
    "is_separable",
    "load_weight_npy",
    "parse_kernel",
    "read_kernel_file",
    "separate",
]

Category = Literal["edge", "blur", "sharpen", "other"]
CATEGORIES: tuple[str, ...] = ("edge", "blur", "sharpen", "other")


@dataclass(frozen=True)
class Param:
    """One numeric parameter of a parametric kernel (for sliders and validation).

    ``name`` is the keyword of the kernel's builder and the stable id the interface translates
    (``ui.i18n.param_label``).
    """

    name: str
    default: float
    minimum: float
    maximum: float
    step: float = 1.0
    integer: bool = True
    odd: bool = False


@dataclass(frozen=True)
class Kernel:
    """A catalogue entry: how to build the kernel and how to describe it.

    ``name`` is the stable id (the key of :data:`KERNELS`, the CLI's ``--kernel``);
    ``description`` is one English sentence for scripts and the command line. The interface
    shows both in its own language, keyed by the id (``ui.i18n.kernel_name``).
    ``build(**params)`` returns a float64 ``kh×kw`` array; ``params`` lists what it accepts.

    Example:
        >>> KERNELS["sobel_x"].description
        'Horizontal gradient (vertical edges), smoothed vertically.'
    """

    name: str
    category: Category
    description: str
    separable: bool
    build: Callable[..., np.ndarray]
    params: tuple[Param, ...] = field(default=())

    def __call__(self, **params: Any) -> np.ndarray:
        """Build the kernel (same as :func:`get_kernel`)."""
        return get_kernel(self.name, **params)

    @property
    def defaults(self) -> dict[str, float]:
        """Default value of every parameter."""
        return {p.name: p.default for p in self.params}


# ---------------------------------------------------------------------------------------------
# Parametric kernels


def gaussian_kernel(size: int, sigma: float | None = None) -> np.ndarray:
    """Normalised 2-D Gaussian ``size×size`` (sums to 1), as ``cv2.getGaussianKernel`` squared.

    Args:
        size: odd side length ≥ 1.
        sigma: standard deviation in pixels; ``None`` uses OpenCV's rule
            ``0.3·((size−1)/2 − 1) + 0.8``.

    Returns:
        float64 ``size×size`` array, the outer product of the 1-D Gaussian with itself.

    Example:
        >>> gaussian_kernel(3, 1.0).round(4)[1].tolist()
        [0.1238, 0.2042, 0.1238]
    """
    column = gaussian_1d(size, sigma)
    return np.outer(column, column)


def gaussian_1d(size: int, sigma: float | None = None) -> np.ndarray:
    """Normalised 1-D Gaussian of odd length ``size`` (float64, sums to 1).

    Example:
        >>> gaussian_1d(5, 1.0).round(3).tolist()
        [0.054, 0.244, 0.403, 0.244, 0.054]
    """
    size = _odd_size(size, "size")
    if sigma is None:
        sigma = 0.3 * ((size - 1) * 0.5 - 1) + 0.8
    sigma = check_number(sigma, "sigma", positive=True)
    offsets = np.arange(size, dtype=np.float64) - (size - 1) / 2
    values = np.exp(-(offsets**2) / (2.0 * sigma**2))
    return values / values.sum()


def box_kernel(size: int = 3) -> np.ndarray:
    """Mean filter ``size×size`` (every weight ``1/size²``).

    Example:
        >>> box_kernel(2).tolist()
        [[0.25, 0.25], [0.25, 0.25]]
    """
    size = check_int(size, "size", minimum=1, maximum=MAX_KERNEL_SIZE)
    return np.full((size, size), 1.0 / size**2)


def motion_blur_kernel(length: int = 9, angle: float = 0.0) -> np.ndarray:
    """A line of ``length`` pixels at ``angle`` degrees (0 = horizontal, anticlockwise), sum 1.

    The line is drawn with anti-aliasing (each tap weighted by its distance to the ideal line), so
    any angle gives a smooth streak.

    Example:
        >>> (motion_blur_kernel(3, 0) * 3).tolist()
        [[0.0, 0.0, 0.0], [1.0, 1.0, 1.0], [0.0, 0.0, 0.0]]
    """
    length = _odd_size(length, "length")
    angle = check_number(angle, "angle")
    theta = math.radians(angle)
    direction = np.array([-math.sin(theta), math.cos(theta)])  # (row, col); rows grow downwards
    half = (length - 1) / 2
    rows, cols = np.mgrid[0:length, 0:length].astype(np.float64) - half
    along = rows * direction[0] + cols * direction[1]
    across = np.abs(rows * direction[1] - cols * direction[0])
    weights = np.clip(1.0 - across, 0.0, None) * (np.abs(along) <= half + 1e-9)
    return weights / weights.sum()


def laplacian_of_gaussian_kernel(size: int = 9, sigma: float = 1.4) -> np.ndarray:
    """Laplacian of Gaussian (the "Mexican hat", negated), zero-sum so flat regions give 0.

    Example:
        >>> bool(abs(laplacian_of_gaussian_kernel(9, 1.4).sum()) < 1e-12)
        True
    """
    size = _odd_size(size, "size")
    sigma = check_number(sigma, "sigma", positive=True)
    offsets = np.arange(size, dtype=np.float64) - (size - 1) / 2
    yy, xx = np.meshgrid(offsets, offsets, indexing="ij")
    r2 = (xx**2 + yy**2) / (2.0 * sigma**2)
    values = (r2 - 1.0) * np.exp(-r2)
    return values - values.mean()


def unsharp_mask_kernel(size: int = 5, sigma: float = 1.0, amount: float = 1.0) -> np.ndarray:
    """Sharpen by adding back the detail a Gaussian removes: ``δ + amount·(δ − G)``.

    Example:
        >>> round(float(unsharp_mask_kernel(5, 1.0, 1.0).sum()), 12)
        1.0
    """
    amount = check_number(amount, "amount")
    blur = gaussian_kernel(size, sigma)
    identity = np.zeros_like(blur)
    identity[blur.shape[0] // 2, blur.shape[1] // 2] = 1.0
    return identity + amount * (identity - blur)


def sobel_kernel(axis: Literal["x", "y"], size: int = 3) -> np.ndarray:
    """Sobel derivative kernel of odd ``size`` (3…7), equal to ``cv2.getDerivKernels`` with dx/dy=1.

    Example:
        >>> sobel_kernel("y").tolist()
        [[-1.0, -2.0, -1.0], [0.0, 0.0, 0.0], [1.0, 2.0, 1.0]]
    """
    check_choice(axis, ("x", "y"), "axis")
    size = _odd_size(size, "size", maximum=7)
    if size == 1:
        raise ValueError("Sobel size must be 3, 5 or 7.")
    smooth = np.array([1.0])
    for _ in range(size - 1):
        smooth = np.convolve(smooth, [1.0, 1.0])
    derivative = np.array([1.0])
    for _ in range(size - 3):
        derivative = np.convolve(derivative, [1.0, 1.0])
    derivative = np.convolve(derivative, [-1.0, 0.0, 1.0])
    kernel = np.outer(smooth, derivative)
    return kernel if axis == "x" else kernel.T


def _fixed(values: list[list[float]]) -> Callable[[], np.ndarray]:
    array = np.array(values, dtype=np.float64)

    def build() -> np.ndarray:
        return array.copy()

    return build


def _identity(size: int = 3) -> np.ndarray:
    size = _odd_size(size, "size")
    kernel = np.zeros((size, size))
    kernel[size // 2, size // 2] = 1.0
    return kernel


_SIZE = Param("size", 3, 1, MAX_KERNEL_SIZE, 2, odd=True)
_SIGMA = Param("sigma", 1.0, 0.1, 10.0, 0.1, integer=False)


def _catalogue() -> dict[str, Kernel]:
    entries = [
        Kernel(
            "identity",
            "other",
            "Leaves the image unchanged: one 1 in the centre.",
            True,
            _identity,
            (_SIZE,),
        ),
        Kernel(
            "box_blur",
            "blur",
            "Mean of the k×k neighbourhood: a plain blur.",
            True,
            box_kernel,
            (Param("size", 3, 1, MAX_KERNEL_SIZE, 1),),
        ),
        Kernel(
            "gaussian_blur",
            "blur",
            "Gaussian-weighted mean: a smooth blur without box artefacts.",
            True,
            gaussian_kernel,
            (
                Param("size", 5, 1, MAX_KERNEL_SIZE, 2, odd=True),
                _SIGMA,
            ),
        ),
        Kernel(
            "motion_blur",
            "blur",
            "Averages along a line: the streak of a moving camera.",
            False,
            motion_blur_kernel,
            (
                Param("length", 9, 1, MAX_KERNEL_SIZE, 2, odd=True),
                Param("angle", 0.0, -180.0, 180.0, 5.0, integer=False),
            ),
        ),
        Kernel(
            "sobel_x",
            "edge",
            "Horizontal gradient (vertical edges), smoothed vertically.",
            True,
            lambda size=3: sobel_kernel("x", size),
            (Param("size", 3, 3, 7, 2, odd=True),),
        ),
        Kernel(
            "sobel_y",
            "edge",
            "Vertical gradient (horizontal edges), smoothed horizontally.",
            True,
            lambda size=3: sobel_kernel("y", size),
            (Param("size", 3, 3, 7, 2, odd=True),),
        ),
        Kernel(
            "scharr_x",
            "edge",
            "Horizontal gradient with better rotation symmetry than Sobel.",
            True,
            _fixed([[-3, 0, 3], [-10, 0, 10], [-3, 0, 3]]),
        ),
        Kernel(
            "scharr_y",
            "edge",
            "Vertical gradient with better rotation symmetry than Sobel.",
            True,
            _fixed([[-3, -10, -3], [0, 0, 0], [3, 10, 3]]),
        ),
        Kernel(
            "prewitt_x",
            "edge",
            "Horizontal gradient, unweighted vertical smoothing.",
            True,
            _fixed([[-1, 0, 1], [-1, 0, 1], [-1, 0, 1]]),
        ),
        Kernel(
            "prewitt_y",
            "edge",
            "Vertical gradient, unweighted horizontal smoothing.",
            True,
            _fixed([[-1, -1, -1], [0, 0, 0], [1, 1, 1]]),
        ),
        Kernel(
            "vertical_edge",
            "edge",
            "The notes' vertical edge kernel: left column minus right column.",
            True,
            _fixed([[1, 0, -1], [1, 0, -1], [1, 0, -1]]),
        ),
        Kernel(
            "horizontal_edge",
            "edge",
            "The vertical edge kernel's twin: top row minus bottom row.",
            True,
            _fixed([[1, 1, 1], [0, 0, 0], [-1, -1, -1]]),
        ),
        Kernel(
            "d2l_edge",
            "edge",
            "d2l's 1×2 kernel [1, −1]: non-zero only where neighbours differ.",
            True,
            _fixed([[1, -1]]),
        ),
        Kernel(
            "roberts_x",
            "edge",
            "Roberts cross, diagonal gradient (an even 2×2 kernel).",
            False,
            _fixed([[1, 0], [0, -1]]),
        ),
        Kernel(
            "roberts_y",
            "edge",
            "Roberts cross, the other diagonal (an even 2×2 kernel).",
            False,
            _fixed([[0, 1], [-1, 0]]),
        ),
        Kernel(
            "laplacian_4",
            "edge",
            "Second derivative, 4 neighbours: edges in every direction.",
            False,
            _fixed([[0, 1, 0], [1, -4, 1], [0, 1, 0]]),
        ),
        Kernel(
            "laplacian_8",
            "edge",
            "Second derivative, 8 neighbours (diagonals too).",
            False,
            _fixed([[1, 1, 1], [1, -8, 1], [1, 1, 1]]),
        ),
        Kernel(
            "laplacian_of_gaussian",
            "edge",
            "Gaussian blur then Laplacian: edges at a chosen scale, noise suppressed.",
            False,
            laplacian_of_gaussian_kernel,
            (
                Param("size", 9, 3, MAX_KERNEL_SIZE, 2, odd=True),
                Param("sigma", 1.4, 0.3, 8.0, 0.1, integer=False),
            ),
        ),
        Kernel(
            "outline",
            "edge",
            "Bright outlines on black: 8 times the pixel minus its neighbours.",
            False,
            _fixed([[-1, -1, -1], [-1, 8, -1], [-1, -1, -1]]),
        ),
        Kernel(
            "sharpen",
            "sharpen",
            "Boosts the centre against its 4 neighbours: crisper detail.",
            False,
            _fixed([[0, -1, 0], [-1, 5, -1], [0, -1, 0]]),
        ),
        Kernel(
            "unsharp_mask",
            "sharpen",
            "Adds back what a Gaussian blur removes, scaled by an amount.",
            False,
            unsharp_mask_kernel,
            (
                Param("size", 5, 3, MAX_KERNEL_SIZE, 2, odd=True),
                _SIGMA,
                Param("amount", 1.0, 0.0, 5.0, 0.1, integer=False),
            ),
        ),
        Kernel(
            "emboss",
            "other",
            "Relief effect: light from the top left, grey is flat.",
            False,
            _fixed([[-2, -1, 0], [-1, 1, 1], [0, 1, 2]]),
        ),
    ]
    return {entry.name: entry for entry in entries}


#: name -> :class:`Kernel`; iterate for the gallery, or call :func:`get_kernel`.
KERNELS: Mapping[str, Kernel] = _catalogue()


def get_kernel(name: str, **params: Any) -> np.ndarray:
    """Build a catalogue kernel by name, with optional parameters.

    Args:
        name: a key of :data:`KERNELS` (e.g. ``"sobel_x"``, ``"gaussian_blur"``).
        **params: the entry's parameters (see ``KERNELS[name].params``), e.g. ``size=7, sigma=2``.

    Returns:
        float64 ``kh×kw`` array (a fresh copy each call).

    Example:
        >>> get_kernel("gaussian_blur", size=3, sigma=1.0).shape
        (3, 3)
    """
    check_choice(name, KERNELS, "kernel name")
    entry = KERNELS[name]
    allowed = {p.name: p for p in entry.params}
    for key, value in params.items():
        if key not in allowed:
            names = ", ".join(allowed) or "no parameters"
            raise ValueError(f"Kernel {name!r} takes {names}; got unknown parameter {key!r}.")
        spec = allowed[key]
        check_number(value, f"{name} parameter {key!r}", minimum=spec.minimum,
                     maximum=spec.maximum)
        if spec.integer and int(value) != value:
            raise ValueError(f"{name} parameter {key!r} must be a whole number; got {value!r}.")
        if spec.integer:
            params[key] = int(value)
    arguments = {p.name: int(p.default) if p.integer else p.default for p in entry.params}
    arguments.update(params)
    return np.asarray(entry.build(**arguments), dtype=np.float64)


# ---------------------------------------------------------------------------------------------
# Separability


def separate(kernel: np.ndarray, *, rtol: float = 1e-6) -> tuple[np.ndarray, np.ndarray] | None:
    """Split a rank-1 kernel into ``(column, row)`` with ``outer(column, row) ≈ kernel``.

    Returns ``None`` when the kernel is not separable within ``rtol`` (relative to its largest
    singular value). Separable kernels run as two 1-D passes: ``kh + kw`` instead of ``kh·kw``
    multiplications per pixel.

    Example:
        >>> column, row = separate(get_kernel("sobel_x"))
        >>> np.allclose(np.outer(column, row), get_kernel("sobel_x"))
        True
    """
    array = _kernel_2d(kernel)
    rtol = check_number(rtol, "rtol", minimum=0)
    singular = np.linalg.svd(array, compute_uv=False)
    if singular[0] == 0.0:
        return np.zeros(array.shape[0]), np.zeros(array.shape[1])
    if singular.size > 1 and singular[1] > rtol * singular[0]:
        return None
    # Exact factors through the largest entry K[i, j]: K = outer(K[:, j] / K[i, j], K[i, :]).
    # Unlike the SVD's, these keep integer kernels exact (Sobel → [0.5, 1, 0.5] ⊗ [-2, 0, 2]).
    i, j = np.unravel_index(np.argmax(np.abs(array)), array.shape)
    column, row = array[:, j] / array[i, j], array[i, :].copy()
    if np.abs(np.outer(column, row) - array).max() > rtol * max(1.0, np.abs(array).max()):
        return None
    return column, row


def is_separable(kernel: np.ndarray, *, rtol: float = 1e-6) -> bool:
    """True if the kernel is an outer product of a column and a row (rank 1).

    Example:
        >>> is_separable(get_kernel("gaussian_blur")), is_separable(get_kernel("laplacian_4"))
        (True, False)
    """
    return separate(kernel, rtol=rtol) is not None


# ---------------------------------------------------------------------------------------------
# Text <-> kernel

_NUMBER = re.compile(
    r"^[+-]?(\d+(\.\d*)?|\.\d+)([eE][+-]?\d+)?(/[+-]?(\d+(\.\d*)?|\.\d+)([eE][+-]?\d+)?)?$"
)


def parse_kernel(text: str, *, max_size: int = MAX_KERNEL_SIZE) -> np.ndarray:
    r"""Read a kernel typed by hand.

    Rows are separated by newlines or ``;``; numbers by spaces or commas. Numbers may be
    fractions (``1/16``). An optional first line holding a single factor (``1/16`` or ``1/16 *``)
    multiplies the rows below it. Brackets are allowed (``[[1, 2], [3, 4]]``).

    Args:
        text: the kernel as typed.
        max_size: the largest side accepted (31 by default).

    Returns:
        float64 ``kh×kw`` array.

    Raises:
        ValueError: empty input, a token that is not a number, rows of different lengths,
            NaN/infinity, division by zero or a side over ``max_size`` — naming the row.

    Example:
        >>> parse_kernel("1 0 -1; 1 0 -1; 1 0 -1").shape
        (3, 3)
        >>> parse_kernel("1/4 *\n1, 1\n1, 1").tolist()
        [[0.25, 0.25], [0.25, 0.25]]
    """
    if not isinstance(text, str):
        raise TypeError(f"kernel text must be a string; got {type(text).__name__}.")
    max_size = check_int(max_size, "max_size", minimum=1)
    rows = _split_rows(text)
    if not rows:
        raise ValueError("The kernel is empty: type rows of numbers, e.g. '1 0 -1' on each line.")
    factor = 1.0
    explicit_factor = rows[0][-1] in ("*", "×", "x") and len(rows) > 1
    if explicit_factor:
        rows[0] = rows[0][:-1]
    if (
        len(rows) > 1
        and len(rows[0]) == 1
        and (explicit_factor or all(len(r) > 1 for r in rows[1:]))
    ):
        factor = _parse_number(rows[0][0], 1, 1)
        rows = rows[1:]
    elif explicit_factor:
        raise ValueError(
            "Row 1 ends with '*' but holds more than one number; a factor line is a single "
            "number such as '1/16 *'."
        )
    width = len(rows[0])
    for index, row in enumerate(rows, start=1):
        if len(row) != width:
            raise ValueError(
                f"Row {index} has {len(row)} numbers but row 1 has {width}: every row of a "
                "kernel needs the same number of entries."
            )
    if len(rows) > max_size or width > max_size:
        raise ValueError(
            f"The kernel is {len(rows)}×{width}; the largest allowed is {max_size}×{max_size}."
        )
    values = [
        [_parse_number(token, r, c) for c, token in enumerate(row, start=1)]
        for r, row in enumerate(rows, start=1)
    ]
    kernel = np.array(values, dtype=np.float64) * factor
    check_finite(kernel, "kernel")
    return kernel


def _split_rows(text: str) -> list[list[str]]:
    text = text.strip()
    if "[" in text:
        groups = re.findall(r"\[([^\[\]]*)\]", text)
        raw_rows = groups if groups else [text.replace("[", " ").replace("]", " ")]
        prefix = text[: text.find("[")].strip()
        if prefix:
            raw_rows = [prefix, *raw_rows]
    else:
        raw_rows = re.split(r"[;\n]+", text)
    rows = []
    for raw in raw_rows:
        tokens = [t for t in re.split(r"[,\s]+", raw.strip()) if t]
        if tokens:
            rows.append(tokens)
    return rows


def _parse_number(token: str, row: int, column: int) -> float:
    lowered = token.lower()
    if lowered in ("nan", "+nan", "-nan", "inf", "+inf", "-inf", "infinity", "-infinity"):
        raise ValueError(
            f"Row {row}, column {column}: {token!r} is not a finite number; kernels need finite "
            "numbers."
        )
    if not _NUMBER.match(token):
        raise ValueError(
            f"Row {row}, column {column}: {token!r} is not a number. Use decimals (0.25), "
            "fractions (1/4) or scientific notation (2.5e-1)."
        )
    if "/" in token:
        numerator, denominator = token.split("/")
        if float(denominator) == 0.0:
            raise ValueError(f"Row {row}, column {column}: {token!r} divides by zero.")
        return float(Fraction(numerator) / Fraction(denominator))
    value = float(token)
    if not math.isfinite(value):
        raise ValueError(f"Row {row}, column {column}: {token!r} is too large to be finite.")
    return value


def format_kernel(kernel: np.ndarray, *, precision: int = 6) -> str:
    """Write a kernel as text that :func:`parse_kernel` reads back (one row per line).

    Example:
        >>> print(format_kernel(np.array([[1.0, 0.5], [-2.0, 0.125]])))
        1 0.5
        -2 0.125
    """
    array = _kernel_2d(kernel)
    precision = check_int(precision, "precision", minimum=0)
    lines = []
    for row in array:
        cells = [np.format_float_positional(round(float(v), precision), trim="-") for v in row]
        lines.append(" ".join("0" if c == "-0" else c for c in cells))
    return "\n".join(lines)


def _kernel_2d(kernel: Any) -> np.ndarray:
    """A ``kh×kw`` kernel as float64 (``TypeError`` for a non-array, ``ValueError`` for 1-D)."""
    array = check_array(kernel, "kernel", "a numpy array (kh×kw)").astype(np.float64)
    if array.ndim != 2:
        raise ValueError(f"kernel must be 2-D (kh×kw); got shape {array.shape}.")
    return array


def _odd_size(value: Any, name: str, maximum: int = MAX_KERNEL_SIZE) -> int:
    """A kernel side with a centre: an odd int from 1 to ``maximum``."""
    size = check_int(value, name, minimum=1, maximum=maximum)
    if size % 2 == 0:
        raise ValueError(f"{name} must be odd so the kernel has a centre; got {size}.")
    return size


# --- kernel files: .json / .txt (the library) and .npy (full weights) --------------------------

KERNEL_FILE_TYPES = (".json", ".txt")


def read_kernel_file(data: bytes, file_name: str) -> tuple[str, str]:
    r"""The text of an uploaded kernel file and its kind, ``"json"`` or ``"txt"``, after checks.

    Args:
        data: the file's bytes (at most ``MAX_KERNEL_FILE_BYTES``).
        file_name: its name; the extension (``.json`` or ``.txt``) says how to read it.

    Returns:
        ``(kind, text)``: the text is valid UTF-8; a ``.json`` text is JSON that Python can
        read (not nested too deeply). What it holds is checked by the readers of each kind
        (:func:`parse_kernel` for text).

    Raises:
        TypeError: ``data`` is not bytes or ``file_name`` not a string.
        ValueError: another extension, an empty or oversized file, binary data (an image
            renamed ``.json``...), or JSON nested too deeply or holding a number too long.

    Example:
        >>> read_kernel_file(b"1 0 -1", "edge.txt")
        ('txt', '1 0 -1')
        >>> read_kernel_file(b"\x89PNG\r\n\x1a\n", "edge.json")
        Traceback (most recent call last):
        ...
        ValueError: edge.json is not text (it looks like a PNG image); expected a kernel file...
    """
    from .uploads import text_of, upload_bytes

    if not isinstance(file_name, str):
        raise TypeError(f"file_name must be a string; got {type(file_name).__name__}.")
    suffix = file_name[file_name.rfind("."):].lower() if "." in file_name else ""
    if suffix not in KERNEL_FILE_TYPES:
        raise ValueError(f"{file_name} is not a kernel file: allowed are .json (a list of "
                         "{'name', 'values'}) and .txt (rows of numbers).")
    expected = "a kernel file (.json or .txt text)"
    text = text_of(upload_bytes(data, file_name, expected, max_bytes=MAX_KERNEL_FILE_BYTES),
                   file_name, expected)
    if suffix == ".json":
        try:
            json.loads(text)
        except json.JSONDecodeError:
            pass  # the JSON reader says where the text is broken
        except RecursionError:
            raise ValueError(f"{file_name} nests lists or objects too deeply to be a kernel "
                             "file (kernels are lists of rows of numbers).") from None
        except ValueError as error:  # e.g. an integer of more than 4300 digits
            raise ValueError(f"{file_name} cannot be read as JSON: {error}") from None
    return suffix[1:], text


def load_weight_npy(data: bytes) -> np.ndarray:
    """A full ``C_out×C_in×kh×kw`` weight (float64) from ``.npy`` bytes; never unpickles.

    The header is read first: the shape, the dtype (bool, int, uint or float) and the file's
    length are checked before any array is allocated, so a header claiming a huge shape is
    refused without using memory.

    Raises:
        TypeError: ``data`` is not bytes.
        ValueError: empty, not a ``.npy`` file, cut short, not 4-D, more than
            ``MAX_WEIGHT_VALUES`` numbers or kernels over ``MAX_KERNEL_SIZE``, objects or
            other non-real dtypes, NaN or infinity.

    Example:
        >>> buffer = io.BytesIO()
        >>> np.save(buffer, np.ones((2, 3, 3, 3)))
        >>> load_weight_npy(buffer.getvalue()).shape
        (2, 3, 3, 3)
    """
    from .uploads import describe_bytes, upload_bytes

    expected = "a NumPy .npy file holding a C_out×C_in×kh×kw weight"
    data = upload_bytes(data, "The .npy file", expected)
    stream = io.BytesIO(data)
    try:
        version = np.lib.format.read_magic(stream)
        if version == (1, 0):
            shape, _, dtype = np.lib.format.read_array_header_1_0(stream)
        elif version == (2, 0):
            shape, _, dtype = np.lib.format.read_array_header_2_0(stream)
        else:
            raise ValueError(f"format version {version[0]}.{version[1]} is not read here")
    except (ValueError, OSError, EOFError, SyntaxError, tokenize.TokenError) as error:
        looks = describe_bytes(data)
        found = "a damaged .npy file" if looks.endswith(".npy file") else f"it looks like {looks}"
        raise ValueError(f"Not a NumPy .npy file ({found}: {error}); expected "
                         f"{expected}.") from None
    if dtype.hasobject or dtype.kind not in "biuf":
        raise ValueError(f"The .npy file holds {dtype} values; a weight must hold real "
                         "numbers (bool, int or float), never objects.")
    if len(shape) != 4:
        raise ValueError(f"A full weight is C_out×C_in×kh×kw (4-D); got shape {shape}.")
    count = math.prod(shape)
    if count == 0:
        raise ValueError(f"The weight {shape} is empty; every side must be at least 1.")
    if count > MAX_WEIGHT_VALUES or max(shape[2:]) > MAX_KERNEL_SIZE:
        raise ValueError(f"The weight {shape} is too large: kernels up to {MAX_KERNEL_SIZE}×"
                         f"{MAX_KERNEL_SIZE}, at most {MAX_WEIGHT_VALUES} numbers.")
    if len(data) - stream.tell() != count * dtype.itemsize:
        raise ValueError(f"The .npy file is cut short or padded: its header promises "
                         f"{count * dtype.itemsize} bytes of data, it holds "
                         f"{len(data) - stream.tell()}.")
    try:
        array = np.load(io.BytesIO(data), allow_pickle=False)
    except (ValueError, OSError, EOFError) as error:
        raise ValueError(f"Not a NumPy .npy file ({error}).") from None
    values = np.asarray(array, dtype=np.float64)
    if not np.isfinite(values).all():
        raise ValueError("The weight holds NaN or infinite values.")
    return values
