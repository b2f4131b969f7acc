"""The image picker every page shares, and how pages show images.

The sidebar picker chooses the session's current image: a built-in sample or an upload (PNG,
JPEG, WebP, BMP, TIFF, GIF first frame), colour or grey, and an optional fast preview that
computes on a reduced copy. Decoding is cached per upload (keyed on the file's bytes, bounded
by ``max_entries`` and ``ttl``); a file that cannot be used shows an error and the previous
image stays. Images are always shown as uint8 through :func:`filters.to_display`, downscaled
for the screen with a note (the maths keeps the full resolution).
"""

from __future__ import annotations

import hashlib
from typing import Any

import numpy as np
import streamlit as st

import filters
from filters.image_io import ALLOWED_EXTENSIONS, load_image_with_info
from filters.limits import MAX_IMAGE_PIXELS, MAX_UPLOAD_MB

from .i18n import has_key, option_format, sample_description, t
from .state import (
    DEFAULT_SAMPLE,
    IMAGE,
    UPLOAD_ERROR,
    CurrentImage,
    current_image,
    persist,
    sample_image,
)

__all__ = [
    "PREVIEW_SIDE",
    "SCREEN_SIDE",
    "decode_upload",
    "display_pixels",
    "image_picker",
    "note_text",
    "screen_copy",
    "show_image",
    "show_pixels",
    "working_image",
    "zoom_to",
    "zoomed",
]

SCREEN_SIDE = 1200   # longest side of an image sent to the browser
PREVIEW_SIDE = 800   # longest side of the working copy in fast preview


@st.cache_data(max_entries=16, ttl=3600, show_spinner=False)
def decode_upload(data: bytes, background: str = "#ffffff"
                  ) -> tuple[np.ndarray, list[tuple[str, str, dict[str, Any]]]]:
    """Decode uploaded bytes once (cached on the bytes and the background).

    Args:
        data: the file's bytes.
        background: ``#rrggbb`` that transparent pixels are composited on.

    Returns:
        The float32 ``H×W`` or ``H×W×3`` array in [0, 1] and the decoder's notes as
        ``(code, English message, values)``.

    Raises:
        ValueError: not a safe, decodable image (the library's message says why).
    """
    loaded = load_image_with_info(data, background=background)
    notes = [(n.code, n.message, dict(n.values)) for n in loaded.info.notes]
    return loaded.array, notes


def note_text(code: str, message: str, values: dict[str, Any]) -> str:
    """A decoder note in the current language (English message when no translation exists)."""
    key = f"note.{code}"
    if has_key(key):
        try:
            return t(key, **values)
        except (KeyError, IndexError, ValueError):
            return message
    return message


def _use_upload(upload: Any) -> None:
    """Make an uploaded file the current image, or record why it cannot be (keep the old one)."""
    data = upload.getvalue()
    background = str(st.session_state.get("alpha_background", "#ffffff"))
    token = "upload:" + hashlib.sha1(data).hexdigest()[:16] + background
    if current_image().token == token:
        return
    try:
        array, notes = decode_upload(data, background)
    except (ValueError, TypeError) as error:
        st.session_state[UPLOAD_ERROR] = (upload.name, str(error))
        return
    st.session_state.pop(UPLOAD_ERROR, None)
    st.session_state[IMAGE] = CurrentImage(array, upload.name, token, notes)


