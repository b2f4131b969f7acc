"""Safe decoding of image files: limits, decompression bombs, truncation, formats, frames, EXIF.

Anything a user uploads goes through :func:`load_image` (or :func:`load_image_with_info`, which
also says what was done to the file). It accepts PNG, JPEG, WebP, BMP, TIFF and GIF only, refuses
oversized files and decompression bombs *before* decoding, and turns every decoder failure into a
``ValueError`` whose message says what was wrong and what is allowed. The pixels are then turned
into float32 in ``[0, 1]`` by :mod:`filters.image_io.convert`.

* The EXIF orientation is applied (the image is shown upright).
* Animated GIF/WebP/PNG and multi-page TIFF: the first frame is used, and a note gives the count.
* Extreme aspect ratios (say 1×100000) are accepted when the pixel count is within the limit:
  they are valid images and every filter handles them; a note points them out.

Safety choices (deliberate, documented here):

* ``Image.open(..., formats=ALLOWED_FORMATS)``: only these six decoders are ever tried, so exotic
  plugins (EPS through Ghostscript, ICO, PSD, …) never see user bytes.
* The pixel count is checked right after ``Image.open``, which reads only the header, so a file
  claiming 30000×30000 pixels is refused before any pixel memory is allocated.
* Pillow's own global ``Image.MAX_IMAGE_PIXELS`` (≈ 89 MP, error above twice that) is left
  untouched. While this module decodes, ``DecompressionBombWarning`` is turned into an error (with
  ``warnings.catch_warnings``) so that Pillow's checks during decoding (GIF frames, TIFF tiles)
  refuse a bomb instead of warning about it, and Pillow's ``UserWarning`` remarks about damaged
  metadata are silenced (the file either decodes or raises). Warning filters are process-wide in
  Python 3.11, so decoding is serialised by a module lock; for that short time another thread's
  ``DecompressionBombWarning`` is raised as an error too (the safe side), and its Pillow
  ``UserWarning`` remarks are hushed as well.
* ``ImageFile.LOAD_TRUNCATED_IMAGES`` is never set: truncated files are refused.

Example:
    >>> import io
    >>> from PIL import Image
    >>> buffer = io.BytesIO()
    >>> Image.new("RGB", (4, 2), (255, 0, 0)).save(buffer, "PNG")
    >>> image = load_image(buffer.getvalue())
    >>> image.shape, image.dtype, float(image[0, 0, 0])
    ((2, 4, 3), dtype('float32'), 1.0)
"""

from __future__ import annotations

import contextlib
import io
import os
import re
import threading
import warnings
from collections.abc import Iterator
from pathlib import Path
from typing import Any, Literal

import numpy as np
from PIL import Image, ImageOps

from .._validation import check_choice, check_int
from ..limits import MAX_IMAGE_PIXELS, MAX_UPLOAD_BYTES
from .convert import apply_mode, bit_depth, to_float
from .options import Background, parse_background
from .report import ImageInfo, LoadedImage, Note
from .resize import resize

__all__ = [
    "ALLOWED_EXTENSIONS",
    "ALLOWED_FORMATS",
    "LOAD_DTYPES",
    "LOAD_MODES",
    "LoadDtype",
    "LoadMode",
    "load_image",
    "load_image_with_info",
]

#: Pillow format names that :func:`load_image` decodes; nothing else is ever tried.
ALLOWED_FORMATS: tuple[str, ...] = ("PNG", "JPEG", "WEBP", "BMP", "TIFF", "GIF")
#: File name extensions for an upload widget (e.g. ``st.file_uploader(type=...)``).
ALLOWED_EXTENSIONS: tuple[str, ...] = ("png", "jpg", "jpeg", "webp", "bmp", "tif", "tiff", "gif")
#: ``mode`` of :func:`load_image`: keep grey as ``H×W`` and colour as ``H×W×3``, or force one.
LOAD_MODES: tuple[str, ...] = ("keep", "grey", "rgb")

