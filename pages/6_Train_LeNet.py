"""Train LeNet: real data, a responsive training loop, loss in plotly, a look inside."""

import io
import tempfile
import time
import zipfile
from pathlib import Path

import numpy as np
import plotly.express as px
import plotly.graph_objects as go
import streamlit as st

import filters
from filters.datasets import load_dataset, load_image_folder
from ui.common import guard, is_installed, page_setup
from ui.figures import kernel_heatmap
from ui.i18n import t
from ui.image_source import working_image
from ui.state import add_kernel_to_library

page_setup("lenet.title")
st.title(t("lenet.title"))
st.caption(t("lenet.caption"))

if not is_installed("torch"):
    st.error(t("lenet.no_torch"))
    st.stop()

from filters.lenet import (  # noqa: E402 - only once torch is known to be installed
    LeNet,
    Trainer,
    TrainingDiverged,
    feature_maps,
    first_layer_kernels,
    predict,
)

RUN = "lenet_run"  # per session: trainer, running flag, timing


@st.cache_data(max_entries=3, ttl=3600, show_spinner=True)
def cached_dataset(name: str, root: str):
    return load_dataset(name, root=root or None)


@st.cache_data(max_entries=2, ttl=1800, show_spinner=True)
def cached_folder(data: bytes):
    return load_image_folder(data)


settings, progress_column = st.columns([2, 3], gap="large")
with settings:
    name = st.selectbox(t("lenet.dataset"), ["digits", "mnist", "fashion-mnist", "own"],
                        key="lenet_dataset", format_func=lambda v: t(f"lenet.dataset.{v}"))
    root, upload = "", None
    if name in ("mnist", "fashion-mnist"):
        root = st.text_input(t("lenet.data_dir"), "", key=f"lenet_root_{name}").strip()
    elif name == "own":
        upload = st.file_uploader(t("lenet.zip"), type=["zip"], key="lenet_zip")
        if upload is None:
            st.info(t("lenet.need_zip"))
    a, b = st.columns(2)
    activation = a.selectbox(t("lenet.activation"), ["relu", "sigmoid"], key="lenet_activation")
    pool = b.selectbox(t("lenet.pool"), ["max", "avg"], key="lenet_pool")
    c, d = st.columns(2)
    optimizer = c.selectbox(t("learn.optimizer"), ["adam", "sgd"], key="lenet_optimizer")
    lr = d.number_input(t("learn.lr"), 1e-5, 10.0, 1e-3 if optimizer == "adam" else 0.05,
                        format="%.4f", key=f"lenet_lr_{optimizer}")
    e, f = st.columns(2)
    batch = e.selectbox(t("lenet.batch"), [16, 32, 64, 128, 256], index=1, key="lenet_batch")
    epochs = f.number_input(t("lenet.epochs"), 1, 100, 20 if name == "digits" else 3,
                            key=f"lenet_epochs_{name}")
    per_tick = st.slider(t("lenet.per_tick"), 1, 100, 20, key="lenet_per_tick")

run = st.session_state.get(RUN)
source_id = root if upload is None else upload.file_id
signature = (name, source_id, activation, pool, optimizer, int(batch))


def load_data():
    """The chosen data set (loaded only when training starts; errors become messages)."""
    if name == "own":
        return None if upload is None else guard(cached_folder, upload.getvalue())
    return guard(cached_dataset, name, root)


def reset() -> None:
    st.session_state[RUN] = None


def start() -> None:
    current = st.session_state.get(RUN)
    if current is None or current["signature"] != signature:
        dataset = load_data()
        if dataset is None:
            return
        model = LeNet(activation, len(dataset.classes), pool, seed=0)
        current = {"signature": signature, "seconds": 0.0, "images": 0,
                   "trainer": Trainer(model, dataset, lr=float(lr), batch_size=int(batch),
                                      optimizer=optimizer, seed=0)}
        st.session_state[RUN] = current
    current["running"] = True


def pause() -> None:
    if st.session_state.get(RUN):
        st.session_state[RUN]["running"] = False


buttons = st.columns(3)
buttons[0].button(t("lenet.start"), key="lenet_start", on_click=start, type="primary",
                  disabled=name == "own" and upload is None)
buttons[1].button(t("lenet.pause"), key="lenet_pause", on_click=pause)
buttons[2].button(t("lenet.reset"), key="lenet_reset", on_click=reset)
run = st.session_state.get(RUN)


def smooth(values: list[float], weight: float = 0.9) -> np.ndarray:
    out, level = [], values[0]
    for value in values:
        level = weight * level + (1 - weight) * value
        out.append(level)
    return np.array(out)


