"""Every uploader takes the hostile corpus (``tests/hostile.py``): a message, the previous state
kept, no traceback.

First the library readers behind each uploader, case by case: each refusal is a ``ValueError``
naming what was wrong (never ``BadZipFile``, ``zlib.error``, ``RecursionError``...). Then each
uploader in ``AppTest``: a good file first, then every hostile one; the page shows an error
and no exception, and what the good file gave (the saved kernels, the trained model) is still
shown. The sidebar image uploader has its own tests (``tests/test_app_common.py``).
"""

from __future__ import annotations

import re

import numpy as np
import pytest

import filters
from filters.datasets import load_image_folder
from filters.kernels import load_weight_npy
from tests.conftest import open_page, open_with_picture
from tests.hostile import corpus, image_zip, kernel_json, npy
from tests.rendered import lenet_steps
from ui.kernel_editor import kernels_from_upload

#: case → words the library's message must hold (what was given or what is allowed).
KERNEL_WORDS = {
    "truncated": "not valid JSON",
    "empty": "empty (0 bytes)",
    "renamed": "looks like a NumPy .npy file",
    "wrong type": "looks like a PNG image",
    "oversized": "the limit is 8.0 MB",
    "bomb": "nests lists or objects too deeply",
    "not utf-8": "is not text",
}
NPY_WORDS = {
    "truncated": "cut short",
    "empty": "empty (0 bytes)",
    "renamed": "it looks like text",
    "wrong type": "it looks like a PNG image",
    "oversized": "too large",
    "bomb": "too large",
    "pickle": "never objects",
}
IMAGE_WORDS = {
    "truncated": "truncated or corrupt",
    "empty": "empty (0 bytes)",
    "renamed": "HTML",
    "wrong type": "ZIP archive",
    "oversized": "megapixels",
    "bomb": "megapixels",
}
DATASET_WORDS = {
    "truncated": "not a zip archive",
    "empty": "empty (0 bytes)",
    "renamed": "looks like a PNG image",
    "wrong type": "at least two",
    "oversized": "would unpack to 600 MB",
    "bomb": "zip bomb",
    "corrupt member": "Bad CRC-32 for file 'cats/1.png'",
    "too many members": "lists 60000 files",
}
MODEL_WORDS = {
    "truncated": "not a zip archive",
    "empty": "empty (0 bytes)",
    "renamed": "looks like a PNG image",
    "wrong type": "has no lenet.safetensors",
    "oversized": "would unpack to 60 MB",
    "bomb": "zip bomb",
    "corrupt member": "Bad CRC-32 for file 'lenet.safetensors'",
    "missing member": "has no lenet.safetensors.json",
    "wrong shapes": "classifies 3 classes",
    "weights not safetensors": "not a safetensors file",
}


@pytest.fixture(scope="module")
def own_images():
    return load_image_folder(image_zip())


@pytest.fixture(scope="module")
def model_bytes(own_images) -> bytes:
    """A model trained two steps on :func:`tests.hostile.image_zip`, downloaded as lenet.zip."""
    from filters.lenet import LeNet, Trainer, model_zip

    trainer = Trainer(LeNet("relu", 2, "max", seed=0), own_images, batch_size=32, seed=0)
    trainer.step(2)
    return model_zip(trainer)


def _refused(call, words: str) -> None:
    with pytest.raises(ValueError) as caught:
        call()
    assert words in str(caught.value), str(caught.value)


# --- the library: every case is a ValueError that says what was wrong ---------------------------


def test_every_case_of_the_corpus_is_checked():
    for kind, words in [("kernel", KERNEL_WORDS), ("npy", NPY_WORDS), ("image", IMAGE_WORDS),
                        ("dataset", DATASET_WORDS)]:
        assert set(corpus(kind)) == set(words), kind
        assert {"truncated", "empty", "renamed", "wrong type", "oversized", "bomb"} <= set(words)


@pytest.mark.parametrize("case", list(KERNEL_WORDS))
def test_kernel_files(case):
    name, data = corpus("kernel")[case]
    _refused(lambda: kernels_from_upload(name, data), KERNEL_WORDS[case])


@pytest.mark.parametrize("case", list(NPY_WORDS))
def test_weight_files(case):
    _refused(lambda: load_weight_npy(corpus("npy")[case][1]), NPY_WORDS[case])


def test_a_header_bomb_allocates_nothing(monkeypatch):
    def no_loading(*args, **kwargs):
        raise AssertionError("np.load was called")

    monkeypatch.setattr(np, "load", no_loading)
    _refused(lambda: load_weight_npy(corpus("npy")["bomb"][1]), "(100000, 100000, 31, 31)")


@pytest.mark.parametrize("case", list(IMAGE_WORDS))
def test_after_images(case):
    _refused(lambda: filters.load_image(corpus("image")[case][1], mode="grey"),
             IMAGE_WORDS[case])


@pytest.mark.parametrize("case", list(DATASET_WORDS))
def test_dataset_zips(case):
    _refused(lambda: load_image_folder(corpus("dataset")[case][1]), DATASET_WORDS[case])


def test_an_encrypted_or_unsupported_member_is_a_value_error():
    import struct

    good = image_zip()
    at = good.index(b"PK\x01\x02")  # central directory: flags at +8, method at +10
    encrypted = good[: at + 8] + struct.pack("<H", 1) + good[at + 10 :]
    _refused(lambda: load_image_folder(encrypted), "encrypted")
    unknown = good[: at + 10] + struct.pack("<H", 99) + good[at + 12 :]
    _refused(lambda: load_image_folder(unknown), "cannot be unpacked")


