"""Filter: apply a catalogue, typed, saved or channel-mixing kernel with every conv2d setting."""

import io
import json
import time

import numpy as np
import pandas as pd
import streamlit as st

import filters
from filters.export import conv_snippets
from ui.common import guard, page_setup
from ui.figures import kernel_heatmap
from ui.i18n import lang, t
from ui.image_source import show_image, working_image
from ui.state import add_kernel_to_library, kernels_from_json, kernels_to_json, library_kernels

page_setup("filter.title")
st.title(t("filter.title"))
st.caption(t("filter.caption"))

image, image_token = working_image()
channels = 1 if image.ndim == 2 else image.shape[2]


@st.cache_data(max_entries=24, ttl=1800, show_spinner=False)
def run_conv(token: str, kernel_bytes: bytes, shape: tuple, settings: str, _image, _kernel):
    """conv2d, cached on the image token, the kernel's bytes and the settings."""
    options = json.loads(settings)
    start = time.perf_counter()
    out = filters.conv2d(_image, _kernel, **options)
    return out, (time.perf_counter() - start) * 1000.0


# --- the kernel ------------------------------------------------------------------------------
kernel_column, settings_column = st.columns([3, 2], gap="large")
with kernel_column:
    source = st.radio(
        t("filter.source"), ["catalogue", "custom", "library", "mix"], key="filter_source",
        horizontal=True, format_func=lambda v: t(f"filter.source.{v}"),
    )
    kernel = None
    kernel_name = "kernel"
    if source == "catalogue":
        category = st.radio(t("filter.category"), list(filters.kernels.CATEGORIES),
                            key="filter_category", horizontal=True,
                            format_func=lambda c: t(f"category.{c}"))
        names = [n for n, k in filters.KERNELS.items() if k.category == category]
        if st.session_state.get("filter_kernel") not in names:
            st.session_state["filter_kernel"] = names[0]
        name = st.selectbox(t("filter.kernel"), names, key="filter_kernel")
        entry = filters.KERNELS[name]
        st.caption(
            (entry.description_zh if lang() == "zh" else entry.description_en) + " · "
            + t("filter.separable", s=t("filter.yes") if entry.separable else t("filter.no"))
        )
        params = {}
        if entry.params:
            param_columns = st.columns(len(entry.params))
            for column, param in zip(param_columns, entry.params, strict=True):
                label = param.label_zh if lang() == "zh" else param.label_en
                key = f"param_{name}_{param.name}"
                with column:
                    if param.integer:
                        params[param.name] = st.slider(
                            label, int(param.minimum), int(param.maximum), int(param.default),
                            step=int(param.step), key=key)
                    else:
                        params[param.name] = st.slider(
                            label, float(param.minimum), float(param.maximum),
                            float(param.default), step=float(param.step), key=key)
        kernel = guard(filters.get_kernel, name, **params)
        kernel_name = name
    elif source == "custom":
        text = st.text_area(t("filter.custom_text"), key="custom_text", height=130)
        kernel = guard(filters.parse_kernel, text)
        with st.expander(t("filter.custom_grid")):
            base = kernel if kernel is not None else np.zeros((3, 3))
            grid = st.data_editor(pd.DataFrame(base), key="custom_grid", num_rows="fixed")
            if st.button(t("filter.use_grid"), key="use_grid"):
                values = grid.to_numpy(dtype=np.float64)
                st.session_state["custom_text"] = filters.format_kernel(values)
                st.rerun()
        kernel_name = "custom"
    elif source == "library":
        saved = library_kernels()
        upload = st.file_uploader(t("filter.library_upload"), type=["json"], key="kernel_upload")
        if upload is not None and st.session_state.get("kernel_upload_done") != upload.file_id:
            added = guard(kernels_from_json, upload.getvalue().decode("utf-8", "replace"))
            if added is not None:
                for name, values, origin, meta in added:
                    add_kernel_to_library(name, values, source=origin, meta=meta)
                st.session_state["kernel_upload_done"] = upload.file_id
        if not saved:
            st.info(t("filter.library_empty"))
        else:
            name = st.selectbox(t("filter.library_pick"), list(saved), key="library_pick")
            kernel = saved[name].values
            kernel_name = name
    else:
        if channels != 3:
            st.warning(t("filter.mix_needs_colour"))
        preset = st.radio(t("filter.mix_preset"), ["luma_sobel", "per_channel", "swap"],
                          key="mix_preset", format_func=lambda v: t(f"filter.mix.{v}"))
        luma = np.array([0.299, 0.587, 0.114])
        if preset == "luma_sobel":
            kernel = luma[None, :, None, None] * filters.get_kernel("sobel_x")[None, None]
        elif preset == "per_channel":
            kernel = np.zeros((3, 3, 3, 3))
            for c, kname in enumerate(("sobel_x", "sobel_y", "laplacian_4")):
                kernel[c, c] = filters.get_kernel(kname)
        else:
            kernel = np.zeros((3, 3, 1, 1))
            kernel[0, 2] = kernel[1, 1] = kernel[2, 0] = 1.0
        st.caption(t("filter.weight_shape", shape="×".join(map(str, kernel.shape))))
        kernel_name = f"mix_{preset}"

    if kernel is not None:
        shown = kernel if kernel.ndim == 2 else kernel[0].sum(axis=0)
        st.plotly_chart(kernel_heatmap(shown, t("filter.heatmap")), key="kernel_heatmap")
        if kernel.ndim == 2 and source != "library":
            save_name = st.text_input(t("filter.save_name"), value=kernel_name,
                                      key=f"save_name_{kernel_name}")
            if st.button(t("filter.save"), key="save_kernel"):
                saved_as = add_kernel_to_library(save_name, kernel, source=source)
                st.success(t("filter.saved", name=saved_as))