LoadMode = Literal["keep", "grey", "rgb"]
#: ``dtype`` of :func:`load_image`: always float32 in [0, 1], or 8-bit files as their uint8.
LOAD_DTYPES: tuple[str, ...] = ("float32", "native")
LoadDtype = Literal["float32", "native"]

_FORMAT_LIST = "PNG, JPEG, WebP, BMP, TIFF, GIF"
_MB = 1024 * 1024
_EXTREME_ASPECT = 100  # a note is added when one side is this many times the other
#: Pillow's two decompression-bomb signals; both are refused as a bomb.
_BOMB = (Image.DecompressionBombError, Image.DecompressionBombWarning)
# Signatures of common files that are not allowed images, to say what an upload looks like.
_SIGNATURES: tuple[tuple[bytes, str], ...] = (
    (b"%PDF", "a PDF document"),
    (b"%!PS", "a PostScript/EPS file"),
    (b"PK\x03\x04", "a ZIP archive (or an Office document)"),
    (b"8BPS", "a Photoshop PSD file"),
    (b"\x00\x00\x01\x00", "an ICO icon"),
    (b"\x00\x00\x00\x0cjP  ", "a JPEG 2000 file"),
    (b"\xff\x4f\xff\x51", "a JPEG 2000 codestream"),
    (b"\x1f\x8b", "a gzip archive"),
    (b"\x7fELF", "a program (ELF executable)"),
    (b"MZ", "a program (Windows executable)"),
)
_PILLOW_LOCK = threading.Lock()
_EXIF_UNREADABLE = Note("exif_unreadable", "The EXIF data is unreadable; shown as stored.")


def load_image(
    source: Any, *, max_pixels: int = MAX_IMAGE_PIXELS, max_bytes: int = MAX_UPLOAD_BYTES,
    mode: LoadMode = "keep", background: Background = (255, 255, 255), max_side: int | None = None,
    dtype: LoadDtype = "float32",
) -> np.ndarray:
    """Decode an image file safely into a float32 array in ``[0, 1]``.

    Same as :func:`load_image_with_info` without the report. See :mod:`filters.image_io.convert`
    for how each kind of file is converted, and this module's docstring for the safety choices.

    Args:
        source: ``bytes``/``bytearray``/``memoryview``, a path (``str`` or ``os.PathLike``), a
            binary file-like object (e.g. Streamlit's ``UploadedFile``) or a PIL image.
        max_pixels: refuse images with more pixels (width × height) than this, before decoding.
            Pillow's own ``Image.MAX_IMAGE_PIXELS`` (≈ 89.5 MP unless changed) caps it.
        max_bytes: refuse files larger than this many bytes.
        mode: ``"keep"`` (grey files give ``H×W``, colour files ``H×W×3``), ``"grey"`` (always
            ``H×W``, BT.601 luma) or ``"rgb"`` (always ``H×W×3``).
        background: colour under transparent pixels: an int 0–255 (grey), ``(r, g, b)`` with
            ints 0–255, or ``"#rrggbb"`` (what ``st.color_picker`` returns).
        max_side: if given, downscale (area averaging) so that the longer side is at most this.
        dtype: ``"float32"`` (values in [0, 1]) or ``"native"``: 8-bit files without
            transparency come as their ``uint8`` samples (a quarter of the memory;
            :func:`~filters.image_io.to_unit` gives the float32 array), everything else as
            float32 in [0, 1].

    Returns:
        float32 array ``H×W`` or ``H×W×3`` with values in ``[0, 1]`` (or uint8, see ``dtype``).

    Raises:
        TypeError: ``source`` is not one of the kinds above, or an option has the wrong type.
        ValueError: empty, too large, not an allowed image, truncated or corrupt.

    Example:
        >>> import io
        >>> from PIL import Image
        >>> buffer = io.BytesIO()
        >>> Image.new("L", (3, 2), 128).save(buffer, "PNG")
        >>> load_image(buffer.getvalue()).shape
        (2, 3)
    """
    return load_image_with_info(
        source, max_pixels=max_pixels, max_bytes=max_bytes, mode=mode, background=background,
        max_side=max_side, dtype=dtype,
    ).array


