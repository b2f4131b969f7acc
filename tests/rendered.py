"""What a page run with AppTest shows, read back for the tests: image captions, metrics, text.

The tests check these (what the user sees) against the library or against references, never
``session_state`` keys a page would write only for a test.
"""

from __future__ import annotations

import re


def image_captions(at) -> list[str]:
    """The captions of every ``st.image`` on the page, in order."""
    return [caption for image in at.get("image") for caption in image.captions]


def metrics(at) -> dict[str, str]:
    """``st.metric`` label → shown value."""
    return {m.label: m.value for m in at.metric}


def texts(at) -> list[str]:
    """Every markdown and caption text on the page, in order of kind (markdown first)."""
    return [m.value for m in at.markdown] + [c.value for c in at.caption]


def shape_in(caption: str) -> tuple[int, int]:
    """The last ``H×W`` written in ``caption``, as ints."""
    found = re.findall(r"(\d+)×(\d+)", caption)
    assert found, f"no H×W in {caption!r}"
    return int(found[-1][0]), int(found[-1][1])


def chart(at, key: str) -> dict:
    """The plotly figure (``{"data": …, "layout": …}``) of the chart drawn with ``key``."""
    import json

    for element in at.get("plotly_chart"):
        if element.proto.id.endswith(key):
            return json.loads(element.proto.spec)
    raise KeyError(f"no plotly chart with key {key!r}")


def chart_index(at, key: str) -> int:
    """The position of the chart drawn with ``key`` among the page's plotly charts."""
    for index, element in enumerate(at.get("plotly_chart")):
        if element.proto.id.endswith(key):
            return index
    raise KeyError(f"no plotly chart with key {key!r}")


def decoded(value):
    """A plotly array as numpy float64 (plotly sends arrays base64-encoded with a shape)."""
    import base64

    import numpy as np

    if isinstance(value, dict) and "bdata" in value:
        array = np.frombuffer(base64.b64decode(value["bdata"]), dtype=value["dtype"])
        shape = tuple(int(v) for v in str(value.get("shape", array.size)).split(","))
        return array.reshape(shape).astype(np.float64)
    return np.array(value, dtype=np.float64)


def grid_values(at, key: str):
    """The numbers a heatmap chart (``number_grid``, ``kernel_heatmap``, ``px.imshow``) shows,
    as float64 ``H×W`` (blank cells are NaN)."""
    return decoded(chart(at, key)["data"][0]["z"])


def trace_y(at, key: str, trace: int = 0):
    """The ``y`` values of one trace of the chart drawn with ``key``, float64."""
    return decoded(chart(at, key)["data"][trace]["y"])


def framed_cells(at, key: str, width: float = 3) -> list[tuple[int, int]]:
    """``(row, col)`` of the cells a ``number_grid`` chart frames with lines of ``width``."""
    cells = []
    for shape in chart(at, key)["layout"].get("shapes", []):
        if shape.get("type") == "rect" and shape["line"].get("width") == width:
            cells.append((round(shape["y0"] + 0.5), round(shape["x0"] + 0.5)))
    return cells


def explain_step(at) -> dict:
    """What the "How convolution works" page shows of the current step: its ``index`` (from the
    framed output cell), the ``value`` of the sum line, the ``products`` grid (channel 0) and the
    ``partial`` output filled so far (NaN where not reached)."""
    partial = grid_values(at, "explain_out")
    (row, col), = framed_cells(at, "explain_out", width=4)
    line = next(m.value for m in at.markdown if "= **" in m.value)
    return {"index": row * partial.shape[1] + col, "out": (row, col),
            "value": float(line.rsplit("**", 2)[1]), "products": grid_values(at, "explain_p_0"),
            "partial": partial}


def learn_steps(at) -> int:
    """The step count of the Learn page's status line (0 when nothing was learned yet)."""
    lines = [m.value for m in at.markdown if m.value.startswith("Step ")]
    return int(lines[-1].split()[1]) if lines else 0


def lenet_steps(at) -> int:
    """The step count of the Train LeNet status line (0 before the first minibatch)."""
    lines = [m.value for m in at.markdown if m.value.startswith("Epoch ")]
    return int(lines[-1].split(" · ")[1].split()[1]) if lines else 0


def rf_table(at, column: int) -> list[int]:
    """One column of the Receptive fields table (1: output size, 3: receptive field, 5:
    parameters), by position so it reads the same in every language."""
    return [int(v) for v in at.dataframe[0].value.iloc[:, column]]


def rf_window(at) -> tuple[int, int, int, int]:
    """``(top, left, bottom, right)`` of the input window the Receptive fields page states."""
    line = next(m.value for m in at.markdown if " sees input rows " in m.value)
    rows, cols = re.findall(r"(-?\d+)…(-?\d+)", line)
    return int(rows[0]), int(cols[0]), int(rows[1]), int(cols[1])


def output_stats(at) -> dict:
    """The Filter page's output metrics (labels min / max / mean / shape): numbers as floats, the
    shape as a tuple of ints. The page shows four significant digits."""
    shown = metrics(at)
    stats = {name: float(shown[name]) for name in ("min", "max", "mean")}
    stats["shape"] = tuple(int(v) for v in shown["shape"].split("×"))
    return stats


def output_shape(at) -> tuple[int, ...]:
    """The output shape the Filter page's metrics show."""
    return output_stats(at)["shape"]
