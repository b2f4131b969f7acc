"""Benchmarks: the results CSV of ``python -m filters bench`` as a summary, a chart and tables."""

from datetime import datetime

import streamlit as st

from ui.bench_view import (
    BENCH_COMMAND,
    NEAR,
    TIMED_KINDS,
    BenchDataError,
    auto_summary,
    available_runs,
    filter_rows,
    load_results,
    ratio_figure,
    timed_rows,
)
from ui.common import page_setup
from ui.i18n import option_format, t

page_setup("bench.title", picker=False)
st.title(t("bench.title"))
st.caption(t("bench.caption"))

# Kinds and filter values come from the results file: a value without a string shows as it is.
kind_label = option_format("bench.kind.", unknown_as_is=True)
blank_label = option_format("", keys={"": "bench.blank", "grey": "image.kind.grey"},
                            unknown_as_is=True)


runs = available_runs()
if not runs:
    st.info(t("bench.missing", command=BENCH_COMMAND), icon=":material/info:")
    st.stop()

if len(runs) > 1:
    run = st.radio(t("bench.run"), list(runs), format_func=option_format("bench.run."),
                   horizontal=True, key="bench_run")
else:
    run = next(iter(runs))
path = runs[run]

try:
    frame = load_results(path)
except BenchDataError as error:
    key = {"columns": "bench.columns", "empty": "bench.empty"}.get(error.reason,
                                                                   "bench.unreadable")
    st.warning(t(key, name=path.name, detail=error.detail, command=BENCH_COMMAND),
               icon=":material/warning:")
    st.stop()

machine = next((m for m in frame["machine"] if m), t("bench.unknown_machine"))
written = datetime.fromtimestamp(path.stat().st_mtime).strftime("%Y-%m-%d %H:%M")
st.caption(t("bench.machine", machine=machine, name=path.name, date=written))

# --- summary ---------------------------------------------------------------------------------
summary = auto_summary(frame)
if summary is None:
    st.info(t("bench.no_auto"))
else:
    st.subheader(t("bench.summary"))
    worst, within = st.columns(2)
    worst.metric(t("bench.worst"), f"{summary.worst_ratio:.2f}×", border=True)
    worst.caption(t("bench.worst_case", case=summary.worst_case))
    within.metric(t("bench.within", near=f"{NEAR:g}"),
                  t("bench.within_value", within=summary.within, cases=summary.cases),
                  border=True)

# --- filters and chart -----------------------------------------------------------------------
compared = frame[~frame["kind"].isin(TIMED_KINDS)]
kinds = list(dict.fromkeys(compared["kind"]))
if kinds:
    choices = st.columns(4)
    kind = choices[0].selectbox(t("bench.kind"), kinds, format_func=kind_label,
                                index=kinds.index("conv") if "conv" in kinds else 0,
                                key="bench_kind")
    of_kind = compared[compared["kind"] == kind]
    picked = {}
    for column, label, box in (("size", "bench.size", choices[1]),
                               ("channels", "bench.channels", choices[2]),
                               ("dtype", "bench.dtype", choices[3])):
        values = list(dict.fromkeys(of_kind[column]))
        # The kind is part of the key: each kind offers its own values. With many cases (the
        # quick run has 80 conv cases), one value of each to start with keeps the chart readable.
        few = of_kind["case"].nunique() <= 12
        picked[column] = box.multiselect(t(label), values, default=values if few else values[:1],
                                         format_func=blank_label, key=f"bench_{column}_{kind}")
    rows = filter_rows(frame, kind=kind, sizes=picked["size"], channels=picked["channels"],
                       dtypes=picked["dtype"])
    if rows.empty:
        st.info(t("bench.no_rows"))
    else:
        log_x = st.toggle(t("bench.log"), value=True, key="bench_log")
        figure = ratio_figure(rows, log_x=log_x, title=t("bench.chart"),
                              x_title=t("bench.axis", near=f"{NEAR:g}"))
        st.plotly_chart(figure, key="bench_chart")
        st.caption(t("bench.legend"))

        st.subheader(t("bench.table"))
        st.dataframe(
            rows[["case", "call", "ms", "ratio", "peak_mib"]], hide_index=True, width="stretch",
            key="bench_table",
            column_config={
                "case": st.column_config.TextColumn(t("bench.col.case")),
                "call": st.column_config.TextColumn(t("bench.col.call")),
                "ms": st.column_config.NumberColumn(t("bench.col.ms"), format="%.2f ms"),
                "ratio": st.column_config.NumberColumn(t("bench.col.ratio"), format="%.2f×"),
                "peak_mib": st.column_config.NumberColumn(t("bench.col.peak"), format="%.1f"),
            },
        )

st.download_button(t("bench.download", name=path.name), path.read_bytes(), path.name,
                   mime="text/csv", key="bench_download", icon=":material/download:")

# --- page reruns and start-up ------------------------------------------------------------------
timed = timed_rows(frame)
if not timed.empty:
    st.subheader(t("bench.timed"))
    st.caption(t("bench.timed_caption"))
    timed["kind"] = timed["kind"].map(kind_label)
    st.dataframe(
        timed, hide_index=True, width="stretch", key="bench_timed",
        column_config={
            "kind": st.column_config.TextColumn(t("bench.col.kind")),
            "case": st.column_config.TextColumn(t("bench.col.case")),
            "call": st.column_config.TextColumn(t("bench.col.call")),
            "ms": st.column_config.NumberColumn(t("bench.col.ms"), format="%.1f ms"),
        },
        column_order=["kind", "case", "call", "ms"],
    )
