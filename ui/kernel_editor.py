"""The kernel picker of the Filter page: catalogue gallery, typed/grid editor, saved kernels,
and full multi-channel weights.

:func:`kernel_picker` renders the controls and returns a :class:`KernelChoice` (or ``None``
while the user's input cannot be used; the reason is shown with ``st.error`` and what they
typed stays). :func:`kernel_text_editor` is the text + grid editor on its own, reused by other
pages (the transposed-convolution kernel of the Pooling & Upsampling page).
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd
import streamlit as st

import filters
from filters.kernels import load_weight_npy, read_kernel_file
from filters.limits import MAX_KERNEL_SIZE

from .common import guard
from .figures import kernel_heatmap, weight_grid
from .i18n import kernel_description, kernel_name, option_format, param_label, t
from .state import (
    add_kernel_to_library,
    kernel_from_text_file,
    kernels_from_json,
    kernels_to_json,
    library_kernels,
    persist,
    remove_kernel_from_library,
)

__all__ = [
    "SOURCES",
    "KernelChoice",
    "apply_grid_edits",
    "block_diagonal_weight",
    "kernel_picker",
    "kernel_text_editor",
    "kernels_from_upload",
    "resize_kernel",
    "show_kernel",
]

SOURCES = ("catalogue", "custom", "library", "mix")
MIX_PRESETS = ("to_grey", "per_channel", "swap", "npy")
LUMA = (0.299, 0.587, 0.114)   # ITU-R BT.601, as filters.to_grey


@dataclass(frozen=True)
class KernelChoice:
    """What the picker chose.

    Attributes:
        values: float64 ``kh×kw`` (depthwise: applied to every channel) or a full
            ``C_out×C_in×kh×kw`` weight.
        name: a short name for file names and the library (``"sobel_x"``, ``"custom"``...).
        source: ``"catalogue" | "custom" | "library" | "mix"``.
        params: the catalogue parameters used (empty otherwise).
    """

    values: np.ndarray
    name: str
    source: str
    params: dict[str, float] = field(default_factory=dict)

    @property
    def is_full(self) -> bool:
        """True for a full ``C_out×C_in×kh×kw`` weight."""
        return self.values.ndim == 4


# --- pure helpers (no Streamlit) -------------------------------------------------------------


def resize_kernel(kernel: np.ndarray, rows: int, cols: int) -> np.ndarray:
    """``kernel`` cut or zero-extended to ``rows×cols``, keeping its top-left values.

    Example:
        >>> resize_kernel(np.ones((2, 2)), 2, 3).tolist()
        [[1.0, 1.0, 0.0], [1.0, 1.0, 0.0]]
    """
    out = np.zeros((int(rows), int(cols)), dtype=np.float64)
    h, w = min(rows, kernel.shape[0]), min(cols, kernel.shape[1])
    out[:h, :w] = kernel[:h, :w]
    return out


def apply_grid_edits(base: np.ndarray, edits: dict[str, Any]) -> np.ndarray:
    """Apply the ``edited_rows`` of an ``st.data_editor`` state to ``base`` (a copy).

    Args:
        base: the ``kh×kw`` kernel the grid was drawn from (columns named ``"0"``, ``"1"``...).
        edits: the widget state: ``{"edited_rows": {row: {column: value}}, ...}``; cleared
            cells (``None``) become 0.

    Example:
        >>> apply_grid_edits(np.zeros((2, 2)), {"edited_rows": {1: {"0": 5.0}}}).tolist()
        [[0.0, 0.0], [5.0, 0.0]]
    """
    out = np.array(base, dtype=np.float64, copy=True)
    for row, columns in (edits.get("edited_rows") or {}).items():
        for column, value in columns.items():
            r, c = int(row), int(column)
            if 0 <= r < out.shape[0] and 0 <= c < out.shape[1]:
                out[r, c] = 0.0 if value is None else float(value)
    return out


def block_diagonal_weight(kernels: Sequence[np.ndarray]) -> np.ndarray:
    """A ``C×C×k×k`` weight applying ``kernels[c]`` to channel ``c`` only.

    Kernels of different sizes are zero-padded around their centre to the largest size.

    Example:
        >>> block_diagonal_weight([np.ones((1, 1)), np.ones((3, 3))]).shape
        (2, 2, 3, 3)
    """
    kh = max(k.shape[0] for k in kernels)
    kw = max(k.shape[1] for k in kernels)
    weight = np.zeros((len(kernels), len(kernels), kh, kw), dtype=np.float64)
    for c, kernel in enumerate(kernels):
        top, left = (kh - kernel.shape[0]) // 2, (kw - kernel.shape[1]) // 2
        weight[c, c, top:top + kernel.shape[0], left:left + kernel.shape[1]] = kernel
    return weight


def kernels_from_upload(file_name: str, data: bytes) -> list[tuple[str, np.ndarray, str, dict]]:
    """The kernels of an uploaded ``.json`` (a saved library) or ``.txt`` (one kernel) file.

    Returns:
        ``(name, values, source, meta)`` per kernel, as :func:`ui.state.kernels_from_json`.

    Raises:
        ValueError: what :func:`filters.kernels.read_kernel_file` and the readers refuse
            (another extension, empty, too large, binary, broken JSON, not a kernel).
    """
    kind, text = read_kernel_file(data, file_name)
    if kind == "json":
        return kernels_from_json(text)
    name, values = kernel_from_text_file(file_name, text)
    return [(name, values, "uploaded", {})]


# --- rendering -------------------------------------------------------------------------------


@st.cache_data(max_entries=64, ttl=3600, show_spinner=False)
def _figure_json(digest: str, title: str, labels: tuple[str, ...], _values: np.ndarray) -> dict:
    """The kernel figure as plotly JSON (building a plotly figure costs tens of ms; a rerun
    with the same kernel reuses it)."""
    if _values.ndim == 4:
        c_out, c_in = _values.shape[:2]
        outs = list(labels) if c_out == 3 else [str(i) for i in range(c_out)]
        ins = list(labels) if c_in == 3 else [str(i) for i in range(c_in)]
        figure = weight_grid(_values[:8, :8], out_labels=outs, in_labels=ins)
    else:
        figure = kernel_heatmap(_values, title)
    return figure.to_plotly_json()


def show_kernel(values: np.ndarray, title: str, *, key: str) -> None:
    """Render a kernel heatmap (``kh×kw``) or a grid of heatmaps (``C_out×C_in×kh×kw``)."""
    values = np.asarray(values, dtype=np.float64)
    figure = _figure_json(kernel_digest(values), title, ("R", "G", "B"), values)
    if values.ndim == 4:
        st.plotly_chart(figure, key=key, config={"displayModeBar": False})
        if values.shape[0] > 8 or values.shape[1] > 8:
            st.caption(t("kernel.weight_cut"))
    else:
        st.plotly_chart(figure, key=key, width="content", config={"displayModeBar": False})


def _kernel_label(name: str) -> str:
    return name.replace("_", " ")


def _catalogue_picker() -> KernelChoice | None:
    """Category, kernel, its description and parameter sliders."""
    category = st.radio(t("filter.category"), list(filters.kernels.CATEGORIES),
                        horizontal=True, format_func=option_format("category."),
                        **persist("filter_category", "edge"))
    names = [n for n, k in filters.KERNELS.items() if k.category == category]
    if st.session_state.get("filter_kernel") not in names:  # another category was chosen
        st.session_state["filter_kernel"] = names[0]
    name = st.selectbox(t("filter.kernel"), names, format_func=option_format("kernel.", ".name"),
                        **persist("filter_kernel", names[0]))
    entry = filters.KERNELS[name]
    st.caption(kernel_description(name) + " · " + (t("filter.separable_yes") if entry.separable
                                      else t("filter.separable_no")))
    params: dict[str, float] = {}
    if entry.params:
        columns = st.columns(len(entry.params))
        for column, param in zip(columns, entry.params, strict=True):
            label = param_label(param.name)
            key = f"param_{name}_{param.name}"
            with column:
                if param.integer:
                    params[param.name] = st.slider(
                        label, int(param.minimum), int(param.maximum),
                        step=int(param.step), **persist(key, int(param.default)))
                else:
                    params[param.name] = st.slider(
                        label, float(param.minimum), float(param.maximum),
                        step=float(param.step), **persist(key, float(param.default)))
    with st.expander(t("filter.gallery", n=len(names))):
        rows = [{t("filter.gallery.name"): kernel_name(n),
                 t("filter.gallery.size"): "×".join(map(str, filters.get_kernel(n).shape)),
                 t("filter.gallery.separable"): "✓" if filters.KERNELS[n].separable else "",
                 t("filter.gallery.what"): kernel_description(n)}
                for n in names]
        st.dataframe(pd.DataFrame(rows), hide_index=True, width="stretch")
    values = guard(filters.get_kernel, name, **params)
    if values is None:
        return None
    return KernelChoice(values, name, "catalogue", params)


def _grid_changed(prefix: str, base_key: str, grid_key: str) -> None:
    """Callback: grid edits become the kernel text (which stays the one source of truth)."""
    base = st.session_state.get(base_key)
    edits = st.session_state.get(grid_key) or {}
    if base is None:
        return
    edited = apply_grid_edits(np.asarray(base), edits)
    st.session_state[f"{prefix}_text"] = filters.format_kernel(edited)
    st.session_state[f"{prefix}_grid_version"] = st.session_state.get(
        f"{prefix}_grid_version", 0) + 1


def _shape_changed(prefix: str, base_key: str) -> None:
    """Callback: the rows/columns inputs resize the kernel (new cells are 0)."""
    base = st.session_state.get(base_key)
    if base is None:
        return
    rows = int(st.session_state[f"{prefix}_rows"])
    cols = int(st.session_state[f"{prefix}_cols"])
    st.session_state[f"{prefix}_text"] = filters.format_kernel(
        resize_kernel(np.asarray(base), rows, cols))
    st.session_state[f"{prefix}_grid_version"] = st.session_state.get(
        f"{prefix}_grid_version", 0) + 1


def kernel_text_editor(prefix: str, *, default: str = "1 0 -1\n1 0 -1\n1 0 -1",
                       grid: bool = True, height: int = 120) -> np.ndarray | None:
    """A kernel typed as text (parsed by :func:`filters.parse_kernel`) and, optionally, as a grid.

    The text area (key ``f"{prefix}_text"``) is the source of truth; the grid
    (``st.data_editor``) and the rows/columns inputs rewrite the text when they change. A text
    that cannot be parsed shows ``st.error`` with the parser's message and is kept as typed.

    Returns:
        The float64 ``kh×kw`` kernel, or ``None`` while the text is not a valid kernel.
    """
    text_key, base_key = f"{prefix}_text", f"{prefix}_grid_base"
    tabs = st.tabs([t("kernel.tab_text"), t("kernel.tab_grid")]) if grid else None
    with tabs[0] if tabs else st.container():
        text = st.text_area(t("kernel.text_label"), height=height, help=t("kernel.text_help"),
                            **persist(text_key, default))
        kernel = guard(filters.parse_kernel, text)
    if kernel is not None:
        st.session_state[base_key] = kernel
    if tabs is None:
        return kernel
    with tabs[1]:
        base = st.session_state.get(base_key)
        if base is None:
            st.info(t("kernel.grid_needs_text"))
            return kernel
        if kernel is None:
            st.warning(t("kernel.grid_last_good"))
        a, b = st.columns(2)
        st.session_state[f"{prefix}_rows"] = int(base.shape[0])
        st.session_state[f"{prefix}_cols"] = int(base.shape[1])
        a.number_input(t("kernel.rows"), 1, MAX_KERNEL_SIZE, key=f"{prefix}_rows",
                       on_change=_shape_changed, args=(prefix, base_key))
        b.number_input(t("kernel.cols"), 1, MAX_KERNEL_SIZE, key=f"{prefix}_cols",
                       on_change=_shape_changed, args=(prefix, base_key))
        version = st.session_state.get(f"{prefix}_grid_version", 0)
        grid_key = f"{prefix}_grid_{version}"
        frame = pd.DataFrame(base, columns=[str(c) for c in range(base.shape[1])])
        st.data_editor(frame, key=grid_key, num_rows="fixed", hide_index=False,
                       on_change=_grid_changed, args=(prefix, base_key, grid_key),
                       column_config={c: st.column_config.NumberColumn(format="%.4g")
                                      for c in frame.columns})
        st.caption(t("kernel.grid_help"))
    return kernel


def _edit_copy(values: np.ndarray) -> None:
    """Callback: copy a kernel into the text editor and switch to it."""
    st.session_state["custom_text"] = filters.format_kernel(values)
    st.session_state["custom_grid_version"] = st.session_state.get("custom_grid_version", 0) + 1
    st.session_state["filter_source"] = "custom"


def _remove_saved(name: str) -> None:
    remove_kernel_from_library(name)
    st.session_state.pop("library_pick", None)


def _library_upload() -> None:
    """Add kernels from an uploaded JSON (values + metadata) or text file, once per file."""
    upload = st.file_uploader(t("filter.library_upload"), type=["json", "txt"],
                              key="kernel_upload", help=t("filter.library_upload_help"))
    if upload is None or st.session_state.get("kernel_upload_done") == upload.file_id:
        return
    st.session_state["kernel_upload_done"] = upload.file_id
    found = guard(kernels_from_upload, upload.name, upload.getvalue())
    if found is None:  # the message is shown; the library is as it was
        return
    added = [guard(add_kernel_to_library, name, values, source, meta)
             for name, values, source, meta in found]
    names = [a for a in added if a]
    if names:
        st.session_state["library_pick"] = names[-1]
        st.success(t("filter.library_added", n=len(names)))


def _library_label(saved: dict) -> Any:
    """``format_func`` of the saved kernels: name and source, in the current language."""
    source = option_format("source.")
    return lambda n: f"{n} · {source(saved[n].source)}" if n in saved else n


def _library_picker() -> KernelChoice | None:
    """The session's saved kernels (own, learned, LeNet, uploaded) with upload and download."""
    _library_upload()
    saved = library_kernels()
    if not saved:
        st.info(t("filter.library_empty"))
        return None
    if st.session_state.get("library_pick") not in saved:
        st.session_state["library_pick"] = next(reversed(saved))
    name = st.selectbox(t("filter.library_pick"), list(saved),
                        format_func=_library_label(saved),
                        **persist("library_pick", next(reversed(saved))))
    entry = saved[name]
    facts = ", ".join(f"{k} = {v}" for k, v in entry.meta.items()
                      if not isinstance(v, (list, dict)))
    st.caption(t("filter.library_entry", shape="×".join(map(str, entry.values.shape)),
                 source=t("source." + entry.source)) + (f" · {facts}" if facts else ""))
    a, b = st.columns(2)
    a.download_button(t("filter.library_download"), lambda: kernels_to_json(saved),
                      "kernels.json", "application/json", key="dl_library", width="stretch")
    b.button(t("filter.library_remove", name=name), key="library_remove", width="stretch",
             on_click=_remove_saved, args=(name,))
    return KernelChoice(entry.values, name, "library", {})