def test_the_good_files_of_the_corpus_are_read(own_images, model_bytes):
    from filters.lenet import load_model_zip

    assert [n for n, *_ in kernels_from_upload("k.json", kernel_json())] == ["edge", "blur"]
    assert load_weight_npy(npy(np.ones((2, 3, 3, 3)))).shape == (2, 3, 3, 3)
    assert own_images.classes == ("cats", "dogs") and len(own_images.train_y) == 5
    assert load_model_zip(model_bytes, own_images).steps == 2


@pytest.mark.parametrize("case", list(MODEL_WORDS))
def test_saved_models(case, own_images, model_bytes):
    from filters.lenet import load_model_zip

    cases = corpus("model", model_bytes)
    assert set(cases) == set(MODEL_WORDS)
    _refused(lambda: load_model_zip(cases[case][1], own_images), MODEL_WORDS[case])


def test_a_saved_model_on_another_data_set_is_refused(model_bytes):
    from filters.datasets import load_dataset
    from filters.lenet import load_model_zip

    _refused(lambda: load_model_zip(model_bytes, load_dataset("digits")), "2 classes")
    bigger = load_image_folder(image_zip(per_class=6))
    _refused(lambda: load_model_zip(model_bytes, bigger), "a data order of 5 images")


# --- the pages: a message, the previous state kept, no traceback ----------------------------------


def _errors(at) -> str:
    return " | ".join(e.value for e in at.error)


def _saved(at) -> list[str]:
    """The names in the "My kernels" picker (each option is "name · source")."""
    return [option.split(" · ")[0] for option in at.selectbox(key="library_pick").options]


def test_kernel_library_upload_keeps_the_saved_kernels():
    at = open_page("pages/1_Filter.py")
    at.radio(key="filter_source").set_value("library").run()
    uploader = at.file_uploader(key="kernel_upload")
    uploader.set_value(("kernels.json", kernel_json(), "application/json")).run()
    assert not at.exception and not at.error
    assert _saved(at) == ["edge", "blur"]
    for case, (name, data) in corpus("kernel").items():
        at.file_uploader(key="kernel_upload").set_value((name, data, "text/plain")).run()
        assert not at.exception, case
        assert KERNEL_WORDS[case] in _errors(at), (case, _errors(at))
        assert _saved(at) == ["edge", "blur"], case


def test_weight_upload_shows_the_reason_and_the_page_stays_usable():
    at = open_page("pages/1_Filter.py")
    at.radio(key="filter_source").set_value("mix").run()
    at.radio(key="mix_preset").set_value("npy").run()
    good = ("w.npy", npy(np.ones((2, 3, 3, 3))), "application/octet-stream")
    at.file_uploader(key="mix_npy_file").set_value(good).run()
    assert not at.exception and not at.error
    assert any("2×3×3×3" in c.value for c in at.caption)
    for case, (name, data) in corpus("npy").items():
        at.file_uploader(key="mix_npy_file").set_value((name, data, "application/octet-stream"))
        at.run()
        assert not at.exception, case
        assert NPY_WORDS[case] in _errors(at), (case, _errors(at))
        assert at.radio(key="mix_preset").value == "npy"
    at.file_uploader(key="mix_npy_file").set_value(good).run()
    assert not at.error and any("2×3×3×3" in c.value for c in at.caption)


def test_after_image_upload_shows_the_reason(gradient_rgb):
    at = open_with_picture("pages/5_Learn_a_kernel.py", gradient_rgb)
    at.radio(key="learn_target").set_value("pair").run()
    for case, (name, data) in corpus("image").items():
        at.file_uploader(key="learn_after").set_value((name, data, "image/png")).run()
        assert not at.exception, case
        assert IMAGE_WORDS[case] in _errors(at), (case, _errors(at))
        assert at.radio(key="learn_target").value == "pair"
        assert at.session_state["image"].name == "picture.png"  # the before image stays


def _trained_on_own_images():
    """The LeNet page trained one tick (three one-minibatch epochs) on the good zip."""
    at = open_page("pages/6_Train_LeNet.py")
    at.selectbox(key="lenet_dataset").select("own").run()
    at.file_uploader(key="lenet_zip").set_value(("data.zip", image_zip(), "application/zip"))
    at.run()
    assert not at.exception and not at.error, _errors(at)
    assert any("6 images in 2 classes" in c.value for c in at.caption)
    at.button(key="lenet_start").click().run()
    assert not at.exception and not at.error, _errors(at)
    assert lenet_steps(at) == 3
    return at


def test_dataset_zip_upload_keeps_the_trained_model():
    at = _trained_on_own_images()
    for case, (name, data) in corpus("dataset").items():
        at.file_uploader(key="lenet_zip").set_value((name, data, "application/zip")).run()
        assert not at.exception, case
        assert DATASET_WORDS[case] in _errors(at), (case, _errors(at))
        at.button(key="lenet_start").click().run()  # Start cannot use it either
        assert not at.exception, case
        assert DATASET_WORDS[case] in _errors(at), (case, _errors(at))
        assert lenet_steps(at) == 3, case  # the model trained on the good zip is still shown


def test_saved_model_upload_restores_or_keeps_the_run(model_bytes):
    at = _trained_on_own_images()
    for case, (name, data) in corpus("model", model_bytes).items():
        at.file_uploader(key="lenet_model_file").set_value((name, data, "application/zip"))
        at.run()
        assert not at.exception, case
        assert MODEL_WORDS[case] in _errors(at), (case, _errors(at))
        assert lenet_steps(at) == 3, case
    at.file_uploader(key="lenet_model_file").set_value(("lenet.zip", model_bytes,
                                                        "application/zip")).run()
    assert not at.exception and not at.error, _errors(at)
    assert any(re.search(r"Continuing from step 2 \(epoch 3\)", s.value) for s in at.success), [
        s.value for s in at.success]
    assert lenet_steps(at) == 2
