"""The benchmark harness itself: rounds, paired ratios, wrapper rows, the report and README."""

from __future__ import annotations

import pytest

from benchmarks import bench_conv, run_all


class _FakeClock:
    """A clock that moves only when a fake call says it took time: no wall clock involved."""

    def __init__(self) -> None:
        self.now = 0.0
        self.calls: list[str] = []

    def perf_counter(self) -> float:
        return self.now

    def call(self, name: str, seconds: float):
        def run() -> None:
            self.calls.append(name)
            self.now += seconds

        return run


def test_light_calls_get_many_rounds_of_their_own_and_heavy_calls_the_repeats(monkeypatch):
    clock = _FakeClock()
    monkeypatch.setattr(bench_conv, "time", clock)
    costs = {"light": 0.001, "light_too": 0.002, "middle": 0.015, "heavy": 0.03, "slow": 0.6,
             "torch.x": 0.001}
    times = bench_conv.timed_rounds({name: clock.call(name, s) for name, s in costs.items()},
                                    repeats=5)
    rounds = {name: len(values) for name, values in times.items()}
    # light and light_too are within NEAR× of the fastest: 2 s / 3 ms → the 200-round cap;
    # middle (15 ms, under 20 ms) gets a group of its own, 2 s / 15 ms = 133 rounds; heavy the
    # repeats, slow (over half a second) 3; torch's call rounds of its own after the others.
    assert rounds == {"light": 200, "light_too": 200, "middle": 133, "heavy": 5, "slow": 3,
                      "torch.x": 200}
    for name, values in times.items():
        assert values == pytest.approx([costs[name]] * len(values)), name
    # two warm-up calls each, then the timed ones; torch's come after every other call
    assert [clock.calls.count(name) for name in costs] == [rounds[name] + 2 for name in costs]
    first_torch = clock.calls.index("torch.x")
    assert "torch.x" not in clock.calls[:first_torch]
    assert set(clock.calls[first_torch:]) == {"torch.x"}
    # the near group is interleaved: each round runs both calls once
    near = [name for name in clock.calls if name in ("light", "light_too")][4:]
    assert all(sorted(near[i:i + 2]) == ["light", "light_too"] for i in range(0, 400, 2))


def test_paired_ratios_take_the_median_of_per_round_ratios_to_the_fastest_raw_call():
    times = {"raw_a": [1.0, 2.0, 1.0], "raw_b": [3.0, 3.0, 3.0], "ours": [1.5, 2.0, 1.2]}
    ratios = bench_conv.paired_ratios(times, ["raw_a", "raw_b"])
    assert ratios["ours"] == pytest.approx(1.2)  # per round: 1.5, 1.0, 1.2
    assert ratios["raw_a"] == 1.0
    assert ratios["raw_b"] == pytest.approx(3.0)


def test_wrapper_rows_compare_each_backend_with_its_own_library():
    case = bench_conv.ConvCase(512, 512, False, "float32", 5, True)
    times = {"cv2.filter2D": [2.0] * 3, "cv2.sepFilter2D": [1.0] * 3,
             "ndimage.correlate": [10.0] * 3, "filters[opencv]": [1.1] * 3,
             "filters[scipy]": [9.0] * 3, "filters[auto]": [1.0] * 3}
    seconds = {name: values[0] for name, values in times.items()}
    rows = {row["call"]: row for row in bench_conv.wrapper_rows(case, times, seconds)}
    assert set(rows) == {"filters[opencv] ÷ cv2.sepFilter2D", "filters[scipy] ÷ ndimage.correlate"}
    assert rows["filters[opencv] ÷ cv2.sepFilter2D"]["ratio"] == pytest.approx(1.1)
    assert rows["filters[scipy] ÷ ndimage.correlate"]["ratio"] == pytest.approx(0.9)
    assert all(row["kind"] == "wrapper" for row in rows.values())


def _rows() -> list[dict[str, object]]:
    def conv(call: str, seconds: float, ratio: float) -> dict[str, object]:
        return {"kind": "conv", "case": "512×512 grey float32, gaussian 5 (separable)",
                "size": "512×512", "channels": "grey", "dtype": "float32", "op": "gaussian 5",
                "call": call, "seconds": seconds, "ratio": ratio, "peak_mib": 1.0}

    return [conv("cv2.sepFilter2D", 0.001, 1.0), conv("filters[auto]", 0.0012, 1.2),
            {"kind": "wrapper", "case": "c", "size": "", "channels": "", "dtype": "", "op": "",
             "call": "filters[opencv] ÷ cv2.sepFilter2D", "seconds": 0.0012, "ratio": 1.05,
             "peak_mib": None}]


def test_report_states_the_auto_headline_and_the_wrapper_table():
    text = run_all.report(_rows(), "a machine")
    assert "in 0 of 1 conv cases; worst: 1.20×" in text
    assert "| filters[opencv] | 1 | 1 | 1.05 | 1.05 |" in text


def test_update_readme_replaces_only_the_marked_section(tmp_path):
    readme = tmp_path / "README.md"
    readme.write_text("# Title\n\n<!-- bench:start -->\nold\n<!-- bench:end -->\n\nAfter.\n",
                      encoding="utf-8")
    run_all.update_readme(readme, run_all.readme_section(_rows(), "a machine"))
    text = readme.read_text(encoding="utf-8")
    assert text.startswith("# Title\n\n<!-- bench:start -->") and text.endswith("\n\nAfter.\n")
    assert "old" not in text and "Machine: a machine" in text
    assert text.count("<!-- bench:start -->") == text.count("<!-- bench:end -->") == 1


def test_update_readme_without_markers_is_a_value_error(tmp_path):
    readme = tmp_path / "README.md"
    readme.write_text("# Title\n", encoding="utf-8")
    with pytest.raises(ValueError, match="bench:start"):
        run_all.update_readme(readme, "section")
