"""Training speed: a bare PyTorch loop, ``Trainer.step``, and the Train LeNet page's loop.

Images per second on the digits data set (batch 32), medians of repeats, same process.
The page loop is driven headlessly with AppTest (each rerun = one fragment tick).
Run: ``python benchmarks/bench_training.py``.
"""

from __future__ import annotations

import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
STEPS = 200
BATCH = 32


def _bare_loop(dataset) -> float:
    import torch
    import torch.nn.functional as F

    from filters.lenet import LeNet, _tensor

    model = LeNet(seed=0)
    optimizer = torch.optim.Adam(model.parameters(), lr=1e-3)
    x, y = _tensor(dataset.train_x), torch.from_numpy(dataset.train_y)
    order = torch.randperm(len(y), generator=torch.Generator().manual_seed(0))
    start = time.perf_counter()
    for step in range(STEPS):
        index = order[(step * BATCH) % len(y):][:BATCH]
        optimizer.zero_grad()
        loss = F.cross_entropy(model(x[index]), y[index])
        loss.backward()
        optimizer.step()
    return STEPS * BATCH / (time.perf_counter() - start)


def _trainer(dataset) -> float:
    from filters.lenet import LeNet, Trainer

    trainer = Trainer(LeNet(seed=0), dataset, batch_size=BATCH, seed=0)
    start = time.perf_counter()
    trainer.step(STEPS)
    return STEPS * BATCH / (time.perf_counter() - start)


def _page() -> float:
    from streamlit.testing.v1 import AppTest

    at = AppTest.from_file(str(ROOT / "app.py"), default_timeout=120).run()
    at.switch_page("pages/6_Train_LeNet.py").run()
    at.slider(key="lenet_per_tick").set_value(50).run()
    at.button(key="lenet_start").click().run()
    first = at.session_state["lenet_run"]["trainer"].steps
    start = time.perf_counter()
    while at.session_state["lenet_run"]["trainer"].steps - first < STEPS:
        at.run()
    steps = at.session_state["lenet_run"]["trainer"].steps - first
    return steps * BATCH / (time.perf_counter() - start)


def run(quick: bool = True) -> list[dict[str, float | str]]:
    """Rows: loop, images per second, ratio to the bare loop."""
    from filters.datasets import load_dataset

    dataset = load_dataset("digits")
    repeats = 3 if quick else 5
    bare = statistics.median(_bare_loop(dataset) for _ in range(repeats))
    trainer = statistics.median(_trainer(dataset) for _ in range(repeats))
    page = statistics.median(_page() for _ in range(max(1, repeats - 2)))
    return [{"loop": name, "images_per_s": value, "ratio_to_bare": value / bare}
            for name, value in (("bare PyTorch loop", bare), ("Trainer.step", trainer),
                                ("Train LeNet page (AppTest reruns)", page))]


if __name__ == "__main__":
    sys.path.insert(0, str(ROOT))
    for row in run():
        print(f"{row['loop']}: {row['images_per_s']:.0f} images/s "
              f"({row['ratio_to_bare']:.2f} × the bare loop)")
