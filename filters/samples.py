"""Built-in images: two photos bundled with scikit-learn and synthetic test images.

Every sample loads offline. Images are float32 in ``[0, 1]``, ``H×W`` (grey) or ``H×W×3``
(colour), except the two matrices from the study notes, which keep their raw values
(``notes_5x5``: 0…3, ``notes_matrix_4x4``: 1…16) so that hand-worked examples give the same
numbers; their :attr:`Sample.raw_values` is True (show them with ``to_display(..., "minmax")``).

Loading is cached (:func:`functools.lru_cache`, bounded); :func:`load_sample` returns a fresh
copy each time, so callers may change it freely.

Example:
    >>> list(SAMPLES)[:3]
    ['china', 'flower', 'checkerboard']
    >>> load_sample("checkerboard", size=16).shape
    (16, 16)
    >>> load_sample("notes_5x5")[0].tolist()
    [1.0, 2.0, 3.0, 0.0, 1.0]
"""

from __future__ import annotations

import functools
import gzip
import importlib.util
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Literal

import numpy as np

from ._validation import check_choice, check_int
from .image_io import LOAD_MODES, load_image, to_grey
from .image_io.resize import resize as _resize

__all__ = [
    "NOTES_5X5",
    "NOTES_MATRIX_4X4",
    "SAMPLES",
    "Sample",
    "available_samples",
    "load_sample",
]

#: The 5×5 input matrix of the sliding-window example (notes §0.2), raw values.
NOTES_5X5: tuple[tuple[int, ...], ...] = (
    (1, 2, 3, 0, 1),
    (0, 1, 2, 3, 0),
    (2, 0, 1, 2, 3),
    (1, 2, 0, 1, 0),
    (0, 1, 2, 3, 1),
)
#: The 4×4 matrix 1…16 of the padding-mode example (notes §2.6), raw values.
NOTES_MATRIX_4X4: tuple[tuple[int, ...], ...] = tuple(
    tuple(range(4 * row + 1, 4 * row + 5)) for row in range(4)
)

_DIGIT_INDEX = 3  # scikit-learn's digits: image 3 is a "3"
_SYNTHETIC_SIDE = 256
MAX_SAMPLE_SIDE = 8192  # the largest side load_sample(size=...) builds


@dataclass(frozen=True)
class Sample:
    """One built-in image.

    The library speaks English; the interface shows a translated title and description keyed
    by ``name`` (``ui.i18n.sample_name``).

    Example:
        >>> SAMPLES["step_edge"].kind, SAMPLES["step_edge"].shape
        ('synthetic', (256, 256))

    Attributes:
        name: stable id: key in :data:`SAMPLES` and argument of :func:`load_sample`.
        kind: ``"photo"`` or ``"synthetic"``.
        description: one or two English sentences (what it shows, where it comes from).
        shape: natural shape ``(H, W)`` or ``(H, W, 3)`` when ``size`` is not given.
        raw_values: values are raw numbers, not scaled to ``[0, 1]`` (the notes' matrices).
        resizable: ``size`` may be given to :func:`load_sample`.
    """

    name: str
    kind: Literal["photo", "synthetic"]
    description: str
    shape: tuple[int, ...]
    raw_values: bool = False
    resizable: bool = True


