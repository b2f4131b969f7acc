"""``python -m filters train-lenet``: train LeNet-5 from the command line.

Progress goes to stderr; with ``--json`` the last line of stdout is one JSON object with at
least ``test_accuracy``, ``epochs`` and ``seconds``.
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from pathlib import Path
from typing import Any

__all__ = ["DEFAULTS", "add_parser", "run"]

#: Per data set: epochs, batch size, learning rate (Adam) — measured to reach the README numbers.
DEFAULTS = {"digits": (30, 32, 1e-3), "mnist": (5, 64, 1e-3), "fashion-mnist": (5, 64, 1e-3)}


def add_parser(subparsers: Any) -> None:
    """Register ``train-lenet`` on an ``argparse`` subparsers object."""
    parser = subparsers.add_parser(
        "train-lenet", help="train LeNet-5 on digits, MNIST or Fashion-MNIST",
        description="Train LeNet-5 (d2l 6.6). Defaults per data set: digits 30 epochs batch 32, "
        "MNIST/Fashion-MNIST 5 epochs batch 64; Adam, learning rate 1e-3, ReLU, max pooling.",
    )
    parser.add_argument("--dataset", choices=list(DEFAULTS), default="digits")
    parser.add_argument("--data-dir", type=Path, help="folder with the four IDX .gz files")
    parser.add_argument("--epochs", type=int)
    parser.add_argument("--lr", type=float)
    parser.add_argument("--batch-size", type=int)
    parser.add_argument("--optimizer", choices=["adam", "sgd"], default="adam")
    parser.add_argument("--activation", choices=["relu", "sigmoid"], default="relu")
    parser.add_argument("--pool", choices=["max", "avg"], default="max")
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--save", type=Path, help="write the model (safetensors + .json)")
    parser.add_argument("--no-download", action="store_true", help="never use the network")
    parser.add_argument("--json", action="store_true", help="end stdout with one JSON line")


def run(args: argparse.Namespace) -> int:
    """Train as the arguments say; print progress to stderr and the result to stdout."""
    from ._validation import check_int
    from .datasets import load_dataset
    from .lenet import LeNet, Trainer

    epochs, batch_size, lr = DEFAULTS[args.dataset]
    epochs = args.epochs or epochs
    batch_size = args.batch_size or batch_size
    lr = args.lr or lr
    epochs = check_int(epochs, "--epochs", minimum=1)
    start = time.perf_counter()
    dataset = load_dataset(args.dataset, root=args.data_dir, download=not args.no_download,
                           progress=lambda name, done, total: print(
                               f"\rdownloading {name}: {done}/{total or '?'} bytes", end="",
                               file=sys.stderr))
    model = LeNet(args.activation, len(dataset.classes), args.pool, seed=args.seed)
    trainer = Trainer(model, dataset, lr=lr, batch_size=batch_size, optimizer=args.optimizer,
                      seed=args.seed)
    for epoch in range(1, epochs + 1):
        trainer.step(trainer.steps_per_epoch)
        print(f"epoch {epoch}/{epochs}: loss {trainer.history['loss'][-1]:.4f}, "
              f"train accuracy {trainer.history['epoch_train_accuracy'][-1]:.4f}, "
              f"test accuracy {trainer.history['epoch_test_accuracy'][-1]:.4f}, "
              f"{time.perf_counter() - start:.1f} s", file=sys.stderr)
    if args.save:
        trainer.save(args.save)
    result = {
        "dataset": args.dataset, "epochs": epochs, "steps": trainer.steps,
        "batch_size": batch_size, "lr": lr, "optimizer": args.optimizer,
        "train_accuracy": trainer.history["epoch_train_accuracy"][-1],
        "test_accuracy": trainer.history["epoch_test_accuracy"][-1],
        "seconds": round(time.perf_counter() - start, 2),
    }
    if args.json:
        print(json.dumps(result))
    else:
        print(f"test accuracy {result['test_accuracy']:.4f} after {epochs} epochs "
              f"({result['seconds']} s)")
    return 0
