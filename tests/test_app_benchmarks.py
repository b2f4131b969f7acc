"""The Benchmarks page (pages/8_Benchmarks.py) and its data functions (ui/bench_view.py), on
small results files written to a temporary folder (``CONVLAB_BENCH_DIR``)."""

from __future__ import annotations

import math
import re
from pathlib import Path

import pytest

from tests.conftest import chart_traces, open_page
from ui import bench_view
from ui.bench_view import (
    BENCH_DIR_ENV,
    BenchDataError,
    auto_summary,
    available_runs,
    filter_rows,
    load_results,
    ratio_figure,
    results_dir,
    timed_rows,
)

PAGE = "pages/8_Benchmarks.py"
MACHINE = "Test box, 2 cores, Python 3.11"
A = "512×512 RGB float32, gaussian 5 (separable)"
B = "1920×1080 grey uint8, random 9 (dense)"
T = "64×64 RGB float32, transposed 4 s2"
HEADER = "kind,case,size,channels,dtype,op,call,seconds,ratio,peak_mib,machine"
ROWS = [
    # case A: fastest raw 0.002 s (cv2.sepFilter2D); auto 0.0022 s → 1.10
    ("conv", A, "512×512", "RGB", "float32", "gaussian 5 (separable)", "cv2.sepFilter2D",
     0.002, 1.0, 3.0),
    ("conv", A, "512×512", "RGB", "float32", "gaussian 5 (separable)", "ndimage.correlate",
     0.02, 10.0, 6.0),
    ("conv", A, "512×512", "RGB", "float32", "gaussian 5 (separable)", "filters[auto]",
     0.0022, 1.1, 4.0),
    ("conv", A, "512×512", "RGB", "float32", "gaussian 5 (separable)", "filters[scipy]",
     0.021, 10.5, 6.5),
    # case B: fastest raw 0.01 s (cv2.filter2D); auto 0.014 s → 1.40 (the worst)
    ("conv", B, "1920×1080", "grey", "uint8", "random 9 (dense)", "cv2.filter2D",
     0.01, 1.0, 2.0),
    ("conv", B, "1920×1080", "grey", "uint8", "random 9 (dense)", "torch.conv2d",
     0.03, 3.0, 8.0),
    ("conv", B, "1920×1080", "grey", "uint8", "random 9 (dense)", "filters[auto]",
     0.014, 1.4, 2.5),
    # a transposed case where auto is far slower: must not count for the conv summary
    ("transposed", T, "64×64", "RGB", "float32", "transposed 4 s2", "torch.conv_transpose2d",
     0.001, 1.0, 1.0),
    ("transposed", T, "64×64", "RGB", "float32", "transposed 4 s2", "filters[auto]",
     0.003, 3.0, 1.0),
    ("page", "Filter page rerun", "", "", "", "", "AppTest rerun", 0.25, None, None),
    ("startup", "import filters", "", "", "", "", "python -c", 0.8, None, None),
]
EXPECTED_WORST = 0.014 / 0.01  # case B, computed by hand from the seconds above


def _line(row) -> str:
    kind, case, size, channels, dtype, op, call, seconds, ratio, peak = row
    cells = [kind, f'"{case}"', size, channels, dtype, f'"{op}"', call, repr(seconds),
             "" if ratio is None else repr(ratio), "" if peak is None else repr(peak),
             f'"{MACHINE}"']
    return ",".join(cells)


def write_csv(folder: Path, name: str = "quick.csv", rows=ROWS, header: str = HEADER) -> Path:
    """A small results file like ``python -m filters bench --csv`` writes."""
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / name
    path.write_text("\n".join([header, *(_line(r) for r in rows)]) + "\n", encoding="utf-8")
    return path


@pytest.fixture
def bench_dir(tmp_path, monkeypatch) -> Path:
    """An empty results folder that the page reads (through ``CONVLAB_BENCH_DIR``)."""
    folder = tmp_path / "results"
    folder.mkdir()
    monkeypatch.setenv(BENCH_DIR_ENV, str(folder))
    return folder


# --- the pure functions ------------------------------------------------------------------------


def test_results_dir_follows_the_environment(tmp_path, monkeypatch):
    monkeypatch.delenv(BENCH_DIR_ENV, raising=False)
    assert results_dir() == bench_view.DEFAULT_DIR
    assert results_dir().parts[-2:] == ("benchmarks", "results")
    monkeypatch.setenv(BENCH_DIR_ENV, str(tmp_path))
    assert results_dir() == tmp_path


def test_available_runs_lists_quick_then_full(tmp_path):
    assert available_runs(tmp_path) == {}
    write_csv(tmp_path, "full.csv")
    assert list(available_runs(tmp_path)) == ["full"]
    write_csv(tmp_path, "quick.csv")
    assert list(available_runs(tmp_path)) == ["quick", "full"]


