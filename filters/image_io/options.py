"""The background colour option of the image functions.

Whole-number limits (``max_pixels``, ``quality``…) are checked by
:func:`filters._validation.check_int`.

* :func:`parse_background`: an int 0–255, ``(r, g, b)`` or ``"#rrggbb"`` → ``(r, g, b)``.

Wrong types raise ``TypeError``, wrong values ``ValueError``; the message says what was given and
what is allowed.

Example:
    >>> parse_background("#ff8000")
    (255, 128, 0)
"""

from __future__ import annotations

import numbers
from collections.abc import Sequence
from typing import Any

from .._validation import check_int

__all__ = ["Background", "parse_background"]

#: What ``background`` accepts: grey 0–255, ``(r, g, b)`` or ``"#rrggbb"``.
Background = int | str | Sequence[int]


def parse_background(value: Any) -> tuple[int, int, int]:
    """An int 0–255, ``(r, g, b)`` or ``"#rrggbb"`` (or ``"#rgb"``) → ``(r, g, b)`` ints.

    Raises:
        TypeError: not an int, a string or three ints.
        ValueError: a string that is not a hex colour, or a value outside 0–255.

    Example:
        >>> parse_background(128), parse_background((0, 0, 255)), parse_background("#0f0")
        ((128, 128, 128), (0, 0, 255), (0, 255, 0))
    """
    if isinstance(value, str):
        text = value.strip().lstrip("#")
        if len(text) == 3:
            text = "".join(ch * 2 for ch in text)
        try:
            if len(text) != 6:
                raise ValueError
            return int(text[0:2], 16), int(text[2:4], 16), int(text[4:6], 16)
        except ValueError:
            raise ValueError(
                f"background {value!r} is not a colour: use '#rrggbb', (r, g, b) or 0–255."
            ) from None
    if isinstance(value, numbers.Integral) and not isinstance(value, bool):
        values: tuple[Any, ...] = (value, value, value)
    elif isinstance(value, Sequence) and len(value) == 3:
        values = tuple(value)
    else:
        raise TypeError(f"background must be an int 0–255, (r, g, b) or '#rrggbb'; got {value!r}.")
    name = f"each value of background {value!r}"
    red, green, blue = (check_int(channel, name, minimum=0, maximum=255) for channel in values)
    return red, green, blue
