"""What :func:`~filters.image_io.load_image_with_info` reports: notes, file facts, the result pair.

* :class:`Note`: one thing done to the file (a stable code, an English sentence, its numbers).
* :class:`ImageInfo`: the file's format, mode, size, bit depth, frames, EXIF, alpha and scaling.
* :class:`LoadedImage`: ``(array, info)``.

Example:
    >>> note = Note("first_frame", "Animated GIF with 3 frames: only the first is used.")
    >>> note.code, dict(note.values)
    ('first_frame', {})
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any, NamedTuple

import numpy as np

__all__ = ["ImageInfo", "LoadedImage", "Note"]


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
