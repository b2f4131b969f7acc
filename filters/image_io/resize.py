"""Resizing ``H×W`` or ``H×W×C`` arrays: area averaging when shrinking, bilinear when enlarging.

Used by :func:`~filters.image_io.fit_for_screen`, by ``max_side`` of
:func:`~filters.image_io.load_image` and by :mod:`filters.samples`. OpenCV is imported only when
a resize happens; without it, Pillow does the same per channel in float32.

Example:
    >>> import numpy as np
    >>> resize(np.ones((4, 6), dtype=np.float32), (2, 3)).shape
    (2, 3)
"""

from __future__ import annotations

import numpy as np
from PIL import Image

__all__ = ["resize"]


def resize(array: np.ndarray, size: tuple[int, int]) -> np.ndarray:
    """Resize an ``H×W`` or ``H×W×C`` array to ``size = (h, w)``.

    Area averaging when shrinking (``cv2.INTER_AREA``), bilinear when enlarging. Falls back to
    Pillow (box / bilinear filter, per channel in float32) when OpenCV is not installed.

    Args:
        array: ``H×W`` or ``H×W×C``; uint8, uint16, float32 and float64 keep their dtype, other
            dtypes become float32.
        size: ``(h, w)`` of the result.

    Returns:
        ``h×w`` or ``h×w×C`` (the same number of dimensions and channels).

    Example:
        >>> resize(np.arange(16, dtype=np.float32).reshape(4, 4), (2, 2)).tolist()
        [[2.5, 4.5], [10.5, 12.5]]
    """
    height, width = size
    shrink = height <= array.shape[0] and width <= array.shape[1]
    try:
        import cv2
    except ImportError:
        return _resize_pillow(array, size, shrink)
    interpolation = cv2.INTER_AREA if shrink else cv2.INTER_LINEAR
    source = array
    if source.dtype not in (np.uint8, np.uint16, np.float32, np.float64):
        source = source.astype(np.float32)
    out = cv2.resize(source, (width, height), interpolation=interpolation)
    if array.ndim == 3 and out.ndim == 2:
        out = out[..., None]
    return out


def _resize_pillow(array: np.ndarray, size: tuple[int, int], shrink: bool) -> np.ndarray:
    height, width = size
    resample = Image.Resampling.BOX if shrink else Image.Resampling.BILINEAR
    planes = array[..., None] if array.ndim == 2 else array
    out = np.stack(
        [
            np.asarray(
                Image.fromarray(np.ascontiguousarray(planes[..., c], dtype=np.float32), "F").resize(
                    (width, height), resample
                )
            )
            for c in range(planes.shape[-1])
        ],
        axis=-1,
    )
    out = out[..., 0] if array.ndim == 2 else out
    if array.dtype in (np.uint8, np.uint16):
        top = np.iinfo(array.dtype).max
        return np.clip(np.rint(out), 0, top).astype(array.dtype)
    return out.astype(array.dtype if array.dtype.kind == "f" else np.float32)