SAMPLES: dict[str, Sample] = {
    sample.name: sample
    for sample in (
        Sample(
            "china",
            "photo",
            "A Chinese temple roof against the sky, 640×427 colour. Photo by danielbuechele "
            "(CC BY 2.0), bundled with scikit-learn as china.jpg.",
            (427, 640, 3),
        ),
        Sample(
            "flower",
            "photo",
            "A flower close up, 640×427 colour. Photo by vultilion (CC BY 2.0), bundled with "
            "scikit-learn as flower.jpg.",
            (427, 640, 3),
        ),
        Sample(
            "checkerboard",
            "synthetic",
            "8 × 8 squares alternating black (0) and white (1), the top-left one black: "
            "edges in both directions and corners everywhere.",
            (_SYNTHETIC_SIDE, _SYNTHETIC_SIDE),
        ),
        Sample(
            "step_edge",
            "synthetic",
            "Left half 0, right half 1: one vertical edge. sobel_x answers it, sobel_y does not.",
            (_SYNTHETIC_SIDE, _SYNTHETIC_SIDE),
        ),
        Sample(
            "circle",
            "synthetic",
            "A white disc (1) on black (0), radius 0.35 × the shorter side: edges in every "
            "direction.",
            (_SYNTHETIC_SIDE, _SYNTHETIC_SIDE),
        ),
        Sample(
            "gradient",
            "synthetic",
            "Brightness rising linearly from 0 (left) to 1 (right): a smooth image where edge "
            "filters give a constant response.",
            (_SYNTHETIC_SIDE, _SYNTHETIC_SIDE),
        ),
        Sample(
            "impulse",
            "synthetic",
            "One pixel of value 1 in the centre of zeros (15×15). Convolution (flip=True) "
            "draws the kernel itself; cross-correlation draws it rotated by 180°.",
            (15, 15),
        ),
        Sample(
            "notes_5x5",
            "synthetic",
            "The 5×5 input matrix of the notes' sliding-window example. Raw values "
            "0…3, NOT scaled to 0–1, so results match the hand-worked numbers.",
            (5, 5),
            raw_values=True,
            resizable=False,
        ),
        Sample(
            "notes_matrix_4x4",
            "synthetic",
            "The 4×4 matrix 1…16 of the notes' padding example. Raw values 1…16, "
            "NOT scaled to 0–1.",
            (4, 4),
            raw_values=True,
            resizable=False,
        ),
        Sample(
            "digit",
            "photo",
            "A handwritten 3 from scikit-learn's digits (8×8, 17 grey levels 0…16, divided "
            "by 16): the size of input a small network sees.",
            (8, 8),
        ),
    )
}


def available_samples() -> list[str]:
    """Names of the samples that can be loaded here (photos and digit need scikit-learn).

    Returns:
        Names in :data:`SAMPLES` order.

    Example:
        >>> "checkerboard" in available_samples()
        True
    """
    have_sklearn = _sklearn_dir() is not None
    return [
        name
        for name, sample in SAMPLES.items()
        if have_sklearn or name not in ("china", "flower", "digit")
    ]


def load_sample(
    name: str,
    *,
    size: int | tuple[int, int] | None = None,
    mode: Literal["keep", "grey", "rgb"] = "keep",
) -> np.ndarray:
    """Load a built-in image (a new writable copy each time).

    Args:
        name: a key of :data:`SAMPLES`.
        size: ``None`` for the natural size; an int makes the longer side that long (aspect
            kept); ``(h, w)`` gives that exact shape. Synthetic images are drawn at the size
            asked for; photos are resized (area averaging down, bilinear up). The notes'
            matrices have a fixed size.
        mode: ``"keep"``, ``"grey"`` (BT.601 luma for the photos) or ``"rgb"``.

    Returns:
        float32 ``H×W`` or ``H×W×3``; values in ``[0, 1]`` except the notes' raw matrices.

    Raises:
        ValueError: unknown name, bad size, or a size for a fixed-size sample.
        ImportError: a photo or the digit was asked for and scikit-learn is not installed.

    Example:
        >>> load_sample("step_edge", size=(2, 4)).tolist()
        [[0.0, 0.0, 1.0, 1.0], [0.0, 0.0, 1.0, 1.0]]
        >>> load_sample("china", size=64).shape
        (43, 64, 3)
    """
    name = check_choice(name, tuple(SAMPLES), "sample")
    mode = check_choice(mode, LOAD_MODES, "mode")  # type: ignore[assignment]
    shape = _target_shape(SAMPLES[name], size)
    return _cached(name, shape, mode).copy()


def _target_shape(sample: Sample, size: Any) -> tuple[int, int] | None:
    """``None`` (natural size) or the exact (h, w) to produce."""
    if size is None:
        return None
    if not sample.resizable:
        raise ValueError(
            f"Sample {sample.name!r} has a fixed size {sample.shape[0]}×{sample.shape[1]} "
            "(the study notes' values); leave size=None."
        )
    height, width = sample.shape[:2]
    if isinstance(size, (int, np.integer)) and not isinstance(size, bool):
        side = _checked_side(size)
        scale = side / max(height, width)
        return max(1, round(height * scale)), max(1, round(width * scale))
    if isinstance(size, (tuple, list)) and len(size) == 2:
        return _checked_side(size[0]), _checked_side(size[1])
    raise TypeError(f"size must be None, an int or a pair (h, w); got {size!r}.")


def _checked_side(value: Any) -> int:
    """A sample side in pixels: an int from 1 to :data:`MAX_SAMPLE_SIDE`."""
    return check_int(value, "size (pixels)", minimum=1, maximum=MAX_SAMPLE_SIDE)


