"""Safe decoding of image files into float arrays, and the way back to bytes for display.

Anything a user uploads goes through :func:`load_image` (or :func:`load_image_with_info`, which
also says what was done to the file). It accepts PNG, JPEG, WebP, BMP, TIFF and GIF only, refuses
oversized files and decompression bombs *before* decoding, and turns every decoder failure into a
``ValueError`` whose message says what was wrong and what is allowed.

What comes out is always float32 in ``[0, 1]``: ``H×W`` (grey) or ``H×W×3`` (colour). With
``mode="keep"``, 1-bit, grey (8/16-bit), integer and float files give ``H×W``; colour, palette,
CMYK and L*a*b* files give ``H×W×3`` (grey+alpha composited on a coloured background too).

* 8-bit data is divided by 255, 16-bit data by 65535 (never clipped to 255), 1-bit data is 0 or 1.
* Float images (TIFF mode ``F``) are kept as they are if every value is in ``[0, 1]``; otherwise
  they are stretched with min–max to ``[0, 1]`` and a note says so. NaN and ±inf become 0.
* 32-bit integer images (mode ``I``) are stretched with min–max (their range has no standard).
* Transparency (RGBA, grey+alpha, palette or colour-key transparency) is composited on
  ``background``: ``out = alpha·colour + (1 − alpha)·background``.
* CMYK is converted to RGB with the embedded ICC profile when there is one, else with
  ``R = (1 − C)(1 − K)`` (and likewise for G, B), which is what Pillow does.
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
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Literal, NamedTuple

import numpy as np
from PIL import Image, ImageOps

from ._validation import as_image, check_choice
from .limits import MAX_IMAGE_PIXELS, MAX_UPLOAD_BYTES

__all__ = [
    "ALLOWED_EXTENSIONS",
    "ALLOWED_FORMATS",
    "GREY_WEIGHTS",
    "LOAD_MODES",
    "NORMALIZE_MODES",
    "ImageInfo",
    "LoadedImage",
    "Note",
    "encode_png",
    "fit_for_screen",
    "load_image",
    "load_image_with_info",
    "save_image",
    "to_display",
    "to_grey",
]

#: Pillow format names that :func:`load_image` decodes; nothing else is ever tried.
ALLOWED_FORMATS: tuple[str, ...] = ("PNG", "JPEG", "WEBP", "BMP", "TIFF", "GIF")
#: File name extensions for an upload widget (e.g. ``st.file_uploader(type=...)``).
ALLOWED_EXTENSIONS: tuple[str, ...] = ("png", "jpg", "jpeg", "webp", "bmp", "tif", "tiff", "gif")
#: ``mode`` of :func:`load_image`: keep grey as ``H×W`` and colour as ``H×W×3``, or force one.
LOAD_MODES: tuple[str, ...] = ("keep", "grey", "rgb")
#: ``normalize`` of :func:`to_display`.
NORMALIZE_MODES: tuple[str, ...] = ("clip", "abs", "minmax")
#: ITU-R BT.601 luma weights (R, G, B), the same as Pillow's ``convert("L")`` and OpenCV's.
GREY_WEIGHTS: tuple[float, float, float] = (0.299, 0.587, 0.114)

LoadMode = Literal["keep", "grey", "rgb"]
Normalize = Literal["clip", "abs", "minmax"]
Background = int | str | Sequence[int]

_FORMAT_LIST = "PNG, JPEG, WebP, BMP, TIFF, GIF"
_MB = 1024 * 1024
_EXTREME_ASPECT = 100  # a note is added when one side is this many times the other
_SAVE_FORMATS = {
    ".png": "PNG",
    ".jpg": "JPEG",
    ".jpeg": "JPEG",
    ".webp": "WEBP",
    ".bmp": "BMP",
    ".tif": "TIFF",
    ".tiff": "TIFF",
}
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


@dataclass(frozen=True)
class Note:
    """One thing :func:`load_image` did to the file, for the user to read.

    Attributes:
        code: machine-readable key (stable; a UI translates it), e.g. ``"first_frame"``.
        message: a short English sentence.
        values: the numbers in the sentence, by name (e.g. ``{"frames": 12}``).

    Codes: ``first_frame``, ``exif_rotated``, ``exif_unreadable``, ``alpha_composited``,
    ``sixteen_bit``, ``reduced_to_8_bit``, ``float_rescaled``, ``int_rescaled``, ``non_finite``,
    ``cmyk_converted``, ``lab_converted``, ``converted_to_grey``, ``downscaled``,
    ``extreme_aspect``.
    """

    code: str
    message: str
    values: Mapping[str, Any] = field(default_factory=dict)


@dataclass(frozen=True)
class ImageInfo:
    """What the file was and what :func:`load_image_with_info` did to it.

    Attributes:
        format: Pillow's format name (``"PNG"``, ``"JPEG"``, ``"MPO"`` for multi-picture JPEG,
            …) or ``None`` for a PIL image made in memory.
        mode: Pillow mode of the decoded first frame (``"RGB"``, ``"I;16"``, ``"P"``, …).
        width: width of the file in pixels (before EXIF rotation or downscaling).
        height: height of the file in pixels.
        bit_depth: bits per sample in the file (1, 8, 16 or 32).
        frames: number of frames (animations, multi-page TIFF); 1 for a still image.
        animated: ``frames > 1``; only the first frame was used.
        exif_orientation: EXIF orientation tag (1 = upright or no tag).
        exif_rotated: the image was rotated/flipped upright.
        has_alpha: the file has an alpha channel or a transparent colour.
        alpha_composited: some pixel was not opaque and was composited on ``background``.
        background: the RGB background (0–255) used for transparency.
        value_scale: how values became ``[0, 1]``: ``"255"``, ``"65535"``, ``"binary"``,
            ``"kept"`` (float already in range) or ``"minmax"``.
        value_range: the (min, max) of the raw values when ``value_scale`` is ``"minmax"``.
        downscaled: the array is smaller than the file (``max_side``).
        scale: output size / file size (1.0 when not downscaled).
        num_bytes: size of the file in bytes (``None`` for a PIL image).
        shape: shape of the returned array.
        notes: what was done, as :class:`Note` objects, in order.

    Example:
        >>> info = ImageInfo(format="PNG", mode="RGB", width=4, height=2, bit_depth=8)
        >>> info.summary
        'PNG 4×2 RGB 8-bit'
    """

    format: str | None
    mode: str
    width: int
    height: int
    bit_depth: int
    frames: int = 1
    animated: bool = False
    exif_orientation: int = 1
    exif_rotated: bool = False
    has_alpha: bool = False
    alpha_composited: bool = False
    background: tuple[int, int, int] = (255, 255, 255)
    value_scale: str = "255"
    value_range: tuple[float, float] | None = None
    downscaled: bool = False
    scale: float = 1.0
    num_bytes: int | None = None
    shape: tuple[int, ...] = ()
    notes: tuple[Note, ...] = ()

    @property
    def messages(self) -> tuple[str, ...]:
        """The notes as English sentences."""
        return tuple(note.message for note in self.notes)

    @property
    def codes(self) -> tuple[str, ...]:
        """The notes' machine-readable codes."""
        return tuple(note.code for note in self.notes)

    @property
    def summary(self) -> str:
        """One line such as ``'PNG 640×427 RGB 8-bit'``."""
        frames = f", {self.frames} frames" if self.frames > 1 else ""
        name = self.format or "image"
        return f"{name} {self.width}×{self.height} {self.mode} {self.bit_depth}-bit{frames}"


