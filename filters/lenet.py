"""LeNet-5 (d2l 6.6, notes §3.13) and a resumable, step-by-step trainer.

torch is imported inside the functions here, so ``import filters.lenet`` stays light.

Example:
    >>> from filters.datasets import load_dataset
    >>> trainer = Trainer(LeNet(seed=0), load_dataset("digits"), lr=1e-3, seed=0)
    >>> metrics = trainer.step(5)      # five minibatches; call again to continue
    >>> len(trainer.history["loss"])
    5
"""

from __future__ import annotations

import json
import math
import time
from pathlib import Path, PurePosixPath
from typing import Any

import numpy as np

from ._validation import check_choice, check_int, check_number
from .datasets import Dataset

__all__ = ["MEAN", "STD", "LeNet", "Trainer", "TrainingDiverged", "feature_maps",
           "first_layer_kernels", "load_model_zip", "model_zip", "predict", "to_digit"]

#: Normalisation applied to ``uint8 / 255`` images (MNIST's mean and standard deviation).
MEAN, STD = 0.1307, 0.3081


class TrainingDiverged(ValueError):
    """The loss became NaN/inf or exploded; the last good weights were restored."""


def LeNet(activation: str = "relu", num_classes: int = 10, pool: str = "max",
          seed: int | None = 0) -> Any:
    """The classic LeNet-5: conv5 (pad 2) → 6, pool 2, conv5 → 16, pool 2, 120, 84, classes.

    Args:
        activation: ``"relu"`` or ``"sigmoid"`` (d2l's original).
        num_classes: outputs of the last layer.
        pool: ``"max"`` or ``"avg"`` (d2l's original) 2×2 pooling with stride 2.
        seed: seeds the weight initialisation (``None``: torch's global generator).

    Returns:
        A ``torch.nn.Sequential`` taking ``N×1×28×28`` float tensors.
    """
    import torch
    from torch import nn

    activation = check_choice(activation, ("relu", "sigmoid"), "activation")
    pool = check_choice(pool, ("max", "avg"), "pool")
    num_classes = check_int(num_classes, "num_classes", minimum=1)
    if seed is not None:
        seed = check_int(seed, "seed")
    act = nn.ReLU if activation == "relu" else nn.Sigmoid
    pooling = nn.MaxPool2d if pool == "max" else nn.AvgPool2d
    if seed is not None:
        torch.manual_seed(seed)
    model = nn.Sequential(
        nn.Conv2d(1, 6, kernel_size=5, padding=2), act(), pooling(2, 2),
        nn.Conv2d(6, 16, kernel_size=5), act(), pooling(2, 2), nn.Flatten(),
        nn.Linear(16 * 5 * 5, 120), act(), nn.Linear(120, 84), act(),
        nn.Linear(84, num_classes),
    )
    model.config = {"activation": activation, "num_classes": num_classes, "pool": pool}  # type: ignore[assignment]
    return model


def _tensor(images: np.ndarray) -> Any:
    import torch

    x = torch.from_numpy(np.asarray(images, dtype=np.float32) / 255.0)
    return ((x - MEAN) / STD).unsqueeze(1)


