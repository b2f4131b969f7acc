"""Train LeNet page (pages/6): training on the offline digits lowers the loss and reaches a stated
test accuracy (the same numbers as filters.lenet's trainer run directly), the explicit download
step, the confined data folder, translated axes.

No network: the data set "mirrors" are ``file://`` folders of tiny IDX files this file writes
(their checksums patched into ``DATASETS``), or ``127.0.0.1:9`` for the offline case. The cache
root is a temporary folder (``CONVOLUTION_LAB_CACHE``).
"""

from __future__ import annotations

import gzip
import hashlib
import json
import math
import os
import re
import struct
from pathlib import Path

import numpy as np
import pytest

import filters.datasets as datasets
from filters.datasets import FILES, data_folder
from tests.conftest import open_page
from tests.rendered import grid_values, lenet_steps, trace_y

PAGE = "pages/6_Train_LeNet.py"
SHARED = Path(__file__).resolve().parent.parent.parent / "shared" / "data"


def idx_gz(array: np.ndarray) -> bytes:
    header = bytes([0, 0, 8, array.ndim]) + struct.pack(f">{array.ndim}I", *array.shape)
    return gzip.compress(header + array.astype(np.uint8).tobytes())


def tiny_files() -> dict[str, bytes]:
    rng = np.random.default_rng(0)
    return {FILES[0]: idx_gz(rng.integers(0, 256, (64, 28, 28))),
            FILES[1]: idx_gz(np.arange(64) % 10),
            FILES[2]: idx_gz(rng.integers(0, 256, (20, 28, 28))),
            FILES[3]: idx_gz(np.arange(20) % 10)}


@pytest.fixture
def cache(tmp_path, monkeypatch) -> Path:
    root = tmp_path / "cache"
    monkeypatch.setenv("CONVOLUTION_LAB_CACHE", str(root))
    monkeypatch.delenv(datasets.DATA_DIR_ENV, raising=False)
    return root


@pytest.fixture
def mirror(tmp_path, monkeypatch) -> Path:
    """A file:// mirror of tiny mnist files; their SHA-256 become the official ones."""
    folder = tmp_path / "mirror"
    folder.mkdir()
    sums = {}
    for file, blob in tiny_files().items():
        (folder / file).write_bytes(blob)
        sums[file] = hashlib.sha256(blob).hexdigest()
    monkeypatch.setitem(datasets.DATASETS, "mnist",
                        ((folder.as_uri() + "/",), sums, tuple("0123456789")))
    return folder


@pytest.fixture
def downloads(monkeypatch) -> list[str]:
    """Every file the library fetches (the real fetch still runs)."""
    seen: list[str] = []
    real = datasets._download

    def spy(urls, target, sha256, progress):
        seen.append(target.name)
        return real(urls, target, sha256, progress)

    monkeypatch.setattr(datasets, "_download", spy)
    return seen


def mnist_page(folder: str | None = None):
    at = open_page(PAGE)
    at.selectbox(key="lenet_dataset").set_value("mnist").run()
    if folder is not None:
        at.text_input(key="lenet_root_mnist").input(folder).run()
    assert not at.exception, at.exception
    return at


def no_run(at) -> bool:
    return "lenet_run" not in at.session_state or at.session_state["lenet_run"] is None


def texts(elements) -> str:
    return " | ".join(e.value for e in elements)


# --- training on the offline digits -----------------------------------------------------------

#: One epoch of the digits (1 437 training images, minibatches of 32: 45 steps) with Adam at
#: 3e-3 reaches 85.6 % on the 360 test digits; chance is 10 %.
ACCURACY_AFTER_ONE_EPOCH = 0.8


def test_training_on_digits_lowers_the_loss_and_reaches_the_stated_accuracy():
    from filters.datasets import load_dataset
    from filters.lenet import LeNet, Trainer

    at = open_page(PAGE)
    assert at.selectbox(key="lenet_dataset").value == "digits"
    at.number_input(key="lenet_lr_adam").set_value(3e-3)
    at.number_input(key="lenet_epochs_digits").set_value(1)
    at.slider(key="lenet_per_tick").set_value(45)
    at.button(key="lenet_start").click().run()  # one tick trains the whole epoch, then stops
    assert not at.exception and not at.error, texts(at.error)
    assert lenet_steps(at) == 45

    losses = trace_y(at, "lenet_loss", 0)
    assert len(losses) == 45
    assert abs(losses[0] - math.log(10)) < 0.1  # an untrained 10-way classifier: about ln 10
    assert losses[-10:].mean() < 0.5 * losses[:10].mean()  # the loss falls
    status = next(m.value for m in at.markdown if m.value.startswith("Epoch "))
    assert f"loss {losses[-1]:.4f}" in status

    accuracy = trace_y(at, "lenet_accuracy", 1)  # the test-set trace, one point per epoch
    assert accuracy.shape == (1,) and accuracy[0] > ACCURACY_AFTER_ONE_EPOCH
    confusion = grid_values(at, "lenet_confusion")  # shown once training has stopped
    assert confusion.sum() == 360
    assert np.trace(confusion) / confusion.sum() == pytest.approx(accuracy[0])
    finished = re.search(r"test accuracy ([\d.]+)%", texts(at.success))
    assert finished and float(finished[1]) == pytest.approx(100 * accuracy[0], abs=0.005)

    # the page trains as the library does: the same seed gives the same curve and accuracy
    trainer = Trainer(LeNet("relu", 10, "max", seed=0), load_dataset("digits"), lr=3e-3,
                      batch_size=32, optimizer="adam", seed=0)
    trainer.step(45)
    np.testing.assert_allclose(losses, trainer.history["loss"], rtol=1e-5)
    assert trainer.history["epoch_test_accuracy"] == pytest.approx(accuracy.tolist())


