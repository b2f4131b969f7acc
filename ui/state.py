"""Per-session state: its keys, defaults, the current image and the session's kernel library.

Everything a user does lives in ``st.session_state`` (never in ``st.cache_resource``), so two
people using the app at once never see each other's image, kernels or training run. Every page
calls :func:`init_state` once, at the top (through ``ui.common.page_setup``).

A widget whose value must survive moving to another page and back (the image picker, the
Filter settings, pooling, padding…) says so where it is made, with :func:`persist`::

    stride = st.number_input("Stride", 1, 64, **persist("filter_stride", 1))

That is the only rule: a widget made without it starts again from its default on every visit.

The kernel library is shared by the pages of one session: the Filter page saves and uses
kernels, the Learn page adds ``source="learned"`` kernels and the LeNet page ``source="lenet"``
ones. Kernels travel in and out as JSON (values + metadata) or as plain text.
"""

from __future__ import annotations

import json
import math
import re
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import streamlit as st

import filters

__all__ = [
    "DEFAULT_SAMPLE",
    "IMAGE",
    "KERNEL_LIBRARY",
    "KERNEL_SOURCES",
    "UPLOAD_ERROR",
    "CurrentImage",
    "LibraryKernel",
    "add_kernel_to_library",
    "current_image",
    "init_state",
    "kernel_from_text_file",
    "kernels_from_json",
    "kernels_to_json",
    "library_kernels",
    "persist",
    "remove_kernel_from_library",
    "sample_image",
]

IMAGE = "image"                    # CurrentImage: the image every page works on
KERNEL_LIBRARY = "kernel_library"  # dict name -> LibraryKernel
UPLOAD_ERROR = "upload_error"      # the message of the last upload that could not be used
DEFAULT_SAMPLE = "china"
KERNEL_SOURCES = ("custom", "catalogue", "learned", "lenet", "uploaded")
MAX_LIBRARY_SIZE = 200             # kernels per session (a JSON file cannot flood the memory)

@dataclass
class CurrentImage:
    """The image every page works on, at full resolution.

    Attributes:
        array: ``H×W`` or ``H×W×3``: an 8-bit file's own uint8 samples (a quarter of the memory
            of float32; :func:`filters.image_io.to_unit` gives [0, 1]) or float32 in [0, 1]
            (the samples, 16-bit and transparent files).
        name: file or sample name.
        token: a short id of the pixels, used as a cache key (``"sample:china"``,
            ``"upload:<sha1>"``).
        notes: what decoding did to the file, as ``(code, English message, values)``;
            the image picker translates them when it shows them.
    """

    array: np.ndarray
    name: str
    token: str
    notes: list[tuple[str, str, dict[str, Any]]] = field(default_factory=list)


@dataclass
class LibraryKernel:
    """A kernel the user saved.

    Attributes:
        values: float64 ``kh×kw``.
        source: where it came from: ``"custom"``, ``"catalogue"``, ``"learned"``, ``"lenet"``
            or ``"uploaded"``.
        meta: anything worth keeping (learning loss, training accuracy, parameters...);
            JSON-serialisable.
    """

    values: np.ndarray
    source: str = "custom"
    meta: dict[str, Any] = field(default_factory=dict)


def init_state() -> None:
    """Create the session's image and kernel library once (idempotent: every page calls it)."""
    st.session_state.setdefault(KERNEL_LIBRARY, {})
    if IMAGE not in st.session_state:
        st.session_state[IMAGE] = sample_image(DEFAULT_SAMPLE)


def persist(key: str, default: Any) -> dict[str, Any]:
    """Keyword arguments that give a widget its key, its first value and a value kept for the
    whole session, across pages.

    Two parts, both needed on Streamlit 1.67 with a ``pages/`` folder: ``persist_state=
    "session"`` keeps the value while the widget's page is not shown, and writing the kept
    value (or ``default`` the first time) to ``st.session_state`` before the widget is made
    hands it to the widget when its page runs again (otherwise that first run returns the
    widget's default). The widget takes no ``value=``/``index=`` of its own; code that must
    change the value (a callback, a clamp to a smaller image) sets the key before the widget.

    Args:
        key: the widget's key (unique in the app, e.g. ``"filter_stride"``).
        default: its value on the first visit; for radios and select boxes an option, not an
            index.

    Example:
        >>> stride = st.number_input("Stride", 1, 64, **persist("filter_stride", 1))
    """
    st.session_state[key] = st.session_state.get(key, default)
    return {"key": key, "persist_state": "session"}


def sample_image(name: str) -> CurrentImage:
    """A built-in sample (:data:`filters.SAMPLES`) as the current image."""
    array = np.asarray(filters.load_sample(name), dtype=np.float32)
    return CurrentImage(array, name, f"sample:{name}")


def current_image() -> CurrentImage:
    """The session's current image (chosen with the image picker)."""
    image: CurrentImage = st.session_state[IMAGE]
    return image


# --- the kernel library ----------------------------------------------------------------------


def library_kernels() -> dict[str, LibraryKernel]:
    """This session's saved kernels, by name, in the order they were added."""
    library: dict[str, LibraryKernel] = st.session_state.setdefault(KERNEL_LIBRARY, {})
    return library


