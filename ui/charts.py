"""Pure chart functions: a DataFrame of the documented shape -> a plotly Figure.

No Streamlit here, so every function is testable on a tiny literal DataFrame.
All charts share one look (``_finish``): the CJK font stack, white background,
legend on top, Chinese hover text, and heights that stay legible both on a
projector and on a 390 px wide phone. ``plotly_config`` is the modebar config
passed to every ``st.plotly_chart`` (PNG download at 2x with a Chinese file name).
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from typing import Any

import pandas as pd
import plotly.graph_objects as go
from plotly.subplots import make_subplots

from ui import format, safe, theme

# The most units (one bar or bar group each) a chart shows legibly; pages show a table or a
# selection beyond.
MAX_UNIT_BARS = 40

# Characters that cannot appear in a downloaded file name on Windows/macOS.
_FILENAME_BAD = re.compile(r'[\\/:*?"<>|\s]+')


def safe_filename(*parts: str) -> str:
    """``星级分布_2024Q3_二七区-樱桃镇``: parts joined by _, path characters replaced."""
    cleaned = []
    for part in parts:
        text = str(part).replace(" / ", "-").replace("/", "-")
        text = _FILENAME_BAD.sub("", text)
        if text:
            cleaned.append(text)
    return "_".join(cleaned) or "图表"


# Plotly's modebar, notifier and hint texts in Chinese. The plotly.js bundled with Streamlit
# (and the offline briefing's) registers no locale but English, so "locale": "zh-CN" alone
# changes nothing; the chart's config carries the dictionary itself (config.locales).
PLOTLY_ZH_CN: dict[str, str] = {
    "Autoscale": "自动缩放",
    "Box Select": "框选",
    "Compare data on hover": "悬停时比较数据",
    "Double-click on legend to isolate one trace": "双击图例可只看这一项",
    "Double-click to zoom back out": "双击还原",
    "Download plot": "下载图片",
    "Download plot as a PNG": "下载图片（PNG）",
    "Image download succeeded": "图片已下载",
    "Lasso Select": "套索选择",
    "Pan": "平移",
    "Preparing image - this may take a few seconds": "正在生成图片，请稍候",
    "Produced with Plotly.js": "由 Plotly.js 生成",
    "Reset": "还原",
    "Reset axes": "还原坐标轴",
    "Reset view": "还原视图",
    "Reset views": "还原视图",
    "Show closest data on hover": "悬停时显示最近的数据",
    "Snapshot succeeded": "截图成功",
    "Sorry, there was a problem downloading your image!": "抱歉，图片下载失败！",
    "Sorry, there was a problem downloading your snapshot!": "抱歉，截图下载失败！",
    "Taking snapshot - this may take a few seconds": "正在截图，请稍候",
    "Toggle Spike Lines": "显示/隐藏辅助线",
    "Toggle show closest data on hover": "切换悬停显示最近的数据",
    "Zoom": "缩放",
    "Zoom in": "放大",
    "Zoom out": "缩小",
}


def plotly_config(chart_name: str, period_label: str = "", scope_label: str = "全部") -> dict[str, Any]:
    """Modebar config: PNG at 2x with a meaningful Chinese file name, no plotly logo, Chinese tooltips."""
    return {
        "displaylogo": False,
        "locale": "zh-CN",
        "locales": {"zh-CN": {"dictionary": PLOTLY_ZH_CN}},
        "modeBarButtonsToRemove": ["lasso2d", "select2d", "autoScale2d"],
        "toImageButtonOptions": {
            "format": "png",
            "scale": 2,
            "filename": safe_filename(chart_name, period_label, scope_label),
        },
    }


# --- the chart-title rule -------------------------------------------------------
# Every chart title (and so every PNG saved from its modebar) names the period and the
# scope: the chart's own title, and under it, smaller, "2024年第3季度 · 望川区". Always two
# lines: each fits a 390 px phone, and charts side by side keep their plot areas level.
# The title starts below a strip as tall as Plotly's modebar, so the modebar (top right,
# shown on hover or tap) never covers it.
MODEBAR_STRIP = 28  # px above the title, where Plotly draws its modebar
_SECOND_LINE = 22  # px of top margin per title line after the first
CONTEXT_STYLE = "font-size:14px;color:#546E7A"  # the page captions' grey


def title_with_context(fig: go.Figure, context: str, *, fallback: str = "") -> go.Figure:
    """Apply the chart-title rule: the chart's own title (or ``fallback``), then on a second
    line ``context`` (period and scope, e.g. "2024年第3季度 · 望川区")."""
    own = fig.layout.title.text or fallback
    if f">{context}</span>" in own:  # applied already (the page drew it; the offline HTML draws it again)
        return fig
    first, _, rest = own.partition("<br>")
    text = f"{first}<br><span style='{CONTEXT_STYLE}'>{context}</span>"
    extra_lines = 1
    if rest:  # the chart's own second line (a note) goes under the context
        text, extra_lines = f"{text}<br>{rest}", 2
    # Top margin: modebar strip, the title's lines, then the legend (up to two rows on a phone).
    old_top = fig.layout.margin.t if fig.layout.margin.t is not None else 24
    top = MODEBAR_STRIP + 24 + _SECOND_LINE * extra_lines + (52 if fig.layout.showlegend is not False else 14)
    height = (fig.layout.height or 450) + top - old_top  # the plot area keeps its size (450: plotly's default)
    fig.update_layout(
        # y in container fractions: the title's top edge MODEBAR_STRIP px below the figure's top
        # (plotly.js lifts a multi-line title anchored at its top by its extra lines: added back)
        title={"text": text, "x": 0.01, "xanchor": "left", "yanchor": "top",
               "y": 1 - (MODEBAR_STRIP + _SECOND_LINE * extra_lines) / height,
               "yref": "container", "font": {"size": 18}},
        margin={"t": top},
        height=height,
    )
    return fig


def _finish(fig: go.Figure, *, title: str | None, height: int, legend: bool = True) -> go.Figure:
    """Apply the shared layout: fonts, margins, legend on top (below the title)."""
    top = 24
    if title:
        top += 40
    if legend:
        top += 44
    fig.update_layout(
        font={"family": theme.FONT_FAMILY, "size": 14, "color": theme.TEXT},
        title=(
            {"text": title, "x": 0.01, "xanchor": "left", "y": 0.99, "yanchor": "top",
             "yref": "container", "font": {"size": 18}}
            if title else None
        ),
        height=height,
        margin={"l": 8, "r": 16, "t": top, "b": 8},
        showlegend=legend,
        legend={
            "orientation": "h", "x": 0, "xanchor": "left", "y": 1.0, "yanchor": "bottom",
            "title": {"text": ""}, "font": {"size": 13}, "traceorder": "normal",
        },
        plot_bgcolor="#FFFFFF",
        paper_bgcolor="#FFFFFF",
        hoverlabel={"font": {"family": theme.FONT_FAMILY, "size": 14}},
        uniformtext={"minsize": 11, "mode": "hide"},
        separators=".,",
    )
    fig.update_xaxes(gridcolor=theme.GRID, zerolinecolor=theme.GRID, automargin=True)
    fig.update_yaxes(gridcolor=theme.GRID, zerolinecolor=theme.GRID, automargin=True)
    return fig


# Month ticks "1月 2月 …" with the year under the first tick (and under every January):
# plotly shows the part after "\n" only where it changes. Short enough to stay
# horizontal on a phone, unlike "2024-01".
MONTH_TICKS = "%-m月\n%Y年"
# On a phone (``compact=True``) at most this many month labels fit side by side.
COMPACT_MONTH_LABELS = 5


# With more months than this, a chart drawn for any width leaves the spacing of its month labels
# to plotly (by the drawn width): the range then spans at least 6 months, so plotly's own step is
# a month or more (on a shorter range it would put ticks at days or weeks, labelled 7月 7月 7月).
ANY_WIDTH_FIXED_MONTHS = 6


def _month_axis(fig: go.Figure, n_months: int, *, compact: bool, any_width: bool = False) -> None:
    """Month ticks: every month on a desktop; on a phone every k-th month so that at most
    COMPACT_MONTH_LABELS labels share the 390 px width (they collided at one per month).
    ``any_width``: one chart for both (a page draws it once): up to ANY_WIDTH_FIXED_MONTHS months
    the phone's spacing (it fits a desktop too); beyond, plotly's automatic step, which it chooses
    by the plot's drawn width (about one label per 80 px: every 2nd month of a year on a 1440 px
    screen, every 3rd on a 390 px phone), with a grid line at every month."""
    if any_width and n_months > ANY_WIDTH_FIXED_MONTHS:
        # every month keeps its grid line where its label is left out
        fig.update_xaxes(tickformat=MONTH_TICKS, title=None, minor={"dtick": "M1", "showgrid": True, "gridcolor": theme.GRID})
        return
    step = -(-n_months // COMPACT_MONTH_LABELS) if compact or any_width else 1
    fig.update_xaxes(tickformat=MONTH_TICKS, dtick=f"M{max(step, 1)}", title=None)


def _week_label(monday: Any) -> str:
    """第35周（8.26–9.1）for the week starting ``monday``."""
    start = pd.Timestamp(monday)
    end = start + pd.Timedelta(days=6)
    return f"第{start.isocalendar()[1]}周（{start.month}.{start.day}–{end.month}.{end.day}）"


def _week_axis(fig: go.Figure, mondays: pd.Series, *, compact: bool) -> None:
    """Week ticks 第35周 under each week's Monday (every k-th on a phone, as months)."""
    step = max(-(-len(mondays) // (COMPACT_MONTH_LABELS if compact else 14)), 1)
    shown = list(mondays)[::-1][::step][::-1]  # the latest week always labelled
    fig.update_xaxes(tickvals=shown, ticktext=[f"第{pd.Timestamp(m).isocalendar()[1]}周<br>{pd.Timestamp(m):%-m.%-d}"
                                               for m in shown], title=None)


def _count_ticks(top: float) -> dict[str, Any]:
    """Axis settings for a count of branches: whole numbers only. Plotly's automatic ticks on
    a short range (one branch: 0 … 1.3) fall at 0.2, 0.4 …; up to 10 every integer is a tick,
    above that plotly's own steps (2, 5, 10 …) are whole numbers already."""
    ticks: dict[str, Any] = {"tickformat": "d", "rangemode": "tozero"}
    if top <= 10:
        ticks.update(tick0=0, dtick=1)
    return ticks


def _rows_height(n_rows: int, *, per_row: int = 34, base: int = 150, minimum: int = 260, maximum: int = 2400) -> int:
    return int(max(minimum, min(maximum, base + per_row * max(n_rows, 1))))


def _empty(title: str | None, message: str = "暂无数据") -> go.Figure:
    fig = go.Figure()
    fig.add_annotation(text=message, x=0.5, y=0.5, xref="paper", yref="paper", showarrow=False,
                       font={"size": 16, "color": theme.NEUTRAL})
    fig.update_xaxes(visible=False)
    fig.update_yaxes(visible=False)
    return _finish(fig, title=title, height=220, legend=False)


def _pct(value: Any) -> str:
    if value is None or pd.isna(value):
        return "—"
    return f"{float(value) * 100:.1f}%"


# --- star levels ------------------------------------------------------------


def level_distribution_bars(
    df: pd.DataFrame,
    *,
    title: str | None = "星级分布",
    mode: str = "count",
) -> go.Figure:
    """Stacked horizontal bars per unit, one segment per level (五星 … 无星).

    ``df``: metrics.level_distribution — [unit, county, level, level_label, count, share]
    (a unit is its name and county: a township name shown twice says its county).
    ``mode``: "count" (bar length = branches) or "share" (each unit sums to 100 %).
    Units keep the order of ``df`` (first on top).
    """
    if df.empty:
        return _empty(title)
    by_unit = format.distribution_by_unit(df)
    # Names from the ledgers as text (plotly renders <b>, <a href>… in ticks and hover).
    units = safe.plot_all(format.unit_names(by_unit.index.to_frame(index=False), "unit"))
    totals = by_unit.sum(axis=1).to_numpy()
    fig = go.Figure()
    for level in theme.LEVELS_DESC:
        counts = by_unit[level].astype(int).tolist()
        # share = count / branches of the unit (an empty unit: 0).
        shares = [c / t if t else 0.0 for c, t in zip(counts, totals, strict=True)]
        x = [s * 100 for s in shares] if mode == "share" else counts
        text = [str(c) if c else "" for c in counts]
        fig.add_trace(go.Bar(
            name=theme.LEVEL_LABEL[level],
            y=units,
            x=x,
            orientation="h",
            marker={"color": theme.LEVEL_COLORS[level], "line": {"color": "#FFFFFF", "width": 0.5}},
            text=text,
            textposition="inside",
            insidetextanchor="middle",
            textfont={"color": theme.level_text_color(level)},
            customdata=list(zip(counts, [_pct(s) for s in shares], strict=True)),
            hovertemplate="%{y}<br>" + theme.LEVEL_LABEL[level] + "：%{customdata[0]} 个（%{customdata[1]}）<extra></extra>",
        ))
    fig.update_layout(barmode="stack", bargap=0.25)
    fig.update_yaxes(autorange="reversed", title=None)
    fig.update_xaxes(title="占比（%）" if mode == "share" else "支部数（个）",
                     range=[0, 100] if mode == "share" else None,
                     **({} if mode == "share" else _count_ticks(max([*totals, 1]))))
    return _finish(fig, title=title, height=_rows_height(len(units), per_row=38, base=140))


def level_bar(df: pd.DataFrame, *, title: str | None = "星级分布") -> go.Figure:
    """One bar per level (五星 … 无星) for a single unit, labelled "count（share）".

    ``df``: metrics.level_distribution with by=None (one unit), or any frame with
    [level, count, share]. Levels missing from ``df`` are shown as zero.
    """
    if df.empty:
        return _empty(title)
    agg = df.groupby("level")[["count"]].sum()
    total = int(agg["count"].sum())
    levels = list(theme.LEVELS_DESC)
    counts = [int(agg["count"].get(lv, 0)) for lv in levels]
    shares = [c / total if total else 0.0 for c in counts]
    labels = [theme.LEVEL_LABEL[lv] for lv in levels]
    fig = go.Figure(go.Bar(
        x=labels,
        y=counts,
        marker={"color": [theme.LEVEL_COLORS[lv] for lv in levels]},
        # Count over share on two lines: one line ("17（25.0%）") is wider than a bar on a
        # phone or in a half-width column, and plotly then hides the label.
        text=[f"{c}<br>{_pct(s)}" for c, s in zip(counts, shares, strict=True)],
        textposition="outside",
        cliponaxis=False,
        hovertemplate="%{x}：%{y} 个<extra></extra>",
        showlegend=False,
    ))
    fig.update_yaxes(title="支部数（个）", range=[0, max([*counts, 1]) * 1.3], **_count_ticks(max([*counts, 1])))
    fig.update_xaxes(title=None)
    return _finish(fig, title=title, height=340, legend=False)


def star_status_bars(df: pd.DataFrame, *, title: str | None = "分星创建进度") -> go.Figure:
    """Per-star progress: stacked horizontal bars per slot, one segment per status.

    ``df``: metrics.star_status_distribution — [slot, star_name, status, status_label, count, share].
    """
    if df.empty:
        return _empty(title)
    slots = sorted(df["slot"].astype(int).unique())
    # A mixed village/community scope names a slot "产业兴旺星/共建共享星": two lines keep
    # the bars wide on a phone.
    names = [str(df[df["slot"] == s]["star_name"].iloc[0]).replace("/", "/<br>") for s in slots]
    fig = go.Figure()
    for status in theme.STATUS_ORDER:
        part = df[df["status"] == status].set_index("slot").reindex(slots)
        counts = part["count"].fillna(0).astype(int).tolist()
        shares = part["share"].fillna(0.0).astype(float).tolist()
        fig.add_trace(go.Bar(
            name=theme.STATUS_LABEL[status],
            y=names,
            x=counts,
            orientation="h",
            marker={"color": theme.STATUS_COLORS[status], "line": {"color": "#FFFFFF", "width": 0.5}},
            text=[str(c) if c else "" for c in counts],
            textposition="inside",
            insidetextanchor="middle",
            textfont={"color": theme.STATUS_TEXT_COLORS[status]},
            customdata=[_pct(s) for s in shares],
            hovertemplate="%{y}<br>" + theme.STATUS_LABEL[status] + "：%{x} 个（%{customdata}）<extra></extra>",
        ))
    fig.update_layout(barmode="stack", bargap=0.3)
    fig.update_yaxes(autorange="reversed", title=None)
    top = df.groupby("slot")["count"].sum().max()
    fig.update_xaxes(title="支部数（个）", **_count_ticks(float(top) if pd.notna(top) else 1))
    return _finish(fig, title=title, height=_rows_height(len(slots), per_row=46, base=140))


def trend_chart(df: pd.DataFrame, *, title: str | None = "月度趋势", compact: bool = False,
                weekly: bool = False, any_width: bool = False) -> go.Figure:
    """Monthly counts at 五/四/三星 and ≥三星 (left axis) and average score (right axis).
    ``compact``: month labels spaced for a phone; ``any_width``: spaced for whatever width the
    chart is drawn at (see ``_month_axis``; months only). ``weekly``: the points
    are weeks (metrics.trend by week, ``period`` = the Monday), labelled 第35周 with their dates.

    ``df``: metrics.trend — [period, branches, three, four, five, at_least_three, avg_score,
    townships, townships_total]; months with fewer townships than the scope's get hollow markers.
    """
    if df.empty:
        return _empty(title)
    periods = pd.to_datetime(df["period"])
    # The layout plotly.subplots.make_subplots(specs=[[{"secondary_y": True}]]) builds, written
    # out: make_subplots costs ~12 ms a call on this machine, the dict a fraction of that.
    fig = go.Figure(layout={"xaxis": {"anchor": "y", "domain": [0.0, 0.94]}, "yaxis": {"anchor": "x", "domain": [0.0, 1.0]},
                            "yaxis2": {"anchor": "x", "overlaying": "y", "side": "right"}})
    series = (
        ("five", "五星", theme.LEVEL_COLORS[5], "solid"),
        ("four", "四星", theme.LEVEL_COLORS[4], "solid"),
        ("three", "三星", theme.LEVEL_COLORS[3], "solid"),
        ("at_least_three", "≥三星", theme.TEXT, "dash"),
    )
    # A month some of the scope's townships did not report: hollow markers (format.trend_gaps_note).
    missing = format.trend_missing_townships(df)
    symbols = ["circle-open" if m else "circle" for m in missing]
    gaps = [f"（{m} 个乡镇（街道）未报送，数据不全）" if m else "" for m in missing]
    if weekly:  # a week's label: 第35周 (8.26–9.1), in the hover text
        gaps = [f"{_week_label(p)}{g}" for p, g in zip(periods, gaps, strict=True)]
    when = "%{customdata}" if weekly else "%{x|%Y年%-m月}"
    for column, name, color, dash in series:
        fig.add_trace(go.Scatter(
            x=periods, y=df[column], name=name, mode="lines+markers",
            line={"color": color, "width": 3, "dash": dash},
            marker={"size": 9, "symbol": symbols, "line": {"width": 2, "color": color}},
            customdata=gaps,
            hovertemplate=(when + "<br>" + name + "：%{y} 个" + ("" if weekly else "%{customdata}")
                           + "<extra></extra>"),
        ))
    fig.add_trace(go.Scatter(
        x=periods, y=df["avg_score"], name="平均分（右轴）", mode="lines+markers",
        line={"color": theme.NEUTRAL, "width": 2, "dash": "dot"}, marker={"size": 7, "symbol": "diamond"},
        customdata=gaps, hovertemplate=when + "<br>平均得分：%{y:.1f}<extra></extra>", yaxis="y2",
    ))
    if weekly:
        _week_axis(fig, periods, compact=compact)
    else:
        _month_axis(fig, len(df), compact=compact, any_width=any_width)
    top = df[[c for c, *_ in series]].max().max()
    fig.update_layout(
        yaxis={"title": {"text": "支部数（个）"}, **_count_ticks(float(top) if pd.notna(top) else 1)},
        yaxis2={"title": {"text": "平均得分"}, "range": [0, 100], "tickvals": [0, 20, 40, 60, 80, 100], "showgrid": False},
    )
    return _finish(fig, title=title, height=380)


def _progress_bars(
    labels: Sequence[str],
    totals: Sequence[int],
    done: Sequence[int],
    colors: Sequence[str],
    *,
    total_name: str,
    done_name: str,
    title: str | None,
) -> go.Figure:
    """Overlaid horizontal bars: the light total behind, the coloured part reached in front."""
    rates = [d / t if t else None for d, t in zip(done, totals, strict=True)]
    fig = go.Figure()
    fig.add_trace(go.Bar(
        name=total_name, y=list(labels), x=list(totals), orientation="h",
        marker={"color": "#ECEFF1", "line": {"color": "#B0BEC5", "width": 1}},
        hovertemplate="%{y}<br>" + total_name + "：%{x} 个<extra></extra>",
    ))
    fig.add_trace(go.Bar(
        name=done_name, y=list(labels), x=list(done), orientation="h", width=0.5,
        marker={"color": list(colors)},
        text=[f"{d}/{t}（{_pct(r)}）" for d, t, r in zip(done, totals, rates, strict=True)],
        textposition="outside", cliponaxis=False,
        hovertemplate="%{y}<br>" + done_name + "：%{x} 个<extra></extra>",
    ))
    top = max([*totals, *done, 1])
    fig.update_layout(barmode="overlay", bargap=0.3)
    fig.update_yaxes(autorange="reversed", title=None)
    fig.update_xaxes(title="支部数（个）", range=[0, top * 1.45], **_count_ticks(top))
    return _finish(fig, title=title, height=_rows_height(len(labels), per_row=56, base=140))


def target_progress_chart(df: pd.DataFrame, *, title: str | None = "创建目标完成情况") -> go.Figure:
    """Per declared target level: branches aiming at it vs those that reached it.

    ``df``: metrics.target_progress — [level, level_label, target, reached, rate].
    """
    if df.empty:
        return _empty(title)
    return _progress_bars(
        [f"目标{lbl}" for lbl in df["level_label"]],
        [int(v) for v in df["target"]],
        [int(v) for v in df["reached"]],
        [theme.LEVEL_COLORS[int(lv)] for lv in df["level"]],
        total_name="申报该目标", done_name="已达成", title=title,
    )


# --- rankings ---------------------------------------------------------------


def ranking_bar(
    df: pd.DataFrame,
    *,
    label: str = "branch",
    title: str | None = "综合得分排名",
    color_by_stars: bool = True,
) -> go.Figure:
    """Horizontal score bars in rank order (first on top), labelled "rank. name".

    ``df``: a ranking frame (rankings.branch_ranking / township_ranking / county_ranking)
    with columns ``label``, score, rank and, for branches, stars.
    """
    if df.empty:
        return _empty(title)
    names = [f"{int(r)}. {safe.plot(n)}" for r, n in zip(df["rank"], format.unit_names(df, label), strict=True)]
    if color_by_stars and "stars" in df.columns:
        colors = [theme.LEVEL_COLORS[int(s)] for s in df["stars"]]
        hover_extra = [f"{int(s)} 星" for s in df["stars"]]
    else:
        colors = [theme.PRIMARY] * len(df)
        hover_extra = [f"{int(b)} 个支部" for b in df["branches"]] if "branches" in df.columns else [""] * len(df)
    fig = go.Figure(go.Bar(
        y=names, x=df["score"].astype(float), orientation="h",
        marker={"color": colors},
        text=[f"{s:.1f}" for s in df["score"].astype(float)],
        textposition="outside", cliponaxis=False,
        customdata=hover_extra,
        hovertemplate="%{y}<br>综合得分：%{x:.1f}<br>%{customdata}<extra></extra>",
        showlegend=False,
    ))
    fig.update_yaxes(autorange="reversed", title=None)
    fig.update_xaxes(title="综合得分", range=[0, 112])
    return _finish(fig, title=title, height=_rows_height(len(df), per_row=30, base=110), legend=False)


# --- battle map -------------------------------------------------------------


def hierarchy_treemap(df: pd.DataFrame, *, title: str | None = "层级视图（县区 → 乡镇 → 支部）") -> go.Figure:
    """County → township → branch treemap; branch tiles coloured by star level.

    ``df``: battle_map.battle_map — needs county, township, branch, stars, target_stars, score.
    Tile size is one per branch, so a township's area is its number of branches.
    """
    if df.empty:
        return _empty(title)
    ids: list[str] = []
    labels: list[str] = []
    parents: list[str] = []
    values: list[int] = []
    colors: list[str] = []
    hover: list[str] = []
    for county, c_rows in df.groupby("county", sort=True):
        cid = f"c/{county}"
        ids.append(cid)
        labels.append(safe.plot(county))
        parents.append("")
        values.append(len(c_rows))
        colors.append("#ECEFF1")
        hover.append(f"{safe.plot(county)}：{len(c_rows)} 个支部，平均 {c_rows['stars'].mean():.1f} 星")
        for township, t_rows in c_rows.groupby("township", sort=True):
            tid = f"{cid}/{township}"
            ids.append(tid)
            labels.append(safe.plot(township))
            parents.append(cid)
            values.append(len(t_rows))
            colors.append("#F5F5F5")
            hover.append(f"{safe.plot(township)}：{len(t_rows)} 个支部，平均 {t_rows['stars'].mean():.1f} 星")
            for branch, raw_stars, raw_target, raw_score in zip(
                t_rows["branch"].tolist(), t_rows["stars"].tolist(), t_rows["target_stars"].tolist(),
                t_rows["score"].tolist(), strict=True,
            ):
                stars = int(raw_stars)
                ids.append(f"{tid}/{branch}")
                labels.append(f"{safe.plot(branch)}<br>{theme.LEVEL_LABEL[stars]}")
                parents.append(tid)
                values.append(1)
                colors.append(theme.LEVEL_COLORS[stars])
                target = "未申报" if pd.isna(raw_target) else theme.LEVEL_LABEL[int(raw_target)]
                score = "—" if pd.isna(raw_score) else f"{float(raw_score):.1f}"
                hover.append(f"{safe.plot(branch)}：{theme.LEVEL_LABEL[stars]}，目标{target}，综合得分 {score}")
    fig = go.Figure(go.Treemap(
        ids=ids, labels=labels, parents=parents, values=values, branchvalues="total",
        marker={"colors": colors, "line": {"color": "#FFFFFF", "width": 1}},
        customdata=hover, hovertemplate="%{customdata}<extra></extra>",
        textfont={"family": theme.FONT_FAMILY}, maxdepth=3, tiling={"pad": 2},
    ))
    # A legend for the level colours (treemaps have none of their own).
    for level in theme.LEVELS_DESC:
        fig.add_trace(go.Scatter(
            x=[None], y=[None], mode="markers", name=theme.LEVEL_LABEL[level],
            marker={"size": 12, "symbol": "square", "color": theme.LEVEL_COLORS[level]},
            hoverinfo="skip",
        ))
    fig.update_xaxes(visible=False)
    fig.update_yaxes(visible=False)
    return _finish(fig, title=title, height=560)


def branch_history_chart(df: pd.DataFrame, *, title: str | None = "逐月星级与任务完成率",
                         compact: bool = False) -> go.Figure:
    """One branch month by month: star level bars, the target as a dashed line,
    task completion rate on the right axis. ``compact``: month labels spaced for a phone.

    ``df``: battle_map.branch_history — [period, stars, target_stars, …, task_rate, score].
    """
    if df.empty:
        return _empty(title)
    periods = pd.to_datetime(df["period"])
    stars = [int(s) for s in df["stars"]]
    fig = make_subplots(specs=[[{"secondary_y": True}]])
    fig.add_trace(go.Bar(
        x=periods, y=stars, name="星级", marker={"color": [theme.LEVEL_COLORS[s] for s in stars]},
        # Level names inside the bars: above them they collided with the dashed target line.
        text=[theme.LEVEL_LABEL[s] for s in stars], textposition="inside", insidetextanchor="end",
        textfont={"color": [theme.level_text_color(s) for s in stars]},
        hovertemplate="%{x|%Y年%-m月}：%{text}<extra></extra>",
    ), secondary_y=False)
    if df["target_stars"].notna().any():
        fig.add_trace(go.Scatter(
            x=periods, y=df["target_stars"], name="创建目标", mode="lines",
            line={"color": theme.TEXT, "dash": "dash", "width": 2, "shape": "hv"},
            hovertemplate="%{x|%Y年%-m月}：目标 %{y} 星<extra></extra>",
        ), secondary_y=False)
    rate = df["task_rate"].astype(float) * 100
    fig.add_trace(go.Scatter(
        x=periods, y=rate, name="完成率（右轴）", mode="lines+markers",
        line={"color": theme.STATUS_COLORS["achieved"], "width": 2}, marker={"size": 7},
        hovertemplate="%{x|%Y年%-m月}：任务完成率 %{y:.1f}%<extra></extra>",
    ), secondary_y=True)
    _month_axis(fig, len(df), compact=compact)
    fig.update_yaxes(title_text="星级", range=[0, 5.9], dtick=1, secondary_y=False)
    fig.update_yaxes(title_text="任务完成率（%）", range=[0, 105], tickvals=[0, 25, 50, 75, 100], showgrid=False,
                     secondary_y=True)
    return _finish(fig, title=title, height=340)


# --- comparison -------------------------------------------------------------


def transition_heatmap(
    matrix: pd.DataFrame,
    *,
    label_a: str = "上期",
    label_b: str = "本期",
    title: str | None = "星级变化矩阵",
) -> go.Figure:
    """Level transition counts: rows = level in A (上期), columns = level in B (本期).

    ``matrix``: compare_periods(...).transition (6×6 counts, index/columns level labels).
    Both axes run 无星 → 五星 (rows top to bottom, columns left to right), so
    promotions sit above the diagonal (green), demotions below it (red) and
    unchanged levels on it (grey), as metrics.md says. One heatmap trace per
    region: [demotions, unchanged, promotions]; every cell of a region is drawn
    (empty ones in the palest tint, so the three regions read at a glance) and
    the count is written in each non-empty cell. Cells stay square (the plot
    keeps a 1:1 aspect on any screen width), the column axis is at the bottom.
    """
    m = format.transition_matrix(matrix)  # 无星 … 五星, the order of the Excel too
    order = list(m.columns)
    values = m.to_numpy().tolist()
    top = max([max(row) for row in values] + [1])
    regions = (
        ("降星", lambda i, j: i > j, "#FDF1F1", "#FFCDD2", theme.RED),
        ("不变", lambda i, j: i == j, "#F4F6F7", "#CFD8DC", "#546E7A"),
        ("晋星", lambda i, j: i < j, "#F1F8F1", "#C8E6C9", theme.STATUS_COLORS["achieved"]),
    )
    fig = go.Figure()
    for name, inside, empty, tint, color in regions:
        z = [[(v if inside(i, j) else None) for j, v in enumerate(row)] for i, row in enumerate(values)]
        fig.add_trace(go.Heatmap(
            z=z, x=order, y=order, zmin=0, zmax=top, name=name,
            text=[[str(v) if v else "" for v in row] for row in z],
            texttemplate="%{text}", textfont={"size": 16},
            # 0 -> the palest tint; any count >= 1 at least the light tint, up to the full colour.
            colorscale=[[0.0, empty], [0.5 / top, tint], [1.0, color]],
            showscale=False, xgap=3, ygap=3, hoverongaps=False,
            hovertemplate=f"上期（{label_a}）%{{y}} → 本期（{label_b}）%{{x}}：%{{z}} 个（{name}）<extra></extra>",
        ))
    fig.update_xaxes(title={"text": f"本期星级（{label_b}）", "standoff": 8}, side="bottom", showgrid=False,
                     zeroline=False, ticks="", constrain="domain", fixedrange=True)
    fig.update_yaxes(title={"text": f"上期星级（{label_a}）", "standoff": 8}, autorange="reversed", showgrid=False,
                     zeroline=False, ticks="", scaleanchor="x", scaleratio=1, constrain="domain",
                     constraintoward="top", fixedrange=True)
    fig = _finish(fig, title=title, height=480, legend=False)
    fig.update_layout(plot_bgcolor="#FFFFFF", margin={"l": 8, "r": 8, "b": 8})
    return fig


def compare_bars(
    df: pd.DataFrame,
    *,
    label: str = "township",
    label_a: str = "上期",
    label_b: str = "本期",
    title: str | None = "综合得分对比",
) -> go.Figure:
    """Grouped horizontal bars of score A and score B per unit (rows in ``df`` order).

    ``df``: compare_periods(...).townships or .branches — needs ``label``, score_a, score_b.
    """
    if df.empty:
        return _empty(title)
    names = safe.plot_all(format.unit_names(df, label))
    fig = go.Figure()
    for column, name, color in (("score_a", label_a, "#B0BEC5"), ("score_b", label_b, theme.PRIMARY)):
        values = df[column].astype(float)
        fig.add_trace(go.Bar(
            name=name, y=names, x=values, orientation="h", marker={"color": color},
            text=[f"{v:.1f}" if pd.notna(v) else "" for v in values], textposition="outside", cliponaxis=False,
            hovertemplate="%{y}<br>" + name + "：%{x:.1f}<extra></extra>",
        ))
    fig.update_layout(barmode="group", bargap=0.25, bargroupgap=0.05)
    fig.update_yaxes(autorange="reversed", title=None)
    fig.update_xaxes(title="综合得分", range=[0, 112])
    return _finish(fig, title=title, height=_rows_height(len(names), per_row=48, base=150))
