"""The image picker every page shares, the session's working copies, and how pages show images.

The sidebar picker chooses the session's current image: a built-in sample or an upload (PNG,
JPEG, WebP, BMP, TIFF, GIF first frame), colour or grey, and an optional fast preview that
computes on a reduced copy. An upload is decoded once (its token is the file's SHA-1) into its
8-bit samples (``uint8``, a quarter of float32; see :mod:`filters.limits` for the budget); a
file that cannot be used shows an error and the previous image stays.

Two copies serve the pages (:func:`working_set`), both kept in the session:

* **full** (:func:`full_image`): full resolution, grey/colour applied, uint8 or float32 —
  what the Filter page convolves, what downloads and crops read.
* **view** (:func:`working_image`): float32 in [0, 1], at most
  :data:`~filters.limits.WORK_SIDE` pixels a side — what the pages that *show* a comparison
  (padding modes, pooling, receptive fields, the home preview…) compute on, fast and small;
  :func:`working_copy_note` says so on the page when it is smaller than the image.

Images are always shown as uint8 through :func:`filters.to_display`, downscaled for the screen
with a note.
"""

from __future__ import annotations

import hashlib
import io
from dataclasses import dataclass
from typing import Any

import numpy as np
import streamlit as st
from PIL import Image

import filters
from filters.image_io import ALLOWED_EXTENSIONS, load_image_with_info, to_unit
from filters.limits import MAX_IMAGE_PIXELS, MAX_UPLOAD_MB, WORK_SIDE

from .i18n import has_key, option_format, sample_description, t
from .memory import session_cache, working_memory
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
    "Picture",
    "WorkingSet",
    "decode_upload",
    "display_pixels",
    "full_image",
    "image_picker",
    "note_text",
    "picture",
    "screen_copy",
    "show_image",
    "show_picture",
    "working_copy_note",
    "working_image",
    "working_set",
    "zoom_to",
    "zoomed",
]

SCREEN_SIDE = WORK_SIDE  # longest side of an image sent to the browser
PREVIEW_SIDE = 800       # longest side of the working copy in fast preview
#: Working memory a decode may take: the decoder's frame and the samples (3 bytes a pixel
#: each) of the largest image allowed.
DECODE_BYTES = MAX_IMAGE_PIXELS * 3 * 2


def decode_upload(data: bytes, background: str = "#ffffff"
                  ) -> tuple[np.ndarray, list[tuple[str, str, dict[str, Any]]]]:
    """Decode uploaded bytes into the file's own samples (uint8 for 8-bit files).

    Not cached: the picker decodes a file once, when its token (SHA-1 of the bytes) is new.

    Args:
        data: the file's bytes.
        background: ``#rrggbb`` that transparent pixels are composited on.

    Returns:
        ``H×W`` or ``H×W×3`` uint8 (8-bit files without transparency) or float32 in [0, 1], and
        the decoder's notes as ``(code, English message, values)``.

    Raises:
        ValueError: not a safe, decodable image (the library's message says why), or the
            server has no memory free for it right now.
    """
    with working_memory(DECODE_BYTES) as verdict:
        if verdict != "ok":
            raise ValueError(t("memory.decode_busy"))
        loaded = load_image_with_info(data, background=background, dtype="native")
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
    working, _ = full_image()
    if working.shape[:2] != (h, w):
        sidebar.caption(t("image.preview_note", w=working.shape[1], h=working.shape[0]))
    if image.notes:
        with sidebar.expander(t("image.notes")):
            for code, message, values in image.notes:
                st.markdown("- " + note_text(code, message, values))


WORKING = "_working_set"  # session key: the WorkingSet of the current image and choices


@dataclass(frozen=True)
class WorkingSet:
    """The two copies of the current image that pages compute on (see the module docstring).

    Attributes:
        full: ``H×W`` or ``H×W×3``, uint8 (8-bit files) or float32 in [0, 1], full resolution
            (or the fast-preview size), grey applied.
        token: names ``full``'s pixels (cache keys).
        view: float32 in [0, 1], the same image at most ``WORK_SIDE`` a side (``full``
            itself, as float32, when it fits).
        view_token: names ``view``'s pixels.
    """

    full: np.ndarray
    token: str
    view: np.ndarray
    view_token: str

    @property
    def reduced(self) -> bool:
        """True when ``view`` is smaller than ``full``."""
        return self.view.shape[:2] != self.full.shape[:2]


def _grey(pixels: np.ndarray) -> np.ndarray:
    """The float32 luma of ``H×W×3`` samples in [0, 1], a band of rows at a time (no float copy
    of the whole colour image)."""
    out = np.empty(pixels.shape[:2], dtype=np.float32)
    for top in range(0, out.shape[0], 256):
        out[top:top + 256] = filters.to_grey(to_unit(pixels[top:top + 256]))
    return out