def load_image_with_info(
    source: Any, *, max_pixels: int = MAX_IMAGE_PIXELS, max_bytes: int = MAX_UPLOAD_BYTES,
    mode: LoadMode = "keep", background: Background = (255, 255, 255), max_side: int | None = None,
    dtype: LoadDtype = "float32",
) -> LoadedImage:
    """Decode an image file safely and report what was done to it.

    Args:
        source: as for :func:`load_image`.
        max_pixels: as for :func:`load_image`.
        max_bytes: as for :func:`load_image`.
        mode: as for :func:`load_image`.
        background: as for :func:`load_image`.
        max_side: as for :func:`load_image`.
        dtype: as for :func:`load_image`.

    Returns:
        :class:`LoadedImage` ``(array, info)``: ``array`` is float32 ``H×W`` or ``H×W×3`` in
        ``[0, 1]``; ``info`` is an :class:`ImageInfo` (format, mode, size, bit depth, frames,
        EXIF rotation, alpha, scaling and human-readable notes).

    Raises:
        TypeError: ``source`` is not bytes, a path, a binary file or a PIL image.
        ValueError: empty, too large, not an allowed image, truncated or corrupt.

    Example:
        >>> import io
        >>> from PIL import Image
        >>> buffer = io.BytesIO()
        >>> Image.new("RGBA", (2, 2), (255, 0, 0, 0)).save(buffer, "PNG")
        >>> array, info = load_image_with_info(buffer.getvalue(), background=(0, 0, 255))
        >>> array[0, 0].tolist(), info.codes
        ([0.0, 0.0, 1.0], ('alpha_composited',))
    """
    max_pixels = check_int(max_pixels, "max_pixels", minimum=1)
    max_bytes = check_int(max_bytes, "max_bytes", minimum=1)
    mode = check_choice(mode, LOAD_MODES, "mode")  # type: ignore[assignment]
    keep_8bit = check_choice(dtype, LOAD_DTYPES, "dtype") == "native"
    bg = parse_background(background)
    if max_side is not None:
        max_side = check_int(max_side, "max_side", minimum=1)

    payload, num_bytes = _read_source(source, max_bytes)
    with _decoding_guard():
        if isinstance(payload, Image.Image):
            _check_pixels(payload.size, max_pixels)
            return _convert(payload, num_bytes, mode, bg, max_pixels, max_side, owned=False,
                            keep_8bit=keep_8bit)
        with _open(payload, max_pixels) as image:
            return _convert(image, num_bytes, mode, bg, max_pixels, max_side, owned=True,
                            keep_8bit=keep_8bit)


# --------------------------------------------------------------------------------------------
# Reading and opening


def _read_source(source: Any, max_bytes: int) -> tuple[bytes | Image.Image, int | None]:
    """Return the file's bytes (at most ``max_bytes``) or the PIL image itself."""
    if isinstance(source, Image.Image):
        return source, None
    if isinstance(source, (bytes, bytearray, memoryview)):
        data = bytes(source)
    elif isinstance(source, (str, os.PathLike)):
        data = _read_path(Path(source), max_bytes)
    elif hasattr(source, "read"):
        data = _read_file(source, max_bytes)
    elif isinstance(source, np.ndarray):
        raise TypeError(
            "load_image decodes image files; this is already a numpy array "
            f"(shape {source.shape}). Use it directly."
        )
    else:
        raise TypeError(
            "source must be bytes, a path (str or pathlib.Path), a binary file object or a PIL "
            f"image; got {type(source).__name__}."
        )
    _check_bytes(len(data), max_bytes)
    return data, len(data)


def _read_path(path: Path, max_bytes: int) -> bytes:
    try:
        if not path.is_file():
            what = "a folder" if path.is_dir() else "missing"
            raise ValueError(f"Cannot read {str(path)!r}: it is {what}; give an image file.")
        _check_bytes(path.stat().st_size, max_bytes)
        return path.read_bytes()
    except OSError as exc:
        raise ValueError(f"Cannot read {str(path)!r}: {exc.strerror or exc}.") from exc


