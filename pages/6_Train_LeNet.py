"""Train LeNet: real data, a responsive training loop, loss in plotly, a look inside.

MNIST / Fashion-MNIST are never downloaded silently: the "Download / prepare data set" button
fetches the official files (SHA-256 checked) with a progress bar, and Start only reads. The data
folder a visitor may type is confined to the app's cache folder (``$CONVOLUTION_LAB_CACHE``,
default ``~/.cache/convolution-lab``) or a folder inside it; ``..``, absolute paths elsewhere and
symlinks leading out are refused and nothing is created. A server operator may set
``CONVLAB_DATA_DIR`` to a folder holding ``mnist/`` / ``fashion-mnist/`` with the four files: it
is used read only (see :func:`filters.datasets.data_folder`).
"""

import os
import time
from pathlib import Path

import plotly.express as px
import plotly.graph_objects as go
import streamlit as st

import filters
from filters.datasets import (
    DATA_DIR_ENV,
    cache_root,
    data_folder,
    download_dataset,
    load_dataset,
    load_image_folder,
    missing_files,
)
from filters.metrics import confident_mistakes, confusion_matrix, ema
from ui.common import guard, is_installed, page_setup
from ui.figures import kernel_heatmap
from ui.i18n import option_format, t
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
    load_model_zip,
    model_zip,
    predict,
    to_digit,
)

RUN = "lenet_run"  # per session: trainer, running flag, timing
IDX_SETS = ("mnist", "fashion-mnist")


@st.cache_data(max_entries=3, ttl=3600, show_spinner=True)
def cached_dataset(name: str, root: str):
    return load_dataset(name, root=root or None, download=False)  # downloads: the button only


@st.cache_data(max_entries=2, ttl=1800, show_spinner=True)
def cached_folder(data: bytes):
    return load_image_folder(data)


@st.cache_data(max_entries=16, ttl=3600, show_spinner=False)
def cached_missing(name: str, root: str, stamp: tuple) -> list[str]:
    return missing_files(name, root, verify=True)  # SHA-256 only when a file changed (stamp)


def missing_now(name: str, folder: Path) -> list[str]:
    """Files of ``name`` missing or damaged in ``folder`` (checksums cached by size + mtime)."""
    stamp = []
    for file in sorted(folder.glob("*.gz")) if folder.is_dir() else []:
        info = file.stat()
        stamp.append((file.name, info.st_size, info.st_mtime_ns))
    return cached_missing(name, str(folder), tuple(stamp))


def shown(folder: Path) -> str:
    """``folder`` for messages, without the server's absolute paths where possible."""
    bases = [("cache", cache_root())]
    if os.environ.get(DATA_DIR_ENV):
        bases.append((f"${DATA_DIR_ENV}", Path(os.environ[DATA_DIR_ENV])))
    for prefix, base in bases:
        try:
            return str(Path(prefix) / folder.resolve().relative_to(base.resolve()))
        except ValueError:
            continue
    return str(folder)


def data_step(name: str, folder: Path, writable: bool) -> None:
    """Say whether the files are there; if not, offer the download with a progress bar."""
    missing = missing_now(name, folder)
    label = t(f"lenet.dataset.{name}")
    if not missing:
        st.success(t("lenet.data_ready", name=label, folder=shown(folder)))
        return
    if not writable:
        st.error(t("lenet.data_readonly", name=label, folder=shown(folder)))
        return
    st.info(t("lenet.data_missing", n=len(missing), name=label, folder=shown(folder)))
    if not st.button(t("lenet.fetch"), key=f"lenet_fetch_{name}"):
        return
    bar = st.progress(0.0, text=t("lenet.fetching", file=missing[0], done=0.0))
    shown_percent = [-1]

    def on_progress(file: str, done: int, total: int) -> None:
        part = min(1.0, done / total) if total else 0.0
        index = missing.index(file) if file in missing else 0
        percent = int(100 * (index + part) / len(missing))
        if percent != shown_percent[0]:  # at most ~100 updates, not one per 64 kB chunk
            shown_percent[0] = percent
            bar.progress(percent / 100, text=t("lenet.fetching", file=file, done=done / 2**20))

    if guard(download_dataset, name, folder, progress=on_progress) is not None:
        bar.progress(1.0)
        st.rerun()  # now the files are there: the next run says so


