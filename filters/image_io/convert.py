"""Pillow modes to float: 1-bit, 16-bit, integer and float, palette, CMYK, L*a*b*, alpha.

What comes out is float32 in ``[0, 1]``: ``H×W`` (grey) or ``H×W×3`` (colour). With
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
* ``mode="grey"`` takes the ITU-R BT.601 luma (:func:`to_grey`), ``mode="rgb"`` repeats grey.
* ``keep_8bit=True`` keeps 8-bit files (grey, RGB, palette, CMYK, L*a*b* without transparency)
  as the ``uint8`` values they hold, a quarter of the float32 memory; :func:`to_unit` turns them
  into the same float32 ``[0, 1]`` array later, and :func:`unit_scale` says what to multiply by.

Example:
    >>> from PIL import Image
    >>> array, facts, notes = to_float(Image.new("I;16", (2, 1), 65535), (255, 255, 255), 16)
    >>> array.tolist(), facts["value_scale"], [note.code for note in notes]
    ([[1.0, 1.0]], '65535', ['sixteen_bit'])
"""

from __future__ import annotations

import io
from typing import Any

import numpy as np
from PIL import Image

from .._validation import as_image
from .report import Note

__all__ = ["GREY_WEIGHTS", "apply_mode", "bit_depth", "to_float", "to_grey", "to_unit",
           "unit_scale"]

#: ITU-R BT.601 luma weights (R, G, B), the same as Pillow's ``convert("L")`` and OpenCV's.
GREY_WEIGHTS: tuple[float, float, float] = (0.299, 0.587, 0.114)

_CMYK_NOTES = {
    "icc": "CMYK converted to RGB with the embedded colour profile.",
    "formula": "CMYK converted to RGB as (1 − C)(1 − K) etc. (no colour profile).",
}


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


def bit_depth(image: Image.Image) -> int:
    """Bits per sample stored in the file, from the mode and the decoder's raw mode.

    Args:
        image: an opened PIL image (before or after ``load()``).

    Returns:
        1, 8, 16 or 32.

    Example:
        >>> bit_depth(Image.new("1", (1, 1))), bit_depth(Image.new("I;16", (1, 1)))
        (1, 16)
    """
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


def to_float(
    image: Image.Image, background: tuple[int, int, int], bits: int, *, keep_8bit: bool = False
) -> tuple[np.ndarray, dict[str, Any], list[Note]]:
    """Turn a decoded PIL image into float32 in [0, 1] (grey H×W or RGB H×W×3).

    Args:
        image: a loaded PIL image, any mode Pillow decodes from the allowed formats.
        background: ``(r, g, b)`` 0–255 under transparent pixels.
        bits: bits per sample in the file (:func:`bit_depth`); 16 with an 8-bit mode adds the
            ``reduced_to_8_bit`` note.
        keep_8bit: return 8-bit data without transparency as ``uint8`` 0–255 instead (what
            :func:`to_unit` turns into the float32 array).

    Returns:
        ``(array, facts, notes)``: float32 ``H×W`` or ``H×W×3`` (or uint8 with ``keep_8bit``);
        ``facts`` with ``has_alpha``,
        ``composited``, ``value_scale`` and ``value_range`` (as in
        :class:`~filters.image_io.ImageInfo`); the :class:`Note` objects of what was done.

    Example:
        >>> rgba = Image.new("RGBA", (1, 1), (255, 0, 0, 0))
        >>> to_float(rgba, (0, 0, 255), 8)[0].tolist()
        [[[0.0, 0.0, 1.0]]]
    """
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

    if bits == 16:
        notes.append(
            Note(
                "reduced_to_8_bit",
                "16-bit colour was reduced to 8 bits per channel by the decoder.",
                {"bits": 16},
            )
        )

    alpha_source = _alpha_mode(image)
    if alpha_source is None:
        if mode == "CMYK":
            converted = _cmyk_to_rgb(image, notes)
        elif mode == "LAB":
            converted = _lab_to_rgb(image, notes)
        else:
            target = "L" if mode == "L" else "RGB"
            converted = image if image.mode == target else image.convert(target)
        return (np.array(converted) if keep_8bit else _unit(converted)), facts, notes

    facts["has_alpha"] = True
    converted = image if image.mode == alpha_source else image.convert(alpha_source)
    values = _unit(converted)
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


def _cmyk_to_rgb(image: Image.Image, notes: list[Note]) -> Image.Image:
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
            notes.append(_cmyk_note("icc"))
            return converted
    notes.append(_cmyk_note("formula"))
    return image.convert("RGB")