def _read_file(stream: Any, max_bytes: int) -> bytes:
    with contextlib.suppress(AttributeError, OSError, ValueError):
        stream.seek(0)
    try:
        data = stream.read(max_bytes + 1)
    except (OSError, ValueError) as exc:
        raise ValueError(f"Cannot read the uploaded file: {exc}.") from exc
    if isinstance(data, str):
        raise TypeError("The file was opened in text mode; open it in binary mode ('rb').")
    if not isinstance(data, (bytes, bytearray, memoryview)):
        raise TypeError(f"read() of the file object returned {type(data).__name__}, not bytes.")
    return bytes(data)


def _check_bytes(num_bytes: int, max_bytes: int) -> None:
    if num_bytes == 0:
        raise ValueError(f"The file is empty (0 bytes). Upload an image file: {_FORMAT_LIST}.")
    if num_bytes > max_bytes:
        raise ValueError(
            f"The file is larger than the limit of {max_bytes / _MB:.3g} MB "
            f"({max_bytes} bytes). Make it smaller (for example, save it as JPEG)."
        )


def _check_pixels(size: tuple[int, int], max_pixels: int) -> None:
    width, height = size
    if width <= 0 or height <= 0:
        raise ValueError(f"The image has no pixels (size {width}×{height}).")
    if width * height > max_pixels:
        raise ValueError(
            f"The image is {width}×{height} = {width * height / 1e6:.1f} megapixels; the limit is "
            f"{max_pixels / 1e6:g} megapixels. It was refused before decoding (a file this "
            "large can be a decompression bomb). Downscale it and try again."
        )


@contextlib.contextmanager
def _decoding_guard() -> Iterator[None]:
    """Serialise decoding, turn DecompressionBombWarning into an error, hush decoder chatter."""
    with _PILLOW_LOCK, warnings.catch_warnings():
        # Pillow's remarks on damaged metadata ("Corrupt EXIF data", "Tag data larger than
        # file") are not the user's business: the image either decodes or raises ValueError.
        warnings.filterwarnings("ignore", category=UserWarning, module=r"PIL\.")
        warnings.simplefilter("error", Image.DecompressionBombWarning)
        yield


def _open(data: bytes, max_pixels: int) -> Image.Image:
    """``Image.open`` restricted to the allowed formats, with the pixel count checked."""
    webp_size = _webp_canvas_size(data)
    if webp_size is not None:
        _check_pixels(webp_size, max_pixels)
    try:
        image = Image.open(io.BytesIO(data), formats=list(ALLOWED_FORMATS))
    except _BOMB as exc:
        raise ValueError(_bomb_message(exc, max_pixels)) from exc
    except Image.UnidentifiedImageError as exc:
        raise ValueError(_unidentified_message(data)) from exc
    except Exception as exc:  # any failure of a decoder on hostile bytes is a bad file
        raise ValueError(
            f"The file starts like an image but its header is corrupt ({_short(exc)}). "
            f"Allowed: {_FORMAT_LIST}."
        ) from exc
    try:
        _check_pixels(image.size, max_pixels)
    except ValueError:
        image.close()
        raise
    return image


def _webp_canvas_size(data: bytes) -> tuple[int, int] | None:
    """(width, height) from a WebP header, or None if ``data`` is not WebP.

    Pillow's WebP plugin creates libwebp's decoder (which sizes its canvas) inside
    ``Image.open``, so for WebP the size is read from the first 30 bytes and checked first.
    The layout follows the WebP container specification (and Pillow's ``_get_size``).
    """
    if len(data) < 30 or not data.startswith(b"RIFF") or data[8:12] != b"WEBP":
        return None
    chunk = data[12:16]
    if chunk == b"VP8 " and data[23:26] == b"\x9d\x01\x2a":  # lossy: 14-bit sizes
        width = int.from_bytes(data[26:28], "little") & 0x3FFF
        return width, int.from_bytes(data[28:30], "little") & 0x3FFF
    if chunk == b"VP8X":  # extended (alpha, animation): 24-bit sizes minus one
        width = int.from_bytes(data[24:27], "little") + 1
        return width, int.from_bytes(data[27:30], "little") + 1
    if chunk == b"VP8L" and data[20] == 0x2F:  # lossless: two 14-bit sizes minus one
        bits = int.from_bytes(data[21:25], "little")
        return (bits & 0x3FFF) + 1, ((bits >> 14) & 0x3FFF) + 1
    return None


