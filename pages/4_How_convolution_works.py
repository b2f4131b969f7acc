"""How convolution works: step through the sliding window, solve the size formula, take the code."""

import numpy as np
import streamlit as st

import filters
from filters.explain import (
    conv_walkthrough,
    partial_output,
    solve_output_padding,
    solve_padding,
    solve_stride,
)
from filters.export import conv_snippets
from filters.upsampling import zero_inserted_input
from ui.common import guard, page_setup
from ui.explain_figures import number_grid
from ui.i18n import option_format, t
from ui.image_source import working_copy_note, working_image
from ui.snippets import code_tabs, input_download

page_setup("explain.title")
st.title(t("explain.title"))
st.caption(t("explain.caption"))

NOTES_IMAGE = np.array(
    [[1, 2, 3, 0, 1], [0, 1, 2, 3, 0], [2, 0, 1, 2, 3], [1, 2, 0, 1, 0], [0, 1, 2, 3, 1]],
    dtype=np.float64,
)
D2L_X = np.stack([np.arange(9.0).reshape(3, 3), np.arange(1.0, 10.0).reshape(3, 3)], axis=-1)
D2L_K = np.array([[[0.0, 1.0], [2.0, 3.0]], [[1.0, 2.0], [3.0, 4.0]]])

# --- what to slide over ---------------------------------------------------------------------
controls, settings = st.columns([3, 2], gap="large")
with controls:
    data = st.radio(t("explain.data"), ["notes", "patch", "channels"], key="explain_data",
                    horizontal=True, format_func=option_format("explain.data."))
    if data == "patch":
        image, _ = working_image()
        working_copy_note()
        grey = filters.to_grey(image)
        size = st.slider(t("explain.patch_size"), 3, 9, 6, key="explain_patch_size")
        h, w = grey.shape
        a, b = st.columns(2)
        # A slider needs min < max: on an image no taller (wider) than the patch there is only
        # one position, so it is fixed at 0 and said so instead.
        top = a.slider(t("explain.patch_row"), 0, h - size, min(h // 2, h - size),
                       key="explain_patch_row") if h > size else 0
        left = b.slider(t("explain.patch_col"), 0, w - size, min(w // 2, w - size),
                        key="explain_patch_col") if w > size else 0
        x = np.round(grey[top : top + size, left : left + size] * 255.0)
        if x.shape != (size, size):
            st.caption(t("explain.patch_small", h=x.shape[0], w=x.shape[1], size=size))
    elif data == "channels":
        x = D2L_X
    else:
        x = NOTES_IMAGE
    if data == "channels":
        kernel = D2L_K
        slices = [f"{t('explain.channel_slice', c=c)} {D2L_K[c].astype(int).tolist()}"
                  for c in range(2)]
        st.caption("K = " + "; ".join(slices))
    else:
        names = ["vertical_edge", "horizontal_edge", "sobel_x", "laplacian_4", "box_blur",
                 "d2l_edge", "roberts_x"]
        name = st.selectbox(t("explain.kernel"), names, key="explain_kernel",
                            format_func=option_format("kernel.", ".name"))
        kernel = filters.get_kernel(name)
with settings:
    a, b = st.columns(2)
    stride = a.number_input(t("common.stride"), 1, 3, 1, key="explain_stride")
    dilation = b.number_input(t("common.dilation"), 1, 3, 1, key="explain_dilation")
    c, d = st.columns(2)
    padding = c.number_input(t("common.padding"), 0, 3, 0, key="explain_padding")
    bias = d.number_input(t("common.bias"), -10.0, 10.0, 1.0 if data == "channels" else 0.0,
                          step=1.0, key=f"explain_bias_{data}")
    mode = st.selectbox(t("common.padding_mode"), list(filters.PADDING_MODES),
                        key="explain_mode", format_func=option_format("mode."))
    flip = st.toggle(t("filter.flip"), key="explain_flip", help=t("filter.flip_help"))

walk = guard(conv_walkthrough, x, kernel, stride=int(stride), padding=int(padding),
             padding_mode=mode, dilation=int(dilation), bias=float(bias), flip=flip)

if walk is not None:
    total = len(walk.steps)
    single = total == 1  # e.g. dilation 2 or stride 3 on 5×5: one window position only
    # The step lives in "explain_index" (no widget): Play advances it inside the fragment, after
    # the step slider exists, and Streamlit forbids changing a created widget's value. The
    # slider ("explain_step") is set from it before it is drawn and copies itself back.
    st.session_state.setdefault("explain_index", 0)
    st.session_state["explain_index"] = min(st.session_state["explain_index"], total - 1)
    st.session_state["explain_step"] = st.session_state["explain_index"]

    def move(delta: int) -> None:
        current = min(st.session_state.get("explain_index", 0), total - 1)
        st.session_state["explain_index"] = (current + delta) % total

    def slid() -> None:
        st.session_state["explain_index"] = st.session_state["explain_step"]

    buttons = st.columns([1, 1, 1, 2, 4])
    buttons[0].button(t("explain.prev"), key="explain_prev", on_click=move, args=(-1,),
                      disabled=single)
    buttons[1].button(t("explain.next"), key="explain_next", on_click=move, args=(1,),
                      disabled=single)
    playing = buttons[2].toggle(t("explain.play"), key="explain_play", disabled=single) \
        and not single
    speed = buttons[3].slider(t("explain.speed"), 1, 8, 2, key="explain_speed")
    if single:  # a slider needs min < max; there is nothing to step through
        buttons[4].caption(t("explain.single_step"))
    else:
        buttons[4].slider(t("explain.step"), 0, total - 1, key="explain_step", on_change=slid)

    @st.fragment(run_every=1.0 / speed if playing else None)
    def show_step() -> None:
        if playing:
            move(1)
        index = min(st.session_state.get("explain_index", 0), total - 1)
        step = walk.steps[index]
        grids = st.columns([3, 2, 2, 2])
        multi = walk.padded.ndim == 3
        with grids[0]:
            planes = [walk.padded[:, :, c] for c in range(walk.padded.shape[2])] if multi \
                else [walk.padded]
            for c, plane in enumerate(planes):
                title = t("explain.padded") + (f" · {t('explain.channel_slice', c=c)}" if multi
                                                else "")
                st.plotly_chart(number_grid(plane, title=title, window=(step.rows, step.cols),
                                            padding=walk.padding), key=f"explain_in_{c}")
        with grids[1]:
            slices = [walk.kernel[c] for c in range(walk.kernel.shape[0])] if multi \
                else [walk.kernel]
            for c, plane in enumerate(slices):
                title = t("explain.kernel_rotated") if flip else t("explain.kernel_slid")
                st.plotly_chart(number_grid(plane, title=title), key=f"explain_k_{c}")
        with grids[2]:
            products = step.products if multi else step.products[None]
            for c, plane in enumerate(products):
                st.plotly_chart(number_grid(plane, title=t("explain.products")),
                                key=f"explain_p_{c}")
        with grids[3]:
            st.plotly_chart(number_grid(partial_output(walk, index), title=t("explain.output"),
                                        highlight=(step.out_row, step.out_col)),
                            key="explain_out")
        terms = " + ".join(f"({v:g})" for v in np.ravel(step.products))
        bias_text = f" + {step.bias:g}" if step.bias else ""
        st.markdown(f"{terms}{bias_text} = **{step.value:g}**")
        st.markdown(t("explain.sum", i=step.out_row, j=step.out_col, bias=bias_text,
                      value=f"{step.value:g}"))

    show_step()

    if data != "channels":
        with st.expander(t("common.code")):
            st.caption(t("common.code_help"))
            input_download(x, key="explain_dl_input")
            code_tabs(conv_snippets(kernel, channels=1, stride=int(stride), padding=int(padding),
                                    padding_mode=mode, dilation=int(dilation),
                                    bias=float(bias) or None, flip=flip), key_prefix=None)

# --- formula solver -------------------------------------------------------------------------
st.divider()
st.header(t("explain.solver"))
PRESETS = {
    "s000": ("conv", 5, 3, 1, 0, 1, 0),
    "down": ("conv", 32, 3, 2, 1, 1, 0),
    "up": ("convT", 16, 3, 2, 1, 1, 1),
    "five": ("convT", 3, 3, 2, 1, 1, 0),
    "six": ("convT", 3, 3, 2, 1, 1, 1),
    "dilated": ("conv", 9, 3, 1, 0, 2, 0),
    "lenet": ("conv", 28, 5, 1, 2, 1, 0),
}
SOLVER_DEFAULTS = dict(zip(("solver_kind", "solver_n", "solver_k", "solver_s", "solver_p",
                            "solver_d", "solver_op"), PRESETS["down"], strict=True))
for key, value in SOLVER_DEFAULTS.items():
    st.session_state.setdefault(key, value)


def load_preset(name: str) -> None:
    values = PRESETS[name]
    for key, value in zip(SOLVER_DEFAULTS, values, strict=True):
        st.session_state[key] = value


st.caption(t("explain.presets"))
preset_columns = st.columns(4)
for index, name in enumerate(PRESETS):
    preset_columns[index % 4].button(t(f"preset.{name}"), key=f"preset_{name}",
                                     on_click=load_preset, args=(name,))

kind = st.radio(t("explain.solver_kind"), ["conv", "pool", "convT"], key="solver_kind",
                horizontal=True, format_func=option_format("explain.kind."))
cols = st.columns(6)
n = cols[0].number_input(t("explain.n"), 1, 100000, key="solver_n")
k = cols[1].number_input(t("explain.k"), 1, 1000, key="solver_k")
s = cols[2].number_input(t("common.stride"), 1, 1000, key="solver_s")
p = cols[3].number_input(t("common.padding"), 0, 1000, key="solver_p")
d = cols[4].number_input(t("common.dilation"), 1, 100, key="solver_d")
op = cols[5].number_input(t("explain.output_padding"), 0, 100, key="solver_op",
                          disabled=kind != "convT")

forward, backward = st.columns(2)
with forward:
    st.subheader(t("explain.forward"))
    if kind == "convT":
        out = guard(filters.transposed_output_size, int(n), int(k), int(s), int(p), int(op),
                    int(d))
        if out is not None:
            st.latex(r"o = (n-1)s - 2p + d(k-1) + \text{output\_padding} + 1")
            st.latex(rf"o = ({n}-1)\cdot{s} - 2\cdot{p} + {d}\cdot({k}-1) + {op} + 1 = {out}")
    else:
        out = guard(filters.output_size, int(n), int(k), int(s), int(p), int(d))
        if out is not None:
            numerator = int(n) + 2 * int(p) - int(d) * (int(k) - 1) - 1
            st.latex(r"o = \left\lfloor \frac{n + 2p - d(k-1) - 1}{s} \right\rfloor + 1")
            st.latex(rf"o = \left\lfloor \frac{{{n} + 2\cdot{p} - {d}\cdot({k}-1) - 1}}{{{s}}}"
                     rf"\right\rfloor + 1 = \left\lfloor \frac{{{numerator}}}{{{s}}} \right\rfloor"
                     rf" + 1 = {out}")
            if numerator % int(s):
                st.warning(t("explain.floor_warning", num=numerator, s=s, rest=numerator % int(s)))
            if kind == "pool" and int(p) > int(k) // 2:
                st.warning(t("error.prefix", message=f"torch refuses pooling padding {p} > "
                                                     f"kernel/2 = {int(k) // 2}."))
with backward:
    st.subheader(t("explain.backwards"))
    same = guard(solve_padding, int(n), int(k), stride=1, dilation=int(d))
    if same is not None:
        st.write(t("explain.want_same", n=n, p=same.value))
    target = st.number_input(t("explain.target"), 1, 100000, max(1, int(n) // 2),
                             key="solver_target")
    stride_answer = guard(solve_stride, int(n), int(target), int(k), padding=int(p),
                          dilation=int(d))
    if stride_answer is not None:
        st.write(t("explain.want_stride", target=target, s=stride_answer.value))
        st.caption(stride_answer.working)
    op_answer = guard(solve_output_padding, int(target), int(n), int(k),
                      stride=int(stride_answer.value if stride_answer else s), padding=int(p),
                      dilation=int(d))
    if op_answer is not None:
        st.write(t("explain.want_op", target=n, op=op_answer.value))
        st.caption(op_answer.working)

# --- transposed convolution, the notes' way ---------------------------------------------------
st.divider()
st.header(t("explain.transposed"))
st.caption(t("explain.transposed_caption"))
tc = st.columns(4)
t_stride = tc[0].number_input(t("common.stride"), 1, 3, 2, key="tconv_stride")
t_padding = tc[1].number_input(t("common.padding"), 0, 2, 1, key="tconv_padding")
t_op = tc[2].number_input(t("explain.output_padding"), 0, 2, 0, key="tconv_op")
t_kernel_name = tc[3].selectbox(t("explain.kernel"), ["box_blur", "vertical_edge", "sobel_x"],
                                key="tconv_kernel")
small_input = np.arange(1.0, 10.0).reshape(3, 3)
t_kernel = filters.get_kernel(t_kernel_name) * (9 if t_kernel_name == "box_blur" else 1)
result = guard(filters.conv_transpose2d, small_input, t_kernel, stride=int(t_stride),
               padding=int(t_padding), output_padding=int(t_op))
if result is not None:
    grids = st.columns(4)
    grids[0].plotly_chart(number_grid(small_input, title=t("common.input")), key="tconv_in")
    spread = guard(zero_inserted_input, small_input, t_kernel.shape, stride=int(t_stride),
                   padding=int(t_padding), output_padding=int(t_op))
    if spread is not None:
        grids[1].plotly_chart(number_grid(spread[0], title=t("explain.zero_inserted"),
                                          padding=spread[1], cell=30), key="tconv_spread")
    grids[2].plotly_chart(number_grid(t_kernel[::-1, ::-1], title=t("explain.kernel_rotated")),
                          key="tconv_kernel_fig")
    grids[3].plotly_chart(number_grid(result, title=t("explain.transposed_out"), cell=34),
                          key="tconv_out")