class Trainer:
    """Trains a model on a :class:`Dataset` a few minibatches at a time.

    ``step(n)`` trains ``n`` minibatches and returns their metrics; not calling it is pausing.
    The data order comes from a seeded generator saved with the model, so ``step(50)`` then
    ``step(50)`` gives the same weights as ``step(100)``.
    """

    def __init__(self, model: Any, dataset: Dataset, *, lr: float = 1e-3, batch_size: int = 64,
                 optimizer: str = "adam", momentum: float = 0.9, seed: int = 0) -> None:
        import torch

        self.model = model
        self.dataset = dataset
        self.batch_size = check_int(batch_size, "batch_size", minimum=1)
        lr = check_number(lr, "lr", positive=True)
        self.optimizer_name = check_choice(optimizer, ("sgd", "adam"), "optimizer")
        self.momentum = check_number(momentum, "momentum", minimum=0)
        self.seed = check_int(seed, "seed")
        self.train_x, self.train_y = _tensor(dataset.train_x), torch.from_numpy(dataset.train_y)
        self.test_x, self.test_y = _tensor(dataset.test_x), torch.from_numpy(dataset.test_y)
        self.generator = torch.Generator().manual_seed(seed)
        self.optimizer = (torch.optim.Adam(model.parameters(), lr=lr)
                          if self.optimizer_name == "adam"
                          else torch.optim.SGD(model.parameters(), lr=lr, momentum=momentum))
        self.epoch, self.position, self.steps = 0, 0, 0
        self.order = torch.randperm(len(self.train_y), generator=self.generator)
        self.history: dict[str, list[float]] = {"loss": [], "epoch_train_accuracy": [],
                                                "epoch_test_accuracy": []}
        self._correct, self._seen = 0, 0
        # The last good weights, refreshed in place each step (no allocation per step).
        self._good = [p.detach().clone() for p in self.model.parameters()]

    @property
    def lr(self) -> float:
        """The learning rate; may be changed between calls of :meth:`step`."""
        return float(self.optimizer.param_groups[0]["lr"])

    @lr.setter
    def lr(self, value: float) -> None:
        value = check_number(value, "lr", positive=True)
        for group in self.optimizer.param_groups:
            group["lr"] = float(value)

    @property
    def steps_per_epoch(self) -> int:
        """Minibatches in one pass over the training set."""
        return math.ceil(len(self.train_y) / self.batch_size)

    def step(self, n: int = 1) -> list[dict[str, float]]:
        """Train ``n`` minibatches; returns ``[{step, epoch, loss, lr, seconds}, ...]``.

        Raises:
            TrainingDiverged: the loss became NaN/inf or over 1e4; weights are rolled back.
        """
        import torch
        import torch.nn.functional as F

        metrics = []
        self.model.train()
        for _ in range(int(n)):
            start = time.perf_counter()
            index = self.order[self.position : self.position + self.batch_size]
            x, y = self.train_x[index], self.train_y[index]
            with torch.no_grad():
                for saved, parameter in zip(self._good, self.model.parameters(), strict=True):
                    saved.copy_(parameter)
            self.optimizer.zero_grad()
            logits = self.model(x)
            loss = F.cross_entropy(logits, y)
            value = loss.item()
            if not math.isfinite(value) or value > 1e4:
                with torch.no_grad():
                    for saved, parameter in zip(self._good, self.model.parameters(),
                                                strict=True):
                        parameter.copy_(saved)
                raise TrainingDiverged(
                    f"The loss became {value:.3g} at step {self.steps + 1}; the last good "
                    f"weights were kept. Lower the learning rate (now {self.lr:g})."
                )
            loss.backward()
            self.optimizer.step()
            with torch.no_grad():
                self._correct += int((logits.argmax(1) == y).sum())
                self._seen += len(y)
            self.steps += 1
            self.position += self.batch_size
            self.history["loss"].append(value)
            metrics.append({"step": self.steps, "epoch": self.epoch, "loss": value,
                            "lr": self.lr, "seconds": time.perf_counter() - start})
            if self.position >= len(self.train_y):
                self._end_epoch()
        return metrics

    def _end_epoch(self) -> None:
        import torch

        self.history["epoch_train_accuracy"].append(self._correct / max(1, self._seen))
        self.history["epoch_test_accuracy"].append(self.evaluate()["test_accuracy"])
        self._correct, self._seen = 0, 0
        self.epoch += 1
        self.position = 0
        self.order = torch.randperm(len(self.train_y), generator=self.generator)
        self.model.train()

    def evaluate(self) -> dict[str, float]:
        """Accuracy and mean cross-entropy on the test set."""
        import torch
        import torch.nn.functional as F

        self.model.eval()
        correct, total_loss = 0, 0.0
        with torch.no_grad():
            for start in range(0, len(self.test_y), 1000):
                logits = self.model(self.test_x[start : start + 1000])
                y = self.test_y[start : start + 1000]
                total_loss += float(F.cross_entropy(logits, y, reduction="sum"))
                correct += int((logits.argmax(1) == y).sum())
        n = max(1, len(self.test_y))
        return {"test_accuracy": correct / n, "test_loss": total_loss / n}

    def save(self, path: str | Path) -> None:
        """Weights and optimizer tensors as safetensors, everything else as ``<path>.json``."""
        import torch
        from safetensors.torch import save_file

        path = Path(path)
        tensors = {f"model.{k}": v.contiguous() for k, v in self.model.state_dict().items()}
        optimizer_state = self.optimizer.state_dict()
        for pid, state in optimizer_state["state"].items():
            for key, value in state.items():
                tensor = value if isinstance(value, torch.Tensor) else torch.tensor(value)
                tensors[f"optim.{pid}.{key}"] = tensor.contiguous()
        tensors["order"] = self.order.contiguous()
        save_file(tensors, str(path))
        config = {
            "model": self.model.config, "lr": self.lr, "batch_size": self.batch_size,
            "optimizer": self.optimizer_name, "momentum": self.momentum, "seed": self.seed,
            "epoch": self.epoch, "position": self.position, "steps": self.steps,
            "history": self.history, "correct": self._correct, "seen": self._seen,
            "generator": self.generator.get_state().tolist(), "dataset": self.dataset.name,
        }
        Path(str(path) + ".json").write_text(json.dumps(config))

    @classmethod
    def load(cls, path: str | Path, dataset: Dataset) -> Trainer:
        """Rebuild a trainer saved by :meth:`save` (no pickle: safetensors + JSON).

        Raises:
            ValueError: the files are missing, damaged or do not fit ``dataset`` (see
                :func:`load_model_zip`).
        """
        path = Path(path)
        json_path = Path(str(path) + ".json")
        try:
            text, weights = json_path.read_text(encoding="utf-8"), path.read_bytes()
        except (OSError, UnicodeDecodeError) as error:
            raise ValueError(f"Could not read the saved model {path}: {error}") from None
        return _restore(_config(text, json_path.name), _tensors(weights, path.name), dataset,
                        f"The saved model {path.name}")


