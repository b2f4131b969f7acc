"""Per-session state: its keys, defaults, and the session's kernel library.

Everything a user does lives in ``st.session_state`` (never in ``st.cache_resource``), so two
people using the app at once never see each other's image, kernels or training run.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import streamlit as st

import filters

IMAGE = "image"                # CurrentImage
KERNEL_LIBRARY = "kernel_library"  # name -> LibraryKernel
DEFAULT_SAMPLE = "china"

# Widget keys whose values must survive moving between pages (Streamlit drops the state of
# widgets that a page does not draw; writing the value back keeps it).
# Defaults are set here once, so widgets are created without a value of their own.
WIDGET_DEFAULTS: dict[str, Any] = {
    "image_source": "sample",
    "sample_name": DEFAULT_SAMPLE,
    "colour_mode": "keep",
    "fast_preview": False,
    "alpha_background": "#ffffff",
    "filter_source": "catalogue",
    "filter_category": "edge",
    "custom_text": "1 0 -1\n2 0 -2\n1 0 -1",
    "filter_stride": 1,
    "filter_dilation": 1,
    "filter_padding_kind": "same",
    "filter_padding": 1,
    "filter_padding_mode": "reflect",
    "filter_bias": 0.0,
    "filter_flip": False,
    "filter_backend": "auto",
    "filter_normalize": "abs",
}
PERSISTENT_WIDGETS = (*WIDGET_DEFAULTS, "filter_kernel")


@dataclass
class CurrentImage:
    """The image every page works on: full resolution float32 in [0, 1].

    Attributes:
        array: ``H×W`` or ``H×W×3`` float32.
        name: file or sample name.
        token: a short id of the pixels, used as a cache key.
        notes: human-readable notes from decoding (EXIF rotation, alpha, first frame, ...).
    """

    array: np.ndarray
    name: str
    token: str
    notes: list[str] = field(default_factory=list)


@dataclass
class LibraryKernel:
    """A kernel the user saved: values plus where it came from."""

    values: np.ndarray
    source: str = "custom"
    meta: dict[str, Any] = field(default_factory=dict)


def init_state() -> None:
    """Set every default once per session and keep widget values across pages."""
    for key in PERSISTENT_WIDGETS:
        if key in st.session_state:
            st.session_state[key] = st.session_state[key]
    for key, value in WIDGET_DEFAULTS.items():
        st.session_state.setdefault(key, value)
    st.session_state.setdefault(KERNEL_LIBRARY, {})
    if IMAGE not in st.session_state:
        st.session_state[IMAGE] = sample_image(DEFAULT_SAMPLE)


def sample_image(name: str) -> CurrentImage:
    """A built-in sample as the current image."""
    array = filters.load_sample(name)
    return CurrentImage(np.asarray(array, dtype=np.float32), name, f"sample:{name}")


def current_image() -> CurrentImage:
    """The session's current image (set by the image picker)."""
    image: CurrentImage = st.session_state[IMAGE]
    return image


def add_kernel_to_library(name: str, values: Any, *, source: str = "custom",
                          meta: dict[str, Any] | None = None) -> str:
    """Save a ``kh×kw`` kernel under ``name`` (made unique) in this session's library."""
    library: dict[str, LibraryKernel] = st.session_state.setdefault(KERNEL_LIBRARY, {})
    array = np.asarray(values, dtype=np.float64)
    if array.ndim != 2 or not np.isfinite(array).all():
        raise ValueError("A saved kernel must be a finite kh×kw array.")
    base = name.strip() or "kernel"
    unique, n = base, 2
    while unique in library:
        unique, n = f"{base} ({n})", n + 1
    library[unique] = LibraryKernel(array, source, dict(meta or {}))
    return unique


def library_kernels() -> dict[str, LibraryKernel]:
    """This session's saved kernels, by name."""
    library: dict[str, LibraryKernel] = st.session_state.setdefault(KERNEL_LIBRARY, {})
    return library


def kernels_to_json(kernels: dict[str, LibraryKernel]) -> str:
    """The library (or part of it) as JSON: name, values, source, metadata."""
    return json.dumps(
        [{"name": name, "values": k.values.tolist(), "source": k.source, "meta": k.meta}
         for name, k in kernels.items()],
        ensure_ascii=False, indent=1,
    )


def kernels_from_json(text: str) -> list[tuple[str, np.ndarray, str, dict[str, Any]]]:
    """Read kernels saved by :func:`kernels_to_json` (or one ``{"values": ...}`` object).

    Raises ``ValueError`` with a message when the JSON is not a list of kernels.
    """
    try:
        data = json.loads(text)
    except json.JSONDecodeError as error:
        raise ValueError(
            f"The file is not valid JSON ({error.msg}, line {error.lineno})."
        ) from None
    items = data if isinstance(data, list) else [data]
    kernels = []
    for index, item in enumerate(items, start=1):
        if not isinstance(item, dict) or "values" not in item:
            raise ValueError(f"Entry {index} has no 'values' (a list of rows of numbers).")
        rows = item["values"]
        if not (isinstance(rows, list) and rows and all(isinstance(r, list) for r in rows)):
            raise ValueError(f"Entry {index}: 'values' must be a list of rows of numbers.")
        text_rows = "\n".join(" ".join(str(v) for v in row) for row in rows)
        values = filters.parse_kernel(text_rows)
        meta = item.get("meta") if isinstance(item.get("meta"), dict) else {}
        kernels.append((str(item.get("name", f"kernel {index}")), values,
                        str(item.get("source", "uploaded")), meta))
    return kernels