class LoadedImage(NamedTuple):
    """The result of :func:`load_image_with_info`: ``array, info = load_image_with_info(...)``."""

    array: np.ndarray
    info: ImageInfo


def load_image(
    source: Any,
    *,
    max_pixels: int = MAX_IMAGE_PIXELS,
    max_bytes: int = MAX_UPLOAD_BYTES,
    mode: LoadMode = "keep",
    background: Background = (255, 255, 255),
    max_side: int | None = None,
) -> np.ndarray:
    """Decode an image file safely into a float32 array in ``[0, 1]``.

    Same as :func:`load_image_with_info` without the report. See the module docstring for how
    each kind of file is converted.

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

    Returns:
        float32 array ``H×W`` or ``H×W×3`` with values in ``[0, 1]``.

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
        source,
        max_pixels=max_pixels,
        max_bytes=max_bytes,
        mode=mode,
        background=background,
        max_side=max_side,
    ).array


def load_image_with_info(
    source: Any,
    *,
    max_pixels: int = MAX_IMAGE_PIXELS,
    max_bytes: int = MAX_UPLOAD_BYTES,
    mode: LoadMode = "keep",
    background: Background = (255, 255, 255),
    max_side: int | None = None,
) -> LoadedImage:
    """Decode an image file safely and report what was done to it.

    Args:
        source: as for :func:`load_image`.
        max_pixels: as for :func:`load_image`.
        max_bytes: as for :func:`load_image`.
        mode: as for :func:`load_image`.
        background: as for :func:`load_image`.
        max_side: as for :func:`load_image`.

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
    max_pixels = _positive_int(max_pixels, "max_pixels")
    max_bytes = _positive_int(max_bytes, "max_bytes")
    mode = check_choice(mode, LOAD_MODES, "mode")  # type: ignore[assignment]
    bg = _parse_background(background)
    if max_side is not None:
        max_side = _positive_int(max_side, "max_side")

    payload, num_bytes = _read_source(source, max_bytes)
    with _decoding_guard():
        if isinstance(payload, Image.Image):
            _check_pixels(payload.size, max_pixels)
            return _convert(payload, num_bytes, mode, bg, max_pixels, max_side, owned=False)
        with _open(payload, max_pixels) as image:
            return _convert(image, num_bytes, mode, bg, max_pixels, max_side, owned=True)


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
    except (Image.DecompressionBombError, Image.DecompressionBombWarning) as exc:
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
# Conversion to float