def add_kernel_to_library(name: str, kernel: Any, source: str = "custom",
                          meta: dict[str, Any] | None = None) -> str:
    """Save a ``kh×kw`` kernel in this session's library and return the name it got.

    Args:
        name: wanted name; `` (2)``, `` (3)``... is appended when it is taken.
        kernel: ``kh×kw`` finite numbers (list of rows or array).
        source: ``"custom" | "catalogue" | "learned" | "lenet" | "uploaded"``.
        meta: extra facts to keep with it (must be JSON-serialisable to download it).

    Raises:
        ValueError: the kernel is not a finite 2-D array, is larger than
            ``filters.limits.MAX_KERNEL_SIZE``, or the library is full.

    Example:
        >>> add_kernel_to_library("edge", [[1, -1]], source="learned", meta={"loss": 1e-6})
        'edge'
    """
    library = library_kernels()
    try:
        array = np.array(kernel, dtype=np.float64)
    except (TypeError, ValueError):
        raise ValueError(
            "A kernel must be a 2-D array of numbers (rows of equal length)."
        ) from None
    if array.ndim != 2 or 0 in array.shape:
        raise ValueError(f"A kernel must be a 2-D kh×kw array; got shape {array.shape}.")
    limit = filters.limits.MAX_KERNEL_SIZE
    if max(array.shape) > limit:
        raise ValueError(f"A kernel can be at most {limit}×{limit}; got "
                         f"{array.shape[0]}×{array.shape[1]}.")
    if not np.isfinite(array).all():
        raise ValueError("A kernel must hold finite numbers (no NaN or infinity).")
    if len(library) >= MAX_LIBRARY_SIZE:
        raise ValueError(f"The kernel library holds at most {MAX_LIBRARY_SIZE} kernels; "
                         "remove some first.")
    base = " ".join(str(name).split())[:60] or "kernel"
    unique, n = base, 2
    while unique in library:
        unique, n = f"{base} ({n})", n + 1
    library[unique] = LibraryKernel(array, str(source), dict(meta or {}))
    return unique


def remove_kernel_from_library(name: str) -> None:
    """Forget the saved kernel ``name`` (nothing happens when there is none)."""
    library_kernels().pop(name, None)


def _plain(value: Any) -> Any:
    """``value`` with numpy scalars/arrays turned into JSON-friendly Python values."""
    if isinstance(value, dict):
        return {str(k): _plain(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [_plain(v) for v in value]
    if isinstance(value, np.ndarray):
        return _plain(value.tolist())
    if isinstance(value, np.generic):
        return value.item()
    if isinstance(value, float) and not math.isfinite(value):
        return None
    if value is None or isinstance(value, (bool, int, float, str)):
        return value
    return str(value)


def kernels_to_json(kernels: dict[str, LibraryKernel]) -> str:
    """Kernels as a JSON list of ``{"name", "values", "source", "meta"}`` objects.

    Example:
        >>> kernels_to_json({"edge": LibraryKernel(np.array([[1.0, -1.0]]))})[:30]
        '[\\n {\\n  "name": "edge",\\n  "values"'
    """
    return json.dumps(
        [{"name": name, "values": k.values.tolist(), "source": k.source, "meta": _plain(k.meta)}
         for name, k in kernels.items()],
        ensure_ascii=False, indent=1,
    )


def kernels_from_json(text: str) -> list[tuple[str, np.ndarray, str, dict[str, Any]]]:
    """Read kernels written by :func:`kernels_to_json` (or one ``{"values": ...}`` object).

    Returns:
        ``(name, values, source, meta)`` per kernel; ``values`` are checked by
        :func:`filters.parse_kernel` (finite, rectangular, at most the kernel size limit).

    Raises:
        ValueError: the text is not JSON, or an entry has no usable ``values``.
    """
    try:
        data = json.loads(text)
    except json.JSONDecodeError as error:
        raise ValueError(
            f"The file is not valid JSON ({error.msg}, line {error.lineno})."
        ) from None
    items = data if isinstance(data, list) else [data]
    if not items:
        raise ValueError("The JSON file holds an empty list: no kernels to add.")
    if len(items) > MAX_LIBRARY_SIZE:
        raise ValueError(f"The file holds {len(items)} kernels; at most {MAX_LIBRARY_SIZE}.")
    kernels = []
    for index, item in enumerate(items, start=1):
        if not isinstance(item, dict) or "values" not in item:
            raise ValueError(f"Entry {index} has no 'values' (a list of rows of numbers).")
        rows = item["values"]
        if not (isinstance(rows, list) and rows and all(isinstance(r, list) and r for r in rows)):
            raise ValueError(f"Entry {index}: 'values' must be a list of rows of numbers.")
        if not all(isinstance(v, (int, float)) and not isinstance(v, bool)
                   for row in rows for v in row):
            raise ValueError(f"Entry {index}: every value must be a number.")
        text_rows = "\n".join(" ".join(repr(float(v)) for v in row) for row in rows)
        try:
            values = filters.parse_kernel(text_rows)
        except ValueError as error:
            raise ValueError(f"Entry {index}: {error}") from None
        meta = item.get("meta") if isinstance(item.get("meta"), dict) else {}
        source = str(item.get("source", "uploaded"))
        kernels.append((str(item.get("name", f"kernel {index}")), values,
                        source if source in KERNEL_SOURCES else "uploaded", meta))
    return kernels


def kernel_from_text_file(file_name: str, text: str) -> tuple[str, np.ndarray]:
    """A kernel typed in a text file (rows of numbers, as :func:`filters.parse_kernel` reads).

    Returns:
        ``(name, values)`` with the name taken from the file name without its extension.
    """
    name = re.sub(r"\.[A-Za-z0-9]{1,5}$", "", file_name.strip()) or "kernel"
    return name, filters.parse_kernel(text)