def image_picker() -> None:
    """Render the sidebar image picker and update the session's current image.

    Shows: source (sample / upload), the sample list with its description or the file
    uploader, colour or grey, fast preview, the current image's size, the decoder's notes
    (translated) and, when the last upload could not be used, an error saying why.
    """
    sidebar = st.sidebar
    sidebar.subheader(t("image.header"))
    source = sidebar.radio(
        t("image.source"), ["sample", "upload"], horizontal=True,
        format_func=option_format("image.source."), **persist("image_source", "sample"),
    )
    if source == "sample":
        st.session_state.pop(UPLOAD_ERROR, None)
        name = sidebar.selectbox(t("image.sample"), list(filters.SAMPLES),
                                 format_func=option_format("sample.", ".name"),
                                 **persist("sample_name", DEFAULT_SAMPLE))
        sidebar.caption(sample_description(name))
        if current_image().token != f"sample:{name}":
            st.session_state[IMAGE] = sample_image(name)
    else:
        upload = sidebar.file_uploader(
            t("image.upload"), type=list(ALLOWED_EXTENSIONS), key="upload",
            help=t("image.upload_help", mb=MAX_UPLOAD_MB, mp=MAX_IMAGE_PIXELS // 1_000_000),
        )
        sidebar.color_picker(t("image.background"), help=t("image.background_help"),
                             **persist("alpha_background", "#ffffff"))
        if upload is not None:
            _use_upload(upload)
        if not current_image().token.startswith("upload:"):
            sidebar.caption(t("image.upload_waiting"))
    error = st.session_state.get(UPLOAD_ERROR)
    if error:
        sidebar.error(t("image.bad_upload", name=error[0], message=error[1]))
    sidebar.radio(
        t("image.colour"), ["keep", "grey"], horizontal=True, **persist("colour_mode", "keep"),
        format_func=option_format("image.colour."),
    )
    sidebar.checkbox(t("image.fast"), help=t("image.fast_help"),
                     **persist("fast_preview", False))
    image = current_image()
    h, w = image.array.shape[:2]
    kind = (t("image.kind.grey") if image.array.ndim == 2
            else t("image.kind.colour", c=image.array.shape[2]))
    sidebar.caption(t("image.current", name=image.name, w=w, h=h, kind=kind))
    working, _ = working_image()
    if working.shape[:2] != (h, w):
        sidebar.caption(t("image.preview_note", w=working.shape[1], h=working.shape[0]))
    if image.notes:
        with sidebar.expander(t("image.notes")):
            for code, message, values in image.notes:
                st.markdown("- " + note_text(code, message, values))


WORKING = "_working_copy"  # session key: (name of the pixels, the working array)


def _working_copy(array: np.ndarray, grey: bool, preview: bool) -> np.ndarray:
    if grey and array.ndim == 3:
        array = filters.to_grey(array)
    if preview:
        array, _ = filters.fit_for_screen(array, PREVIEW_SIDE)
    return np.ascontiguousarray(array, dtype=np.float32)


def working_image() -> tuple[np.ndarray, str]:
    """The array the maths runs on, and a token naming it for caches.

    The copy is kept in this session's state (it is the user's own image), so reruns get it
    without copying.

    Returns:
        ``(array, token)``: float32 ``H×W`` (grey) or ``H×W×3``, with the grey/colour choice
        and fast preview applied (full resolution otherwise); the token changes whenever the
        pixels do.
    """
    image = current_image()
    grey = st.session_state.get("colour_mode", "keep") == "grey"
    preview = bool(st.session_state.get("fast_preview", False))
    token = f"{image.token}|{grey}|{preview}"
    kept = st.session_state.get(WORKING)
    if kept is None or kept[0] != token:
        kept = (token, _working_copy(image.array, grey, preview))
        st.session_state[WORKING] = kept
    return kept[1], token


def screen_copy(array: np.ndarray) -> tuple[np.ndarray, float]:
    """A copy no larger than ``SCREEN_SIDE`` (area-averaged) and its scale (1.0 = unchanged)."""
    return filters.fit_for_screen(array, SCREEN_SIDE)


def zoomed(array: np.ndarray, factor: int) -> np.ndarray:
    """``array`` with every pixel repeated ``factor×factor`` times, so small images stay sharp.

    For display only: the browser would blur a small image that it enlarges.
    """
    factor = max(1, int(factor))
    return np.repeat(np.repeat(np.asarray(array), factor, axis=0), factor, axis=1)


def display_pixels(array: np.ndarray, normalize: str = "clip") -> tuple[np.ndarray, float]:
    """The uint8 copy of ``array`` that the browser gets: fitted to the screen, normalised.

    Returns:
        ``(pixels, scale)``: uint8 ``h×w`` or ``h×w×3`` and the downscaling factor (1.0 when
        the image already fits).
    """
    values = np.asarray(array)
    if values.ndim == 3 and values.shape[2] == 1:
        values = values[:, :, 0]
    small, scale = screen_copy(values)
    return filters.to_display(small, normalize=normalize), scale  # type: ignore[arg-type]


@st.cache_data(max_entries=32, ttl=1800, show_spinner=False)
def _cached_display(key: str, normalize: str, _array: np.ndarray) -> tuple[np.ndarray, float]:
    return display_pixels(_array, normalize)


def show_pixels(pixels: np.ndarray, caption: str, scale: float, full_shape: tuple[int, ...], *,
                width: int | str = "stretch") -> None:
    """Show uint8 ``pixels`` (from :func:`display_pixels`) with the downscaling note."""
    st.image(pixels, caption=caption, width=width)
    if scale < 1.0:
        h, w = full_shape[:2]
        st.caption(t("image.downscaled", w=pixels.shape[1], h=pixels.shape[0], fw=w, fh=h))


def show_image(array: np.ndarray, caption: str, normalize: str = "clip", *,
               width: int | str = "stretch", cache_key: str | None = None) -> None:
    """Show an image (any range) as uint8 with the chosen normalisation, fitted to the screen.

    Args:
        array: ``H×W`` or ``H×W×3`` (``H×W×1`` is shown as grey).
        caption: text under the image.
        normalize: ``"clip"`` (values outside 0…1 are clipped), ``"abs"`` (|x|, for signed edge
            responses) or ``"minmax"`` (stretched to the full range).
        width: ``"stretch"`` (the column's width), ``"content"`` or pixels.
        cache_key: a name for these pixels (e.g. the working image's token); when given, the
            screen copy is cached, so a rerun does not redo it.
    """
    if cache_key is None:
        pixels, scale = display_pixels(array, normalize)
    else:
        pixels, scale = _cached_display(cache_key, normalize, array)
    show_pixels(pixels, caption, scale, np.shape(array), width=width)


def zoom_to(array: np.ndarray, pixels: int = 384) -> np.ndarray:
    """Repeat pixels so a small picture is about ``pixels`` wide and stays sharp on screen."""
    return zoomed(array, max(1, pixels // max(1, array.shape[1])))