def _channel_kernel_options() -> list[str]:
    return list(filters.KERNELS) + [f"★ {n}" for n in library_kernels()]


def _kernel_option() -> Callable[[Any], str]:
    """``format_func`` of a kernel list: catalogue names translated, "★ saved" ones as they are."""
    return option_format("kernel.", ".name", unknown_as_is=True)


def _option_kernel(option: str) -> np.ndarray:
    if option.startswith("★ "):
        return library_kernels()[option[2:]].values
    return filters.get_kernel(option)


def _mix_picker(channels: int) -> KernelChoice | None:
    """Full ``C_out×C_in×kh×kw`` weights: RGB→grey + kernel, a kernel per channel, swap, .npy."""
    preset = st.radio(t("filter.mix_preset"), list(MIX_PRESETS),
                      format_func=option_format("filter.mix."), **persist("mix_preset", "to_grey"))
    if preset != "npy" and channels != 3:
        st.warning(t("filter.mix_needs_colour"))
        return None
    options = _channel_kernel_options()
    weight: np.ndarray | None = None
    if preset == "to_grey":
        kname = st.selectbox(t("filter.mix_kernel"), options, format_func=_kernel_option(),
                             **persist("mix_kernel", "sobel_x"))
        columns = st.columns(3)
        weights = [col.number_input(t(f"filter.mix_w.{c}"), -4.0, 4.0, step=0.05,
                                    format="%.3f", **persist(f"mix_w_{c}", LUMA[i]))
                   for i, (col, c) in enumerate(zip(columns, "rgb", strict=True))]
        kernel = guard(_option_kernel, kname)
        if kernel is not None:
            weight = np.asarray(weights)[None, :, None, None] * kernel[None, None]
    elif preset == "per_channel":
        columns = st.columns(3)
        defaults = ("sobel_x", "sobel_y", "laplacian_4")
        chosen = [col.selectbox(t(f"filter.mix_channel.{c}"), options,
                                format_func=_kernel_option(), **persist(f"mix_{c}", d))
                  for col, c, d in zip(columns, "rgb", defaults, strict=True)]
        kernels = [guard(_option_kernel, c) for c in chosen]
        if all(k is not None for k in kernels):
            weight = block_diagonal_weight([k for k in kernels if k is not None])
    elif preset == "swap":
        weight = np.zeros((3, 3, 1, 1))
        weight[0, 2] = weight[1, 1] = weight[2, 0] = 1.0
    else:
        upload = st.file_uploader(t("filter.mix_npy"), type=["npy"], key="mix_npy_file",
                                  help=t("filter.mix_npy_help", c=channels))
        if upload is None:
            st.info(t("filter.mix_npy_waiting", c=channels))
            return None
        weight = guard(load_weight_npy, upload.getvalue())
    if weight is None:
        return None
    st.caption(t("filter.weight_shape", shape="×".join(map(str, weight.shape))))
    return KernelChoice(weight, f"weight_{preset}", "mix", {})


