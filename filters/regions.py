"""Picking parts of an image: the centre crop, a corner, the border row, a window with a margin.

The pages show small parts of the working image (a 48×48 centre for pooling, the busiest corner
for the border effect of padding, the receptive field with some context around it); every one of
those regions is cut here, so the page only calls and shows.

Example:
    >>> import numpy as np
    >>> image = np.arange(36.0).reshape(6, 6)
    >>> centre_crop(image, 2).tolist()
    [[14.0, 15.0], [20.0, 21.0]]
    >>> image[corner_slices(image.shape, "br", 2)].tolist()
    [[28.0, 29.0], [34.0, 35.0]]
"""

from __future__ import annotations

from typing import Any

import numpy as np

from ._validation import check_choice, check_image, check_int, to_pair

__all__ = ["CORNERS", "border_profile", "busiest_corner", "centre_crop", "corner_slices",
           "crop_around", "valid_crop"]

#: The four corners: top-left, top-right, bottom-left, bottom-right.
CORNERS = ("tl", "tr", "bl", "br")


def centre_crop(array: Any, size: int | tuple[int, int]) -> np.ndarray:
    """The ``size×size`` (or ``rows×cols``) region in the middle of ``array``, a view.

    Smaller when the image is: each side is ``min(size, side)``. When the difference is odd the
    extra row (column) is left at the bottom (right).

    Args:
        array: ``H×W`` or ``H×W×C``, any real dtype (kept).
        size: the crop's side, or ``(rows, cols)``; at least 1.

    Returns:
        ``min(rows, H)×min(cols, W)[×C]``, the same dtype (a view, no copy).

    Raises:
        TypeError: ``array`` is not a real 2-D/3-D array, or ``size`` not an int (pair).
        ValueError: ``size`` below 1.

    Example:
        >>> centre_crop(np.zeros((427, 640, 3)), 48).shape
        (48, 48, 3)
        >>> centre_crop(np.zeros((5, 200)), 48).shape
        (5, 48)
    """
    array = check_image(array, "array")
    rows, cols = to_pair(size, "size", minimum=1)
    rows, cols = min(rows, array.shape[0]), min(cols, array.shape[1])
    top, left = (array.shape[0] - rows) // 2, (array.shape[1] - cols) // 2
    return array[top:top + rows, left:left + cols]


def corner_slices(shape: tuple[int, ...], corner: str, size: int) -> tuple[slice, slice]:
    """Row and column slices of the ``size×size`` square touching ``corner`` of ``shape``.

    Args:
        shape: the image's shape (``H, W`` first; more axes are ignored).
        corner: one of :data:`CORNERS` (``"tl"``, ``"tr"``, ``"bl"``, ``"br"``).
        size: the square's side, at least 1; clipped to the image.

    Returns:
        ``(rows, cols)`` slices: ``image[rows, cols]`` is the corner.

    Raises:
        TypeError: ``size`` not an int.
        ValueError: an unknown corner or ``size`` below 1.

    Example:
        >>> corner_slices((10, 20), "tr", 4)
        (slice(0, 4, None), slice(16, 20, None))
    """
    corner = check_choice(corner, CORNERS, "corner")
    side = check_int(size, "size", minimum=1)
    h, w = int(shape[0]), int(shape[1])
    rows = slice(0, min(side, h)) if corner[0] == "t" else slice(max(0, h - side), h)
    cols = slice(0, min(side, w)) if corner[1] == "l" else slice(max(0, w - side), w)
    return rows, cols


def busiest_corner(array: Any, size: int) -> str:
    """The corner whose ``size×size`` square has the largest standard deviation (most detail).

    Ties go to the first of :data:`CORNERS`.

    Args:
        array: ``H×W`` (or ``H×W×C``: all channels count).
        size: the square's side, at least 1.

    Returns:
        One of :data:`CORNERS`.

    Example:
        >>> picture = np.zeros((8, 8)); picture[6:, 6:] = np.eye(2)
        >>> busiest_corner(picture, 3)
        'br'
    """
    array = check_image(array, "array")
    spread = {c: float(np.std(array[corner_slices(array.shape, c, size)], dtype=np.float64))
              for c in CORNERS}
    return max(CORNERS, key=lambda c: spread[c])