# --- the download step ------------------------------------------------------------------------


def test_files_already_in_the_cache_are_reported_and_start_reads_them(cache, mirror, downloads):
    (cache / "mnist").mkdir(parents=True)
    for file in FILES:
        (cache / "mnist" / file).write_bytes((mirror / file).read_bytes())
    at = mnist_page()
    assert "already in cache/mnist" in texts(at.success)
    assert not [b for b in at.button if b.key == "lenet_fetch_mnist"]  # nothing to download
    at.button(key="lenet_start").click().run()
    assert not at.exception and not at.error, texts(at.error)
    assert lenet_steps(at) > 0
    assert downloads == []


def test_start_does_not_download_and_the_button_does_with_progress(
    cache, mirror, downloads, monkeypatch
):
    at = mnist_page()
    assert "4 of the 4 MNIST files are missing" in texts(at.info)
    at.button(key="lenet_start").click().run()
    assert "press “Download / prepare data set” first" in texts(at.error)
    assert downloads == [] and not (cache / "mnist").exists()
    assert no_run(at)

    calls = []
    real = datasets.download_dataset

    def spy(name, root=None, *, progress=None):
        assert callable(progress)
        return real(name, root, progress=lambda *a: (calls.append(a), progress(*a)))

    monkeypatch.setattr(datasets, "download_dataset", spy)
    at.button(key="lenet_fetch_mnist").click().run()
    assert not at.exception and not at.error, texts(at.error)
    assert downloads == list(FILES) and {c[0] for c in calls} == set(FILES)
    assert all(c[1] > 0 for c in calls)
    assert sorted(p.name for p in (cache / "mnist").iterdir()) == sorted(FILES)
    assert "already in cache/mnist" in texts(at.success)  # after the page's rerun
    at.button(key="lenet_start").click().run()
    assert not at.exception and lenet_steps(at) > 0


def test_offline_download_is_a_message_not_a_traceback(cache, monkeypatch):
    monkeypatch.setitem(datasets.DATASETS, "mnist",
                        (("http://127.0.0.1:9/",), *datasets.DATASETS["mnist"][1:]))
    at = mnist_page()
    at.button(key="lenet_fetch_mnist").click().run()
    assert not at.exception
    assert "Could not download train-images-idx3-ubyte.gz" in texts(at.error)
    assert not any((cache / "mnist").glob("*.gz"))


def test_a_checksum_mismatch_is_a_message_and_nothing_is_kept(cache, mirror, monkeypatch):
    _, sums, classes = datasets.DATASETS["mnist"]
    monkeypatch.setitem(datasets.DATASETS, "mnist",
                        ((mirror.as_uri() + "/",), dict(sums, **{FILES[2]: "0" * 64}), classes))
    at = mnist_page()
    at.button(key="lenet_fetch_mnist").click().run()
    assert not at.exception
    assert "checksum mismatch" in texts(at.error)
    assert not (cache / "mnist" / FILES[2]).exists()


def test_a_damaged_cached_file_is_offered_again(cache, mirror):
    (cache / "mnist").mkdir(parents=True)
    for file in FILES:
        (cache / "mnist" / file).write_bytes((mirror / file).read_bytes())
    (cache / "mnist" / FILES[1]).write_bytes(b"junk")
    at = mnist_page()
    assert "1 of the 4 MNIST files are missing or damaged" in texts(at.info)
    at.button(key="lenet_fetch_mnist").click().run()
    assert not at.exception and "already in cache/mnist" in texts(at.success)


# --- the data folder is confined to the cache ----------------------------------------------------