@st.fragment(run_every=0.5 if run and run.get("running") else None)
def training_view() -> None:
    current = st.session_state.get(RUN)
    if not current:
        return
    trainer = current["trainer"]
    total_steps = int(epochs) * trainer.steps_per_epoch
    if current.get("running"):
        trainer.lr = float(lr)  # a new learning rate applies from the next minibatch
        todo = min(int(per_tick), total_steps - trainer.steps)
        began = time.perf_counter()
        try:
            trainer.step(todo)
        except TrainingDiverged as error:
            current["running"] = False
            st.error(t("error.prefix", message=str(error)))
        current["seconds"] += time.perf_counter() - began
        current["images"] += todo * trainer.batch_size
        if trainer.steps >= total_steps:
            current["running"] = False
    history = trainer.history
    st.session_state["lenet_summary"] = {"steps": trainer.steps, "epoch": trainer.epoch,
                                         "losses": len(history["loss"]),
                                         "running": bool(current.get("running"))}
    if not history["loss"]:
        return
    speed = current["images"] / max(current["seconds"], 1e-9)
    left = (total_steps - trainer.steps) * trainer.batch_size / max(speed, 1e-9)
    state = t("learn.running") if current.get("running") else t("learn.paused")
    st.markdown(t("lenet.status", epoch=trainer.epoch + 1, step=trainer.steps,
                  loss=history["loss"][-1], speed=speed, left=left, state=state))
    if history["epoch_test_accuracy"] and trainer.steps >= total_steps:
        st.success(t("lenet.done", acc=history["epoch_test_accuracy"][-1]))
    loss_figure = go.Figure()
    loss_figure.add_trace(go.Scatter(y=history["loss"], mode="lines", name=t("lenet.raw"),
                                     line={"width": 1}, opacity=0.4))
    loss_figure.add_trace(go.Scatter(y=smooth(history["loss"]), mode="lines",
                                     name=t("lenet.smooth")))
    loss_figure.update_layout(title=t("lenet.loss"), height=300, yaxis_type="log",
                              margin={"l": 10, "r": 10, "t": 40, "b": 10})
    st.plotly_chart(loss_figure, key="lenet_loss")
    if history["epoch_test_accuracy"]:
        accuracy = go.Figure()
        epochs_axis = list(range(1, len(history["epoch_test_accuracy"]) + 1))
        accuracy.add_trace(go.Scatter(x=epochs_axis, y=history["epoch_train_accuracy"],
                                      mode="lines+markers", name=t("lenet.train_acc")))
        accuracy.add_trace(go.Scatter(x=epochs_axis, y=history["epoch_test_accuracy"],
                                      mode="lines+markers", name=t("lenet.test_acc")))
        accuracy.update_layout(title=t("lenet.accuracy"), height=280,
                               margin={"l": 10, "r": 10, "t": 40, "b": 10})
        st.plotly_chart(accuracy, key="lenet_accuracy")


with progress_column:
    training_view()

run = st.session_state.get(RUN)
if run and run["trainer"].steps and not run.get("running"):
    trainer = run["trainer"]
    model, data = trainer.model, trainer.dataset
    st.divider()
    st.header(t("lenet.inside"))
    labels, probabilities = predict(model, data.test_x)
    left, right = st.columns(2)
    with left:
        confusion = np.zeros((len(data.classes), len(data.classes)), dtype=int)
        np.add.at(confusion, (data.test_y, labels), 1)
        st.session_state["lenet_confusion_total"] = int(confusion.sum())
        figure = px.imshow(confusion, text_auto=True, x=list(data.classes),
                           y=list(data.classes), color_continuous_scale="Blues",
                           labels={"x": "predicted", "y": "true"})
        figure.update_layout(title=t("lenet.confusion"), height=420,
                             coloraxis_showscale=False)
        st.plotly_chart(figure, key="lenet_confusion")
    with right:
        st.markdown(f"**{t('lenet.wrong')}**")
        wrong = np.where(labels != data.test_y)[0]
        worst = wrong[np.argsort(-probabilities[wrong, labels[wrong]])][:8]
        cells = st.columns(4)
        for slot, index in enumerate(worst):
            with cells[slot % 4]:
                st.image(data.test_x[index], width=84, caption=t(
                    "lenet.wrong_caption", pred=data.classes[labels[index]],
                    p=float(probabilities[index, labels[index]]),
                    true=data.classes[data.test_y[index]]))
    source = st.radio(t("lenet.maps_of"), ["test", "mine"], key="lenet_maps_source",
                      horizontal=True, format_func=lambda v: t(f"lenet.maps.{v}"))
    if source == "test":
        index = st.slider(t("lenet.test_index"), 0, len(data.test_x) - 1, 0, key="lenet_index")
        digit = data.test_x[index]
    else:
        image, _ = working_image()
        grey = image if image.ndim == 2 else filters.to_grey(image)
        small = filters.upsample(grey, size=(28, 28), mode="bilinear")
        digit = np.clip(np.round(small * 255), 0, 255).astype(np.uint8)
    label, probability = predict(model, digit)
    st.image(digit, width=112,
             caption=t("lenet.prediction", label=data.classes[label[0]],
                       p=float(probability[0, label[0]])))
    maps = feature_maps(model, digit)
    st.session_state["lenet_maps"] = {k: v.shape for k, v in maps.items()}
    for key, title, columns in (("conv1", "lenet.conv1", 6), ("conv2", "lenet.conv2", 8)):
        st.markdown(f"**{t(title)}**")
        grid = st.columns(columns)
        for channel, plane in enumerate(maps[key]):
            grid[channel % columns].image(filters.to_display(plane, "minmax"), width=90)
    kernels = first_layer_kernels(model)
    st.markdown(f"**{t('lenet.kernels')}**")
    kernel_columns = st.columns(6)
    for channel, kernel in enumerate(kernels):
        kernel_columns[channel].plotly_chart(kernel_heatmap(kernel, f"conv1[{channel}]", cell=18),
                                             key=f"lenet_kernel_{channel}")
    if st.button(t("lenet.to_library"), key="lenet_to_library"):
        for channel, kernel in enumerate(kernels):
            add_kernel_to_library(f"LeNet conv1[{channel}]", kernel, source="lenet",
                                  meta={"steps": trainer.steps})
        st.success(t("lenet.added", n=len(kernels)))

    def model_zip() -> bytes:
        with tempfile.TemporaryDirectory() as folder:
            path = Path(folder) / "lenet.safetensors"
            trainer.save(path)
            buffer = io.BytesIO()
            with zipfile.ZipFile(buffer, "w") as archive:
                archive.write(path, path.name)
                archive.write(str(path) + ".json", path.name + ".json")
            return buffer.getvalue()

    st.download_button(t("lenet.download"), model_zip, "lenet.zip", key="lenet_download")