def _convert(
    image: Image.Image,
    num_bytes: int | None,
    mode: str,
    background: tuple[int, int, int],
    max_pixels: int,
    max_side: int | None,
    *,
    owned: bool,
) -> LoadedImage:
    """Decode the first frame of an opened image and turn it into a float32 array."""
    fmt = image.format
    try:
        frames = _frame_count(image)
        bit_depth = _bit_depth(image)
        file_mode = image.mode
        width, height = image.size
        target = _target_size(image.size, max_side)
        if target is not None and owned and fmt in ("JPEG", "MPO"):
            image.draft(None, target)  # let libjpeg decode at 1/2, 1/4 or 1/8 scale
        image.load()
    except (Image.DecompressionBombError, Image.DecompressionBombWarning) as exc:
        raise ValueError(_bomb_message(exc, max_pixels)) from exc
    except Exception as exc:  # truncated or corrupt data: any decoder error
        raise ValueError(_corrupt_message(fmt, exc)) from exc

    notes: list[Note] = []
    if frames > 1:
        notes.append(_first_frame_note(fmt, frames))

    orientation, image, rotation_notes = _exif_upright(image)
    notes.extend(rotation_notes)

    try:
        array, facts, value_notes = _to_float(image, background, bit_depth)
    except Exception as exc:  # a mode or profile Pillow cannot convert
        raise ValueError(
            f"The {fmt or 'image'} file (mode {image.mode}) could not be converted to RGB or "
            f"grey ({_short(exc)}) Allowed: {_FORMAT_LIST} in grey, RGB, RGBA, palette or CMYK."
        ) from exc
    notes.extend(value_notes)

    array = _apply_mode(array, mode, notes)
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
        bit_depth=bit_depth,
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
    except (Image.DecompressionBombError, Image.DecompressionBombWarning):
        raise
    except Exception:  # a damaged later frame: the first one may still be fine
        frames = 1
    if frames > 1 or getattr(image, "tell", lambda: 0)() != 0:
        image.seek(0)
    return max(frames, 1)


def _bit_depth(image: Image.Image) -> int:
    """Bits per sample stored in the file, from the mode and the decoder's raw mode."""
    if image.mode == "1":
        return 1
    if image.mode.startswith("I;16"):
        return 16
    if image.mode in ("I", "F"):
        return 32
    tile = getattr(image, "tile", None) or []
    for entry in tile:
        args = entry[3] if len(entry) > 3 else None
        rawmode = args[0] if isinstance(args, tuple) and args else args
        # "RGB;16B" etc. are 16 bits per sample; BMP's "BGR;15"/"BGR;16" are 16 bits per pixel.
        if isinstance(rawmode, str) and "16" in rawmode and not rawmode.startswith("BGR"):
            return 16
    return 8


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
        return (
            1,
            image,
            [Note("exif_unreadable", "The EXIF data is unreadable; shown as stored.", {})],
        )
    if orientation not in range(2, 9):
        return orientation, image, []
    try:
        upright = ImageOps.exif_transpose(image)
    except Exception:
        return (
            orientation,
            image,
            [Note("exif_unreadable", "The EXIF data is unreadable; shown as stored.", {})],
        )
    if upright is None:  # pragma: no cover - only with in_place=True
        upright = image
    note = Note(
        "exif_rotated",
        f"Turned upright using the EXIF orientation ({orientation}).",
        {"orientation": orientation},
    )
    return orientation, upright, [note]


