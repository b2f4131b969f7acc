"""Argument checks shared by every public function of :mod:`filters`.

Each helper raises ``TypeError`` for a value of the wrong kind and ``ValueError`` for a value of
the right kind that is out of range, with a message that says what was given and what is allowed.
"""

from __future__ import annotations

import difflib
import numbers
from collections.abc import Iterable, Sequence
from typing import Any

import numpy as np

__all__ = [
    "as_image",
    "check_choice",
    "check_finite",
    "check_image",
    "float_dtype",
    "to_pair",
]


def check_choice(value: Any, choices: Iterable[str], name: str) -> str:
    """Return ``value`` if it is one of ``choices``; otherwise raise with a suggestion.

    Example:
        >>> check_choice("zeros", ("zeros", "reflect"), "padding_mode")
        'zeros'
    """
    options = tuple(choices)
    if not isinstance(value, str):
        raise TypeError(f"{name} must be a string, one of {_quoted(options)}; got {value!r}.")
    if value in options:
        return value
    close = difflib.get_close_matches(value.lower(), options, n=1, cutoff=0.5)
    hint = f" Did you mean {close[0]!r}?" if close else ""
    raise ValueError(f"Unknown {name} {value!r}: choose one of {_quoted(options)}.{hint}")


def to_pair(value: Any, name: str, *, minimum: int = 0) -> tuple[int, int]:
    """Turn an int or a pair of ints into ``(rows, cols)``, each at least ``minimum``.

    Example:
        >>> to_pair(2, "stride", minimum=1)
        (2, 2)
        >>> to_pair((1, 3), "dilation", minimum=1)
        (1, 3)
    """
    if isinstance(value, Sequence) and not isinstance(value, str):
        if len(value) != 2:
            raise ValueError(
                f"{name} must be one int or a pair (rows, cols); got {len(value)} values {value!r}."
            )
        pair = (_as_int(value[0], name), _as_int(value[1], name))
    else:
        number = _as_int(value, name)
        pair = (number, number)
    for number in pair:
        if number < minimum:
            raise ValueError(f"{name} must be at least {minimum}; got {value!r}.")
    return pair


def as_image(image: Any, name: str = "image") -> np.ndarray:
    """Check an image and return it as float32 (float64 stays float64), ``H×W`` or ``H×W×C``.

    Accepts any real dtype: bool, unsigned and signed integers, float16/32/64. Values are not
    rescaled (uint8 255 stays 255.0). Refuses complex, object and string arrays, arrays that are
    not 2-D or 3-D, and empty arrays.

    Example:
        >>> as_image(np.zeros((4, 5), dtype=np.uint8)).dtype
        dtype('float32')
    """
    array = check_image(image, name)
    return np.asarray(array, dtype=float_dtype(array.dtype))


def check_image(image: Any, name: str = "image") -> np.ndarray:
    """:func:`as_image`'s checks without the conversion: the image in its own dtype.

    Example:
        >>> check_image([[0, 1], [2, 3]]).dtype.kind
        'i'
    """
    if not isinstance(image, np.ndarray):
        if isinstance(image, (list, tuple)):
            image = np.asarray(image)
        else:
            raise TypeError(
                f"{name} must be a numpy array of shape H×W or H×W×C; got {type(image).__name__}."
            )
    if image.dtype.kind not in "biuf":
        raise TypeError(
            f"{name} must hold real numbers (bool, int, uint or float); got dtype {image.dtype}."
        )
    if image.ndim not in (2, 3):
        raise ValueError(
            f"{name} must be 2-D (H×W) or 3-D (H×W×C); got {image.ndim}-D shape {image.shape}. "
            "For a batch, call once per image."
        )
    if image.size == 0:
        raise ValueError(f"{name} is empty (shape {image.shape}); it needs at least one pixel.")
    return image


def float_dtype(dtype: np.dtype) -> type[np.floating[Any]]:
    """The float dtype results come in: float64 for float64 input, float32 for everything else.

    Example:
        >>> float_dtype(np.dtype("uint8")).__name__
        'float32'
    """
    return np.float64 if dtype == np.float64 else np.float32


def check_finite(array: np.ndarray, name: str) -> None:
    """Raise ``ValueError`` if ``array`` holds NaN or infinity, naming the first bad position.

    Example:
        >>> check_finite(np.ones(3), "kernel")
    """
    bad = ~np.isfinite(array)
    if bad.any():
        where = tuple(int(i) for i in np.argwhere(bad)[0])
        raise ValueError(f"{name} must hold finite numbers; found {array[where]} at index {where}.")


def _as_int(value: Any, name: str) -> int:
    if isinstance(value, bool) or not isinstance(value, numbers.Integral):
        raise TypeError(f"{name} must be an int or a pair of ints; got {value!r}.")
    return int(value)


def _quoted(options: Sequence[str]) -> str:
    return ", ".join(repr(option) for option in options)