def _save_controls(choice: KernelChoice) -> None:
    """Name + button that save a ``kh×kw`` kernel into the session's library."""
    a, b = st.columns([3, 2], vertical_alignment="bottom")
    name = a.text_input(t("filter.save_name"), value=choice.name, key=f"save_name_{choice.name}")
    if b.button(t("filter.save"), key="save_kernel", width="stretch"):
        source = "catalogue" if choice.source == "catalogue" else "custom"
        meta: dict[str, Any] = dict(choice.params)
        if choice.source == "catalogue":
            meta["catalogue"] = choice.name
        saved_as = guard(add_kernel_to_library, name, choice.values, source, meta)
        if saved_as:
            st.success(t("filter.saved", name=saved_as))


def kernel_picker(channels: int) -> KernelChoice | None:
    """Render the kernel panel of the Filter page and return the chosen kernel.

    Shows the source switch (catalogue / typed / my kernels / channel mixing), the controls of
    that source, the kernel's heatmap (values written in the cells), and for ``kh×kw`` kernels
    "edit a copy" and "save to my kernels".

    Args:
        channels: channels of the working image (1 or 3); channel mixing needs 3.

    Returns:
        The :class:`KernelChoice`, or ``None`` while the input cannot be used (an ``st.error``
        or ``st.info`` says why).
    """
    source = st.radio(t("filter.source"), list(SOURCES), horizontal=True,
                      format_func=option_format("filter.source."),
                      **persist("filter_source", "catalogue"))
    if source == "catalogue":
        choice = _catalogue_picker()
    elif source == "custom":
        values = kernel_text_editor("custom")
        choice = None if values is None else KernelChoice(values, "custom", "custom", {})
    elif source == "library":
        choice = _library_picker()
    else:
        choice = _mix_picker(channels)
    if choice is None:
        return None
    show_kernel(choice.values, t("filter.heatmap", shape="×".join(map(str, choice.values.shape))),
                key="kernel_heatmap")
    if not choice.is_full:
        st.caption(t("filter.kernel_sum", s=float(choice.values.sum())))
        if choice.source != "custom":
            st.button(t("filter.edit_copy"), key="edit_copy", on_click=_edit_copy,
                      args=(choice.values,), icon=":material/edit:")
        if choice.source != "library":
            _save_controls(choice)
    return choice


def kernel_digest(values: np.ndarray) -> str:
    """A short id of a kernel's values and shape (a cache key)."""
    return hashlib.sha1(values.tobytes() + str(values.shape).encode()).hexdigest()[:16]