#: The two files of a saved model in :func:`model_zip`'s archive.
MODEL_FILES = ("lenet.safetensors", "lenet.safetensors.json")
_MODEL_EXPECTED = "the lenet.zip downloaded from this page (lenet.safetensors + its .json)"
_HISTORY = ("loss", "epoch_train_accuracy", "epoch_test_accuracy")


def load_model_zip(data: bytes, dataset: Dataset) -> Trainer:
    """The trainer in a zip made by :func:`model_zip`, rebuilt on ``dataset`` to continue.

    Nothing is unpickled: the weights are safetensors, the rest JSON. The zip is checked like
    every upload (:func:`filters.uploads.open_zip`; at most ``MAX_UPLOAD_BYTES`` unpacked), then
    every setting, the weights' names and shapes, the optimizer's state and the data order are
    checked against LeNet-5 and ``dataset`` before the trainer is made.

    Args:
        data: the zip's bytes.
        dataset: the data set to continue on: the one the model was trained on (the same
            number of classes and of training images).

    Returns:
        A :class:`Trainer` at the saved step; ``step`` continues exactly as the saved one would.

    Raises:
        TypeError: ``data`` is not bytes or ``dataset`` not a :class:`Dataset`.
        ValueError: not a zip, a damaged or missing member, a zip bomb, settings or shapes
            that are not this LeNet-5's, or a data set that does not fit.

    Example:
        >>> from filters.datasets import load_dataset
        >>> digits = load_dataset("digits")
        >>> trainer = Trainer(LeNet(seed=0), digits, seed=0)
        >>> _ = trainer.step(3)
        >>> load_model_zip(model_zip(trainer), digits).steps
        3
        >>> load_model_zip(b"PK", digits)
        Traceback (most recent call last):
        ...
        ValueError: The saved model is not a zip archive (...); expected the lenet.zip...
    """
    from .limits import MAX_UPLOAD_BYTES
    from .uploads import open_zip, read_member, text_of

    what = "The saved model"
    if not isinstance(dataset, Dataset):
        raise TypeError(f"dataset must be a filters.datasets.Dataset; got "
                        f"{type(dataset).__name__}.")
    archive, infos = open_zip(data, what, _MODEL_EXPECTED, max_total=MAX_UPLOAD_BYTES)
    found = {PurePosixPath(info.filename).name: info for info in infos}
    missing = [name for name in MODEL_FILES if name not in found]
    if missing:
        held = ", ".join(sorted(found)[:8]) or "no files"
        raise ValueError(f"{what} has no {' and no '.join(missing)} (it holds {held}); "
                         f"expected {_MODEL_EXPECTED}.")
    weights = read_member(archive, found[MODEL_FILES[0]], what)
    text = text_of(read_member(archive, found[MODEL_FILES[1]], what), MODEL_FILES[1],
                   "JSON text")
    return _restore(_config(text, MODEL_FILES[1]), _tensors(weights, MODEL_FILES[0]), dataset,
                    what)