settings, progress_column = st.columns([2, 3], gap="large")
with settings:
    name = st.selectbox(t("lenet.dataset"), ["digits", "mnist", "fashion-mnist", "own"],
                        key="lenet_dataset", format_func=option_format("lenet.dataset."))
    root, upload = "", None
    if name in IDX_SETS:
        typed = st.text_input(t("lenet.data_folder"), "", key=f"lenet_root_{name}",
                              help=t("lenet.data_folder_help"))
        place = guard(data_folder, name, typed)  # refused paths: a message, nothing created
        if place is not None:
            root = str(place[0])
            data_step(name, place[0], place[1])
    elif name == "own":
        upload = st.file_uploader(t("lenet.zip"), type=["zip"], key="lenet_zip")
        if upload is None:
            st.info(t("lenet.need_zip"))
        elif (own := guard(cached_folder, upload.getvalue())) is not None:  # checked at once
            st.caption(t("lenet.zip_ready", n=len(own.train_y) + len(own.test_y),
                         k=len(own.classes)))
    a, b = st.columns(2)
    activation = a.selectbox(t("lenet.activation"), ["relu", "sigmoid"], key="lenet_activation",
                             format_func=option_format("lenet.activation."))
    pool = b.selectbox(t("lenet.pool"), ["max", "avg"], key="lenet_pool",
                       format_func=option_format("pool.mode."))
    c, d = st.columns(2)
    optimizer = c.selectbox(t("learn.optimizer"), ["adam", "sgd"], key="lenet_optimizer",
                            format_func=option_format("learn.optimizer."))
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
    if name in IDX_SETS:
        if not root:  # the typed folder was refused; its message is on the page
            return None
        if missing_now(name, Path(root)):  # never download silently: the button does that
            st.error(t("lenet.need_download", name=t(f"lenet.dataset.{name}")))
            return None
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


def restore(saved) -> None:
    """A model downloaded here becomes the session's run (once per file); on a bad file the
    message is shown and the run there was stays."""
    if saved is None or st.session_state.get("lenet_model_done") == saved.file_id:
        return
    st.session_state["lenet_model_done"] = saved.file_id
    dataset = load_data()
    trainer = None if dataset is None else guard(load_model_zip, saved.getvalue(), dataset)
    if trainer is None:
        return
    st.session_state[RUN] = {"signature": signature, "seconds": 0.0, "images": 0,
                             "trainer": trainer, "running": False}
    st.success(t("lenet.restored", step=trainer.steps, epoch=trainer.epoch + 1,
                 activation=trainer.model.config["activation"],
                 pool=trainer.model.config["pool"], optimizer=trainer.optimizer_name,
                 batch=trainer.batch_size))


with settings:
    restore(st.file_uploader(t("lenet.resume"), type=["zip"], key="lenet_model_file",
                             help=t("lenet.resume_help")))

buttons = st.columns(3)
buttons[0].button(t("lenet.start"), key="lenet_start", on_click=start, type="primary",
                  disabled=name == "own" and upload is None)
buttons[1].button(t("lenet.pause"), key="lenet_pause", on_click=pause)
buttons[2].button(t("lenet.reset"), key="lenet_reset", on_click=reset)
run = st.session_state.get(RUN)


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
    loss_figure.add_trace(go.Scatter(y=ema(history["loss"], 0.9), mode="lines",
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
        confusion = confusion_matrix(data.test_y, labels, len(data.classes))
        figure = px.imshow(confusion, text_auto=True, x=list(data.classes), y=list(data.classes),
                           color_continuous_scale="Blues",
                           labels={"x": t("lenet.axis_predicted"), "y": t("lenet.axis_true")})
        figure.update_layout(title=t("lenet.confusion"), height=420,
                             coloraxis_showscale=False)
        st.plotly_chart(figure, key="lenet_confusion")
    with right:
        st.markdown(f"**{t('lenet.wrong')}**")
        cells = st.columns(4)
        for slot, index in enumerate(confident_mistakes(data.test_y, labels, probabilities, 8)):
            with cells[slot % 4]:
                st.image(data.test_x[index], width=84, caption=t(
                    "lenet.wrong_caption", pred=data.classes[labels[index]],
                    p=float(probabilities[index, labels[index]]),
                    true=data.classes[data.test_y[index]]))
    source = st.radio(t("lenet.maps_of"), ["test", "mine"], key="lenet_maps_source",
                      horizontal=True, format_func=option_format("lenet.maps."))
    if source == "test":
        last = len(data.test_x) - 1  # a slider needs two ends: a one-image test set has one
        index = st.slider(t("lenet.test_index"), 0, last, 0, key="lenet_index") if last else 0
        digit = data.test_x[index]
    else:
        digit = to_digit(working_image()[0])
    label, probability = predict(model, digit)
    st.image(digit, width=112,
             caption=t("lenet.prediction", label=data.classes[label[0]],
                       p=float(probability[0, label[0]])))
    maps = feature_maps(model, digit)
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
    st.download_button(t("lenet.download"), lambda: model_zip(trainer), "lenet.zip",
                       key="lenet_download")
