"""Learn a kernel: recover a hidden kernel from an image and its filtered version, live."""

import hashlib

import numpy as np
import streamlit as st

import filters
from filters.image_io import to_unit
from filters.learn import learn_kernel, solve_kernel
from filters.regions import centre_crop, valid_crop
from ui.common import guard, page_setup
from ui.figures import kernel_heatmap, line_chart
from ui.i18n import option_format, t
from ui.image_source import full_image, show_image
from ui.state import add_kernel_to_library

page_setup("learn.title")
st.title(t("learn.title"))
st.caption(t("learn.caption"))

WORK_SIDE = 160
STATE = "learn_run"  # per-session: kernel, losses, generator, running flag, error
image, token = full_image()
# Learn on a centre CROP of the full-resolution image (never a resized copy): resampling mixes
# neighbouring pixels and breaks the relation after = before ⊛ kernel, so the kernel found would
# not be the image pair's. Cropped first, so only the crop becomes float grey.
small = filters.to_grey(to_unit(np.ascontiguousarray(centre_crop(image, WORK_SIDE))))
(full_h, full_w), (crop_h, crop_w) = image.shape[:2], small.shape

left, right = st.columns([2, 3], gap="large")
with left:
    target_kind = st.radio(t("learn.target"), ["hidden", "custom", "pair"], key="learn_target",
                           format_func=option_format("learn.target."))
    true_kernel = None
    target = None
    if target_kind == "hidden":
        name = st.selectbox(t("learn.hidden_kernel"), list(filters.KERNELS), index=4,
                            key="learn_hidden", format_func=option_format("kernel.", ".name"))
        true_kernel = filters.get_kernel(name)
    elif target_kind == "custom":
        text = st.text_area(t("filter.custom_text"), "0 -1 0\n-1 4 -1\n0 -1 0", key="learn_text")
        true_kernel = guard(filters.parse_kernel, text)
    else:
        after = st.file_uploader(t("learn.after_upload"),
                                 type=list(filters.image_io.ALLOWED_EXTENSIONS), key="learn_after")
        if after is None:
            st.info(t("learn.need_after"))
        else:
            loaded = guard(filters.load_image, after.getvalue(), mode="grey")
            if loaded is not None and loaded.shape != (full_h, full_w):
                st.error(t("learn.size_mismatch", ah=loaded.shape[0], aw=loaded.shape[1],
                           h=full_h, w=full_w))
            elif loaded is not None:
                target = centre_crop(loaded, WORK_SIDE)  # the same crop of the after image
    noise = st.slider(t("learn.noise"), 0.0, 0.2, 0.0, 0.01, key="learn_noise")
    default_size = true_kernel.shape[0] if true_kernel is not None else 3
    size = st.number_input(t("learn.kernel_size"), 1, 15, min(15, int(default_size)),
                           key="learn_size")  # a typed kernel may be larger than the widget
    a, b = st.columns(2)
    optimizer = a.selectbox(t("learn.optimizer"), ["adam", "sgd"], key="learn_optimizer",
                            format_func=option_format("learn.optimizer."))
    lr = b.number_input(t("learn.lr"), 1e-5, 10.0, 0.02 if optimizer == "adam" else 0.1,
                        format="%.4f", key=f"learn_lr_{optimizer}")
    per_tick = st.slider(t("learn.steps_per_tick"), 1, 200, 50, key="learn_per_tick")

if true_kernel is not None:
    # reflect padding needs padding < side; on a tiny image replicate always works.
    fits = true_kernel.shape[0] // 2 < crop_h and true_kernel.shape[1] // 2 < crop_w
    target = guard(filters.conv2d, small, true_kernel, padding="same",
                   padding_mode="reflect" if fits else "replicate")
    if not fits:
        st.caption(t("learn.replicate"))
if target is not None and noise:
    target = target + np.random.default_rng(0).normal(0.0, noise, target.shape)

# The fit is "valid": only the outputs where the k×k kernel lies wholly inside the crop, so no
# padding is assumed (an uploaded after image was filtered with the pixels around the crop).
k = int(size)
fits_kernel = k <= crop_h and k <= crop_w
if target is not None and not fits_kernel:
    st.error(t("learn.too_big", k=k, h=crop_h, w=crop_w, most=min(crop_h, crop_w, 15)))
fit_target = None
if target is not None and fits_kernel:
    fit_target = valid_crop(target, k)

with right:
    pair = st.columns(2)
    with pair[0]:
        show_image(small, t("common.input"))
    with pair[1]:
        if target is not None:
            show_image(target, t("learn.target_image"), "minmax")