@pytest.mark.parametrize("typed", ["/etc", "../..", "mnist/../../x", "OUTSIDE", "LINK/mnist"])
def test_folders_outside_the_cache_are_refused_and_nothing_is_created(
    typed, cache, mirror, downloads, tmp_path
):
    outside = tmp_path / "elsewhere" / "mnist"
    cache.mkdir()
    (cache / "LINK").symlink_to(tmp_path / "elsewhere", target_is_directory=True)
    typed = typed.replace("OUTSIDE", str(outside))
    at = mnist_page(typed)
    errors = texts(at.error)
    assert "must be inside the app's cache folder" in errors or "may not contain '..'" in errors
    assert not [b for b in at.button if b.key == "lenet_fetch_mnist"]
    at.button(key="lenet_start").click().run()
    assert not at.exception and no_run(at)
    assert downloads == []
    assert not (tmp_path / "elsewhere").exists() and not Path("/etc/" + FILES[0]).exists()
    assert sorted(p.name for p in cache.iterdir()) == ["LINK"]  # nothing new in the cache


def test_a_folder_inside_the_cache_is_allowed(cache, mirror):
    at = mnist_page("mine/mnist")
    assert "missing" in texts(at.info) and "cache/mine/mnist" in texts(at.info)
    at.button(key="lenet_fetch_mnist").click().run()
    assert not at.exception and not at.error, texts(at.error)
    assert sorted(p.name for p in (cache / "mine" / "mnist").iterdir()) == sorted(FILES)
    absolute = mnist_page(str(cache / "mine" / "mnist"))  # the same folder, typed absolute
    assert "already in cache/mine/mnist" in texts(absolute.success)


def test_the_operators_folder_is_read_only(cache, mirror, tmp_path, monkeypatch, downloads):
    shared = tmp_path / "operator"
    (shared / "mnist").mkdir(parents=True)
    for file in FILES:
        (shared / "mnist" / file).write_bytes((mirror / file).read_bytes())
    monkeypatch.setenv(datasets.DATA_DIR_ENV, str(shared))
    assert data_folder("mnist") == (shared / "mnist", False)
    assert data_folder("mnist", str(shared / "mnist")) == (shared / "mnist", False)
    with pytest.raises(ValueError, match="inside the app's cache"):
        data_folder("mnist", str(shared / "other"))
    at = mnist_page()
    assert "already in $CONVLAB_DATA_DIR/mnist" in texts(at.success)
    at.button(key="lenet_start").click().run()
    assert not at.exception and lenet_steps(at) > 0
    assert downloads == []
    (shared / "mnist" / FILES[0]).unlink()  # incomplete: not used, the cache is instead
    assert data_folder("mnist") == (cache / "mnist", True)


def test_the_real_files_in_an_operator_folder(cache, monkeypatch):
    if not (SHARED / "mnist").is_dir():
        pytest.skip(f"{SHARED} is not here")
    monkeypatch.setenv(datasets.DATA_DIR_ENV, str(SHARED))
    at = mnist_page()
    assert "already in $CONVLAB_DATA_DIR/mnist (checksums verified)" in texts(at.success)


def test_data_folder_rules(cache, tmp_path):
    assert data_folder("mnist") == (cache / "mnist", True)
    assert data_folder("fashion-mnist", "a/b") == (cache / "a" / "b", True)
    assert data_folder("mnist", str(cache)) == (cache, True)
    for bad in ("/etc", "..", "a/../../b", str(tmp_path), "/", "x\x00y"):
        with pytest.raises(ValueError):
            data_folder("mnist", bad)
    assert not cache.exists()  # checking never creates anything


# --- translated confusion-matrix axes -----------------------------------------------------------


def test_confusion_matrix_axes_in_chinese():
    at = open_page(PAGE, lang="zh")
    at.button(key="lenet_start").click().run()
    at.button(key="lenet_pause").click().run()
    assert not at.exception
    specs = [json.loads(chart.proto.spec) for chart in at.get("plotly_chart")]
    confusion = next(s for s in specs if "混淆矩阵" in s["layout"]["title"]["text"])
    assert confusion["layout"]["xaxis"]["title"]["text"] == "预测"
    assert confusion["layout"]["yaxis"]["title"]["text"] == "真实"
    assert "predicted" not in json.dumps(confusion["layout"], ensure_ascii=False)


def test_no_download_happens_without_the_button(cache, monkeypatch):
    def refuse(*args, **kwargs):
        raise AssertionError("downloaded without the button")

    monkeypatch.setattr(datasets, "_download", refuse)
    at = mnist_page()
    at.button(key="lenet_start").click().run()
    at.selectbox(key="lenet_dataset").set_value("fashion-mnist").run()
    at.button(key="lenet_start").click().run()
    assert not at.exception and len(at.error) >= 1
    assert not os.path.exists(cache)