def _config(text: str, name: str) -> dict[str, Any]:
    """The JSON settings of a saved model as a dict (``ValueError`` for anything else)."""
    try:
        config = json.loads(text)
    except json.JSONDecodeError as error:
        raise ValueError(f"{name} is not valid JSON ({error.msg}, line {error.lineno}).") \
            from None
    except (RecursionError, ValueError) as error:
        raise ValueError(f"{name} cannot be read as JSON ({error or 'nested too deeply'}).") \
            from None
    if not isinstance(config, dict):
        raise ValueError(f"{name} must hold a JSON object of settings; got "
                         f"{type(config).__name__}.")
    return config


def _tensors(blob: bytes, name: str) -> dict[str, Any]:
    """The tensors of a safetensors file's bytes (``ValueError`` if it is not one)."""
    from safetensors import SafetensorError
    from safetensors.torch import load

    try:
        return dict(load(blob))
    except (SafetensorError, ValueError, OSError) as error:
        raise ValueError(f"{name} is not a safetensors file ({error}).") from None


def _count(config: dict[str, Any], key: str, what: str) -> int:
    value = config.get(key)
    if not isinstance(value, int) or isinstance(value, bool) or value < 0:
        raise ValueError(f"{what}: {key!r} must be a whole number ≥ 0; got {value!r}.")
    return value


def _numbers(values: Any) -> list[float] | None:
    """``values`` as a list of finite floats, or ``None`` if it is not a list of them."""
    if not isinstance(values, list) or any(isinstance(x, bool) or not isinstance(x, (int, float))
                                           for x in values):
        return None
    try:
        floats = [float(x) for x in values]
    except OverflowError:  # an integer too large for a float
        return None
    return floats if all(math.isfinite(x) for x in floats) else None


def _restore(config: dict[str, Any], tensors: dict[str, Any], dataset: Dataset,
             what: str) -> Trainer:
    """A :class:`Trainer` from saved settings and tensors, every part checked first."""
    import torch

    if not isinstance(dataset, Dataset):
        raise TypeError(f"dataset must be a filters.datasets.Dataset; got "
                        f"{type(dataset).__name__}.")
    settings = config.get("model")
    if not isinstance(settings, dict) or set(settings) != {"activation", "num_classes", "pool"}:
        raise ValueError(f"{what}: 'model' must give activation, num_classes and pool; got "
                         f"{settings!r:.200}.")
    n_train = len(dataset.train_y)
    try:
        if settings["num_classes"] != len(dataset.classes):
            raise ValueError(f"{what} classifies {settings['num_classes']} classes; the chosen "
                             f"data set has {len(dataset.classes)}. Choose the data set it was "
                             "trained on.")
        model = LeNet(**settings, seed=None)
        model.load_state_dict({k[6:]: v for k, v in tensors.items() if k.startswith("model.")})
        trainer = Trainer(model, dataset, lr=config["lr"], batch_size=config["batch_size"],
                          optimizer=config["optimizer"], momentum=config["momentum"],
                          seed=config["seed"])
        parameters = list(model.parameters())
        state = trainer.optimizer.state_dict()
        for key, value in tensors.items():
            if key.startswith("optim."):
                _, pid, name = key.split(".", 2)
                shape = () if name == "step" else tuple(parameters[int(pid)].shape)
                if tuple(value.shape) != shape:
                    raise ValueError(f"{what}: the optimizer's {key} has shape "
                                     f"{tuple(value.shape)}; expected {shape}.")
                state["state"].setdefault(int(pid), {})[name] = value
        trainer.optimizer.load_state_dict(state)
        trainer.generator.set_state(torch.tensor(config["generator"], dtype=torch.uint8))
    except (TypeError, RuntimeError, IndexError, KeyError, OverflowError) as error:
        raise ValueError(f"{what} does not fit LeNet-5 ({str(error)[:300]}); expected "
                         f"{_MODEL_EXPECTED}.") from None
    if not all(bool(torch.isfinite(p).all()) for p in parameters):
        raise ValueError(f"{what} holds NaN or infinite weights.")
    order = tensors.get("order")
    if (order is None or order.dtype != torch.int64 or tuple(order.shape) != (n_train,)
            or not torch.equal(torch.sort(order).values, torch.arange(n_train))):
        size = "no data order" if order is None else f"a data order of {order.numel()} images"
        raise ValueError(f"{what} holds {size}; the chosen data set has {n_train} training "
                         "images. Choose the data set it was trained on.")
    trainer.order = order
    for name in ("epoch", "steps", "correct", "seen"):
        _count(config, name, what)
    if _count(config, "position", what) >= n_train:
        raise ValueError(f"{what}: position {config['position']} is past the {n_train} "
                         "training images.")
    history = config.get("history")
    lists = {key: _numbers(history.get(key)) for key in _HISTORY} if isinstance(history, dict) \
        else {}
    if set(lists) != set(_HISTORY) or any(v is None for v in lists.values()):
        raise ValueError(f"{what}: 'history' must hold the lists {', '.join(_HISTORY)} of "
                         "finite numbers.")
    trainer.epoch, trainer.position, trainer.steps = (config["epoch"], config["position"],
                                                      config["steps"])
    trainer.history = {key: list(values or []) for key, values in lists.items()}
    trainer._correct, trainer._seen = config["correct"], config["seen"]
    return trainer


