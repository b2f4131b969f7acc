"""Options of the image functions: whole-number limits and the background colour.

* :func:`int_option`: an int in a range (``max_pixels``, ``max_side``, ``compress_level``, …).
* :func:`parse_background`: an int 0–255, ``(r, g, b)`` or ``"#rrggbb"`` → ``(r, g, b)``.

Wrong types raise ``TypeError``, wrong values ``ValueError``; the message says what was given and
what is allowed.

Example:
    >>> int_option(1200, "max_side"), parse_background("#ff8000")
    (1200, (255, 128, 0))
"""

from __future__ import annotations

import numbers
from collections.abc import Sequence
from typing import Any

__all__ = ["Background", "int_option", "parse_background"]

#: What ``background`` accepts: grey 0–255, ``(r, g, b)`` or ``"#rrggbb"``.
Background = int | str | Sequence[int]


def int_option(value: Any, name: str, low: int = 1, high: int | None = None) -> int:
    """Return ``value`` as an ``int`` if it is a whole number from ``low`` to ``high``.

    ``bool`` is refused; numpy integers are accepted.

    Args:
        value: the option as given.
        name: its name, for the message.
        low: smallest allowed value.
        high: largest allowed value, or ``None`` for no upper bound.

    Returns:
        ``value`` as a Python ``int``.

    Raises:
        TypeError: ``value`` is not an int.
        ValueError: ``value`` is outside ``low``–``high``.

    Example:
        >>> int_option(9, "compress_level", 0, 9)
        9
    """
    allowed = f"at least {low}" if high is None else f"in {low}–{high}"
    if isinstance(value, bool) or not isinstance(value, numbers.Integral):
        raise TypeError(f"{name} must be an int ({allowed}); got {value!r}.")
    number = int(value)
    if number < low or (high is not None and number > high):
        raise ValueError(f"{name} must be {allowed}; got {value!r}.")
    return number


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
    red, green, blue = (int_option(channel, name, 0, 255) for channel in values)
    return red, green, blue
