"""Image files in and out: safe decoding to float arrays, and the way back to bytes for display.

Anything a user uploads goes through :func:`load_image` (or :func:`load_image_with_info`, which
also says what was done to the file); what comes out is float32 in ``[0, 1]``, ``H×W``
(grey) or ``H×W×3`` (colour), or with ``dtype="native"`` an 8-bit file's own uint8 samples
(:func:`to_unit` gives the float32 array, :func:`unit_scale` the factor). :func:`to_display`,
:func:`encode_png`, :func:`save_image` and :func:`fit_for_screen` go back to uint8, PNG bytes,
files and screen-sized arrays.

The package holds:

* :mod:`~filters.image_io.decode`: safe reading (size and pixel limits, decompression bombs,
  truncated files, allowed formats, frames, EXIF orientation): :func:`load_image`,
  :func:`load_image_with_info`.
* :mod:`~filters.image_io.convert`: Pillow modes to float (1-bit, 16-bit, 32-bit integer and
  float, palette, CMYK, L*a*b*, alpha compositing) and :func:`to_grey`.
* :mod:`~filters.image_io.display`: :func:`to_display`, :func:`encode_png`, :func:`save_image`,
  :func:`fit_for_screen`.
* :mod:`~filters.image_io.report`: :class:`Note`, :class:`ImageInfo`, :class:`LoadedImage`.
* :mod:`~filters.image_io.options`: checks of the options (whole-number limits, background).
* :mod:`~filters.image_io.resize`: area-averaging resize shared by decoding and display.

Example:
    >>> import io
    >>> from PIL import Image
    >>> buffer = io.BytesIO()
    >>> Image.new("L", (3, 2), 200).save(buffer, "PNG")
    >>> grey = load_image(buffer.getvalue())  # float32 H×W, 200 / 255
    >>> grey.shape, to_display(grey)[0].tolist(), encode_png(grey)[1:4]
    ((2, 3), [200, 200, 200], b'PNG')
"""

from __future__ import annotations

from .convert import GREY_WEIGHTS, to_grey, to_unit, unit_scale
from .decode import (
    ALLOWED_EXTENSIONS,
    ALLOWED_FORMATS,
    LOAD_DTYPES,
    LOAD_MODES,
    LoadDtype,
    LoadMode,
    load_image,
    load_image_with_info,
)
from .display import NORMALIZE_MODES, Normalize, encode_png, fit_for_screen, save_image, to_display
from .options import Background
from .report import ImageInfo, LoadedImage, Note

__all__ = [
    "ALLOWED_EXTENSIONS",
    "ALLOWED_FORMATS",
    "GREY_WEIGHTS",
    "LOAD_DTYPES",
    "LOAD_MODES",
    "NORMALIZE_MODES",
    "Background",
    "ImageInfo",
    "LoadDtype",
    "LoadMode",
    "LoadedImage",
    "Normalize",
    "Note",
    "encode_png",
    "fit_for_screen",
    "load_image",
    "load_image_with_info",
    "save_image",
    "to_display",
    "to_grey",
    "to_unit",
    "unit_scale",
]