# --- the settings ----------------------------------------------------------------------------
with settings_column:
    st.subheader(t("filter.settings"))
    a, b = st.columns(2)
    stride = a.number_input(t("common.stride"), 1, 64, key="filter_stride")
    dilation = b.number_input(t("common.dilation"), 1, 32, key="filter_dilation")
    padding_kind = st.radio(t("filter.padding_kind"), ["same", "valid", "custom"],
                            key="filter_padding_kind", horizontal=True,
                            format_func=lambda v: t(f"filter.padding.{v}"))
    padding: int | str = padding_kind
    if padding_kind == "custom":
        padding = int(st.number_input(t("filter.padding_amount"), 0, 512, key="filter_padding"))
    padding_mode = st.selectbox(t("common.padding_mode"), list(filters.PADDING_MODES),
                                key="filter_padding_mode",
                                format_func=lambda m: t(f"mode.{m}"))
    c, d = st.columns(2)
    bias = c.number_input(t("common.bias"), -10.0, 10.0, step=0.1, key="filter_bias")
    backend = d.selectbox(t("common.backend"), filters.available_backends()[::-1],
                          key="filter_backend")
    flip = st.toggle(t("filter.flip"), key="filter_flip", help=t("filter.flip_help"))

if kernel is not None:
    plan = guard(filters.conv.plan_conv, image, kernel, stride=int(stride), padding=padding,
                 padding_mode=padding_mode, dilation=int(dilation), backend="numpy")
    if plan is not None:
        g = plan.geometry
        kh, kw = plan.kernel.shape[-2:]
        st.markdown(f"**{t('filter.formula')}**")
        st.latex(r"H' = \lfloor (H + p_t + p_b - d(k_h-1) - 1) / s \rfloor + 1")
        for axis, n, before, after, k, out in (
            ("H", image.shape[0], g.top, g.bottom, kh, g.out_shape[0]),
            ("W", image.shape[1], g.left, g.right, kw, g.out_shape[1]),
        ):
            st.latex(
                rf"{axis}' = \lfloor ({n} + {before} + {after} - {int(dilation)}\cdot({k}-1)"
                rf" - 1) / {int(stride)} \rfloor + 1 = {out}"
            )

# --- the result ------------------------------------------------------------------------------
result = None
if kernel is not None:
    options = {
        "stride": int(stride), "padding": padding, "padding_mode": padding_mode,
        "dilation": int(dilation), "bias": float(bias) if bias else None, "flip": bool(flip),
        "backend": backend,
    }
    kernel = np.asarray(kernel, dtype=np.float64)
    computed = guard(run_conv, image_token, kernel.tobytes(), kernel.shape,
                     json.dumps(options, sort_keys=True), image, kernel)
    if computed is not None:
        result, milliseconds = computed

normalize = st.radio(t("filter.normalize"), ["clip", "abs", "minmax"], key="filter_normalize",
                     horizontal=True, format_func=lambda v: t(f"filter.normalize.{v}"))
left, right = st.columns(2)
with left:
    show_image(image, t("common.input"))
with right:
    if result is not None:
        shown = result
        if result.ndim == 3 and result.shape[2] not in (1, 3):
            channel = st.slider(t("filter.channel"), 0, result.shape[2] - 1, 0, key="channel")
            shown = result[:, :, channel]
        elif result.ndim == 3 and result.shape[2] == 1:
            shown = result[:, :, 0]
        show_image(shown, t("common.output"), normalize)
        st.caption(t("filter.stats", min=float(result.min()), max=float(result.max()),
                     mean=float(result.mean()), shape="×".join(map(str, result.shape))))
        st.caption(t("filter.seconds", ms=milliseconds, backend=backend))
        st.session_state["filter_output_summary"] = {
            "shape": result.shape, "sum": float(result.sum()), "min": float(result.min()),
            "max": float(result.max()),
        }



def npy_bytes(array: np.ndarray) -> bytes:
    """``np.save`` into memory; called only when a download button is clicked."""
    buffer = io.BytesIO()
    np.save(buffer, array)
    return buffer.getvalue()


if result is not None and kernel is not None:
    png_source = result if result.ndim == 2 or result.shape[2] in (1, 3) else result[:, :, 0]
    buttons = st.columns(4)
    # Downloads are prepared on click (deferred), so a rerun does not encode them.
    buttons[0].download_button(
        t("filter.download_png"),
        lambda: filters.encode_png(png_source, normalize=normalize),
        "output.png", "image/png", key="dl_png",
    )
    buttons[1].download_button(t("filter.download_npy"), lambda: npy_bytes(result), "output.npy",
                               key="dl_npy")
    if kernel.ndim == 2:
        buttons[2].download_button(t("filter.download_text"), filters.format_kernel(kernel),
                                   f"{kernel_name}.txt", key="dl_txt")
        buttons[3].download_button(
            t("filter.download_json"),
            kernels_to_json({kernel_name: type("K", (), {"values": kernel, "source": source,
                                                          "meta": {}})()}),
            f"{kernel_name}.json", key="dl_json")
    if kernel.ndim == 2:
        with st.expander(t("common.code")):
            st.caption(t("common.code_help"))
            st.download_button(t("common.download_input"), lambda: npy_bytes(image),
                               "input.npy", key="dl_input")
            snippets = conv_snippets(kernel, channels=channels, stride=int(stride),
                                     padding=padding, padding_mode=padding_mode,
                                     dilation=int(dilation), bias=options["bias"], flip=flip)
            for tab, (library, code) in zip(st.tabs(list(snippets)), snippets.items(),
                                            strict=True):
                with tab:
                    st.code(code, language="python")
                    st.download_button(t("common.download_snippet", name=library), code,
                                       f"{library}_snippet.py", key=f"dl_code_{library}")