@functools.lru_cache(maxsize=24)
def _cached(name: str, shape: tuple[int, int] | None, mode: str) -> np.ndarray:
    """Build a sample once; the cached array is read-only."""
    image = _BUILDERS[name](shape)
    if mode == "grey" and image.ndim == 3:
        image = to_grey(image)
    elif mode == "rgb" and image.ndim == 2:
        image = np.repeat(image[..., None], 3, axis=-1)
    image = np.ascontiguousarray(image, dtype=np.float32)
    image.flags.writeable = False
    return image


# --------------------------------------------------------------------------------------------
# Builders: shape is None for the natural size, else (h, w)


def _natural(name: str, shape: tuple[int, int] | None) -> tuple[int, int]:
    return shape if shape is not None else SAMPLES[name].shape[:2]  # type: ignore[return-value]


def _checkerboard(shape: tuple[int, int] | None) -> np.ndarray:
    height, width = _natural("checkerboard", shape)
    cell = max(1, round(min(height, width) / 8))
    rows = np.arange(height)[:, None] // cell
    cols = np.arange(width)[None, :] // cell
    return ((rows + cols) % 2).astype(np.float32)


def _step_edge(shape: tuple[int, int] | None) -> np.ndarray:
    height, width = _natural("step_edge", shape)
    image = np.zeros((height, width), dtype=np.float32)
    image[:, width // 2 :] = 1.0
    return image


def _circle(shape: tuple[int, int] | None) -> np.ndarray:
    height, width = _natural("circle", shape)
    y, x = np.mgrid[0:height, 0:width]
    radius = 0.35 * min(height, width)
    inside = (y - (height - 1) / 2) ** 2 + (x - (width - 1) / 2) ** 2 <= radius**2
    return inside.astype(np.float32)


def _gradient(shape: tuple[int, int] | None) -> np.ndarray:
    height, width = _natural("gradient", shape)
    ramp = np.linspace(0.0, 1.0, width, dtype=np.float64) if width > 1 else np.zeros(1)
    return np.broadcast_to(ramp.astype(np.float32), (height, width)).copy()


def _impulse(shape: tuple[int, int] | None) -> np.ndarray:
    height, width = _natural("impulse", shape)
    image = np.zeros((height, width), dtype=np.float32)
    image[height // 2, width // 2] = 1.0
    return image


def _notes_5x5(shape: tuple[int, int] | None) -> np.ndarray:
    return np.array(NOTES_5X5, dtype=np.float32)


def _notes_4x4(shape: tuple[int, int] | None) -> np.ndarray:
    return np.array(NOTES_MATRIX_4X4, dtype=np.float32)


def _sklearn_dir() -> Path | None:
    """scikit-learn's package folder, found without importing it (importing takes ~1 s)."""
    spec = importlib.util.find_spec("sklearn")
    if spec is None or spec.origin is None:
        return None
    return Path(spec.origin).parent


def _sklearn_file(*parts: str) -> Path:
    folder = _sklearn_dir()
    if folder is None:
        raise ImportError(
            "This sample ships with scikit-learn, which is not installed: "
            "pip install scikit-learn (or pick a synthetic sample)."
        )
    path = folder.joinpath(*parts)
    if not path.is_file():
        raise ImportError(f"scikit-learn is installed but {path} is missing; reinstall it.")
    return path


def _photo(file_name: str) -> Callable[[tuple[int, int] | None], np.ndarray]:
    def build(shape: tuple[int, int] | None) -> np.ndarray:
        image = load_image(_sklearn_file("datasets", "images", file_name), mode="rgb")
        return image if shape is None else _resize(image, shape)

    return build


def _digit(shape: tuple[int, int] | None) -> np.ndarray:
    with gzip.open(_sklearn_file("datasets", "data", "digits.csv.gz"), "rt") as handle:
        for index, line in enumerate(handle):
            if index == _DIGIT_INDEX:
                values = np.array(line.split(","), dtype=np.float32)
                break
        else:  # pragma: no cover - the file has 1797 rows
            raise ValueError("scikit-learn's digits file is shorter than expected.")
    image = values[:64].reshape(8, 8) / np.float32(16)
    return image if shape is None else _resize(image, shape)


_BUILDERS: dict[str, Callable[[tuple[int, int] | None], np.ndarray]] = {
    "china": _photo("china.jpg"),
    "flower": _photo("flower.jpg"),
    "checkerboard": _checkerboard,
    "step_edge": _step_edge,
    "circle": _circle,
    "gradient": _gradient,
    "impulse": _impulse,
    "notes_5x5": _notes_5x5,
    "notes_matrix_4x4": _notes_4x4,
    "digit": _digit,
}