def predict(model: Any, images: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Labels and class probabilities for ``uint8 N×28×28`` (or one ``28×28``) images."""
    import torch

    array = np.asarray(images)
    if array.ndim == 2:
        array = array[None]
    if array.shape[1:] != (28, 28):
        raise ValueError(f"LeNet takes 28×28 images; got {array.shape[1:]}.")
    model.eval()
    with torch.no_grad():
        probabilities = torch.softmax(model(_tensor(array)), dim=1).numpy()
    return probabilities.argmax(1), probabilities


def feature_maps(model: Any, image: np.ndarray) -> dict[str, np.ndarray]:
    """Activations of every layer for one ``uint8 28×28`` image, by layer name.

    Keys: ``conv1`` (6×28×28, after the activation), ``pool1`` (6×14×14), ``conv2``
    (16×10×10), ``pool2`` (16×5×5), ``fc1`` (120), ``fc2`` (84), ``logits``.
    """
    import torch

    names = ["conv1_raw", "conv1", "pool1", "conv2_raw", "conv2", "pool2", "flat", "fc1_raw",
             "fc1", "fc2_raw", "fc2", "logits"]
    x = _tensor(np.asarray(image)[None])
    maps = {}
    model.eval()
    with torch.no_grad():
        for name, layer in zip(names, model, strict=True):
            x = layer(x)
            if not name.endswith("_raw") and name != "flat":
                maps[name] = x[0].numpy().copy()
    return maps


def first_layer_kernels(model: Any) -> np.ndarray:
    """The six 5×5 kernels of conv1 as a ``6×5×5`` float64 array."""
    return model[0].weight.detach().numpy()[:, 0].astype(np.float64)


def to_digit(image: np.ndarray) -> np.ndarray:
    """Any picture as LeNet's input: grey, resized (bilinear) to ``28×28``, ``uint8`` 0…255.

    Args:
        image: ``H×W`` or ``H×W×C`` with values in 0…1 (the app's working image).

    Returns:
        ``uint8 28×28`` (values rounded and clipped to 0…255), for :func:`predict` and
        :func:`feature_maps`.

    Example:
        >>> to_digit(np.ones((100, 80, 3), dtype=np.float32)).max()
        np.uint8(255)
    """
    from .image_io import to_grey
    from .upsampling import upsample

    small = upsample(to_grey(image), size=(28, 28), mode="bilinear")
    return np.clip(np.round(small * 255), 0, 255).astype(np.uint8)


def model_zip(trainer: Trainer) -> bytes:
    """The trainer saved by :meth:`Trainer.save` as the bytes of one zip archive.

    The archive holds ``lenet.safetensors`` and its ``lenet.safetensors.json``, for a download.

    Example:
        >>> import io, zipfile
        >>> from filters.datasets import load_dataset
        >>> trainer = Trainer(LeNet(seed=0), load_dataset("digits"), seed=0)
        >>> sorted(zipfile.ZipFile(io.BytesIO(model_zip(trainer))).namelist())
        ['lenet.safetensors', 'lenet.safetensors.json']
    """
    import io
    import tempfile
    import zipfile

    if not isinstance(trainer, Trainer):
        raise TypeError(f"trainer must be a filters.lenet.Trainer; got {type(trainer).__name__}.")
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "lenet.safetensors"
        trainer.save(path)
        buffer = io.BytesIO()
        with zipfile.ZipFile(buffer, "w") as archive:
            archive.write(path, path.name)
            archive.write(str(path) + ".json", path.name + ".json")
        return buffer.getvalue()