def test_load_results_types_and_extra_columns(tmp_path):
    frame = load_results(write_csv(tmp_path))
    assert len(frame) == len(ROWS)
    assert frame["seconds"].dtype.kind == "f" and frame["ratio"].dtype.kind == "f"
    assert frame["ms"].tolist() == pytest.approx([r[7] * 1000 for r in ROWS])
    assert frame["ours"].tolist() == [r[6].startswith("filters") for r in ROWS]
    assert frame["ratio"].isna().tolist() == [r[8] is None for r in ROWS]
    assert set(frame["machine"]) == {MACHINE}


def test_auto_summary_is_the_hand_computed_worst_ratio(tmp_path):
    summary = auto_summary(load_results(write_csv(tmp_path)))
    assert summary.worst_ratio == pytest.approx(EXPECTED_WORST) == pytest.approx(1.4)
    assert summary.worst_case == B
    assert (summary.within, summary.cases) == (1, 2)  # A at 1.10 ≤ 1.15, B at 1.40 is not
    # The transposed case (auto 3.0×) counts for its own kind only.
    other = auto_summary(load_results(write_csv(tmp_path)), kind="transposed")
    assert (other.worst_ratio, other.worst_case, other.within) == (3.0, T, 0)
    assert auto_summary(load_results(write_csv(tmp_path)), kind="pool") is None


def test_old_four_column_file_gets_kind_labels_and_ratios_filled_in(tmp_path):
    path = tmp_path / "quick.csv"
    path.write_text(
        "case,call,seconds,ratio\n"
        f'"{A}",cv2.sepFilter2D,0.002,\n'
        f'"{A}",cv2.filter2D,0.004,\n'
        f'"{A}",filters[auto],0.0025,\n'
        f'"{A}",filters[opencv],0.001,\n', encoding="utf-8")
    frame = load_results(path)
    assert set(frame["kind"]) == {"conv"}
    assert frame["size"].iloc[0] == "512×512" and frame["channels"].iloc[0] == "RGB"
    assert frame["dtype"].iloc[0] == "float32"
    assert frame["op"].iloc[0] == "gaussian 5 (separable)"
    # ratios over the fastest *raw* call (0.002 s), even though filters[opencv] is faster
    assert frame["ratio"].tolist() == pytest.approx([1.0, 2.0, 1.25, 0.5])
    assert auto_summary(frame).worst_ratio == pytest.approx(1.25)


@pytest.mark.parametrize("text, reason", [
    ("kind,size,ratio\nconv,512×512,1.0\n", "columns"),
    ("", "unreadable"),
    ("case,call,seconds\nA,cv2.filter2D,fast\n", "empty"),
])
def test_bad_files_raise_bench_data_error(tmp_path, text, reason):
    path = tmp_path / "quick.csv"
    path.write_text(text, encoding="utf-8")
    with pytest.raises(BenchDataError) as caught:
        load_results(path)
    assert caught.value.reason == reason
    if reason == "columns":
        assert caught.value.detail == "case, call, seconds"


def test_binary_garbage_and_missing_files_raise_bench_data_error(tmp_path):
    path = tmp_path / "quick.csv"
    path.write_bytes(bytes(range(256)) * 8)
    with pytest.raises(BenchDataError):
        load_results(path)
    with pytest.raises(BenchDataError) as caught:
        load_results(tmp_path / "nothing.csv")
    assert caught.value.reason == "missing"


def test_filter_rows_and_timed_rows(tmp_path):
    frame = load_results(write_csv(tmp_path))
    conv = filter_rows(frame, kind="conv")
    assert set(conv["case"]) == {A, B}
    assert set(filter_rows(frame, kind="conv", channels=["grey"])["case"]) == {B}
    assert filter_rows(frame, kind="conv", sizes=["512×512"], dtypes=["uint8"]).empty
    assert len(filter_rows(frame)) == 9  # every compared row, no page/start-up rows
    timed = timed_rows(frame)
    assert timed["kind"].tolist() == ["page", "startup"]
    assert timed["ms"].tolist() == pytest.approx([250.0, 800.0])


def test_ratio_figure_groups_calls_ours_first_in_other_colours(tmp_path):
    frame = load_results(write_csv(tmp_path))
    figure = ratio_figure(filter_rows(frame, kind="conv"), log_x=True)
    names = [trace.name for trace in figure.data]
    assert names == ["filters[auto]", "filters[scipy]", "cv2.sepFilter2D", "ndimage.correlate",
                     "cv2.filter2D", "torch.conv2d"]
    assert all(trace.orientation == "h" for trace in figure.data)
    assert figure.layout.barmode == "group" and figure.layout.xaxis.type == "log"
    ours = {t.marker.color for t in figure.data if t.name.startswith("filters")}
    raw = {t.marker.color for t in figure.data if not t.name.startswith("filters")}
    assert ours and raw and not ours & raw
    auto = figure.data[0]
    assert dict(zip(auto.y, auto.x, strict=True)) == pytest.approx({A: 1.1, B: 1.4})
    lines = sorted(shape.x0 for shape in figure.layout.shapes)
    assert lines == pytest.approx([1.0, 1.15])
    linear = ratio_figure(filter_rows(frame, kind="conv"), log_x=False)
    assert linear.layout.xaxis.type != "log"