signature = (token, target_kind, None if true_kernel is None else true_kernel.tobytes(),
             float(noise), int(size),
             None if target is None else hashlib.sha1(target.tobytes()).hexdigest())
run = st.session_state.get(STATE)
if run is None or run["signature"] != signature:
    run = {"signature": signature, "kernel": None, "losses": [], "generator": None,
           "running": False, "solved": None, "error": None}
    st.session_state[STATE] = run


def start() -> None:
    # A callback's exception would be a traceback: keep the message for the page instead.
    run["error"] = None
    if fit_target is None:  # nothing to learn from; the page already says why
        return
    try:
        run["generator"] = learn_kernel(
            small, fit_target, k, steps=10**9, lr=float(lr), optimizer=optimizer,
            loss="mean", padding=0,
            init=run["kernel"] if run["kernel"] is not None else "zeros",
        )
    except ValueError as error:
        run.update(generator=None, running=False, error=str(error))
        return
    run["running"] = True


def pause() -> None:
    run["running"] = False


def reset() -> None:
    run.update(kernel=None, losses=[], generator=None, running=False, solved=None, error=None)


buttons = st.columns(4)
ready = fit_target is not None
buttons[0].button(t("learn.start"), key="learn_start", on_click=start, disabled=not ready,
                  type="primary")
buttons[1].button(t("learn.pause"), key="learn_pause", on_click=pause, disabled=not ready)
buttons[2].button(t("learn.reset"), key="learn_reset", on_click=reset)
if buttons[3].button(t("learn.solve"), key="learn_solve", disabled=not ready) and ready:
    solved = guard(solve_kernel, small, fit_target, k, padding=0)
    if solved is not None:
        run.update(kernel=solved.kernel, solved=solved, running=False, error=None)
if run.get("error"):
    st.error(t("error.prefix", message=run["error"]))


@st.fragment(run_every=0.5 if run["running"] else None)
def progress() -> None:
    if run["running"] and run["generator"] is not None:
        try:
            for _ in range(int(per_tick)):
                step = next(run["generator"])
                run["losses"].append(step.loss)
                run["kernel"] = step.kernel
        except ValueError as error:  # diverged: keep the last good kernel
            run["running"] = False
            st.error(t("error.prefix", message=str(error)))
    kernel = run["kernel"]
    state = t("learn.running") if run["running"] else t("learn.paused")
    if run["losses"]:
        st.markdown(t("learn.status", step=len(run["losses"]), loss=run["losses"][-1],
                      state=state))
    charts = st.columns([3, 2])
    with charts[0]:
        if run["losses"]:
            log = st.toggle(t("learn.log"), value=True, key="learn_log")
            figure = line_chart({t("learn.loss_chart"): np.array(run["losses"])},
                                t("learn.loss_chart"))
            if log:
                figure.update_yaxes(type="log")
            st.plotly_chart(figure, key="learn_loss")
    with charts[1]:
        if kernel is not None:
            st.plotly_chart(kernel_heatmap(kernel, t("learn.learned")), key="learn_kernel")
        if true_kernel is not None:
            st.plotly_chart(kernel_heatmap(true_kernel, t("learn.true")), key="learn_true")
            if kernel is not None and kernel.shape == true_kernel.shape:
                st.caption(t("learn.error", err=float(np.abs(kernel - true_kernel).max())))
    output = None
    if kernel is not None and fit_target is not None:
        output = guard(filters.conv2d, small, kernel, padding=0)
    if output is not None and output.shape == fit_target.shape:
        pictures = st.columns(3)
        with pictures[0]:
            show_image(output, t("learn.current_output"), "minmax")
        with pictures[1]:
            show_image(fit_target, t("learn.target_image"), "minmax")
        with pictures[2]:
            show_image(fit_target - output, t("learn.residual", k=k), "minmax")


if ready:
    where = (t("learn.crop", h=crop_h, w=crop_w, H=full_h, W=full_w)
             if (crop_h, crop_w) != (full_h, full_w)
             else t("learn.working", h=crop_h, w=crop_w))
    st.caption(where + " " + t("learn.valid", h=fit_target.shape[0], w=fit_target.shape[1], k=k)
               + " " + t("learn.explain_fit"))
    progress()
    if run["kernel"] is not None:
        name = st.text_input(t("learn.save_name"), "learned", key="learn_save_name")
        if st.button(t("learn.save"), key="learn_save"):
            saved = add_kernel_to_library(name, run["kernel"], source="learned",
                                          meta={"steps": len(run["losses"]),
                                                "loss": run["losses"][-1] if run["losses"]
                                                else None})
            st.success(t("filter.saved", name=saved))