def _to_float(
    image: Image.Image, background: tuple[int, int, int], bit_depth: int
) -> tuple[np.ndarray, dict[str, Any], list[Note]]:
    """Turn a decoded PIL image into float32 in [0, 1] (grey H×W or RGB H×W×3)."""
    notes: list[Note] = []
    facts: dict[str, Any] = {
        "has_alpha": False,
        "composited": False,
        "value_scale": "255",
        "value_range": None,
    }
    mode = image.mode

    if mode == "1":
        facts["value_scale"] = "binary"
        return np.asarray(image, dtype=np.float32), facts, notes

    if mode.startswith("I;16"):
        facts["value_scale"] = "65535"
        values = np.asarray(image).astype(np.float32) / np.float32(65535)
        notes.append(Note("sixteen_bit", "16-bit image: values divided by 65535.", {"bits": 16}))
        return values, facts, notes

    if mode in ("I", "F"):
        raw = np.asarray(image, dtype=np.float64)
        return _rescale(raw, mode, facts, notes), facts, notes

    if bit_depth == 16:
        notes.append(
            Note(
                "reduced_to_8_bit",
                "16-bit colour was reduced to 8 bits per channel by the decoder.",
                {"bits": 16},
            )
        )

    if mode == "CMYK":
        return _cmyk_to_rgb(image, notes), facts, notes
    if mode == "LAB":
        return _lab_to_rgb(image, notes), facts, notes

    alpha_source = _alpha_mode(image)
    if alpha_source is None:
        target = "L" if mode == "L" else "RGB"
        converted = image if image.mode == target else image.convert(target)
        return np.asarray(converted).astype(np.float32) / np.float32(255), facts, notes

    facts["has_alpha"] = True
    converted = image if image.mode == alpha_source else image.convert(alpha_source)
    values = np.asarray(converted).astype(np.float32) / np.float32(255)
    colour, alpha = values[..., :-1], values[..., -1:]
    if colour.shape[-1] == 1:
        colour = colour[..., 0]
    if bool((alpha < 1).any()):
        facts["composited"] = True
        notes.append(
            Note(
                "alpha_composited",
                f"Transparent areas were composited on the background {background}.",
                {"background": background},
            )
        )
        return _composite(colour, alpha[..., 0], background), facts, notes
    return colour, facts, notes


def _alpha_mode(image: Image.Image) -> str | None:
    """``"LA"`` or ``"RGBA"`` if the image has transparency, else None."""
    mode = image.mode
    if mode in ("LA", "La"):
        return "LA" if mode == "LA" else "RGBA"
    if mode in ("RGBA", "RGBa", "PA"):
        return "RGBA"
    if "transparency" in image.info and mode in ("P", "L", "RGB"):
        return "LA" if mode == "L" and isinstance(image.info["transparency"], int) else "RGBA"
    return None


def _composite(
    colour: np.ndarray, alpha: np.ndarray, background: tuple[int, int, int]
) -> np.ndarray:
    """``alpha·colour + (1 − alpha)·background``; grey stays grey only on a grey background."""
    bg = np.asarray(background, dtype=np.float32) / np.float32(255)
    if colour.ndim == 2:
        if bg[0] == bg[1] == bg[2]:
            return (alpha * colour + (1 - alpha) * bg[0]).astype(np.float32)
        colour = np.repeat(colour[..., None], 3, axis=-1)
    out = alpha[..., None] * colour + (1 - alpha[..., None]) * bg
    return out.astype(np.float32)