def _working_set(array: np.ndarray, token: str, grey: bool, preview: bool) -> WorkingSet:
    """Both copies; the smaller ones are area-averaged in the samples' own dtype (uint8 stays
    uint8, so no float copy of a 12 MP image is ever made for them)."""
    if grey and array.ndim == 3:
        array = _grey(array)
    if preview:
        array, _ = filters.fit_for_screen(array, PREVIEW_SIDE)
    full = np.ascontiguousarray(array)
    view, _ = filters.fit_for_screen(full, WORK_SIDE)
    view_token = token if view is full else f"{token}|view{WORK_SIDE}"
    return WorkingSet(full, token, np.ascontiguousarray(to_unit(view), dtype=np.float32),
                      view_token)


def working_set() -> WorkingSet:
    """This session's working copies of the current image, made once per image and choice.

    Kept in the session's state (it is the user's own image), so reruns and other pages get
    them without copying.
    """
    image = current_image()
    grey = st.session_state.get("colour_mode", "keep") == "grey"
    preview = bool(st.session_state.get("fast_preview", False))
    token = f"{image.token}|{grey}|{preview}"
    kept: WorkingSet | None = st.session_state.get(WORKING)
    if kept is None or kept.token != token:
        st.session_state.pop(WORKING, None)  # let the old copies go before making new ones
        kept = _working_set(image.array, token, grey, preview)
        st.session_state[WORKING] = kept
    return kept


def working_image() -> tuple[np.ndarray, str]:
    """The float32 working copy pages that show a comparison compute on, and its token.

    Returns:
        ``(array, token)``: float32 ``H×W`` (grey) or ``H×W×3`` in [0, 1], at most
        ``WORK_SIDE`` pixels a side, with the grey/colour choice and fast preview applied; the
        token changes whenever the pixels do.
    """
    kept = working_set()
    return kept.view, kept.view_token


def full_image() -> tuple[np.ndarray, str]:
    """The current image at full resolution (grey/colour and fast preview applied), its token.

    Returns:
        ``(array, token)``: ``H×W`` or ``H×W×3``, uint8 (an 8-bit file's own samples: use
        :func:`filters.image_io.to_unit` or :func:`filters.image_io.unit_scale` for [0, 1]) or
        float32 in [0, 1].
    """
    kept = working_set()
    return kept.full, kept.token


def working_copy_note() -> None:
    """Say, under a page's title, that it works on the reduced copy (when it does)."""
    kept = working_set()
    if kept.reduced:
        h, w = kept.view.shape[:2]
        fh, fw = kept.full.shape[:2]
        st.caption(t("image.working_copy", w=w, h=h, fw=fw, fh=fh),
                   help=t("image.working_copy_help"))


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


@dataclass(frozen=True)
class Picture:
    """An image as the browser gets it: a JPEG (quality 90, as Streamlit encodes arrays) of at
    most ``SCREEN_SIDE`` a side, its ``(h, w)`` in pixels and the downscaling factor. A tenth of
    the bytes of the uint8 pixels, so caches keep many, and a rerun does not encode it again."""

    jpeg: bytes
    size: tuple[int, int]
    scale: float


def picture(array: np.ndarray, normalize: str = "clip") -> Picture:
    """:func:`display_pixels`, encoded as the JPEG that :func:`show_picture` sends."""
    pixels, scale = display_pixels(array, normalize)
    buffer = io.BytesIO()
    Image.fromarray(pixels).save(buffer, "JPEG", quality=90)
    return Picture(buffer.getvalue(), (int(pixels.shape[0]), int(pixels.shape[1])), scale)


@session_cache("display")
def _cached_picture(key: str, normalize: str, _array: np.ndarray) -> Picture:
    return picture(_array, normalize)


def show_picture(shown: Picture, caption: str, full_shape: tuple[int, ...], *,
                 width: int | str = "stretch") -> None:
    """Show a :class:`Picture` with the note that it was downscaled (when it was)."""
    st.image(shown.jpeg, caption=caption, width=width)
    if shown.scale < 1.0:
        h, w = full_shape[:2]
        st.caption(t("image.downscaled", w=shown.size[1], h=shown.size[0], fw=w, fh=h))


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
            encoded picture is cached, so a rerun does not redo it.
    """
    if cache_key is None:
        shown = picture(array, normalize)
    else:
        shown = _cached_picture(cache_key, normalize, array)
    show_picture(shown, caption, np.shape(array), width=width)


def zoom_to(array: np.ndarray, pixels: int = 384) -> np.ndarray:
    """Repeat pixels so a small picture is about ``pixels`` wide and stays sharp on screen."""
    return zoomed(array, max(1, pixels // max(1, array.shape[1])))
