"""The way back to the screen and to files: display values, PNG bytes, saving, screen fitting.

* :func:`to_display`: any real image → uint8 (``"clip"``, ``"abs"`` or ``"minmax"``).
* :func:`encode_png`: PNG bytes for ``st.image`` or ``st.download_button``.
* :func:`save_image`: an 8-bit PNG, JPEG, WebP, BMP or TIFF file, chosen by the suffix.
* :func:`fit_for_screen`: an area-averaged copy whose longer side fits the screen.

Example:
    >>> import numpy as np
    >>> to_display(np.array([[0.0, 0.5, 1.0]])).tolist()
    [[0, 128, 255]]
"""

from __future__ import annotations

import io
import os
from pathlib import Path
from typing import Any, Literal

import numpy as np
from PIL import Image

from .._validation import as_image, check_choice, check_image, check_int
from .resize import resize

__all__ = [
    "NORMALIZE_MODES",
    "Normalize",
    "encode_png",
    "fit_for_screen",
    "save_image",
    "to_display",
]

#: ``normalize`` of :func:`to_display`.
NORMALIZE_MODES: tuple[str, ...] = ("clip", "abs", "minmax")

Normalize = Literal["clip", "abs", "minmax"]

_SAVE_FORMATS = {
    ".png": "PNG",
    ".jpg": "JPEG",
    ".jpeg": "JPEG",
    ".webp": "WEBP",
    ".bmp": "BMP",
    ".tif": "TIFF",
    ".tiff": "TIFF",
}


def to_display(image: np.ndarray, normalize: Normalize = "clip") -> np.ndarray:
    """Map an image to uint8 for the screen.

    * ``"clip"``: values are clipped to ``[0, 1]``, then × 255.
    * ``"abs"``: ``clip(|x|, 0, 1)``, then × 255 — signed edge responses shown by magnitude.
    * ``"minmax"``: ``(x − min) / (max − min)`` over all channels together (colour balance is
      kept), then × 255; a constant image becomes 0. Min and max ignore NaN and ±inf.

    NaN becomes 0; +inf becomes 255 and −inf 0 (``"abs"``: both 255). ``uint8`` input is
    returned unchanged for ``"clip"`` and ``"abs"`` (already display values); ``uint16`` is
    divided by 65535 and ``bool`` is 0/1 first; any other dtype is taken as values where 1 is
    white.

    Args:
        image: ``H×W``, ``H×W×1``, ``H×W×3`` (RGB) or ``H×W×4`` (RGBA), any real dtype.
        normalize: ``"clip"``, ``"abs"`` or ``"minmax"``.

    Returns:
        uint8 ``H×W`` (from ``H×W`` or ``H×W×1``), ``H×W×3`` or ``H×W×4``.

    Example:
        >>> edges = np.array([[-0.5, 0.0, 0.5, 2.0]], dtype=np.float32)
        >>> to_display(edges, "clip").tolist(), to_display(edges, "abs").tolist()
        ([[0, 0, 128, 255]], [[128, 0, 128, 255]])
        >>> to_display(edges, "minmax").tolist()
        [[0, 51, 102, 255]]
    """
    normalize = check_choice(normalize, NORMALIZE_MODES, "normalize")  # type: ignore[assignment]
    source = image
    array = as_image(image)
    if array.ndim == 3:
        channels = array.shape[-1]
        if channels == 1:
            array = array[..., 0]
            source = np.asarray(source)[..., 0]
        elif channels not in (3, 4):
            raise ValueError(
                f"to_display shows 1, 3 (RGB) or 4 (RGBA) channels; got {channels} "
                f"(shape {array.shape}). Pick the channels to show first, e.g. image[..., :3]."
            )
    dtype = np.asarray(source).dtype
    if dtype == np.uint8 and normalize != "minmax":
        return np.array(source, dtype=np.uint8)
    if dtype == np.uint16:
        array = array / np.float32(65535)
    if normalize == "abs":
        values = np.abs(array)
    elif normalize == "minmax":
        values = _minmax(array)
    else:
        values = array
    values = np.nan_to_num(values, nan=0.0, posinf=1.0, neginf=0.0)
    return np.rint(np.clip(values, 0.0, 1.0) * 255).astype(np.uint8)


def _minmax(array: np.ndarray) -> np.ndarray:
    finite = np.isfinite(array)
    if not finite.any():
        return np.zeros_like(array)
    low = array[finite].min()
    high = array[finite].max()
    if high <= low:
        return np.where(np.isnan(array), 0, np.where(array > high, 1, 0)).astype(array.dtype)
    with np.errstate(invalid="ignore", over="ignore"):
        return (array - low) / (high - low)


