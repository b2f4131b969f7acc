"""Argument checks shared by every public function of :mod:`filters` (the only place they live).

Each helper raises ``TypeError`` for a value of the wrong kind and ``ValueError`` for a value of
the right kind that is out of range, with a message that says what was given and what is allowed.

The rules, the same everywhere:

- an *int* is a Python ``int`` or a numpy integer (``np.int64(3)``); ``bool`` is refused, and so
  is a float, even ``3.0`` (``TypeError``);
- a *number* is any real number (``int``, ``float``, numpy ints and floats), never ``bool``;
  NaN and infinity are refused (``ValueError``);
- a *flag* is ``True`` / ``False`` (``np.bool_`` included), never ``0`` / ``1``.
"""

from __future__ import annotations

import difflib
import numbers
from collections.abc import Iterable, Sequence
from typing import Any

import numpy as np

from .limits import MEMORY_BUDGET_BYTES

__all__ = [
    "as_image",
    "check_array",
    "check_bias",
    "check_budget",
    "check_choice",
    "check_finite",
    "check_flag",
    "check_image",
    "check_int",
    "check_number",
    "check_weight",
    "float_dtype",
    "to_pair",
]


def check_int(
    value: Any,
    name: str,
    *,
    minimum: int | None = None,
    maximum: int | None = None,
) -> int:
    """Return ``value`` as an ``int`` if it is an integer within ``[minimum, maximum]``.

    Python and numpy integers pass; ``bool`` and floats (even ``3.0``) raise ``TypeError``; a
    value out of range raises ``ValueError``.

    Example:
        >>> check_int(np.int64(3), "size", minimum=1)
        3
        >>> check_int(0, "stride", minimum=1)  # doctest: +ELLIPSIS
        Traceback (most recent call last):
        ...
        ValueError: stride must be at least 1; got 0.
    """
    if isinstance(value, (bool, np.bool_)) or not isinstance(value, numbers.Integral):
        hint = f" (use {int(value)})" if _is_whole_float(value) else ""
        raise TypeError(f"{name} must be an int; got {_given(value)}{hint}.")
    number = int(value)
    _check_range(number, name, minimum, maximum)
    return number


def check_number(
    value: Any,
    name: str,
    *,
    minimum: float | None = None,
    maximum: float | None = None,
    positive: bool = False,
) -> float:
    """Return ``value`` as a finite ``float`` within ``[minimum, maximum]`` (``> 0`` if positive).

    Example:
        >>> check_number(np.float32(0.5), "sigma", positive=True)
        0.5
        >>> check_number("2", "sigma")  # doctest: +ELLIPSIS
        Traceback (most recent call last):
        ...
        TypeError: sigma must be a number; got '2' (str).
    """
    if isinstance(value, (bool, np.bool_)) or not isinstance(value, numbers.Real):
        raise TypeError(f"{name} must be a number; got {_given(value)}.")
    number = float(value)
    if positive and not (np.isfinite(number) and number > 0):
        raise ValueError(f"{name} must be a positive finite number; got {value!r}.")
    if not np.isfinite(number):
        raise ValueError(f"{name} must be a finite number; got {value!r}.")
    _check_range(number, name, minimum, maximum)
    return number


def check_flag(value: Any, name: str) -> bool:
    """Return ``value`` as a ``bool`` if it is ``True`` or ``False`` (numpy's included).

    Example:
        >>> check_flag(np.True_, "flip")
        True
    """
    if not isinstance(value, (bool, np.bool_)):
        raise TypeError(f"{name} must be True or False; got {_given(value)}.")
    return bool(value)


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
        pair = (_pair_int(value[0], name), _pair_int(value[1], name))
    else:
        number = _pair_int(value, name)
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
    array = check_array(image, name, "a numpy array of shape H×W or H×W×C")
    if array.ndim not in (2, 3):
        raise ValueError(
            f"{name} must be 2-D (H×W) or 3-D (H×W×C); got {array.ndim}-D shape {array.shape}. "
            "For a batch, call once per image."
        )
    if array.size == 0:
        raise ValueError(f"{name} is empty (shape {array.shape}); it needs at least one pixel.")
    return array


def check_weight(
    kernel: Any,
    dtype: Any = np.float64,
    *,
    full_layout: str = "C_out×C_in/groups×kh×kw",
    name: str = "kernel",
) -> np.ndarray:
    """A kernel as a finite, non-empty array of ``dtype``: ``kh×kw`` or a 4-D full layer weight.

    ``full_layout`` names the 4-D layout in messages (``conv2d``'s ``C_out×C_in/groups×kh×kw``,
    ``conv_transpose2d``'s ``C_in×C_out/groups×kh×kw``).

    Example:
        >>> check_weight([[1, 0, -1]]).dtype
        dtype('float64')
    """
    array = check_array(kernel, name, f"a numpy array (kh×kw or {full_layout})")
    if array.ndim not in (2, 4):
        raise ValueError(
            f"{name} must be 2-D (kh×kw, applied to every channel) or 4-D "
            f"({full_layout}, a full layer); got {array.ndim}-D shape {array.shape}."
        )
    if array.size == 0:
        raise ValueError(f"{name} is empty (shape {array.shape}).")
    check_finite(np.asarray(array, dtype=np.float64), name)
    return np.asarray(array, dtype=dtype)