def border_profile(array: Any, corner: str, length: int | None = None) -> np.ndarray:
    """The image's edge row at ``corner``, read from the corner inwards.

    The top row for ``t…`` corners, the bottom row for ``b…``; at most ``length`` values.

    Args:
        array: ``H×W`` (or ``H×W×C``, giving ``length×C``).
        corner: one of :data:`CORNERS`.
        length: how many values (all of the row when ``None``).

    Returns:
        ``min(length, W)`` values, the array's dtype.

    Example:
        >>> border_profile(np.arange(12).reshape(3, 4), "br", 3).tolist()
        [11, 10, 9]
    """
    array = check_image(array, "array")
    corner = check_choice(corner, CORNERS, "corner")
    row = array[0 if corner[0] == "t" else -1]
    if corner[1] == "r":
        row = row[::-1]
    if length is None:
        return row
    return row[: check_int(length, "length", minimum=1)]


def crop_around(array: Any, box: tuple[int, int, int, int],
                margin: int) -> tuple[np.ndarray, tuple[int, int]]:
    """The part of ``array`` around ``box`` with ``margin`` pixels more on each side.

    ``box`` = ``(top, left, bottom, right)`` is inclusive and may lie partly outside the image;
    the crop is clipped to the image.

    Args:
        array: ``H×W`` or ``H×W×C``.
        box: inclusive corners, e.g. a receptive field from
            :func:`filters.receptive.receptive_window`.
        margin: extra pixels on every side, at least 0.

    Returns:
        ``(crop, (top, left))``: the view and the image position of its top-left pixel, so a
        point ``(r, c)`` of the image is ``(r - top, c - left)`` in the crop. The crop may be
        empty when the box lies wholly outside the image.

    Example:
        >>> crop, origin = crop_around(np.zeros((20, 20)), (-2, 5, 2, 9), 3)
        >>> crop.shape, origin
        ((6, 11), (0, 2))
    """
    array = check_image(array, "array")
    margin = check_int(margin, "margin", minimum=0)
    top, left = to_pair(tuple(box[:2]), "box", minimum=-(2**62))
    bottom, right = to_pair(tuple(box[2:]), "box", minimum=-(2**62))
    h, w = array.shape[:2]
    z_top, z_left = max(0, top - margin), max(0, left - margin)
    crop = array[z_top: max(z_top, min(h, bottom + margin + 1)),
                 z_left: max(z_left, min(w, right + margin + 1))]
    return crop, (z_top, z_left)


def valid_crop(array: Any, kernel_size: int | tuple[int, int]) -> np.ndarray:
    """The part of a "same"-size filtered image where a ``kh×kw`` kernel lies wholly inside.

    That is the region a padding-0 ("valid") convolution of the input gives.

    For an odd ``k`` that drops ``k // 2`` rows on each side; for an even ``k`` one more at the
    bottom (the same centring as PyTorch's ``padding="same"``).

    Args:
        array: ``H×W`` (or ``H×W×C``), the filtered image, same size as its input.
        kernel_size: ``k`` or ``(kh, kw)``, at least 1 and at most the image's sides.

    Returns:
        ``(H - kh + 1)×(W - kw + 1)``, a view.

    Raises:
        ValueError: the kernel is larger than the image.

    Example:
        >>> valid_crop(np.zeros((160, 160)), 7).shape
        (154, 154)
        >>> valid_crop(np.zeros((10, 10)), 4).shape
        (7, 7)
    """
    array = check_image(array, "array")
    kh, kw = to_pair(kernel_size, "kernel_size", minimum=1)
    h, w = array.shape[:2]
    if kh > h or kw > w:
        raise ValueError(f"A {kh}×{kw} kernel does not fit in the {h}×{w} image; "
                         f"use a kernel of at most {h}×{w}.")
    return array[(kh - 1) // 2: h - kh // 2, (kw - 1) // 2: w - kw // 2]