def _bomb_message(exc: BaseException, max_pixels: int) -> str:
    """The message for Pillow's own decompression-bomb check (it fires inside Image.open)."""
    found = re.search(r"\((\d+) pixels\)", str(exc))
    claimed = f"claims {int(found.group(1)) / 1e6:.1f} megapixels" if found else "is too large"
    limit = min(max_pixels, Image.MAX_IMAGE_PIXELS or max_pixels)
    return (
        f"The image {claimed}; the limit is {limit / 1e6:g} megapixels. It was refused "
        "before decoding (a file this large can be a decompression bomb). Downscale it and "
        "try again."
    )


def _unidentified_message(data: bytes) -> str:
    head = data[:512]
    looks = _looks_like(head)
    return (
        f"This is not an image Pillow can decode (it looks like {looks}). Allowed: {_FORMAT_LIST}."
    )


def _looks_like(head: bytes) -> str:
    for signature, name in _SIGNATURES:
        if head.startswith(signature):
            return name
    if head[4:12] in (b"ftypheic", b"ftypheix", b"ftypmif1", b"ftyphevc"):
        return "a HEIC/HEIF photo; export it as JPEG"
    if head[4:12] in (b"ftypavif", b"ftypavis"):
        return "an AVIF image; export it as PNG or JPEG"
    lower = head.lstrip(b"\xef\xbb\xbf \t\r\n").lower()
    if b"<svg" in lower or (lower.startswith(b"<?xml") and b"svg" in lower):
        return "an SVG drawing; export it as PNG"
    if lower.startswith((b"<!doctype html", b"<html")) or b"<html" in lower[:200]:
        return "an HTML page"
    if lower.startswith(b"<?xml"):
        return "an XML file"
    try:
        head.decode("utf-8")
    except UnicodeDecodeError:
        return "unknown binary data"
    return "text"


def _short(exc: BaseException) -> str:
    text = str(exc).strip() or type(exc).__name__
    text = text if len(text) <= 200 else text[:197] + "..."
    return text if text.endswith(".") else text + "."


# --------------------------------------------------------------------------------------------
# The first frame: decode, turn upright, convert, downscale


def _convert(
    image: Image.Image,
    num_bytes: int | None,
    mode: str,
    background: tuple[int, int, int],
    max_pixels: int,
    max_side: int | None,
    *,
    owned: bool,
    keep_8bit: bool = False,
) -> LoadedImage:
    """Decode the first frame of an opened image and turn it into a float32 (or uint8) array."""
    fmt = image.format
    try:
        frames = _frame_count(image)
        bits = bit_depth(image)
        file_mode = image.mode
        width, height = image.size
        target = _target_size(image.size, max_side)
        if target is not None and owned and fmt in ("JPEG", "MPO"):
            image.draft(None, target)  # let libjpeg decode at 1/2, 1/4 or 1/8 scale
        image.load()
    except _BOMB as exc:
        raise ValueError(_bomb_message(exc, max_pixels)) from exc
    except Exception as exc:  # truncated or corrupt data: any decoder error
        raise ValueError(_corrupt_message(fmt, exc)) from exc

    notes: list[Note] = []
    if frames > 1:
        notes.append(_first_frame_note(fmt, frames))

    orientation, image, rotation_notes = _exif_upright(image)
    notes.extend(rotation_notes)

    try:
        array, facts, value_notes = to_float(image, background, bits, keep_8bit=keep_8bit)
    except Exception as exc:  # a mode or profile Pillow cannot convert
        raise ValueError(
            f"The {fmt or 'image'} file (mode {image.mode}) could not be converted to RGB or "
            f"grey ({_short(exc)}) Allowed: {_FORMAT_LIST} in grey, RGB, RGBA, palette or CMYK."
        ) from exc
    notes.extend(value_notes)

    array = apply_mode(array, mode, notes)
    scale = 1.0
    if target is not None:
        array, scale = _downscale(array, target, (width, height), notes)
    if max(width, height) >= _EXTREME_ASPECT * min(width, height):
        notes.append(
            Note(
                "extreme_aspect",
                f"Very elongated image ({width}×{height}).",
                {"width": width, "height": height},
            )
        )
    info = ImageInfo(
        format=fmt,
        mode=file_mode,
        width=width,
        height=height,
        bit_depth=bits,
        frames=frames,
        animated=frames > 1,
        exif_orientation=orientation,
        exif_rotated=any(note.code == "exif_rotated" for note in notes),
        has_alpha=facts["has_alpha"],
        alpha_composited=facts["composited"],
        background=background,
        value_scale=facts["value_scale"],
        value_range=facts["value_range"],
        downscaled=scale < 1.0,
        scale=scale,
        num_bytes=num_bytes,
        shape=tuple(array.shape),
        notes=tuple(notes),
    )
    return LoadedImage(array, info)