def encode_png(
    image: np.ndarray, normalize: Normalize = "clip", *, compress_level: int = 6
) -> bytes:
    r"""Encode an image as PNG bytes (for ``st.download_button`` or ``st.image``).

    Args:
        image: ``H×W``, ``H×W×1``, ``H×W×3`` or ``H×W×4``, any real dtype (see :func:`to_display`).
        normalize: ``"clip"``, ``"abs"`` or ``"minmax"`` (see :func:`to_display`).
        compress_level: zlib level 0 (fastest) … 9 (smallest).

    Returns:
        The bytes of an 8-bit PNG (grey, RGB or RGBA).

    Raises:
        TypeError: ``compress_level`` is not an int (or ``image`` is not an array).
        ValueError: ``compress_level`` outside 0–9, or an unknown ``normalize``.

    Example:
        >>> encode_png(np.zeros((2, 2), dtype=np.float32))[:8]
        b'\x89PNG\r\n\x1a\n'
    """
    compress_level = check_int(compress_level, "compress_level", minimum=0, maximum=9)
    buffer = io.BytesIO()
    Image.fromarray(to_display(image, normalize)).save(buffer, "PNG", compress_level=compress_level)
    return buffer.getvalue()


def save_image(
    path: str | os.PathLike[str],
    image: np.ndarray,
    normalize: Normalize = "clip",
    *,
    quality: int = 95,
) -> Path:
    """Save an image as 8-bit PNG, JPEG, WebP, BMP or TIFF, chosen by the file's suffix.

    Args:
        path: where to write; the suffix (``.png``, ``.jpg``/``.jpeg``, ``.webp``, ``.bmp``,
            ``.tif``/``.tiff``) picks the format.
        image: ``H×W``, ``H×W×1``, ``H×W×3`` or ``H×W×4``, any real dtype (see :func:`to_display`).
        normalize: ``"clip"``, ``"abs"`` or ``"minmax"`` (see :func:`to_display`).
        quality: JPEG/WebP quality 1–100.

    Returns:
        The path written, as :class:`pathlib.Path`.

    Raises:
        TypeError: ``quality`` is not an int (or ``image`` is not an array).
        ValueError: unknown suffix, ``quality`` outside 1–100, or RGBA for JPEG/BMP (no alpha
            there).

    Example:
        >>> import tempfile, pathlib
        >>> out = pathlib.Path(tempfile.mkdtemp()) / "edges.png"
        >>> save_image(out, np.eye(3)).name
        'edges.png'
    """
    target = Path(path)
    suffix = target.suffix.lower()
    if suffix not in _SAVE_FORMATS:
        allowed = ", ".join(sorted(_SAVE_FORMATS))
        raise ValueError(f"Cannot save as {suffix or 'no suffix'!r}: use one of {allowed}.")
    quality = check_int(quality, "quality", minimum=1, maximum=100)
    pixels = to_display(image, normalize)
    fmt = _SAVE_FORMATS[suffix]
    if pixels.ndim == 3 and pixels.shape[-1] == 4 and fmt in ("JPEG", "BMP"):
        raise ValueError(
            f"{fmt} has no alpha channel: save RGBA as .png, .webp or .tiff, "
            "or pass image[..., :3]."
        )
    options: dict[str, Any] = {"quality": quality} if fmt in ("JPEG", "WEBP") else {}
    Image.fromarray(pixels).save(target, fmt, **options)
    return target


def fit_for_screen(image: np.ndarray, max_side: int = 1200) -> tuple[np.ndarray, float]:
    """Downscale an image for display so that its longer side is at most ``max_side``.

    Uses area averaging (``cv2.INTER_AREA``, which does not alias). Images that already fit are
    returned as they are (no copy). The computation elsewhere should keep using the full image.

    Args:
        image: ``H×W`` or ``H×W×C`` array (a nested list is turned into one); uint8, uint16,
            float32 and float64 keep their dtype, other dtypes become float32.
        max_side: longest side allowed on screen, in pixels.

    Returns:
        ``(array, scale)``: the (possibly) smaller array with the same number of dimensions and
        channels, and ``scale = new longer side / old longer side`` (1.0 if unchanged).

    Raises:
        TypeError: ``image`` is not an array of real numbers, or ``max_side`` is not an int.
        ValueError: ``image`` is not 2-D or 3-D, or is empty; ``max_side`` is below 1.

    Example:
        >>> small, scale = fit_for_screen(np.zeros((1000, 2000), dtype=np.float32), 500)
        >>> small.shape, scale
        ((250, 500), 0.25)
    """
    max_side = check_int(max_side, "max_side", minimum=1)
    image = check_image(image)
    height, width = image.shape[:2]
    longest = max(height, width)
    if longest <= max_side:
        return image, 1.0
    scale = max_side / longest
    size = (max(1, round(height * scale)), max(1, round(width * scale)))
    out = resize(image, size)
    return out, max(size) / longest
