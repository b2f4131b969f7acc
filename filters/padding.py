"""Padding with PyTorch's four modes: ``zeros``, ``reflect``, ``replicate``, ``circular``.

The mode names are exactly those of ``torch.nn.Conv2d(padding_mode=...)``. Other libraries call
the same borders by other names (a classic source of bugs). :data:`MODE_NAMES` below is the one
table of those names: every backend, the code export and the app read it.

==========  ==================  ==============  =====================  ================
ours/torch  numpy ``np.pad``    scipy.ndimage   OpenCV                 example (1 2 3)
==========  ==================  ==============  =====================  ================
zeros       ``constant``        ``constant``    ``BORDER_CONSTANT``    0 | 1 2 3 | 0
reflect     ``reflect``         ``mirror``      ``BORDER_REFLECT_101`` 2 | 1 2 3 | 2
replicate   ``edge``            ``nearest``     ``BORDER_REPLICATE``   1 | 1 2 3 | 3
circular    ``wrap``            ``wrap``        ``BORDER_WRAP``        3 | 1 2 3 | 1
==========  ==================  ==============  =====================  ================

Note the trap: scipy's ``reflect`` is numpy's ``symmetric`` (``1 | 1 2 3 | 3``), not torch's.
"""

from __future__ import annotations

import numbers
from dataclasses import dataclass
from typing import Any, Literal

import numpy as np

from ._validation import as_image, check_budget, check_choice, check_int, check_number

__all__ = [
    "MODE_NAMES",
    "PADDING_MODES",
    "ModeNames",
    "PaddingMode",
    "check_padding_fits",
    "pad",
]

PaddingMode = Literal["zeros", "reflect", "replicate", "circular"]


@dataclass(frozen=True)
class ModeNames:
    """One padding mode's name in each library.

    Attributes:
        torch: ``F.pad``'s ``mode`` (``"constant"`` for zeros; ``Conv2d`` calls it ``"zeros"``).
        numpy: ``np.pad``'s ``mode``.
        scipy: ``scipy.ndimage``'s ``mode``.
        opencv: the name of the ``cv2`` border constant (``getattr(cv2, name)`` is its value).
    """

    torch: str
    numpy: str
    scipy: str
    opencv: str


#: Our (torch's) mode names -> each library's name for the same border (the README's table).
MODE_NAMES: dict[str, ModeNames] = {
    "zeros": ModeNames("constant", "constant", "constant", "BORDER_CONSTANT"),
    "reflect": ModeNames("reflect", "reflect", "mirror", "BORDER_REFLECT_101"),
    "replicate": ModeNames("replicate", "edge", "nearest", "BORDER_REPLICATE"),
    "circular": ModeNames("circular", "wrap", "wrap", "BORDER_WRAP"),
}
PADDING_MODES: tuple[str, ...] = tuple(MODE_NAMES)

Sides = tuple[int, int, int, int]  # (top, bottom, left, right)


def pad(image: Any, padding: Any, mode: str = "zeros", *, value: float = 0.0) -> np.ndarray:
    """Pad the two spatial axes of an image like ``torch.nn.functional.pad``.

    Args:
        image: ``H×W`` or ``H×W×C`` array, any real dtype.
        padding: one int (all sides), ``(ph, pw)`` (rows top and bottom, columns left and right)
            or ``(left, right, top, bottom)`` — the order of ``F.pad`` for the last two axes.
        mode: ``"zeros"``, ``"reflect"``, ``"replicate"`` or ``"circular"``.
        value: fill value for ``"zeros"`` (``F.pad``'s ``value``).

    Returns:
        ``(H+top+bottom)×(W+left+right)[×C]`` float32 array (float64 stays float64).

    Raises:
        ValueError: negative padding, an unknown mode, ``reflect`` padding not smaller than the
            side it reflects, or ``circular`` padding larger than it (torch's rules).

    Example:
        >>> x = np.arange(1, 17, dtype=np.float32).reshape(4, 4)
        >>> pad(x, 1, "reflect")[0].tolist()
        [6.0, 5.0, 6.0, 7.0, 8.0, 7.0]
    """
    array = as_image(image)
    mode = check_choice(mode, PADDING_MODES, "padding_mode")
    value = check_number(value, "value")
    top, bottom, left, right = padding_sides(padding)
    check_padding_fits(array.shape[:2], (top, bottom, left, right), mode)
    channels = array.shape[2] if array.ndim == 3 else 1
    padded_bytes = ((array.shape[0] + top + bottom) * (array.shape[1] + left + right) * channels
                    * array.itemsize)
    check_budget(padded_bytes, f"Padding by {(top, bottom, left, right)}", "Pad less.")
    widths = [(top, bottom), (left, right)] + [(0, 0)] * (array.ndim - 2)
    if mode == "zeros":
        return np.pad(array, widths, mode="constant", constant_values=value)
    return np.pad(array, widths, mode=MODE_NAMES[mode].numpy)  # type: ignore[call-overload]


def padding_sides(padding: Any) -> Sides:
    """Normalise int, ``(ph, pw)`` or ``(l, r, t, b)`` to ``(top, bottom, left, right)``.

    Example:
        >>> padding_sides((1, 2))
        (1, 1, 2, 2)
        >>> padding_sides((0, 1, 2, 3))
        (2, 3, 0, 1)
    """
    if isinstance(padding, (tuple, list)) and len(padding) in (2, 4):
        ints = [check_int(v, "padding") for v in padding]
        if len(ints) == 2:
            ph, pw = ints
            values: tuple[int, ...] = (ph, ph, pw, pw)
        else:
            left, right, top, bottom = ints
            values = (top, bottom, left, right)
    elif isinstance(padding, numbers.Integral) and not isinstance(padding, (bool, np.bool_)):
        values = (int(padding),) * 4
    else:
        raise TypeError(
            "padding must be an int, a pair (rows, cols) or four ints (left, right, top, bottom); "
            f"got {padding!r}."
        )
    if min(values) < 0:
        raise ValueError(
            f"padding must not be negative; got {padding!r}. To crop, slice the array instead."
        )
    top, bottom, left, right = values
    return top, bottom, left, right


def check_padding_fits(size: tuple[int, ...], sides: Sides, mode: str) -> None:
    """Refuse padding that torch refuses: ``reflect`` needs pad < side, ``circular`` pad <= side.

    Example:
        >>> check_padding_fits((4, 4), (3, 3, 3, 3), "reflect")
        >>> check_padding_fits((4, 4), (4, 0, 0, 0), "reflect")  # doctest: +ELLIPSIS
        Traceback (most recent call last):
        ...
        ValueError: reflect padding of 4 rows needs an image at least 5 rows tall ...
    """
    height, width = int(size[0]), int(size[1])
    top, bottom, left, right = sides
    for amount, side, axis in (
        (max(top, bottom), height, "rows"),
        (max(left, right), width, "columns"),
    ):
        word = "tall" if axis == "rows" else "wide"
        if mode == "reflect" and amount >= side:
            raise ValueError(
                f"reflect padding of {amount} {axis} needs an image at least {amount + 1} {axis} "
                f"{word} (it reflects about the edge pixel, so the padding must be smaller than "
                f"the side); the image has {side}. Use less padding or padding_mode='replicate'."
            )
        if mode == "circular" and amount > side:
            raise ValueError(
                f"circular padding of {amount} {axis} wraps around an image only {side} {axis} "
                f"{word}; it can be at most {side}. Use less padding or padding_mode='replicate'."
            )