def _first_frame_note(fmt: str | None, frames: int) -> Note:
    if fmt == "TIFF":
        what = f"Multi-page TIFF with {frames} pages"
    elif fmt == "MPO":
        what = f"Multi-picture JPEG (MPO) with {frames} pictures"
    else:
        what = f"Animated {fmt or 'image'} with {frames} frames"
    return Note(
        "first_frame", f"{what}: only the first is used.", {"frames": frames, "format": fmt}
    )


def _corrupt_message(fmt: str | None, exc: BaseException) -> str:
    name = fmt or "image"
    return (
        f"The {name} file is truncated or corrupt and cannot be decoded ({_short(exc)}) "
        "Re-export or re-download it."
    )


def _frame_count(image: Image.Image) -> int:
    """Number of frames (counting them may parse the whole file); leaves frame 0 selected."""
    try:
        frames = int(getattr(image, "n_frames", 1) or 1)
    except _BOMB:
        raise
    except Exception:  # a damaged later frame: the first one may still be fine
        frames = 1
    if frames > 1 or getattr(image, "tell", lambda: 0)() != 0:
        image.seek(0)
    return max(frames, 1)



def _target_size(size: tuple[int, int], max_side: int | None) -> tuple[int, int] | None:
    """(width, height) to downscale to so the longer side is ``max_side``; None if it fits."""
    width, height = size
    if max_side is None or max(width, height) <= max_side:
        return None
    scale = max_side / max(width, height)
    return max(1, round(width * scale)), max(1, round(height * scale))


def _exif_upright(image: Image.Image) -> tuple[int, Image.Image, list[Note]]:
    """Apply the EXIF orientation; return (orientation tag, upright image, notes)."""
    try:
        orientation = int(image.getexif().get(0x0112, 1) or 1)
    except Exception:  # unreadable EXIF: show the image as stored
        return 1, image, [_EXIF_UNREADABLE]
    if orientation not in range(2, 9):
        return orientation, image, []
    try:
        upright = ImageOps.exif_transpose(image)
    except Exception:
        return orientation, image, [_EXIF_UNREADABLE]
    if upright is None:  # pragma: no cover - only with in_place=True
        upright = image
    note = Note(
        "exif_rotated",
        f"Turned upright using the EXIF orientation ({orientation}).",
        {"orientation": orientation},
    )
    return orientation, upright, [note]


def _downscale(
    array: np.ndarray,
    target: tuple[int, int],
    original: tuple[int, int],
    notes: list[Note],
) -> tuple[np.ndarray, float]:
    """Resize to ``target`` (width, height of the file; swapped if EXIF turned it)."""
    width, height = target
    if (array.shape[0] > array.shape[1]) != (original[1] > original[0]):
        width, height = height, width
    if array.shape[:2] != (height, width):
        array = resize(array, (height, width))
    scale = max(width, height) / max(original)
    notes.append(
        Note(
            "downscaled",
            f"Downscaled from {original[0]}×{original[1]} to {target[0]}×{target[1]}.",
            {"from": original, "to": target, "scale": scale},
        )
    )
    return array, scale

