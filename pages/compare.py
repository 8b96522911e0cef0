"""季度对比: two periods side by side — deltas, rank changes, level transitions, 新增/缺报."""

from __future__ import annotations

import pandas as pd
import streamlit as st

from analytics.periods import Period
from ui import charts, components, format, safe, state
from ui.state import SETTINGS, Selection

state.entrypoint_guard()
sel = state.require_data()
scope = sel.scope
info = state.store_info()

st.title("季度对比")
# The kinds with data (周 only with weekly reports), quarters first as before.
kinds = {k: state.PERIOD_WORDS[k] for k in ("quarter", "month", "week", "half", "year") if k in info.kinds}
default_kind = "quarter" if len(info.quarters) >= 2 else "month"
kind = st.segmented_control("对比周期", list(kinds), format_func=kinds.__getitem__, default=default_kind,
                            key="cmp_kind") or default_kind
options = state.period_options(info, kind)  # newest first
if len(options) < 2:
    st.info(f"库中只有 {len(options)} 个{kinds[kind]}的数据，至少需要两个才能对比。可改为按{kinds['month' if kind == 'quarter' else 'quarter']}对比。")
    st.stop()



def default_pair(options: list[str], shown: Period | None, kind: str) -> tuple[str, str]:
    """(A, B) before the user picks: B = the period the other pages show (as a period of ``kind``:
    its quarter, its latest month, …), A = the one before."""
    b = 0
    if shown is not None:
        label = state.convert_period(shown.label, kind, info)
        if label in options[:-1]:
            b = options.index(label)
    return options[b + 1], options[b]


c1, c2 = st.columns(2)
for key, default in zip(("cmp_a", "cmp_b"), default_pair(options, sel.period, kind), strict=True):
    if st.session_state.get(key) not in options:
        st.session_state[key] = default
label_a = c1.selectbox("上期（A）", options, key="cmp_a", format_func=lambda v: Period.parse(v).display)
label_b = c2.selectbox("本期（B）", options, key="cmp_b", format_func=lambda v: Period.parse(v).display)
a, b = Period.parse(label_a), Period.parse(label_b)
if a.start > b.start:
    a, b = b, a
st.caption(f"{a.display} → {b.display} · 范围：{safe.md(scope.label)}")
if a == b:
    st.warning("请选择两个不同的期间。")
    st.stop()

cmp = state.call("compare.compare_periods", a, b, scope, SETTINGS)
da, db = a.display, b.display

m = st.columns(4)
m[0].metric("两期都有的支部", f"{len(cmp.branches)} 个", border=True)
m[1].metric("晋星", f"{len(cmp.promotions)} 个", border=True)
m[2].metric("降星", f"{len(cmp.demotions)} 个", delta_color="inverse", border=True)
m[3].metric("新增 / 缺报", f"{len(cmp.added)} / {len(cmp.missing)}", border=True)

left, right = st.columns(2)
with left:
    components.chart(charts.transition_heatmap(cmp.transition, label_a=da, label_b=db, title="星级变化矩阵"),
                     "星级变化矩阵", Selection(b, scope), key="cmp_matrix",
                     period_text=f"{da} → {db}")
    st.caption("行是上期星级，列是本期星级；对角线右上方（绿色）为晋星，左下方（红色）为降星，对角线（灰色）为星级不变。")
with right:
    towns, title = format.with_unit_names(cmp.townships, "township"), "各乡镇（街道）平均得分对比"
    if len(towns) > charts.MAX_UNIT_BARS:
        # Too many to read as bars: the 15 townships whose score changed most and the 15 least.
        by_delta = towns.sort_values("score_delta", ascending=False, kind="stable")
        towns = pd.concat([by_delta.head(15), by_delta.tail(15)])
        title += f"<br><sup>得分变化最大、最小的各 15 个（共 {len(cmp.townships)} 个，全部见下方表格）</sup>"
    else:
        towns = towns.sort_values("score_b", ascending=False, na_position="last")
    components.chart(charts.compare_bars(towns, label="name", label_a=da, label_b=db, title=title),
                     "乡镇得分对比", Selection(b, scope), key="cmp_towns",
                     period_text=f"{da} → {db}")


def delta_table(df: pd.DataFrame, unit: str) -> pd.DataFrame:
    out = pd.DataFrame({"县（市、区）": df["county"].to_numpy()})
    if unit in ("township", "branch"):
        out["乡镇（街道）"] = df["township"].to_numpy()
    if unit == "branch":
        out["村（社区）"] = df["branch"].to_numpy()
        out[f"{da}星级"] = df["stars_a"].map(format.level).to_numpy()
        out[f"{db}星级"] = df["stars_b"].map(format.level).to_numpy()
    out[f"{da}得分"] = df["score_a"].astype(float).round(1).to_numpy()
    out[f"{db}得分"] = df["score_b"].astype(float).round(1).to_numpy()
    out["得分变化"] = df["score_delta"].astype(float).round(1).to_numpy()
    out[f"{da}名次"] = df["rank_a"].astype("Int64").array
    out[f"{db}名次"] = df["rank_b"].astype("Int64").array
    out["名次变化"] = df["rank_change"].map(format.rank_change_text).to_numpy()
    return out


def names_table(df: pd.DataFrame, cols: dict[str, str]) -> pd.DataFrame:
    out = pd.DataFrame({"县（市、区）": df["county"].to_numpy(), "乡镇（街道）": df["township"].to_numpy(),
                        "村（社区）": df["branch"].to_numpy()})
    for col, header in cols.items():
        out[header] = df[col].map(format.level).to_numpy()
    return out


tabs = st.tabs(["乡镇（街道）", "村（社区）", "晋星", "降星", "新增", "缺报"])
town_table = delta_table(cmp.townships, "township")
branch_table = delta_table(cmp.branches, "branch").sort_values("得分变化", ascending=False, kind="stable")
promo = names_table(cmp.promotions, {"stars_a": f"{da}星级", "stars_b": f"{db}星级"})
demo = names_table(cmp.demotions, {"stars_a": f"{da}星级", "stars_b": f"{db}星级"})
added = names_table(cmp.added, {"stars_b": f"{db}星级"})
missing = names_table(cmp.missing, {"stars_a": f"{da}星级"})
for tab, frame, key, empty in (
    (tabs[0], town_table, "cmp_t_town", "无"),
    (tabs[1], branch_table, "cmp_t_branch", "无"),
    (tabs[2], promo, "cmp_t_promo", "两期之间没有支部晋星。"),
    (tabs[3], demo, "cmp_t_demo", "两期之间没有支部降星。"),
    (tabs[4], added, "cmp_t_added", f"没有仅在{db}出现的支部。"),
    (tabs[5], missing, "cmp_t_missing", f"没有{da}报送而{db}缺报的支部。"),
):
    with tab:
        if frame.empty:
            st.caption(empty)
        else:
            components.table(frame, key=key, pinned="村（社区）" if "村（社区）" in frame.columns else None)

matrix = format.transition_matrix(cmp.transition)  # the chart's order: 无星 → 五星
matrix.index.name = f"{da}＼{db}"
components.xlsx_download(
    "下载对比结果（Excel）",
    {"乡镇对比": town_table, "支部对比": branch_table, "星级变化矩阵": matrix.reset_index(),
     "晋星": promo, "降星": demo, "新增": added, "缺报": missing},
    f"{components.file_stem('对比', a.label + '至' + b.label, scope.label)}.xlsx",
    title=f"{da}与{db}对比（{scope.label}）", key="cmp_xlsx",
)