# --- the page ----------------------------------------------------------------------------------


def test_page_shows_summary_chart_and_tables(bench_dir):
    write_csv(bench_dir)
    at = open_page(PAGE)
    assert not at.exception and not at.error
    assert at.title[0].value == "Benchmarks"
    metrics = {m.label: m.value for m in at.metric}
    assert metrics["Worst filters[auto] ratio"] == f"{EXPECTED_WORST:.2f}×" == "1.40×"
    assert metrics["Cases within 1.15× of the fastest"] == "1 of 2"
    assert any(B in c.value for c in at.caption)
    assert any(MACHINE in c.value for c in at.caption)
    assert len(at.get("plotly_chart")) == 1
    traces = chart_traces(at)
    assert {t["name"] for t in traces} == {"filters[auto]", "filters[scipy]", "cv2.sepFilter2D",
                                           "ndimage.correlate", "cv2.filter2D", "torch.conv2d"}
    assert len(at.dataframe[0].value) == 7  # conv rows only
    assert len(at.dataframe) == 2  # the results and the page/start-up table
    assert at.subheader[-1].value == "Page reruns and start-up"
    assert [r.key for r in at.radio] == ["lang"]  # no full.csv: no run choice


def test_page_filters_narrow_the_chart(bench_dir):
    write_csv(bench_dir)
    at = open_page(PAGE)
    at.multiselect(key="bench_channels_conv").set_value(["grey"]).run()
    assert not at.exception
    assert len(at.dataframe[0].value) == 3
    assert {t["name"] for t in chart_traces(at)} == {"filters[auto]", "cv2.filter2D",
                                                     "torch.conv2d"}
    at.selectbox(key="bench_kind").select("transposed").run()
    assert not at.exception and len(at.dataframe[0].value) == 2
    at.toggle(key="bench_log").set_value(False).run()
    assert not at.exception and len(at.get("plotly_chart")) == 1


def test_page_offers_the_full_run_when_it_exists(bench_dir):
    write_csv(bench_dir)
    # the full run: auto twice as slow everywhere (seconds and ratio doubled)
    full_rows = [(*r[:7], r[7] * 2, r[8] * 2, *r[9:]) if r[6] == "filters[auto]" else r
                 for r in ROWS]
    write_csv(bench_dir, "full.csv", full_rows)
    at = open_page(PAGE)
    assert at.radio(key="bench_run").value == "quick"
    at.radio(key="bench_run").set_value("full").run()
    assert not at.exception
    assert {m.label: m.value for m in at.metric}["Worst filters[auto] ratio"] == "2.80×"


def test_missing_file_is_an_info_with_the_command(bench_dir):
    at = open_page(PAGE)
    assert not at.exception and not at.error
    assert any("python -m filters bench" in i.value for i in at.info)
    assert not at.get("plotly_chart")


@pytest.mark.parametrize("content", [
    "kind,size,ratio\nconv,512×512,1.0\n",           # required columns missing
    b"\x00\xff\xfe garbage \x89PNG\r\n\x1a\n" * 40,   # not a CSV at all
    "",                                               # empty file
    "case,call,seconds\nA,cv2.filter2D,n/a\n",       # no usable seconds
])
def test_bad_file_is_a_warning_not_a_traceback(bench_dir, content):
    path = bench_dir / "quick.csv"
    if isinstance(content, bytes):
        path.write_bytes(content)
    else:
        path.write_text(content, encoding="utf-8")
    at = open_page(PAGE)
    assert not at.exception and not at.error
    assert len(at.warning) == 1
    assert "python -m filters bench" in at.warning[0].value
    assert not at.get("plotly_chart")


def test_missing_columns_warning_names_them(bench_dir):
    (bench_dir / "quick.csv").write_text("kind,case,ratio\nconv,x,1.0\n", encoding="utf-8")
    at = open_page(PAGE)
    assert "call, seconds" in at.warning[0].value


def test_page_renders_in_chinese(bench_dir):
    write_csv(bench_dir)
    at = open_page(PAGE, lang="zh")
    assert not at.exception and not at.error
    assert at.title[0].value == "性能测试"
    labels = [m.label for m in at.metric]
    assert all(re.search(r"[\u4e00-\u9fff]", label) for label in labels), labels
    assert at.metric[0].value == "1.40×"
    assert at.subheader[-1].value == "页面重新运行与启动"
    assert len(at.get("plotly_chart")) == 1


def test_chinese_missing_file_message(bench_dir):
    at = open_page(PAGE, lang="zh")
    assert not at.exception
    assert any("python -m filters bench" in i.value and re.search(r"[\u4e00-\u9fff]", i.value)
               for i in at.info)


def test_expected_worst_really_is_the_largest_auto_ratio():
    ratios = [r[7] / min(x[7] for x in ROWS if x[1] == r[1] and not x[6].startswith("filters"))
              for r in ROWS if r[0] == "conv" and r[6] == "filters[auto]"]
    assert math.isclose(max(ratios), EXPECTED_WORST)