def check_bias(bias: Any, channels: int, dtype: Any = np.float64) -> np.ndarray | None:
    """``None``, or the bias as 1 or ``channels`` finite values of ``dtype`` (a flat array).

    Example:
        >>> check_bias(0.5, 3).tolist()
        [0.5]
        >>> check_bias([1, 2, 3], 3).tolist()
        [1.0, 2.0, 3.0]
    """
    if bias is None:
        return None
    if isinstance(bias, (bool, np.bool_)):
        raise TypeError("bias must be a number or one number per output channel, not a bool.")
    values = np.asarray(bias) if isinstance(bias, (numbers.Real, list, tuple, np.ndarray)) \
        else np.asarray(None)
    if values.dtype.kind not in "iuf":
        raise TypeError(
            f"bias must be a number or one number per output channel; got {_given(bias)}."
        )
    values = values.astype(dtype).reshape(-1)
    if values.size not in (1, channels):
        raise ValueError(
            f"bias needs 1 value or one per output channel ({channels}); got {values.size}."
        )
    check_finite(values, "bias")
    return values


def check_budget(needed_bytes: float, what: str, advice: str) -> None:
    """Refuse work whose arrays would exceed :data:`~filters.limits.MEMORY_BUDGET_BYTES`.

    ``what`` opens the message (``"This convolution"``); ``advice`` ends it.

    Example:
        >>> check_budget(1024, "This call", "Use a smaller image.")
        >>> check_budget(2**40, "This call", "Use a smaller image.")  # doctest: +ELLIPSIS
        Traceback (most recent call last):
        ...
        ValueError: This call would need about 1024.0 GiB of working memory, over the 2 GiB ...
    """
    if needed_bytes > MEMORY_BUDGET_BYTES:
        raise ValueError(
            f"{what} would need about {needed_bytes / 2**30:.1f} GiB of working memory, over the "
            f"{MEMORY_BUDGET_BYTES / 2**30:.0f} GiB budget. {advice}"
        )


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


def check_array(value: Any, name: str, wanted: str = "a numpy array") -> np.ndarray:
    """``value`` (an array, list or tuple) as an array of real numbers, else ``TypeError``.

    ``wanted`` says what is expected, for the message. Shapes are the caller's to check.

    Example:
        >>> check_array([[1, 2]], "kernel").shape
        (1, 2)
        >>> check_array("1 2", "kernel")  # doctest: +ELLIPSIS
        Traceback (most recent call last):
        ...
        TypeError: kernel must be a numpy array; got str.
    """
    if isinstance(value, (list, tuple)):
        try:
            value = np.asarray(value)
        except ValueError:  # ragged rows
            raise TypeError(f"{name} must be {wanted}; got ragged nested lists.") from None
    if not isinstance(value, np.ndarray):
        raise TypeError(f"{name} must be {wanted}; got {type(value).__name__}.")
    if value.dtype.kind not in "biuf":
        raise TypeError(
            f"{name} must hold real numbers (bool, int, uint or float); got dtype {value.dtype}."
        )
    return value


# ---------------------------------------------------------------------------------------------


def _check_range(number: float, name: str, minimum: float | None, maximum: float | None) -> None:
    if minimum is not None and maximum is not None and not minimum <= number <= maximum:
        raise ValueError(
            f"{name} must be between {_plain(minimum)} and {_plain(maximum)}; got {_plain(number)}."
        )
    if minimum is not None and number < minimum:
        raise ValueError(f"{name} must be at least {_plain(minimum)}; got {_plain(number)}.")
    if maximum is not None and number > maximum:
        raise ValueError(f"{name} must be at most {_plain(maximum)}; got {_plain(number)}.")


def _plain(number: float) -> str:
    return str(int(number)) if float(number).is_integer() else f"{number:g}"


def _pair_int(value: Any, name: str) -> int:
    if isinstance(value, (bool, np.bool_)) or not isinstance(value, numbers.Integral):
        raise TypeError(f"{name} must be an int or a pair of ints; got {_given(value)}.")
    return int(value)


def _is_whole_float(value: Any) -> bool:
    return isinstance(value, (float, np.floating)) and np.isfinite(value) and \
        float(value).is_integer()


def _given(value: Any) -> str:
    """``'3' (str)``: the value and its type, for messages."""
    text = repr(value)
    if len(text) > 60:
        text = text[:57] + "..."
    return f"{text} ({type(value).__name__})"


def _quoted(options: Sequence[str]) -> str:
    return ", ".join(repr(option) for option in options)