def _rescale(raw: np.ndarray, mode: str, facts: dict[str, Any], notes: list[Note]) -> np.ndarray:
    """Float images in [0, 1] are kept; anything else (and mode I) is stretched min–max."""
    finite = np.isfinite(raw)
    bad = int(raw.size - np.count_nonzero(finite))
    if bad:
        notes.append(
            Note(
                "non_finite",
                f"{bad} NaN or infinite values were set to 0.",
                {"count": bad},
            )
        )
    if not finite.any():
        facts["value_scale"] = "minmax"
        facts["value_range"] = (0.0, 0.0)
        return np.zeros(raw.shape, dtype=np.float32)
    low, high = float(raw[finite].min()), float(raw[finite].max())
    if mode == "F" and low >= 0.0 and high <= 1.0:
        facts["value_scale"] = "kept"
        return np.where(finite, raw, 0.0).astype(np.float32)
    facts["value_scale"] = "minmax"
    facts["value_range"] = (low, high)
    span = high - low
    stretched = (raw - low) / span if span > 0 else np.zeros_like(raw)
    stretched = np.where(finite, stretched, 0.0)
    code = "float_rescaled" if mode == "F" else "int_rescaled"
    kind = "Float" if mode == "F" else "32-bit integer"
    notes.append(
        Note(
            code,
            f"{kind} values from {low:g} to {high:g} were stretched to 0–1.",
            {"min": low, "max": high},
        )
    )
    return stretched.astype(np.float32)


def _cmyk_to_rgb(image: Image.Image, notes: list[Note]) -> np.ndarray:
    """CMYK → RGB, through the embedded ICC profile when it works, else Pillow's formula."""
    profile = image.info.get("icc_profile")
    if profile:
        try:
            from PIL import ImageCms

            source = ImageCms.ImageCmsProfile(io.BytesIO(profile))
            converted = ImageCms.profileToProfile(
                image, source, ImageCms.createProfile("sRGB"), outputMode="RGB"
            )
        except Exception:  # a broken profile: fall back to the formula below
            converted = None
        if converted is not None:
            notes.append(
                Note(
                    "cmyk_converted",
                    "CMYK converted to RGB with the embedded colour profile.",
                    {"method": "icc"},
                )
            )
            return np.asarray(converted).astype(np.float32) / np.float32(255)
    notes.append(
        Note(
            "cmyk_converted",
            "CMYK converted to RGB as (1 − C)(1 − K) etc. (no colour profile).",
            {"method": "formula"},
        )
    )
    return np.asarray(image.convert("RGB")).astype(np.float32) / np.float32(255)


def _lab_to_rgb(image: Image.Image, notes: list[Note]) -> np.ndarray:
    """CIE L*a*b* (Pillow's 8-bit encoding) → sRGB with LittleCMS."""
    from PIL import ImageCms

    transform = ImageCms.buildTransform(
        ImageCms.createProfile("LAB"), ImageCms.createProfile("sRGB"), "LAB", "RGB"
    )
    converted = ImageCms.applyTransform(image, transform)
    if converted is None:  # pragma: no cover - only with inPlace=True
        raise ValueError("The L*a*b* image could not be converted to RGB.")
    notes.append(Note("lab_converted", "CIE L*a*b* converted to sRGB.", {}))
    return np.asarray(converted).astype(np.float32) / np.float32(255)


def _apply_mode(array: np.ndarray, mode: str, notes: list[Note]) -> np.ndarray:
    if mode == "grey" and array.ndim == 3:
        notes.append(
            Note(
                "converted_to_grey",
                "Colour converted to grey (ITU-R BT.601 luma).",
                {"weights": GREY_WEIGHTS},
            )
        )
        return to_grey(array)
    if mode == "rgb" and array.ndim == 2:
        return np.repeat(array[..., None], 3, axis=-1)
    return np.ascontiguousarray(array, dtype=np.float32)


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
        array = _resize(array, (height, width))
    scale = max(width, height) / max(original)
    notes.append(
        Note(
            "downscaled",
            f"Downscaled from {original[0]}×{original[1]} to {target[0]}×{target[1]}.",
            {"from": original, "to": target, "scale": scale},
        )
    )
    return array, scale


