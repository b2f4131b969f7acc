"""The image picker every page shares: a sample or an upload, grey or colour, fast preview.

Decoding is cached per upload (keyed on the file's bytes, bounded by ``max_entries`` and
``ttl``). A file that cannot be used shows an error and the previous image stays.
"""

from __future__ import annotations

import hashlib
from typing import Any

import numpy as np
import streamlit as st

import filters
from filters.image_io import ALLOWED_EXTENSIONS, load_image_with_info
from filters.limits import MAX_IMAGE_PIXELS, MAX_UPLOAD_MB

from .i18n import lang, t
from .state import IMAGE, CurrentImage, current_image, sample_image

SCREEN_SIDE = 1200
PREVIEW_SIDE = 800
NOTE_ZH = {
    "first_frame": "动画文件：只使用第一帧（共 {frames} 帧）。",
    "exif_rotated": "已按 EXIF 方向信息旋转为正向显示。",
    "alpha_composited": "透明通道已合成到背景色上。",
    "sixteen_bit": "16 位图像：数值除以 65535。",
    "cmyk_converted": "CMYK 已转换为 RGB。",
    "converted_to_grey": "已转换为灰度。",
    "downscaled": "图像已缩小。",
    "extreme_aspect": "图像非常细长。",
}


@st.cache_data(max_entries=16, ttl=3600, show_spinner=False)
def decode_upload(data: bytes, background: str = "#ffffff"
                  ) -> tuple[np.ndarray, list[tuple[str, str, dict[str, Any]]]]:
    """Decode uploaded bytes once; returns the float32 array and its notes (code, text, values).

    ``background`` (``#rrggbb``) is what transparent pixels are composited on.
    """
    loaded = load_image_with_info(data, background=background)
    notes = [(n.code, n.message, dict(n.values)) for n in loaded.info.notes]
    return loaded.array, notes


def _note_text(code: str, message: str, values: dict[str, Any]) -> str:
    if lang() == "zh" and code in NOTE_ZH:
        try:
            return NOTE_ZH[code].format(**values)
        except (KeyError, IndexError):
            return NOTE_ZH[code]
    return message


def _use_upload(upload: Any) -> None:
    data = upload.getvalue()
    background = st.session_state.get("alpha_background", "#ffffff")
    token = "upload:" + hashlib.sha1(data).hexdigest()[:16] + background
    if st.session_state.get(IMAGE) is not None and st.session_state[IMAGE].token == token:
        return
    try:
        array, notes = decode_upload(data, background)
    except (ValueError, TypeError) as error:
        st.session_state["upload_error"] = t("image.bad_upload", name=upload.name,
                                             message=str(error))
        return
    st.session_state.pop("upload_error", None)
    st.session_state[IMAGE] = CurrentImage(
        array, upload.name, token, [_note_text(code, msg, vals) for code, msg, vals in notes]
    )


def image_picker() -> None:
    """Sidebar controls that choose the session's current image."""
    st.sidebar.subheader(t("image.header"))
    source = st.sidebar.radio(
        t("image.source"), ["sample", "upload"], key="image_source", horizontal=True,
        format_func=lambda v: t(f"image.source.{v}"),
    )
    if source == "sample":
        names = list(filters.SAMPLES)
        name = st.sidebar.selectbox(
            t("image.sample"), names, key="sample_name",
            format_func=lambda n: filters.SAMPLES[n].title_zh if lang() == "zh"
            else filters.SAMPLES[n].title_en,
        )
        if current_image().token != f"sample:{name}":
            st.session_state[IMAGE] = sample_image(name)
    else:
        upload = st.sidebar.file_uploader(
            t("image.upload"), type=list(ALLOWED_EXTENSIONS), key="upload",
            help=t("image.upload_help", mb=MAX_UPLOAD_MB, mp=MAX_IMAGE_PIXELS // 1_000_000),
        )
        st.sidebar.color_picker(t("image.background"), key="alpha_background",
                                help=t("image.background_help"))
        if upload is not None:
            _use_upload(upload)
    if st.session_state.get("upload_error"):
        st.sidebar.error(st.session_state["upload_error"])
    st.sidebar.radio(
        t("image.colour"), ["keep", "grey"], key="colour_mode", horizontal=True,
        format_func=lambda v: t("image.colour.keep") if v == "keep" else t("image.colour.grey"),
    )
    st.sidebar.checkbox(t("image.fast"), key="fast_preview")
    image = current_image()
    h, w = image.array.shape[:2]
    kind = (t("image.kind.grey") if image.array.ndim == 2
            else t("image.kind.colour", c=image.array.shape[2]))
    st.sidebar.caption(t("image.current", name=image.name, w=w, h=h, kind=kind))
    if image.notes:
        with st.sidebar.expander(t("image.notes")):
            for note in image.notes:
                st.write("• " + note)


@st.cache_data(max_entries=8, ttl=3600, show_spinner=False)
def _working_copy(token: str, grey: bool, preview: bool, _array: np.ndarray) -> np.ndarray:
    array = _array
    if grey and array.ndim == 3:
        array = filters.to_grey(array)
    if preview:
        array, _ = filters.fit_for_screen(array, PREVIEW_SIDE)
    return np.ascontiguousarray(array, dtype=np.float32)


def working_image() -> tuple[np.ndarray, str]:
    """The array the maths runs on (grey/colour and fast preview applied) and its cache token."""
    image = current_image()
    grey = st.session_state.get("colour_mode", "keep") == "grey"
    preview = bool(st.session_state.get("fast_preview", False))
    array = _working_copy(image.token, grey, preview, image.array)
    return array, f"{image.token}|{grey}|{preview}"


def screen_copy(array: np.ndarray) -> tuple[np.ndarray, float]:
    """A copy small enough for the screen (area-averaged) and its scale."""
    return filters.fit_for_screen(array, SCREEN_SIDE)


def show_image(array: np.ndarray, caption: str, normalize: str = "clip") -> None:
    """Show an image (any range) as uint8 with the chosen normalisation, downscaled to fit."""
    small, scale = screen_copy(array)
    pixels = filters.to_display(small, normalize=normalize)  # type: ignore[arg-type]
    st.image(pixels, caption=caption, width="stretch")
    if scale < 1.0:
        h, w = array.shape[:2]
        st.caption(t("image.downscaled", w=small.shape[1], h=small.shape[0], fw=w, fh=h))