def _lab_to_rgb(image: Image.Image, notes: list[Note]) -> Image.Image:
    """CIE L*a*b* (Pillow's 8-bit encoding) → sRGB with LittleCMS."""
    from PIL import ImageCms

    transform = ImageCms.buildTransform(
        ImageCms.createProfile("LAB"), ImageCms.createProfile("sRGB"), "LAB", "RGB"
    )
    converted = ImageCms.applyTransform(image, transform)
    if converted is None:  # pragma: no cover - only with inPlace=True
        raise ValueError("The L*a*b* image could not be converted to RGB.")
    notes.append(Note("lab_converted", "CIE L*a*b* converted to sRGB.", {}))
    return converted


def _cmyk_note(method: str) -> Note:
    return Note("cmyk_converted", _CMYK_NOTES[method], {"method": method})


def _unit(image: Image.Image) -> np.ndarray:
    """An 8-bit PIL image as float32 in [0, 1] (``value / 255``)."""
    return to_unit(np.asarray(image))


#: What an integer sample is divided by to give ``[0, 1]``: its largest value.
_UNIT_DIVISORS: dict[np.dtype, int] = {np.dtype(np.uint8): 255, np.dtype(np.uint16): 65535}


def unit_scale(dtype: Any) -> float:
    """The factor that takes samples of ``dtype`` to ``[0, 1]``.

    1/255 for uint8, 1/65535 for uint16, 1 for float (already in [0, 1]).

    Convolution is linear, so ``conv2d(pixels, kernel * unit_scale(pixels.dtype))`` equals
    ``conv2d(to_unit(pixels), kernel)`` without making the float copy of the image.

    Raises:
        TypeError: ``dtype`` is not uint8, uint16 or a float dtype.

    Example:
        >>> unit_scale(np.uint8) == 1 / 255, unit_scale(np.float32)
        (True, 1.0)
    """
    kind = np.dtype(dtype)
    if kind.kind == "f":
        return 1.0
    if kind not in _UNIT_DIVISORS:
        raise TypeError(f"unit_scale needs uint8, uint16 or float samples; got {kind}.")
    return 1.0 / _UNIT_DIVISORS[kind]


def to_unit(pixels: np.ndarray) -> np.ndarray:
    """Samples as float32 in ``[0, 1]``.

    uint8 is divided by 255, uint16 by 65535; float32 and float64 arrays are returned as they
    are (no copy).

    Args:
        pixels: ``H×W`` or ``H×W×C`` uint8, uint16 or float array.

    Returns:
        float32 of the same shape (float64 stays float64); a new array for integer input.

    Raises:
        TypeError: ``pixels`` is not a numpy array of one of those dtypes.

    Example:
        >>> to_unit(np.array([[0, 51, 255]], dtype=np.uint8)).tolist()
        [[0.0, 0.20000000298023224, 1.0]]
    """
    if not isinstance(pixels, np.ndarray):
        raise TypeError(f"to_unit needs a numpy array; got {type(pixels).__name__}.")
    if pixels.dtype.kind == "f":
        return pixels
    if pixels.dtype not in _UNIT_DIVISORS:
        raise TypeError(f"to_unit needs uint8, uint16 or float samples; got {pixels.dtype}.")
    return pixels.astype(np.float32) / np.float32(_UNIT_DIVISORS[pixels.dtype])


def apply_mode(array: np.ndarray, mode: str, notes: list[Note]) -> np.ndarray:
    """Give a decoded image the shape ``mode`` asks for.

    Args:
        array: float32 (or uint8) ``H×W`` or ``H×W×3`` from :func:`to_float`.
        mode: ``"keep"`` (as it is), ``"grey"`` (``H×W``, BT.601 luma, adds the
            ``converted_to_grey`` note to ``notes``) or ``"rgb"`` (``H×W×3``).
        notes: the list the note is appended to.

    Returns:
        C-contiguous float32 ``H×W`` or ``H×W×3``; uint8 stays uint8 except for ``"grey"`` of a
        colour image (its luma is float32 in [0, 1]).

    Example:
        >>> apply_mode(np.zeros((2, 3), np.float32), "rgb", []).shape
        (2, 3, 3)
    """
    if mode == "grey" and array.ndim == 3:
        array = to_unit(array)  # the luma of 8-bit samples is not 8-bit
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
    return np.ascontiguousarray(array, dtype=None if array.dtype == np.uint8 else np.float32)