def _resize(array: np.ndarray, size: tuple[int, int]) -> np.ndarray:
    """Resize an ``H×W`` or ``H×W×C`` array to ``size = (h, w)``.

    Area averaging when shrinking (``cv2.INTER_AREA``), bilinear when enlarging. Falls back to
    Pillow (box / bilinear filter, per channel in float32) when OpenCV is not installed.
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


# --------------------------------------------------------------------------------------------
# Options


def _check_array(image: Any) -> None:
    """The checks of ``as_image`` without converting (no copy of a large image)."""
    if not isinstance(image, np.ndarray):
        raise TypeError(f"image must be a numpy array H×W or H×W×C; got {type(image).__name__}.")
    if image.dtype.kind not in "biuf":
        raise TypeError(f"image must hold real numbers; got dtype {image.dtype}.")
    if image.ndim not in (2, 3):
        raise ValueError(f"image must be 2-D (H×W) or 3-D (H×W×C); got shape {image.shape}.")
    if image.size == 0:
        raise ValueError(f"image is empty (shape {image.shape}); it needs at least one pixel.")


def _positive_int(value: Any, name: str) -> int:
    if isinstance(value, bool) or not isinstance(value, (int, np.integer)):
        raise TypeError(f"{name} must be a positive int; got {value!r}.")
    if value < 1:
        raise ValueError(f"{name} must be at least 1; got {value}.")
    return int(value)


def _parse_background(value: Any) -> tuple[int, int, int]:
    """An int 0–255, ``(r, g, b)`` or ``"#rrggbb"`` → ``(r, g, b)`` ints."""
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
    if isinstance(value, (int, np.integer)) and not isinstance(value, bool):
        values: tuple[Any, ...] = (value, value, value)
    elif isinstance(value, Sequence) and len(value) == 3:
        values = tuple(value)
    else:
        raise TypeError(f"background must be an int 0–255, (r, g, b) or '#rrggbb'; got {value!r}.")
    for channel in values:
        if isinstance(channel, bool) or not isinstance(channel, (int, np.integer)):
            raise TypeError(f"background values must be ints 0–255; got {value!r}.")
        if not 0 <= channel <= 255:
            raise ValueError(f"background values must be in 0–255; got {value!r}.")
    return int(values[0]), int(values[1]), int(values[2])


# --------------------------------------------------------------------------------------------
# The way back: display, encoding, saving


def to_grey(image: np.ndarray) -> np.ndarray:
    """Grey (luma) of an image, with the ITU-R BT.601 weights 0.299, 0.587, 0.114.

    The same weights as Pillow's ``convert("L")`` and OpenCV's ``COLOR_RGB2GRAY``, computed in
    floating point (no rounding to 8 bits).

    Args:
        image: ``H×W`` (returned as is, as float), ``H×W×1``, ``H×W×3`` (RGB) or ``H×W×4``
            (RGBA: alpha is ignored), any real dtype; values are not rescaled.

    Returns:
        float32 ``H×W`` (float64 stays float64).

    Example:
        >>> to_grey(np.array([[[1.0, 0.5, 0.0]]]))  # float64 stays float64
        array([[0.5925]])
    """
    array = as_image(image)
    if array.ndim == 2:
        return array.copy()
    channels = array.shape[-1]
    if channels == 1:
        return array[..., 0].copy()
    if channels not in (3, 4):
        raise ValueError(
            f"to_grey needs 1, 3 (RGB) or 4 (RGBA) channels; got {channels} (shape {array.shape})."
        )
    weights = np.asarray(GREY_WEIGHTS, dtype=array.dtype)
    return np.asarray(array[..., :3] @ weights, dtype=array.dtype)


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

    Example:
        >>> encode_png(np.zeros((2, 2), dtype=np.float32))[:8]
        b'\x89PNG\r\n\x1a\n'
    """
    if isinstance(compress_level, bool) or not isinstance(compress_level, int):
        raise TypeError(f"compress_level must be an int 0–9; got {compress_level!r}.")
    if not 0 <= compress_level <= 9:
        raise ValueError(f"compress_level must be in 0–9; got {compress_level}.")
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
        ValueError: unknown suffix, or RGBA for JPEG/BMP (no alpha there).

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
    if isinstance(quality, bool) or not isinstance(quality, int) or not 1 <= quality <= 100:
        raise ValueError(f"quality must be an int in 1–100; got {quality!r}.")
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
        image: ``H×W`` or ``H×W×C``; uint8, uint16, float32 and float64 keep their dtype, other
            dtypes become float32.
        max_side: longest side allowed on screen, in pixels.

    Returns:
        ``(array, scale)``: the (possibly) smaller array with the same number of dimensions and
        channels, and ``scale = new longer side / old longer side`` (1.0 if unchanged).

    Example:
        >>> small, scale = fit_for_screen(np.zeros((1000, 2000), dtype=np.float32), 500)
        >>> small.shape, scale
        ((250, 500), 0.25)
    """
    max_side = _positive_int(max_side, "max_side")
    _check_array(image)
    height, width = image.shape[:2]
    longest = max(height, width)
    if longest <= max_side:
        return image, 1.0
    scale = max_side / longest
    size = (max(1, round(height * scale)), max(1, round(width * scale)))
    out = _resize(image, size)
    return out, max(size) / longest
