"""Deterministic, invented sample data.

    history(seed=SEED) -> (branches, tasks)       the invented district's 12 months as plain rows
    weekly_history(seed=SEED) -> rows             青石镇's weekly reports of 2024Q3 (v_branch_week)
    write_samples(out_dir) -> manifest             sample_uploads/: ledgers in real-world layouts
    write_scale_ledger(path, n_branches, ...)      one big standard ledger for benchmarks

Every name here (counties, townships, branches, people) is invented. The
history is built so that every metric of shared/spec/metrics.md shows
something for 2024-08, 2024-09 and 2024Q3 (see ``SCENARIOS``), and the
accepted sample files, loaded in manifest order, reproduce ``history()``
exactly. Output is byte-for-byte reproducible: fixed seed, fixed document
dates, fixed zip timestamps (xlsxwriter in-memory mode).
"""

from __future__ import annotations

import calendar
import csv
import io
import json
import random
import zlib
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from pathlib import Path
from typing import Any

import xlsxwriter

from analytics import spec

SEED = 2024
YEAR = 2024
MONTHS: tuple[date, ...] = tuple(date(YEAR, m, 1) for m in range(1, 13))
CREATED = datetime(2024, 12, 31, 9, 0, 0)  # fixed document "created" date (reproducible files)

W, D = "望川区", "东篱县"  # the two invented counties

# (county, township, branches) — every name invented. Order is display/file order.
DISTRICT: tuple[tuple[str, str, tuple[str, ...]], ...] = (
    (W, "砚池街道", ("墨香社区", "砚池东社区", "砚池西社区", "桐荫里1号社区", "书院巷社区",
                   "槐荫社区", "纸坊社区", "笔架社区", "石碾村")),
    (W, "桂香街道", ("金桂社区", "丹桂社区", "月桂社区", "香樟社区", "芳溪社区", "桂园社区",
                   "桂岭村", "香泉村")),
    (W, "青石镇", ("青石铺村", "柿子湾村", "枣林坪村", "石门槛村", "杨家洼村", "白杨岭村",
                 "鹿鸣沟村", "松树湾村", "下河湾村", "南坡村", "青石社区")),
    (W, "栗园乡", ("栗园村", "板栗坡村", "核桃岭村", "柴家庄村", "响水沟村", "北岗村", "东岗村",
                 "荆条沟村", "马蹄湾村")),
    (D, "柳塘镇", ("柳塘村", "荷塘村", "莲花池村", "苇子坑村", "三棵柳村", "芦苇湾村", "黄土岗村",
                 "杏坡村", "梨树沟村", "前营村", "后营村", "柳塘社区")),
    (D, "石槽乡", ("石槽村", "碾盘沟村", "磨盘岭村", "卧牛坡村", "羊角沟村", "马鞍岭村", "凉水泉村",
                 "红土坡村")),
    (D, "麦丰镇", ("麦丰村", "麦场村", "谷堆村", "高粱地村", "豆家庄村", "双井村", "三官庙村",
                 "十里铺村", "菜园村", "瓦窑村")),
    (D, "凤栖街道", ("凤栖社区", "梧桐社区")),
)

# register.md: 东篱县 keeps a branch register (支部名册, with its 创建目标); 望川区 has none and
# works as before. 梧桐社区 is named a 社区 but works to the village star set (as 樱桃沟社区
# does): the register says 村, and its ledgers (which state no type) load it as 村.
REGISTER_COUNTY = D
# A township of REGISTER_COUNTY's register that never submits a ledger (报送情况: 未报送).
SILENT_TOWNSHIP = "槐树岭乡"
SILENT_BRANCHES = ("槐树岭村", "上庄村", "下庄村")
VILLAGE_SET_COMMUNITIES: frozenset[tuple[str, str, str]] = frozenset({(D, "凤栖街道", "梧桐社区")})
# 创建目标 of 东篱县 (county row first, township None): "五星2个、四星7个、三星5个" style, and the deadline as written.
REGISTER_GOALS: tuple[tuple[str | None, str, str], ...] = (
    (None, "五星2个、四星7个、三星5个", "2024年底"),
    ("柳塘镇", "五星1个、四星3个、三星2个", "2024-12"),
    ("石槽乡", "四星2个、三星1个", "2024"),
    ("麦丰镇", "五星1个、四星2个、三星2个", "2024年底"),
)

# Townships whose files carry a task sheet (作战图); only they have rows in v_task.
BATTLE_MAP_TOWNSHIPS: frozenset[tuple[str, str]] = frozenset({(W, "砚池街道"), (W, "青石镇"), (D, "柳塘镇")})

# battle-map.md: from July on, these townships keep a problem list (问题清单) whose open
# items are exactly the ledger's 问题数 (items close month by month), and these keep a
# weak-branch rectification sheet (软弱涣散整顿) agreeing with the ledger's 软弱涣散;
# 青石镇 draws its 作战图 the seed's way (star heading rows, 专班人员, 已验收).
LIST_FROM_MONTH = 6
PROBLEM_LIST_TOWNSHIPS: frozenset[tuple[str, str]] = frozenset({(W, "砚池街道"), (D, "柳塘镇")})
RECTIFICATION_TOWNSHIPS: frozenset[tuple[str, str]] = frozenset({(W, "砚池街道"), (W, "青石镇")})
SEED_STYLE_BATTLE_MAP: frozenset[tuple[str, str]] = frozenset({(W, "青石镇")})

# The named scenarios the history guarantees (metrics.md), as (county, township, branch).
SCENARIOS: dict[str, Any] = {
    "R4_reached": (D, "柳塘镇", "杏坡村"),         # target 4; 3 stars to 2024-08, 4 from 2024-09 (R3 + R4)
    "B2_dropped": (W, "桂香街道", "金桂社区"),      # 4 stars to 2024-08, 3 in 09–10, 4 again from 11
    "B2_august": (D, "柳塘镇", "前营村"),          # loses a star in 2024-08, regains it in 2024-10
    "B4_branch": (D, "麦丰镇", "瓦窑村"),          # no row in 2024-09 only
    "B4_township": (W, "栗园乡"),                 # the whole township missing in 2024-08
    "B4_quarter": (D, "麦丰镇", "豆家庄村"),        # merged into 双井村: rows 2024-01..06 only
    "B5_stagnant": (W, "青石镇", "鹿鸣沟村"),       # same stars and tasks_done 2024-05..09, target not met
    "B3_overdue": (W, "青石镇", "杨家洼村"),        # >= 3 overdue tasks in 2024-08 and 2024-09
    "tie_township": (D, "石槽乡"),
    "tie_top": ("石槽村", "碾盘沟村"),             # equal score, top of 石槽乡
    "tie_bottom": ("红土坡村", "羊角沟村"),         # equal score, bottom of 石槽乡
    "small_township": (D, "凤栖街道"),             # 2 branches: R1 but never B1
    "blank_star": ((W, "桂香街道", "芳溪社区"), 9),  # one star cell left blank in 2024-10
}
# cadence.md §1: this township also reports weekly (每周报送一次工作进度台账) for the third quarter:
# weekly ledgers for every ISO week whose Sunday falls in July–September 2024 (W27–W39).
WEEKLY_TOWNSHIP: tuple[str, str] = (W, "青石镇")
WEEKLY_MONTHS: tuple[int, ...] = (6, 7, 8)  # month indexes (July, August, September)
CORRECTED_BRANCH = "下河湾村"  # 青石镇 2024-09 is first uploaded with a wrong mark here, then corrected

SURNAMES = "王李张刘陈杨赵黄周吴徐孙马朱胡郭何高林罗郑梁谢宋唐韩冯邓曹彭曾萧田董袁潘蒋蔡余杜叶程魏苏吕丁任沈姚卢"
GIVEN = ("建国", "秀兰", "志强", "海燕", "国庆", "春梅", "红军", "丽娟", "永刚", "玉兰", "卫东", "桂芳", "文斌",
         "晓燕", "俊峰", "淑珍", "明亮", "翠英", "宏伟", "小红", "新民", "金凤", "保国", "彩霞", "振华", "凤英",
         "长生", "爱萍", "学军", "素芬")

# Key tasks per slot (农村 29 项, 社区 27 项), invented wording in the campaign's style.
TASKS: dict[str, tuple[tuple[str, ...], ...]] = {
    spec.VILLAGE: (
        ("规范落实“三会一课”", "建强村“两委”班子", "发展年轻党员", "培养村级后备力量", "党群服务中心标准化建设",
         "开展主题党日活动"),
        ("壮大村集体经济收入", "发展特色种植基地", "培育农民专业合作社", "盘活闲置集体资产", "引进农产品加工项目",
         "开展农民技能培训"),
        ("人居环境集中整治", "推进农村改厕", "治理生活污水", "清理“三大堆”", "村庄绿化美化", "建立垃圾分类收集点"),
        ("排查化解矛盾纠纷", "开展法治宣传进户", "完善网格化管理", "落实一村一法律顾问", "开展禁毒防诈宣传",
         "整治安全隐患"),
        ("修订完善村规民约", "推进移风易俗", "评选“好婆婆”“好媳妇”", "建设新时代文明实践站", "开展群众文化活动"),
    ),
    spec.COMMUNITY: (
        ("规范落实“三会一课”", "建强社区“两委”班子", "发展年轻党员", "培养社区后备力量", "党群服务中心标准化建设",
         "开展主题党日活动"),
        ("推进在职党员“双报到”", "建设邻里中心", "实施共驻共建项目", "组建志愿服务队", "整合辖区单位资源",
         "建立居民议事协商机制"),
        ("建设就业服务站", "开展创业培训", "引进便民商业网点", "培育社区社会组织", "开展居民技能培训"),
        ("排查化解矛盾纠纷", "开展法治宣传进楼院", "完善网格化管理", "整治消防安全隐患", "开展禁毒防诈宣传"),
        ("开展邻里节活动", "建设养老服务站", "关爱留守老人儿童", "评选文明家庭", "开展文体活动"),
    ),
}
MEASURES = ("制定工作方案，明确时间节点", "召开专题会议研究部署", "包片干部蹲点指导", "对照标准逐项整改",
            "建立工作台账，每周调度", "争取上级项目资金支持", "组织党员群众参与", "学习先进村（社区）经验")
PROBLEMS = ("党员活动室设施陈旧", "集体经济收入来源单一", "环境卫生反复", "矛盾纠纷化解不及时", "后备干部不足",
            "档案资料不规范", "志愿服务参与度不高")
# The star each problem concerns (slot; None = none in particular).
PROBLEM_SLOTS: dict[str, int | None] = {
    "党员活动室设施陈旧": 1, "集体经济收入来源单一": 2, "环境卫生反复": 3, "矛盾纠纷化解不及时": 4,
    "后备干部不足": 1, "档案资料不规范": None, "志愿服务参与度不高": 5,
}
PROBLEM_MEASURES = ("制定整改清单，限期销号", "包村干部督导整改", "争取专项资金改造", "建立长效管理机制")
WEAK_SITUATIONS = ("班子不团结、战斗力不强", "组织生活不规范", "村务管理混乱、群众意见大")
WEAK_PLANS = ("选派第一书记，调整充实班子", "县乡领导包联，逐项整改销号", "规范“四议两公开”，公开村务财务")


# --------------------------------------------------------------------------- history


@dataclass
class _Task:
    slot: int
    text: str
    measure: str
    owner: str
    deadline: date
    done_month: int  # month index (0 = January) by which it is done; 12 = not done this year
    done_day: int


@dataclass
class _Plan:
    county: str
    township: str
    branch: str
    btype: str
    secretary: str
    target: int | None
    order: list[int]  # slots in the order the branch earns them
    working: int  # how many not-yet-achieved slots are 创建中 (the rest 未启动)
    stars: list[int]
    present: list[bool]
    weak: list[bool]
    problems: list[int]
    tasks: list[_Task] = field(default_factory=list)
    blank: dict[int, int] = field(default_factory=dict)  # month index -> slot left blank (unknown)

    @property
    def key(self) -> tuple[str, str, str]:
        return (self.county, self.township, self.branch)

    def statuses(self, m: int) -> dict[int, str | None]:
        s = self.stars[m]
        out: dict[int, str | None] = {}
        for i, slot in enumerate(self.order):
            if i < s:
                out[slot] = spec.ACHIEVED
            elif i < s + self.working:
                out[slot] = spec.IN_PROGRESS
            else:
                out[slot] = spec.NOT_STARTED
        if m in self.blank:
            out[self.blank[m]] = None
        return out

    def tasks_done(self, m: int) -> int:
        return sum(1 for t in self.tasks if t.done_month <= m)


def _last_day(year: int, month: int) -> int:
    return calendar.monthrange(year, month)[1]


def _person(rng: random.Random) -> str:
    return rng.choice(SURNAMES) + rng.choice(GIVEN)


def _btype(name: str) -> str:
    return spec.COMMUNITY if name.endswith("社区") else spec.VILLAGE


def _make_tasks(rng: random.Random, btype: str, people: list[str], diligence: float) -> list[_Task]:
    tasks = []
    for slot, texts in enumerate(TASKS[btype], start=1):
        for text in texts:
            dm = rng.randint(1, 11)
            day = rng.choice((15, 20, 25, _last_day(YEAR, dm + 1)))
            r = rng.random()
            if r < 0.03 + 0.05 * (1 - diligence):
                done = 12
            elif r < 0.08 + 0.25 * (1 - diligence):
                done = min(dm + rng.randint(1, 2), 12)
            else:
                done = max(dm - rng.randint(0, 4), 0)
            done_day = rng.randint(1, 28)
            if done == dm:
                done_day = min(done_day, day)
            tasks.append(_Task(slot, text, rng.choice(MEASURES), rng.choice(people), date(YEAR, dm + 1, day),
                               done, done_day))
    return tasks


def _plans(seed: int) -> list[_Plan]:
    rng = random.Random(seed)
    keys = [(c, t, b) for c, t, names in DISTRICT for b in names]
    n = len(keys)
    # Year-1 pyramid (domain.md): ~3% 五星, ~10% 四星, ~30% 三星, the rest below.
    counts = {5: round(0.03 * n), 4: round(0.10 * n), 3: round(0.30 * n), 1: round(0.17 * n), 0: round(0.07 * n)}
    counts[2] = n - sum(counts.values())
    levels = [lv for lv in (5, 4, 3, 2, 1, 0) for _ in range(counts[lv])]
    rng.shuffle(levels)
    plans: list[_Plan] = []
    for (county, township, branch), s0 in zip(keys, levels, strict=True):
        btype = _btype(branch)
        secretary = _person(rng)
        people = [secretary, _person(rng), _person(rng)]
        target: int | None
        if s0 == 5:
            target = 5
        elif s0 == 4:
            target = rng.choice((5, 5, 4))
        elif s0 == 3:
            target = rng.choice((4, 4, 3, None))
        elif s0 == 2:
            target = rng.choice((3, 3, 4, None))
        else:
            target = rng.choice((3, None, 3))
        order = [2, 3, 4, 5]
        rng.shuffle(order)
        order = [*order, 1] if rng.random() < 0.8 else [1, *order]  # 支部过硬星 usually comes last
        stars = [s0]
        for _ in range(11):
            s = stars[-1]
            p = 0.05 + (0.05 if target is not None and target > s else 0.0)
            if s < 5 and rng.random() < p:
                s += 1
            elif s > 0 and rng.random() < 0.006:
                s -= 1
            stars.append(s)
        base = rng.randint(0, 3) + (5 - s0) // 2
        problems = [max(0, base - m // 3 + rng.choice((0, 0, 1))) for m in range(12)]
        diligence = min(1.0, 0.35 + 0.12 * s0 + rng.uniform(-0.1, 0.1))
        plans.append(_Plan(
            county, township, branch, btype, secretary, target, order, rng.choice((1, 2, 2)), stars,
            [True] * 12, [False] * 12, problems, _make_tasks(rng, btype, people, diligence),
        ))
    _apply_scenarios(plans, rng)
    for plan in plans:  # after every draw (a stream of its own): the rest of the data does not change
        if plan.key in VILLAGE_SET_COMMUNITIES:
            plan.btype = spec.VILLAGE
            own = _det_rng("village-set", *plan.key)
            plan.tasks = _make_tasks(own, spec.VILLAGE, [plan.secretary, _person(own), _person(own)], 0.7)
    return plans


def _apply_scenarios(plans: list[_Plan], rng: random.Random) -> None:
    by_key = {p.key: p for p in plans}

    x = by_key[SCENARIOS["R4_reached"]]
    x.target, x.stars = 4, [2, 2, 3, 3, 3, 3, 3, 3, 4, 4, 4, 4]

    y = by_key[SCENARIOS["B2_dropped"]]
    y.target, y.stars = 5, [4, 4, 4, 4, 4, 4, 4, 4, 3, 3, 4, 4]

    y2 = by_key[SCENARIOS["B2_august"]]
    top_jul = max(y2.stars[6], 2)
    y2.stars = ([min(v, top_jul) for v in y2.stars[:6]] + [top_jul, top_jul - 1, top_jul - 1]
                + [max(v, top_jul) for v in y2.stars[9:]])

    by_key[SCENARIOS["B4_branch"]].present[8] = False
    for p in plans:
        if (p.county, p.township) == SCENARIOS["B4_township"]:
            p.present[7] = False
    merged = by_key[SCENARIOS["B4_quarter"]]
    merged.present[6:] = [False] * 6

    s = by_key[SCENARIOS["B5_stagnant"]]
    s.target, s.stars = 4, [1, 1, 2, 2, 2, 2, 2, 2, 2, 2, 3, 3]
    for t in s.tasks:  # nothing finished in June..October
        if 5 <= t.done_month <= 9:
            t.done_month, t.done_day = 10, min(t.done_day, 20)

    v = by_key[SCENARIOS["B3_overdue"]]
    v.weak = [True] * 12
    for t, (dm, done) in zip(v.tasks[6:10], ((5, 10), (6, 10), (6, 12), (7, 11)), strict=True):
        t.deadline, t.done_month, t.done_day = date(YEAR, dm + 1, 20), done, 10

    county, township = SCENARIOS["tie_township"]
    top = [by_key[(county, township, b)] for b in SCENARIOS["tie_top"]]
    bottom = [by_key[(county, township, b)] for b in SCENARIOS["tie_bottom"]]
    for p in top:
        p.target, p.stars, p.order = 5, [3, 3, 4, 4, 4, 5, 5, 5, 5, 5, 5, 5], [2, 3, 4, 5, 1]
    for t in top[0].tasks:  # every task done by June
        t.done_month = min(t.done_month, rng.randint(0, 5))
        t.deadline = max(t.deadline, date(YEAR, t.done_month + 1, 28))
    for p in bottom:
        p.target, p.stars, p.order = 3, [0] * 10 + [1, 1], [3, 2, 4, 5, 1]
    for i, t in enumerate(bottom[0].tasks):  # at most 6 tasks done by October
        if i >= 6 and t.done_month < 10:
            t.done_month = 10 + i % 3
    for src, dst in ((top[0], top[1]), (bottom[0], bottom[1])):  # identical progress -> identical score
        for ts, td in zip(src.tasks, dst.tasks, strict=True):
            td.deadline, td.done_month, td.done_day = ts.deadline, ts.done_month, ts.done_day
    bottom[0].weak = [True] * 12
    for p in plans:
        if (p.county, p.township) == (county, township) and p not in top and p not in bottom:
            p.stars = [min(max(v, 1), 4) for v in p.stars]

    by_key[(W, "栗园乡", "荆条沟村")].weak[:6] = [True] * 6
    by_key[(W, "砚池街道", "纸坊社区")].weak[:3] = [True] * 3

    (bkey, m) = SCENARIOS["blank_star"]
    b = by_key[bkey]
    b.blank[m] = b.order[b.stars[m]] if b.stars[m] < 5 else b.order[0]


def _file_style(county: str, township: str, m: int) -> str:
    """Which layout the (county, township, month) arrives in (see ``_STYLES``)."""
    if m < 3:
        return "county_standard" if county == W else "county_xls"
    if m < 6 and county == W:
        return "county_marks"
    return {
        "砚池街道": "standard", "青石镇": "titled", "桂香街道": "combined", "栗园乡": "township_xls",
        "柳塘镇": "standard_nocounty" if m < 6 else "standard_extra", "石槽乡": "gbk_csv",
        "麦丰镇": "bom_csv", "凤栖街道": "formula",
    }[township]


# Layouts that carry an open-problems count (the others load NULL).
_WITH_OPEN_PROBLEMS = frozenset({"county_standard", "standard", "standard_nocounty", "standard_extra", "combined",
                                 "bom_csv"})


def _branch_row(p: _Plan, m: int) -> dict[str, Any]:
    st = p.statuses(m)
    style = _file_style(p.county, p.township, m)
    return {
        "period": MONTHS[m], "county": p.county, "township": p.township, "branch": p.branch,
        "branch_type": p.btype, "target_stars": p.target,
        **{f"star_{k}": st[k] for k in spec.SLOTS},
        "stars": sum(1 for v in st.values() if v == spec.ACHIEVED),
        "tasks_done": p.tasks_done(m), "tasks_total": len(p.tasks),
        "open_problems": p.problems[m] if style in _WITH_OPEN_PROBLEMS else None,
        "weak": p.weak[m], "secretary": p.secretary,
    }


def _task_rows(p: _Plan, m: int) -> list[dict[str, Any]]:
    rows = []
    for t in p.tasks:
        done = t.done_month <= m
        rows.append({
            "period": MONTHS[m], "county": p.county, "township": p.township, "branch": p.branch,
            "star_slot": t.slot, "task": t.text, "measure": t.measure, "owner": t.owner, "deadline": t.deadline,
            "done": done, "done_date": date(YEAR, t.done_month + 1, t.done_day) if done else None,
        })
    return rows


def history(seed: int = SEED) -> tuple[list[dict[str, Any]], list[dict[str, Any]]]:
    """The invented district's 2024 as (branch-month rows, task rows), keys as in v_branch_month / v_task.

    Dates are ``datetime.date``; branch rows also carry ``secretary``. Feed both to
    ``tests.factories.build_store`` to get the store the sample files load into.
    """
    plans = _plans(seed)
    branches: list[dict[str, Any]] = []
    tasks: list[dict[str, Any]] = []
    for m in range(12):
        for p in plans:
            if not p.present[m]:
                continue
            branches.append(_branch_row(p, m))
            if (p.county, p.township) in BATTLE_MAP_TOWNSHIPS:
                tasks.extend(_task_rows(p, m))
    return branches, tasks


@dataclass
class _ProblemItem:
    text: str
    slot: int | None
    owner: str
    measure: str
    identified: int  # month index it is first listed
    deadline: date
    closed_month: int | None = None
    closed_day: int = 15

    def closed(self, m: int) -> bool:
        return self.closed_month is not None and self.closed_month <= m


def _det_rng(*parts: object) -> random.Random:
    """A random stream of its own for the battle-map extras (the main streams stay as they were)."""
    return random.Random(zlib.crc32("|".join(map(str, parts)).encode("utf-8")))


def _problem_items(p: _Plan) -> list[_ProblemItem]:
    """The branch's problem list from July on: each month its open items are exactly
    ``p.problems[m]`` — the oldest close first, new ones are added when the count rises."""
    rng = _det_rng("问题清单", p.county, p.township, p.branch)
    items: list[_ProblemItem] = []
    open_items: list[_ProblemItem] = []
    k = rng.randrange(len(PROBLEMS))
    for m in range(LIST_FROM_MONTH, 12):
        while len(open_items) > p.problems[m]:
            item = open_items.pop(0)
            item.closed_month, item.closed_day = m, rng.randint(1, 28)
        while len(open_items) < p.problems[m]:
            text = PROBLEMS[k % len(PROBLEMS)]
            k += 1
            due = min(m + rng.choice((0, 1, 1, 2)), 11)
            item = _ProblemItem(text, PROBLEM_SLOTS[text], rng.choice((p.secretary, _person(rng))),
                                rng.choice(PROBLEM_MEASURES), m, date(YEAR, due + 1, _last_day(YEAR, due + 1)))
            items.append(item)
            open_items.append(item)
    return items


def _problem_rows(p: _Plan, m: int) -> list[dict[str, Any]]:
    return [{
        "period": MONTHS[m], "county": p.county, "township": p.township, "branch": p.branch,
        "star_slot": it.slot, "problem": it.text, "measure": it.measure, "owner": it.owner,
        "deadline": it.deadline, "closed": it.closed(m),
        "closed_date": date(YEAR, it.closed_month + 1, it.closed_day) if it.closed(m) and it.closed_month is not None
        else None,
    } for it in _problem_items(p) if it.identified <= m]


def _weak_rows(p: _Plan, m: int) -> list[dict[str, Any]]:
    """The branch's rectification record in month m: listed once weak in 2024 (整顿中 while weak,
    已摘帽 from the month after its last weak month)."""
    if not any(p.weak[: m + 1]):
        return []
    rng = _det_rng("软弱涣散", p.county, p.township, p.branch)
    first = p.weak.index(True)
    last = max(i for i in range(m + 1) if p.weak[i])
    cleared = None if p.weak[m] else date(YEAR, last + 2, 15)
    return [{
        "period": MONTHS[m], "county": p.county, "township": p.township, "branch": p.branch,
        "situations": rng.choice(WEAK_SITUATIONS), "plan": rng.choice(WEAK_PLANS), "liaison": _person(rng),
        "identified": date(YEAR - 1, 12, 20) if first == 0 else date(YEAR, first + 1, 10),
        "state": "整顿中" if p.weak[m] else "已摘帽", "cleared": cleared,
    }]


def battle_map_history(seed: int = SEED) -> tuple[list[dict[str, Any]], list[dict[str, Any]]]:
    """The sample files' problem-list rows and rectification rows (keys as in v_problem / v_weak),
    for the months and townships that keep them."""
    problems: list[dict[str, Any]] = []
    weak: list[dict[str, Any]] = []
    plans = _plans(seed)
    for m in range(LIST_FROM_MONTH, 12):
        for p in plans:
            if not p.present[m]:
                continue
            if (p.county, p.township) in PROBLEM_LIST_TOWNSHIPS:
                problems.extend(_problem_rows(p, m))
            if (p.county, p.township) in RECTIFICATION_TOWNSHIPS:
                weak.extend(_weak_rows(p, m))
    return problems, weak


# --------------------------------------------------------------------------- sheet model and writers


@dataclass(frozen=True)
class _Formula:
    text: str
    value: Any


@dataclass(frozen=True)
class _Pct:
    value: float


@dataclass
class _Sheet:
    name: str
    rows: list[list[Any]] = field(default_factory=list)
    merges: list[tuple[int, int, int, int]] = field(default_factory=list)  # r1, c1, r2, c2 (0-based, inclusive)
    header: int = 0  # 0-based index of the (lower) header row
    head_rows: tuple[int, ...] = ()  # rows drawn as header (default: the header row)

    def col(self, label: str) -> int:
        for r in (self.header, self.header - 1):
            if r >= 0 and label in self.rows[r]:
                return self.rows[r].index(label)
        raise KeyError(label)

    def find_row(self, branch: str) -> int:
        for i, row in enumerate(self.rows):
            if i > self.header and any(isinstance(v, str) and _identity(v) == branch for v in row):
                return i
        raise KeyError(branch)

    def role(self, r: int) -> str:
        """"title" above the header, "head" for header rows, else "cell" (cosmetic formatting only)."""
        heads = self.head_rows or (self.header,)
        if r in heads:
            return "head"
        return "title" if r < min(heads) else "cell"


def _identity(text: str) -> str:
    name = spec.normalize_text(text) or ""
    for suffix in spec.BRANCH_SUFFIXES:
        if name.endswith(suffix):
            return name.removesuffix(suffix)
    return name


def _width(rows: list[list[Any]]) -> int:
    return max((len(r) for r in rows), default=0)


def _xlsx_bytes(sheets: list[_Sheet]) -> bytes:
    buf = io.BytesIO()
    wb = xlsxwriter.Workbook(buf, {"in_memory": True, "strings_to_numbers": False})
    wb.set_properties({"title": "五星支部创建工作台账", "author": "示例数据", "created": CREATED})
    title_fmt = wb.add_format({"bold": True, "font_size": 14, "align": "center", "valign": "vcenter"})
    head_fmt = wb.add_format({"bold": True, "border": 1, "align": "center", "valign": "vcenter", "text_wrap": True})
    cell_fmt = wb.add_format({"border": 1, "valign": "vcenter"})
    date_fmt = wb.add_format({"border": 1, "num_format": "yyyy-mm-dd"})
    pct_fmt = wb.add_format({"border": 1, "num_format": "0.00%"})
    fmts = {"title": title_fmt, "head": head_fmt, "cell": cell_fmt}
    for sh in sheets:
        ws = wb.add_worksheet(sh.name)
        ws.set_column(0, max(_width(sh.rows) - 1, 0), 12)
        covered: set[tuple[int, int]] = set()
        for r1, c1, r2, c2 in sh.merges:
            covered |= {(r, c) for r in range(r1, r2 + 1) for c in range(c1, c2 + 1)}
        for r, row in enumerate(sh.rows):
            for c, value in enumerate(row):
                if (r, c) not in covered:
                    _xlsx_write(ws, r, c, value, fmts[sh.role(r)], date_fmt, pct_fmt)
        for r1, c1, r2, c2 in sh.merges:
            value = sh.rows[r1][c1] if c1 < len(sh.rows[r1]) else None
            fmt = fmts[sh.role(r1)]
            ws.merge_range(r1, c1, r2, c2, "", fmt)
            _xlsx_write(ws, r1, c1, value, fmt, date_fmt, pct_fmt)
    wb.close()
    return buf.getvalue()


def _xlsx_write(ws: Any, r: int, c: int, value: Any, fmt: Any, date_fmt: Any, pct_fmt: Any) -> None:
    if value is None:
        ws.write_blank(r, c, None, fmt)
    elif isinstance(value, _Formula):
        ws.write_formula(r, c, value.text, fmt, value.value)
    elif isinstance(value, _Pct):
        ws.write_number(r, c, value.value, pct_fmt)
    elif isinstance(value, date):
        ws.write_datetime(r, c, datetime(value.year, value.month, value.day), date_fmt)
    elif isinstance(value, bool):
        ws.write_string(r, c, "是" if value else "否", fmt)
    elif isinstance(value, int | float):
        ws.write_number(r, c, value, fmt)
    else:
        ws.write_string(r, c, str(value), fmt)


def _xls_bytes(sheets: list[_Sheet]) -> bytes:
    import xlwt  # legacy .xls writer, only needed here (dev dependency)

    wb = xlwt.Workbook(encoding="utf-8")
    plain = xlwt.easyxf("borders: left thin, right thin, top thin, bottom thin")
    head = xlwt.easyxf("font: bold on; align: horiz center, vert center, wrap on;"
                       " borders: left thin, right thin, top thin, bottom thin")
    title = xlwt.easyxf("font: bold on, height 280; align: horiz center")
    datef = xlwt.easyxf("borders: left thin, right thin, top thin, bottom thin", num_format_str="YYYY-MM-DD")
    styles = {"title": title, "head": head, "cell": plain}
    for sh in sheets:
        ws = wb.add_sheet(sh.name)
        covered: set[tuple[int, int]] = set()
        for r1, c1, r2, c2 in sh.merges:
            covered |= {(r, c) for r in range(r1, r2 + 1) for c in range(c1, c2 + 1)}
            value = sh.rows[r1][c1]
            ws.write_merge(r1, r2, c1, c2, "" if value is None else value, styles[sh.role(r1)])
        for r, row in enumerate(sh.rows):
            for c, value in enumerate(row):
                if (r, c) in covered or value is None:
                    continue
                if isinstance(value, _Formula | _Pct):
                    raise TypeError("the .xls writer takes no formulas or percentages")
                if isinstance(value, date):
                    ws.write(r, c, datetime(value.year, value.month, value.day), datef)
                else:
                    ws.write(r, c, value, styles[sh.role(r)])
    buf = io.BytesIO()
    wb.save(buf)
    return buf.getvalue()


def _csv_text(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, _Formula):
        return _csv_text(value.value)
    if isinstance(value, _Pct):
        return f"{value.value * 100:.2f}%"
    if isinstance(value, date):
        return f"{value.year}/{value.month}/{value.day}"
    return str(value)


def _csv_bytes(sheet: _Sheet, encoding: str) -> bytes:
    buf = io.StringIO()
    writer = csv.writer(buf, lineterminator="\r\n")
    width = _width(sheet.rows)
    for row in sheet.rows:
        writer.writerow([_csv_text(v) for v in row] + [""] * (width - len(row)))
    return buf.getvalue().encode(encoding)


# --------------------------------------------------------------------------- ledger layouts

STATUS_MARKS: dict[str, dict[str | None, str | None]] = {
    "words": {spec.ACHIEVED: "已达标", spec.IN_PROGRESS: "创建中", spec.NOT_STARTED: "未启动", None: None},
    "ticks": {spec.ACHIEVED: "√", spec.IN_PROGRESS: "△", spec.NOT_STARTED: "×", None: None},
    "stars": {spec.ACHIEVED: "★", spec.IN_PROGRESS: "○", spec.NOT_STARTED: "×", None: None},
    "cn2": {spec.ACHIEVED: "已创成", spec.IN_PROGRESS: "在建", spec.NOT_STARTED: "未创建", None: None},
}
LEVEL_CN = {0: "无星", 1: "一星", 2: "二星", 3: "三星", 4: "四星", 5: "五星"}


@dataclass
class _Unit:
    """The rows one file shows for one township in one month."""

    county: str
    township: str
    plans: list[_Plan]
    m: int

    @property
    def period(self) -> date:
        return MONTHS[self.m]


def _title(county: str | None, m: int, what: str = "“五星”支部创建工作台账", township: str = "") -> str:
    return f"{county or ''}{township}{what}（{YEAR}年{m + 1}月）"


def _meta_row(township: str, m: int, rng: random.Random) -> str:
    nxt = MONTHS[m + 1] if m < 11 else date(YEAR + 1, 1, 1)
    return (f"填报单位：{township}党（工）委（盖章）　　填报人：{_person(rng)}　　审核人：{_person(rng)}"
            f"　　填报时间：{nxt.year}年{nxt.month}月{rng.randint(2, 6)}日")


def _display_name(p: _Plan, mode: str, i: int) -> str:
    """How a branch's name is written in a layout (normalization must give back ``p.branch``)."""
    name = p.branch
    if mode == "suffix":  # 党支部 / 党总支 suffixes, a full-width digit, spaces inside a name
        if name == "桐荫里1号社区":
            return "桐荫里１号社区党总支"
        if name == "柿子湾村":
            return "柿　子　湾村"
        if i % 3 == 0:
            return name + ("党总支" if p.btype == spec.COMMUNITY else "党支部")
    return name


def _task_count_cells(p: _Plan, m: int) -> tuple[int, int]:
    return p.tasks_done(m), len(p.tasks)


def _standard_sheets(units: list[_Unit], *, county_col: bool = True, period_col: bool = True,
                     extra_col: bool = False, instructions: bool = False, names: str = "plain") -> list[_Sheet]:
    """The standard template: 星级台账 (+ 任务台账, + 填表说明), one header row at the top."""
    head = ["序号", *(["县(市、区)"] if county_col else []), "乡镇(街道)", "村(社区)", "类型", "创建目标",
            *spec.STAR_NAMES[spec.VILLAGE], "已完成任务数", "任务总数", "问题数", "存在问题", "软弱涣散", "支部书记",
            *(["报送月份"] if period_col else []), *(["包村干部"] if extra_col else []), "备注"]
    ledger = _Sheet(spec.LEDGER_SHEET_NAME, [head])
    rng = random.Random(units[0].m * 31 + len(units))
    seq = 0
    for u in units:
        for i, p in enumerate(u.plans):
            seq += 1
            st = p.statuses(u.m)
            done, total = _task_count_cells(p, u.m)
            problems = "；".join(PROBLEMS[(i + k) % len(PROBLEMS)] for k in range(min(p.problems[u.m], 2)))
            ledger.rows.append([
                seq, *([u.county] if county_col else []), u.township, _display_name(p, names, i), p.btype,
                LEVEL_CN[p.target] if p.target else None,
                *(STATUS_MARKS["words"][st[k]] for k in spec.SLOTS),
                done, total, p.problems[u.m], problems or None, "是" if p.weak[u.m] else "否", p.secretary,
                *([f"{u.period:%Y-%m}"] if period_col else []), *([_person(rng)] if extra_col else []), None,
            ])
    sheets = [ledger]
    task_units = [u for u in units if (u.county, u.township) in BATTLE_MAP_TOWNSHIPS]
    if task_units:
        thead = ["序号", *(["县(市、区)"] if county_col else []), "乡镇(街道)", "村(社区)", "所属星", "重点任务",
                 "具体举措", "负责人", "完成时限", "是否完成", "完成时间"]
        tsheet = _Sheet(spec.TASK_SHEET_NAME, [thead])
        seq = 0
        for u in task_units:
            for i, p in enumerate(u.plans):
                for t in p.tasks:
                    seq += 1
                    done = t.done_month <= u.m
                    tsheet.rows.append([
                        seq, *([u.county] if county_col else []), u.township, _display_name(p, names, i),
                        spec.star_name(t.slot, p.btype), t.text, t.measure, t.owner, t.deadline,
                        "是" if done else "否", date(YEAR, t.done_month + 1, t.done_day) if done else None,
                    ])
        sheets.append(tsheet)
    if instructions:
        sheets.insert(0, _instructions_sheet())
    return sheets


def _instructions_sheet() -> _Sheet:
    return _Sheet("填表说明", [
        ["填表说明"],
        ["1. 每月5日前报送上月台账，一个村（社区）一行。"],
        ["2. 星级状态填写：已达标、创建中、未启动。"],
        ["3. 创建目标填写：三星、四星、五星；未申报的留空。"],
        ["4. 任务台账按“作战图”逐项填写，是否完成填“是/否”。"],
    ], header=0)


def _titled_sheets(u: _Unit, rng: random.Random, *, county_in_title: bool = True,
                   mismatch: str | None = None) -> list[_Sheet]:
    """Title + 填报 meta row, two-level merged header, merged township cells, √/△/× marks,
    a 当前星级 column, a 合计 row and a footer; tasks on a 作战图 sheet."""
    short = [n.removesuffix("星") for n in spec.STAR_NAMES[spec.VILLAGE]]
    top = ["序号", "乡镇", "村(社区)", "创建目标", "星级创建情况", None, None, None, None, "当前星级",
           "已完成任务数", "任务总数", "软弱涣散", "支部书记", "备注"]
    sub = [None, None, None, None, *short, None, None, None, None, None, None]
    ncol = len(top)
    rows: list[list[Any]] = [[_title(u.county if county_in_title else None, u.m, township="" if county_in_title
                                     else u.township)], [_meta_row(u.township, u.m, rng)], top, sub]
    merges = [(0, 0, 0, ncol - 1), (1, 0, 1, ncol - 1), (2, 4, 2, 8)]
    merges += [(2, c, 3, c) for c in (0, 1, 2, 3, 9, 10, 11, 12, 13, 14)]
    first = len(rows)
    sum_done = 0
    for i, p in enumerate(u.plans):
        st = p.statuses(u.m)
        stars = sum(1 for v in st.values() if v == spec.ACHIEVED)
        reported = stars + 1 if p.branch == mismatch else stars
        done, total = _task_count_cells(p, u.m)
        sum_done += done
        rows.append([i + 1, u.township if i == 0 else None, _display_name(p, "suffix", i),
                     p.target, *(STATUS_MARKS["ticks"][st[k]] for k in spec.SLOTS), reported, done, total,
                     "√" if p.weak[u.m] else None, p.secretary, None])
    if len(u.plans) > 1:
        merges.append((first, 1, len(rows) - 1, 1))
    rows.append([None, None, "合计", None, None, None, None, None, None, None, sum_done, None, None, None, None])
    rows.append([f"填表人：{_person(rng)}　　审核人：{_person(rng)}　　联系电话：略"])
    merges.append((len(rows) - 1, 0, len(rows) - 1, ncol - 1))
    ledger = _Sheet("星级台账", rows, merges, header=3, head_rows=(2, 3))
    sheets = [ledger]
    if (u.county, u.township) in SEED_STYLE_BATTLE_MAP and u.m >= LIST_FROM_MONTH:
        title = _title(u.county if county_in_title else None, u.m, "“五星”支部创建作战图", township=u.township)
        sheets.append(_seed_battle_map(u, title))
    elif (u.county, u.township) in BATTLE_MAP_TOWNSHIPS:
        thead = ["序号", "乡镇", "村(社区)", "创建星", "创建任务", "具体措施", "责任人", "完成时限", "完成情况",
                 "完成时间"]
        trows: list[list[Any]] = [[_title(u.county if county_in_title else None, u.m, "“五星”支部创建作战图",
                                          township=u.township)], thead]
        seq = 0
        for p in u.plans:
            for t in p.tasks:
                seq += 1
                done = t.done_month <= u.m
                dd = date(YEAR, min(t.done_month, 11) + 1, t.done_day)
                trows.append([seq, u.township, p.branch, spec.star_name(t.slot, p.btype).removesuffix("星"), t.text,
                              t.measure, t.owner, f"{t.deadline.year}年{t.deadline.month}月{t.deadline.day}日",
                              "√" if done else "×", f"{dd.year}.{dd.month}.{dd.day}" if done else None])
        sheets.append(_Sheet("作战图", trows, [(0, 0, 0, len(thead) - 1)], header=1))
    return sheets


_CN_NUMBERS = "一二三四五"


def _seed_battle_map(u: _Unit, title: str) -> _Sheet:
    """The 作战图 drawn the seed's way (battle-map.md §1): no star column — a heading row per
    star (一、支部过硬星 …) above its tasks —, 专班人员, 已验收 for tasks done in an earlier month."""
    thead = ["序号", "乡镇", "村(社区)", "专班人员", "重点任务", "具体举措", "负责人", "完成时限", "是否完成",
             "完成时间"]
    rows: list[list[Any]] = [[title], thead]
    merges = [(0, 0, 0, len(thead) - 1)]
    seq = 0
    for slot in spec.SLOTS:
        village, community = (spec.star_name(slot, t) for t in (spec.VILLAGE, spec.COMMUNITY))
        heading = village if village == community else f"{village}（{community}）"
        rows.append([f"{_CN_NUMBERS[slot - 1]}、{heading}"])
        merges.append((len(rows) - 1, 0, len(rows) - 1, len(thead) - 1))
        for p in u.plans:
            team_rng = _det_rng("专班", p.branch, slot)
            team = "、".join((p.secretary, _person(team_rng), _person(team_rng)))
            for i, t in enumerate(x for x in p.tasks if x.slot == slot):
                seq += 1
                done = t.done_month <= u.m
                dd = date(YEAR, min(t.done_month, 11) + 1, t.done_day)
                mark = ("已验收" if t.done_month < u.m else "√") if done else "×"
                rows.append([seq, u.township if i == 0 else None, p.branch if i == 0 else None, team, t.text,
                             t.measure, t.owner, f"{t.deadline.year}年{t.deadline.month}月{t.deadline.day}日",
                             mark, f"{dd.year}.{dd.month}.{dd.day}" if done else None])
    return _Sheet("作战图", rows, merges, header=1)


def _list_sheets(u: _Unit) -> list[_Sheet]:
    """问题清单 and 软弱涣散整顿 of a township that keeps them (from July on), as drawn by hand."""
    if u.m < LIST_FROM_MONTH:
        return []
    sheets: list[_Sheet] = []
    if (u.county, u.township) in PROBLEM_LIST_TOWNSHIPS:
        head = ["序号", "乡镇(街道)", "村(社区)", "所属星", "问题", "整改措施", "责任人", "整改时限", "是否销号",
                "销号时间"]
        rows: list[list[Any]] = [head]
        for p in u.plans:
            for i, r in enumerate(_problem_rows(p, u.m)):
                star = spec.star_name(r["star_slot"], p.btype) if r["star_slot"] else None
                mark = "已销号" if r["closed"] else ("整改中" if i % 2 else "未销号")
                rows.append([len(rows), u.township, p.branch if i == 0 else None, star, r["problem"], r["measure"],
                             r["owner"], r["deadline"], mark, r["closed_date"]])
        sheets.append(_Sheet(spec.PROBLEM_SHEET_NAME, rows))
    if (u.county, u.township) in RECTIFICATION_TOWNSHIPS:
        head = ["序号", "乡镇(街道)", "村(社区)", "认定情形", "整顿措施", "包联领导", "认定时间", "整顿状态",
                "销号时间"]
        rows = [head]
        for p in u.plans:
            for r in _weak_rows(p, u.m):
                rows.append([len(rows), u.township, p.branch, r["situations"], r["plan"], r["liaison"],
                             r["identified"], r["state"], r["cleared"]])
        sheets.append(_Sheet(spec.WEAK_SHEET_NAME, rows))
    return sheets


def _combined_sheets(u: _Unit) -> list[_Sheet]:
    """One title row (the only place the period is written), 产业兴旺/共建共享 style combined headers,
    ★/○/× marks, ★★★ targets, the task rate as a percentage string."""
    head = ["序号", "街道", "社区名称", "类别", "目标星级", "支部过硬",
            *(f"{v.removesuffix('星')}/{c.removesuffix('星')}"
              for v, c in zip(spec.STAR_NAMES[spec.VILLAGE][1:], spec.STAR_NAMES[spec.COMMUNITY][1:], strict=True)),
            "任务完成率", "存在问题数", "是否软弱涣散", "党组织书记"]
    head[8] = "平安法治"  # both types share the name of slot 4
    rows: list[list[Any]] = [[_title(u.county, u.m, township=u.township)], head]
    for i, p in enumerate(u.plans):
        st = p.statuses(u.m)
        done, total = _task_count_cells(p, u.m)
        rows.append([i + 1, u.township, p.branch, p.btype, "★" * p.target if p.target else None,
                     *(STATUS_MARKS["stars"][st[k]] for k in spec.SLOTS), f"{100 * done / total:.2f}%",
                     p.problems[u.m], "是" if p.weak[u.m] else "否", p.secretary])
    return [_Sheet("台账", rows, [(0, 0, 0, len(head) - 1)], header=1)]


def _xls_county_sheets(units: list[_Unit], rng: random.Random) -> list[_Sheet]:
    """Legacy county file: title + meta rows, vertically merged township cells, √/△/× marks,
    小计 rows per township and a 总计 row; tasks of the battle-map townships on 作战图."""
    head = ["序号", "乡镇", "村(社区)", "类型", "创建目标", *spec.STAR_NAMES[spec.VILLAGE], "完成任务数", "任务总数",
            "软弱涣散", "书记", "备注"]
    ncol = len(head)
    county = units[0].county
    rows: list[list[Any]] = [[_title(county, units[0].m)], [_meta_row(county + "委组织部", units[0].m, rng)], head]
    merges = [(0, 0, 0, ncol - 1), (1, 0, 1, ncol - 1)]
    seq = 0
    grand = 0
    for u in units:
        first = len(rows)
        sub = 0
        for i, p in enumerate(u.plans):
            seq += 1
            st = p.statuses(u.m)
            done, total = _task_count_cells(p, u.m)
            sub += done
            rows.append([seq, u.township if i == 0 else None, p.branch, p.btype,
                         f"{p.target}星" if p.target else None, *(STATUS_MARKS["ticks"][st[k]] for k in spec.SLOTS),
                         done, total, "√" if p.weak[u.m] else None, p.secretary, None])
        if len(u.plans) > 1:
            merges.append((first, 1, len(rows) - 1, 1))
        rows.append([None, None, "小计", None, None, None, None, None, None, None, sub])
        grand += sub
    rows.append([None, "总计", None, None, None, None, None, None, None, None, grand])
    rows.append(["注：星级状态“√”为已达标，“△”为创建中，“×”为未启动。"])
    sheets = [_Sheet("台账", rows, merges, header=2)]
    task_units = [u for u in units if (u.county, u.township) in BATTLE_MAP_TOWNSHIPS]
    if task_units:
        trows: list[list[Any]] = [["乡镇", "村名", "对应星", "任务内容", "工作举措", "负责人", "截止时间", "进度",
                                   "销号时间"]]
        for u in task_units:
            for p in u.plans:
                for t in p.tasks:
                    done = t.done_month <= u.m
                    progress = "已完成" if done else ("推进中" if t.deadline > _month_end(u.m) else "未完成")
                    trows.append([u.township, p.branch, spec.star_name(t.slot, p.btype), t.text, t.measure, t.owner,
                                  t.deadline, progress, date(YEAR, t.done_month + 1, t.done_day) if done else None])
        sheets.append(_Sheet("作战图", trows, header=0))
    return sheets


def _month_end(m: int) -> date:
    return date(YEAR, m + 1, _last_day(YEAR, m + 1))


def _xls_township_sheets(u: _Unit) -> list[_Sheet]:
    """Legacy .xls with no title (period only in the file name, county from the uploader)."""
    head = ["序号", "所属乡镇", "村名", "争创星级", *spec.STAR_NAMES[spec.VILLAGE], "完成任务数", "任务总数",
            "是否软弱涣散", "第一责任人"]
    rows: list[list[Any]] = [head]
    for i, p in enumerate(u.plans):
        st = p.statuses(u.m)
        done, total = _task_count_cells(p, u.m)
        rows.append([i + 1, u.township, p.branch, LEVEL_CN[p.target] + "支部" if p.target else None,
                     *(STATUS_MARKS["words"][st[k]] for k in spec.SLOTS), done, total,
                     "是" if p.weak[u.m] else "否", p.secretary])
    return [_Sheet("Sheet1", rows, header=0)]


def _county_marks_sheets(units: list[_Unit], rng: random.Random) -> list[_Sheet]:
    """County file without a county column (county in the title), a 月份 column, merged township
    cells, 已创成/在建/未创建 marks, the task rate as a number formatted as a percentage."""
    short = [n.removesuffix("星") for n in spec.STAR_NAMES[spec.VILLAGE]]
    head = ["序号", "乡镇(街道)", "村(社区)", "创建目标", *short, "任务完成率", "软弱涣散", "书记", "月份"]
    county, m = units[0].county, units[0].m
    rows: list[list[Any]] = [[_title(county, m)], [_meta_row(county + "委组织部", m, rng)], head]
    merges = [(0, 0, 0, len(head) - 1), (1, 0, 1, len(head) - 1)]
    seq = 0
    for u in units:
        first = len(rows)
        for i, p in enumerate(u.plans):
            seq += 1
            st = p.statuses(u.m)
            done, total = _task_count_cells(p, u.m)
            rows.append([seq, u.township if i == 0 else None, p.branch, f"{p.target}" if p.target else None,
                         *(STATUS_MARKS["cn2"][st[k]] for k in spec.SLOTS), _Pct(done / total),
                         "√" if p.weak[u.m] else None, p.secretary, f"{YEAR}年{m + 1}月"])
        if len(u.plans) > 1:
            merges.append((first, 1, len(rows) - 1, 1))
    sheets = [_Sheet("星级台账", rows, merges, header=2)]
    task_units = [u for u in units if (u.county, u.township) in BATTLE_MAP_TOWNSHIPS]
    if task_units:
        trows: list[list[Any]] = [["乡镇(街道)", "村(社区)", "星类", "重点任务", "具体措施", "负责人", "完成时限",
                                   "是否完成", "实际完成时间"]]
        for u in task_units:
            for p in u.plans:
                for t in p.tasks:
                    done = t.done_month <= u.m
                    dd = date(YEAR, min(t.done_month, 11) + 1, t.done_day)
                    trows.append([u.township, p.branch, spec.star_name(t.slot, p.btype), t.text, t.measure, t.owner,
                                  f"{t.deadline.month}月{t.deadline.day}日", "已完成" if done else "未完成",
                                  f"{dd.year}/{dd.month}/{dd.day}" if done else None])
        sheets.append(_Sheet("任务台账", trows, header=0))
    return sheets


def _gbk_csv_sheet(u: _Unit) -> _Sheet:
    """Saved by Excel on Windows: GBK, no county, no period (both given by the uploader)."""
    head = ["乡镇", "村名", "创建目标", *spec.STAR_NAMES[spec.VILLAGE], "已完成任务数", "任务总数", "软弱涣散",
            "支部书记"]
    rows: list[list[Any]] = [head]
    for p in u.plans:
        st = p.statuses(u.m)
        done, total = _task_count_cells(p, u.m)
        rows.append([u.township, p.branch, f"{p.target}星" if p.target else None,
                     *(STATUS_MARKS["words"][st[k]] for k in spec.SLOTS), done, total, "是" if p.weak[u.m] else None,
                     p.secretary])
    return _Sheet("csv", rows)


def _bom_csv_sheet(u: _Unit, *, period_col: bool = True) -> _Sheet:
    """UTF-8 with BOM: county and 月份 columns, tasks done written as a fraction (18/29)."""
    head = ["县区", "乡镇", "村(社区)", "创建目标", *spec.STAR_NAMES[spec.VILLAGE], "已完成任务", "任务总数", "问题数",
            "软弱涣散", "支部书记", *(["月份"] if period_col else [])]
    rows: list[list[Any]] = [head]
    for p in u.plans:
        st = p.statuses(u.m)
        done, total = _task_count_cells(p, u.m)
        rows.append([u.county, u.township, p.branch, LEVEL_CN[p.target] if p.target else None,
                     *(STATUS_MARKS["words"][st[k]] for k in spec.SLOTS), f"{done}/{total}", total, p.problems[u.m],
                     "是" if p.weak[u.m] else "否", p.secretary, *([f"{u.period:%Y-%m}"] if period_col else [])])
    return _Sheet("csv", rows)


def _formula_sheets(u: _Unit) -> list[_Sheet]:
    """Community ledger whose 当前星级 and 任务完成率 are Excel formulas (cached values are read)."""
    m = u.m
    head = ["序号", "街道", "社区名称", "创建目标", *spec.STAR_NAMES[spec.COMMUNITY], "当前星级", "已完成任务数",
            "任务总数", "任务完成率", "软弱涣散", "书记"]
    rows: list[list[Any]] = [[_title(u.county, m, "“五星”支部创建台账", township=u.township)], head]
    for i, p in enumerate(u.plans):
        r = len(rows) + 1  # Excel row number
        st = p.statuses(u.m)
        done, total = _task_count_cells(p, u.m)
        stars = sum(1 for v in st.values() if v == spec.ACHIEVED)
        rows.append([i + 1, u.township, p.branch, LEVEL_CN[p.target] if p.target else None,
                     *(STATUS_MARKS["words"][st[k]] for k in spec.SLOTS),
                     _Formula(f'=COUNTIF(E{r}:I{r},"已达标")', stars), done, total,
                     _Formula(f"=ROUND(K{r}/L{r},4)", round(done / total, 4)), "是" if p.weak[u.m] else "否",
                     p.secretary])
    return [_Sheet("星级台账", rows, [(0, 0, 0, len(head) - 1)], header=1)]


# --------------------------------------------------------------------------- sample files


@dataclass
class _Sample:
    file: str
    content: bytes
    expect: str
    codes: list[str]
    note: str
    period: str | None = None
    county: str | None = None
    kind: str = "ledger"  # "register": a 支部名册 / 创建目标 workbook (analytics.register), loaded first

    def manifest(self) -> dict[str, Any]:
        out = {"file": self.file, "expect": self.expect, "period": self.period, "county": self.county,
               "codes": sorted(set(self.codes)), "note": self.note}
        if self.kind != "ledger":
            out["kind"] = self.kind
        return out


def _units(plans: list[_Plan], m: int, county: str, township: str | None = None) -> list[_Unit]:
    out = []
    for c, t, _names in DISTRICT:
        if c != county or (township is not None and t != township):
            continue
        members = [p for p in plans if (p.county, p.township) == (c, t) and p.present[m]]
        if members:
            out.append(_Unit(c, t, members, m))
    return out


def _samples(seed: int = SEED) -> list[_Sample]:
    plans = _plans(seed)
    rng = random.Random(seed + 1)
    out: list[_Sample] = [_register_sample(plans)]
    for m in range(12):
        mm = m + 1
        ym = f"{YEAR}{mm:02d}"
        if m < 3:
            out.append(_Sample(
                f"望川区五星支部创建台账_{YEAR}年{mm}月.xlsx",
                _xlsx_bytes(_standard_sheets(_units(plans, m, W), instructions=True)), "accept", ["W_SKIPPED_SHEET"],
                "区级标准模板（星级台账+任务台账+填表说明），覆盖4个乡镇（街道）；填表说明页被跳过。"))
            out.append(_Sample(
                f"东篱县_{YEAR}年{mm}月_五星支部台账.xls",
                _xls_bytes(_xls_county_sheets(_units(plans, m, D), rng)), "accept", [],
                "旧版 .xls 县级台账：标题行+填报行、乡镇列纵向合并、√/△/× 标记、小计/总计行和“注：”脚注；作战图页。"))
            continue
        if m < 6:
            out.append(_Sample(
                f"望川区五星支部创建台账_{YEAR}年{mm}月.xlsx",
                _xlsx_bytes(_county_marks_sheets(_units(plans, m, W), rng)), "accept", [],
                "区级文件：无县区列（县区取自标题）、月份列、乡镇纵向合并、已创成/在建/未创建、完成率为百分比格式数字。"))
            out.append(_Sample(
                f"柳塘镇_{ym}.xlsx",
                _xlsx_bytes(_standard_sheets(_units(plans, m, D, "柳塘镇"), county_col=False, period_col=False)),
                "accept", [], "标准模板但无县区列、无月份列：月份只在文件名中，县区由上传人指定。", county=D))
        out.extend(_township_samples(plans, m, rng))
        if m in WEEKLY_MONTHS:
            out.extend(_weekly_samples(plans, m, random.Random(seed + 100 + m)))
    out.extend(_cadence_samples(plans))
    out.extend(_refused_samples(plans, rng))
    return out


def _register_sheets(plans: list[_Plan]) -> list[_Sheet]:
    """东篱县's register as a county office keeps it: a merged title and a 填报 row, a two-level
    header (负责人员 over 支部书记 / 包村领导 / 创建专班; 序号 … 状态 spanning both rows), township
    cells merged down, organisation suffixes and 农村/城市社区 type words, a 注 footer; and its
    创建目标 sheet with the goals written "五星2个、四星7个、三星5个"."""
    members = [p for p in plans if p.county == REGISTER_COUNTY]
    head_top = ["序号", "乡镇（街道）", "村（社区）名称", "类型", "负责人员", None, None, "状态", "备注"]
    head_low = [None, None, None, None, "支部书记", "包村领导", "创建专班", None, None]
    rows: list[list[Any]] = [
        [f"{REGISTER_COUNTY}“五星”支部创建支部名册（{YEAR}年）"],
        [f"填报单位：{REGISTER_COUNTY}委组织部", None, None, None, None, None, "填报时间：2024年1月5日"],
        head_top, head_low,
    ]
    merges = [(0, 0, 0, len(head_top) - 1), (2, 4, 2, 6)]
    merges += [(2, c, 3, c) for c in (0, 1, 2, 3, 7, 8)]
    start = len(rows)
    for i, p in enumerate(members):
        rng = _det_rng("register", *p.key)
        name = p.branch + rng.choice(("党支部", "党总支", "", ""))
        word = {spec.VILLAGE: rng.choice(("村", "农村", "村")), spec.COMMUNITY: rng.choice(("社区", "城市社区"))}[p.btype]
        liaison = f"{_person(rng)}（{rng.choice(('党委副书记', '副镇长', '人大主席', '组织委员'))}）"
        team = "、".join(_person(rng) for _ in range(rng.choice((2, 3))))
        note = "名为社区，按村的五星标准创建" if p.key in VILLAGE_SET_COMMUNITIES else None
        rows.append([i + 1, p.township, name, word, p.secretary, liaison, team, None, note])
    # A registered township that never sends a ledger (register.md §3: 报送情况 shows it as
    # 未报送 and B4 lists it, although it was never present in any upload).
    for j, branch in enumerate(SILENT_BRANCHES, start=len(members) + 1):
        rng = _det_rng("register", SILENT_TOWNSHIP, branch)
        rows.append([j, SILENT_TOWNSHIP, branch, "村", _person(rng), f"{_person(rng)}（副乡长）", None, None,
                     "本年度尚未报送台账"])
    # The township cell is merged down over its branches (blank below: carried down).
    r = start
    while r < len(rows):
        end = r
        while end + 1 < len(rows) and rows[end + 1][1] == rows[r][1]:
            end += 1
        for k in range(r + 1, end + 1):
            rows[k][1] = None
        if end > r:
            merges.append((r, 1, end, 1))
        r = end + 1
    rows.append(["注：类型按创建标准填写（按村的标准创建的社区填“村”）；状态不填为在册。"])
    register = _Sheet("支部名册", rows, merges, header=3, head_rows=(2, 3))
    goal_rows: list[list[Any]] = [
        [f"{REGISTER_COUNTY}“五星”支部创建目标（{YEAR}年）"],
        ["县（市、区）", "乡镇（街道）", "创建目标", "完成时限"],
    ]
    for township, text, due in REGISTER_GOALS:
        goal_rows.append([REGISTER_COUNTY if township is None else None, township, text, due])
    goals = _Sheet("创建目标", goal_rows, [(0, 0, 0, 3)], header=1)
    return [register, goals]


def _register_sample(plans: list[_Plan]) -> _Sample:
    return _Sample(
        f"{REGISTER_COUNTY}支部名册（{YEAR}年）.xlsx", _xlsx_bytes(_register_sheets(plans)), "accept", [],
        "县级支部名册（register.md）：合并标题、填报行、两级表头（负责人员）、乡镇纵向合并、党支部/党总支后缀、"
        "农村/城市社区；梧桐社区按村的标准创建；另有创建目标表（五星2个、四星7个、三星5个）。先于台账导入。",
        kind="register")


# --------------------------------------------------------------------------- scores and acceptance
# cadence.md §2 / §5: 望川区 scores its branches each quarter of the second half-year (量化考核 and
# 观摩评分) and accepts them at year end. Items with their full marks (they add up to 100).
ASSESSMENT_ITEMS: tuple[tuple[str, int], ...] = (
    ("随机抽查", 20), ("履职到位", 20), ("制度落实", 15), ("问题处置", 15), ("领办实事", 15), ("现场观摩", 15))
ASSESSMENT_QUARTERS = (3, 4)
UNSCORED_BRANCH = "马蹄湾村"  # left out of 2024Q3's scores: 未评分 when scores count
MISMATCH_BRANCH = "石碾村"  # its 2024Q3 总分 is written one point above its items: W_TOTAL_MISMATCH
BELOW_REPORT = ("墨香社区", "青石铺村")  # accepted one star below what they reported in December
_CN_QUARTERS = "一二三四"


def assessment_points(p: _Plan, quarter: int) -> list[int]:
    """The branch's points per item for a quarter (deterministic; better branches score higher)."""
    rng = _det_rng("assessment", p.key, quarter)
    m = quarter * 3 - 1
    base = 0.5 + 0.08 * p.stars[m]
    return [max(0, min(full, round(full * (base + rng.uniform(-0.12, 0.12))))) for _item, full in ASSESSMENT_ITEMS]


def assessment_history(seed: int = SEED) -> list[dict[str, Any]]:
    """The quarterly totals the sample score sheets hold (what v_assessment's '总分' rows must be)."""
    out = []
    for quarter in ASSESSMENT_QUARTERS:
        m = quarter * 3 - 1
        for p in _plans(seed):
            if p.county != W or not p.present[m] or (quarter == 3 and p.branch == UNSCORED_BRANCH):
                continue
            total = sum(assessment_points(p, quarter)) + (1 if (quarter, p.branch) == (3, MISMATCH_BRANCH) else 0)
            out.append({"period": date(YEAR, 3 * quarter - 2, 1), "county": p.county, "township": p.township,
                        "branch": p.branch, "total": float(total)})
    return out


def award_history(seed: int = SEED) -> list[dict[str, Any]]:
    """The year-end acceptance the sample sheet holds: the December level, one lower for BELOW_REPORT."""
    out = []
    for i, p in enumerate(q for q in _plans(seed) if q.county == W and q.present[11]):
        out.append({"county": p.county, "township": p.township, "branch": p.branch,
                    "awarded_stars": p.stars[11] - (1 if p.branch in BELOW_REPORT and p.stars[11] > 0 else 0),
                    "accepted_at": date(YEAR, 12, 16 + i % 10)})
    return out


def _assessment_sheet(plans: list[_Plan], quarter: int) -> _Sheet:
    m = quarter * 3 - 1
    head = ["序号", "乡镇（街道）", "村（社区）名称", *(f"{name}" for name, _full in ASSESSMENT_ITEMS), "总分", "考核组"]
    rows: list[list[Any]] = [
        [f"{W}{YEAR}年第{_CN_QUARTERS[quarter - 1]}季度“五星”支部创建量化考核评分表"],
        ["满分：" + "、".join(f"{name} {full} 分" for name, full in ASSESSMENT_ITEMS) + "，合计 100 分"],
        head,
    ]
    merges = [(0, 0, 0, len(head) - 1), (1, 0, 1, len(head) - 1)]
    n = 0
    for _c, township, _names in (d for d in DISTRICT if d[0] == W):
        members = [p for p in plans if (p.county, p.township) == (W, township) and p.present[m]
                   and not (quarter == 3 and p.branch == UNSCORED_BRANCH)]
        first = len(rows)
        for p in members:
            n += 1
            points = assessment_points(p, quarter)
            total = sum(points) + (1 if (quarter, p.branch) == (3, MISMATCH_BRANCH) else 0)
            rows.append([n, township if len(rows) == first else None, p.branch, *points, total,
                         f"区委组织部第{'一二'[n % 2]}考核组"])
        if len(members) > 1:
            merges.append((first, 1, len(rows) - 1, 1))
    return _Sheet("考核评分", rows, merges, header=2)


def _acceptance_sheet(plans: list[_Plan]) -> _Sheet:
    head = ["序号", "乡镇（街道）", "村（社区）名称", "评定星级", "验收时间", "备注"]
    rows: list[list[Any]] = [[f"{W}{YEAR}年度“五星”支部验收结果"], head]
    by_key = {(a["township"], a["branch"]): a for a in award_history()}
    for n, p in enumerate((q for q in plans if q.county == W and q.present[11]), start=1):
        a = by_key[(p.township, p.branch)]
        note = "验收组核定低于自报星级" if p.branch in BELOW_REPORT else None
        rows.append([n, p.township, p.branch, LEVEL_CN[a["awarded_stars"]], a["accepted_at"], note])
    return _Sheet("验收结果", rows, [(0, 0, 0, len(head) - 1)], header=1)


def _cadence_samples(plans: list[_Plan]) -> list[_Sample]:
    out = [
        _Sample(
            f"{W}{YEAR}年第{_CN_QUARTERS[q - 1]}季度量化考核评分表.xlsx", _xlsx_bytes([_assessment_sheet(plans, q)]),
            "accept", ["W_TOTAL_MISMATCH"] if q == 3 else [],
            "考核评分表（只有评分表，无需星级台账）：随机抽查、履职到位、制度落实、问题处置、领办实事、现场观摩和总分，"
            "期间取自标题（季度），乡镇纵向合并。"
            + (f"{MISMATCH_BRANCH}总分比各项之和多 1 分（按填写的总分导入并提示）；{UNSCORED_BRANCH}本季度未评分。"
               if q == 3 else ""))
        for q in ASSESSMENT_QUARTERS
    ]
    out.append(_Sample(
        f"{W}{YEAR}年度五星支部验收结果.xlsx", _xlsx_bytes([_acceptance_sheet(plans)]), "accept", [],
        f"年度验收结果（评定星级、验收时间），年度取自标题；{'、'.join(BELOW_REPORT)}评定星级比12月自报低一星。"))
    return out


def _township_samples(plans: list[_Plan], m: int, rng: random.Random) -> list[_Sample]:
    mm, ym = m + 1, f"{YEAR}{m + 1:02d}"
    out: list[_Sample] = []
    if m >= 6:
        u = _units(plans, m, W, "砚池街道")
        out.append(_Sample(
            f"砚池街道{YEAR}年{mm}月五星台账.xlsx",
            _xlsx_bytes(_standard_sheets(u, instructions=True, names="suffix") + _list_sheets(u[0])), "accept",
            ["W_SKIPPED_SHEET"],
            "标准模板：名称带“党总支/党支部”后缀、全角数字和空格（桐荫里１号社区党总支），含填表说明页；"
            "另有问题清单（逐月销号，未销号数与问题数一致）和软弱涣散整顿表（纸坊社区4月已摘帽）。"))
        u1 = _units(plans, m, W, "青石镇")[0]
        if m == 8:
            wrong = _titled_sheets(u1, random.Random(m))
            star = _set_status(wrong[0], CORRECTED_BRANCH, plans, m, "√")
            out.append(_Sample(
                f"青石镇_{YEAR}年{mm}月.xlsx", _xlsx_bytes(wrong), "accept", [],
                f"初报版本：{CORRECTED_BRANCH}{star}误填为“√”，随后被更正版替换（演示替换与历史版本）。"))
        mismatch = "白杨岭村" if m == 10 else None
        out.append(_Sample(
            f"青石镇_{YEAR}年{mm}月（更正）.xlsx" if m == 8 else f"青石镇_{YEAR}年{mm}月.xlsx",
            _xlsx_bytes(_titled_sheets(u1, random.Random(m), mismatch=mismatch) + _list_sheets(u1)), "accept",
            ["W_STARS_MISMATCH"] if mismatch else [],
            ("更正版，替换同月初报版本。" if m == 8 else "")
            + "标题+填报行、两级合并表头（星级创建情况）、乡镇纵向合并、√/△/× 标记、当前星级列、合计行和页脚；"
            + "作战图按原型绘制（无所属星列，每颗星一行标题，专班人员，已验收），另有软弱涣散整顿表（杨家洼村整顿中）。"
            + (f"当前星级与逐星状态不一致（{mismatch}），以逐星状态为准并提示。" if mismatch else "")))
        out.append(_Sample(
            f"桂香街道五星台账（{'一二三四五六七八九十'[m] if m < 10 else '十' + '一二'[m - 10]}月）.xlsx",
            _xlsx_bytes(_combined_sheets(_units(plans, m, W, "桂香街道")[0])), "accept",
            ["W_BLANK_STAR"] if m == SCENARIOS["blank_star"][1] else [],
            "月份只在标题中；“产业兴旺/共建共享”合并表头、★/○/× 标记、★★★★ 目标、完成率为“62.07%”文本。"
            + ("芳溪社区一个星级格为空，记为未知并提示。" if m == SCENARIOS["blank_star"][1] else "")))
        lu = _units(plans, m, W, "栗园乡")
        if lu:
            out.append(_Sample(
                f"栗园乡_{YEAR}年{mm}月.xls", _xls_bytes(_xls_township_sheets(lu[0])), "accept", [],
                "旧版 .xls，无标题：月份只在文件名中，县区由上传人指定。（8月栗园乡整月未报送。）", county=W))
        out.append(_Sample(
            f"柳塘镇_{ym}.xlsx", _xlsx_bytes(_standard_sheets(lt := _units(plans, m, D, "柳塘镇"), extra_col=True)
                                             + _list_sheets(lt[0])),
            "accept", ["W_UNKNOWN_COLUMN"],
            "标准模板，多出一列“包村干部”（无法识别的列，忽略并提示）；含任务台账和问题清单（逐月销号）。"))
    out.append(_Sample(
        f"石槽乡五星台账_{mm}月.csv", _csv_bytes(_gbk_csv_sheet(_units(plans, m, D, "石槽乡")[0]), "gbk"), "accept",
        [], "GBK 编码 CSV（Windows 版 Excel 另存）：无县区、无年份月份，二者由上传人指定。", period=f"{YEAR}-{mm:02d}",
        county=D))
    out.append(_Sample(
        f"麦丰镇_{YEAR}-{mm:02d}.csv", _csv_bytes(_bom_csv_sheet(_units(plans, m, D, "麦丰镇")[0]), "utf-8-sig"),
        "accept", [], "UTF-8（带 BOM）CSV：县区列、月份列，已完成任务写成“18/29”。"
        + ("瓦窑村本月未报送。" if m == 8 else "") + ("豆家庄村已并入双井村，不再报送。" if m == 6 else "")))
    fu = _units(plans, m, D, "凤栖街道")[0]
    if m == 10:
        out.append(_Sample(
            f"凤栖街道_{YEAR}10_副本.xlsx", _xlsx_bytes(_formula_sheets(fu)), "accept", ["W_PERIOD_CONFLICT"],
            "当前星级、任务完成率为公式列（取缓存值）。文件名写着10月、标题写着11月：以标题为准（11月）并提示。"))
    else:
        out.append(_Sample(
            f"凤栖街道_{ym}.xlsx", _xlsx_bytes(_formula_sheets(fu)), "accept", [],
            "只有2个社区的街道；当前星级、任务完成率为公式列（取缓存值）。"))
    return out


def _weeks_of_month(m: int) -> list[date]:
    """Mondays of the ISO weeks whose Sunday falls in month index ``m`` of YEAR (the weeks the
    month view falls back to, cadence.md §1)."""
    first = MONTHS[m]
    sunday = first + timedelta(days=(6 - first.weekday()) % 7)
    out = []
    while sunday.month == first.month:
        out.append(sunday - timedelta(days=6))
        sunday += timedelta(days=7)
    return out


def weekly_history(seed: int = SEED) -> list[dict[str, Any]]:
    """The weekly reports of WEEKLY_TOWNSHIP (keys as in v_branch_week, ``period`` = the Monday).

    Week k of the n weeks counted in month m shows month m's stars in its last week and the
    month before's until then, and tasks done growing from last month's count to this month's
    (the last week of a month equals the monthly ledger).
    """
    plans = [p for p in _plans(seed) if (p.county, p.township) == WEEKLY_TOWNSHIP]
    rows: list[dict[str, Any]] = []
    for m in WEEKLY_MONTHS:
        mondays = _weeks_of_month(m)
        for k, monday in enumerate(mondays, start=1):
            last = k == len(mondays)
            for p in plans:
                if not p.present[m]:
                    continue
                shown = m if last or not p.present[m - 1] else m - 1
                st = p.statuses(shown)
                before, now = p.tasks_done(m - 1), p.tasks_done(m)
                rows.append({
                    "period": monday, "county": p.county, "township": p.township, "branch": p.branch,
                    "branch_type": p.btype, "target_stars": p.target,
                    **{f"star_{i}": st[i] for i in spec.SLOTS},
                    "stars": sum(1 for v in st.values() if v == spec.ACHIEVED),
                    "tasks_done": before + (now - before) * k // len(mondays), "tasks_total": len(p.tasks),
                    "open_problems": None, "weak": False,  # the weekly ledger has no 软弱涣散 column
                })
    return rows


def _weekly_samples(plans: list[_Plan], m: int, rng: random.Random) -> list[_Sample]:
    """WEEKLY_TOWNSHIP's weekly ledgers of the weeks counted in month index ``m``, each naming its
    week another way (the forms of cadence.md §1)."""
    county, township = WEEKLY_TOWNSHIP
    members = [p for p in plans if (p.county, p.township) == WEEKLY_TOWNSHIP and p.present[m]]
    by_key = {(r["branch"], r["period"]): r for r in weekly_history() if r["township"] == township}
    out: list[_Sample] = []
    header = ["序号", "县(市、区)", "乡镇(街道)", "村(社区)", "创建目标",
              *(n.removesuffix("星") for n in spec.STAR_NAMES[spec.VILLAGE]), "已完成任务数", "任务总数", "备注"]
    for monday in _weeks_of_month(m):
        sunday = monday + timedelta(days=6)
        week = monday.isocalendar()[1]
        thursday = monday + timedelta(days=3)  # “9月第3周” counts the weeks by their Thursday
        year_, month_, nth = thursday.year, thursday.month, (thursday.day - 1) // 7 + 1
        if m == 6:  # July: 2024年第27周 in the title and the file name
            title, name = f"{township}{YEAR}年第{week}周工作进度台账", f"{township}{YEAR}年第{week}周工作进度台账.xlsx"
        elif m == 7:  # August: 第31周 in the title, the year only in the file name
            title, name = f"{township}第{week}周工作进度台账", f"{township}周报_{YEAR}年_第{week}周.xlsx"
        elif sunday.day <= 14:  # early September: a Monday–Sunday range
            title = (f"{township}工作进度台账（{monday.year}年{monday.month}月{monday.day}日至"
                     f"{'' if sunday.month == monday.month else f'{sunday.month}月'}{sunday.day}日）")
            name = f"{township}周报_{monday:%m%d}-{sunday:%m%d}.xlsx"
        else:  # later September: 9月第3周
            title, name = f"{township}{year_}年{month_}月第{nth}周工作进度台账", f"{township}周报_{year_}年{month_}月第{nth}周.xlsx"
        rows: list[list[Any]] = [[title], [f"填报单位：{township}党委　　填报人：{_person(rng)}"
                                          f"　　填报时间：{sunday.year}年{sunday.month}月{sunday.day}日"], header]
        for i, p in enumerate(members, start=1):
            r = by_key[(p.branch, monday)]
            rows.append([i, county, township, p.branch, p.target,
                         *(STATUS_MARKS["ticks"][r[f"star_{k}"]] for k in spec.SLOTS), r["tasks_done"],
                         r["tasks_total"], f"本周{rng.choice(('按计划推进', '召开专题推进会', '包村干部督导', '对照清单整改'))}"])
        sheet = _Sheet("周进度台账", rows, [(0, 0, 0, len(header) - 1), (1, 0, 1, len(header) - 1)], header=2)
        out.append(_Sample(
            name, _xlsx_bytes([sheet]), "accept", [],
            f"周报（{monday.isocalendar()[0]}-W{week:02d}，{monday.month}.{monday.day}–{sunday.month}.{sunday.day}）：每周报送一次"
            "工作进度台账，按周替换、不替换月报；没有月报的月份取周日落在该月的最近一周。"))
    return out


def _set_status(sheet: _Sheet, branch: str, plans: list[_Plan], m: int, mark: str) -> str:
    """Write ``mark`` into the first not-achieved star cell of ``branch`` (and fix its 当前星级);
    returns the star's name."""
    p = next(p for p in plans if p.branch == branch)
    slot = next(k for k in p.order if p.statuses(m)[k] != spec.ACHIEVED)
    star = spec.star_name(slot, p.btype)
    r = sheet.find_row(branch)
    sheet.rows[r][sheet.col(spec.star_name(slot, spec.VILLAGE).removesuffix("星"))] = mark
    c = sheet.col("当前星级")
    sheet.rows[r][c] = sheet.rows[r][c] + 1
    return star


def _refused_samples(plans: list[_Plan], rng: random.Random) -> list[_Sample]:
    m = 8
    out: list[_Sample] = []

    sheets = _standard_sheets(_units(plans, m, W, "砚池街道"), instructions=True)
    ledger = sheets[1]
    ledger.rows[3][ledger.col("生态宜居星")] = "半达标"
    out.append(_Sample(
        "拒收示例_星级状态无法识别_202409.xlsx", _xlsx_bytes(sheets), "refuse", ["E_VALUE"],
        "星级台账第4行“生态宜居星”填了“半达标”：无法识别的星级状态，应为 已达标/创建中/未启动，整份拒收。"))

    sheets = _standard_sheets(_units(plans, m, D, "柳塘镇"))
    sheets[0].rows.append(list(sheets[0].rows[2]))
    out.append(_Sample(
        "拒收示例_支部重复_202409.xlsx", _xlsx_bytes(sheets), "refuse", ["E_DUPLICATE"],
        "同一支部（荷塘村）在同一月份出现两次（末行重复粘贴），整份拒收。"))

    sheet = _combined_sheets(_units(plans, m, W, "桂香街道")[0])[0]
    _drop_column(sheet, sheet.col("街道"))
    out.append(_Sample(
        "拒收示例_缺少乡镇列_202409.xlsx", _xlsx_bytes([sheet]), "refuse", ["E_MISSING_COLUMN"],
        "删掉了“街道”列：星级台账缺少乡镇（街道）列，无法确定支部归属，整份拒收。"))

    sheets = _standard_sheets(_units(plans, m, D, "麦丰镇"), period_col=False)
    out.append(_Sample(
        "拒收示例_缺少月份.xlsx", _xlsx_bytes(sheets), "refuse", ["E_PERIOD"],
        "表内无月份列、无标题行，文件名也没有年月，上传时也未指定：无法确定报送月份，整份拒收。"))

    sheets = _titled_sheets(_units(plans, m, W, "青石镇")[0], random.Random(99), county_in_title=False)[:1]
    out.append(_Sample(
        "拒收示例_缺少县区_202409.xlsx", _xlsx_bytes(sheets), "refuse", ["E_COUNTY"],
        "无县区列，标题以乡镇名开头（青石镇……），上传时也未指定县区：无法确定县区，整份拒收。"))

    sheets = _standard_sheets(_units(plans, m, D, "石槽乡"))
    ledger = sheets[0]
    ledger.rows[2][ledger.col("创建目标")] = "六星"
    out.append(_Sample(
        "拒收示例_创建目标错误_202409.xlsx", _xlsx_bytes(sheets), "refuse", ["E_VALUE"],
        "创建目标填了“六星”：应为 三星/四星/五星 或留空，整份拒收。"))

    out.append(_Sample(
        "拒收示例_空文件.xlsx", b"", "refuse", ["E_FILE"], "0 字节的空文件：不是可读的工作簿，拒收。"))
    whole = _xlsx_bytes(_standard_sheets(_units(plans, m, D, "凤栖街道")))
    out.append(_Sample(
        "拒收示例_文件损坏_202409.xlsx", whole[: len(whole) // 2], "refuse", ["E_FILE"],
        "只传了一半的 .xlsx（文件被截断）：无法读取，拒收。"))

    out.append(_Sample(
        "拒收示例_只有填表说明_202409.xlsx", _xlsx_bytes([_instructions_sheet()]), "refuse", ["E_NO_LEDGER"],
        "工作簿里只有“填表说明”页，没有星级台账：拒收。"))
    return out


def _drop_column(sheet: _Sheet, col: int) -> None:
    for row in sheet.rows:
        if col < len(row):
            del row[col]
    merges = []
    for r1, c1, r2, c2 in sheet.merges:
        c1 = c1 - 1 if c1 > col else c1
        c2 = c2 - 1 if c2 >= col else c2
        if c2 >= c1:
            merges.append((r1, c1, r2, c2))
    sheet.merges = merges


def write_samples(out_dir: str | Path, *, seed: int = SEED) -> list[dict[str, Any]]:
    """(Re)generate every sample ledger, ``manifest.json`` and ``README.md`` in ``out_dir``; returns the manifest.

    The manifest lists the files in load order (accepted ones first, by month, then
    the refused examples). Files listed by a previous manifest in ``out_dir`` that are
    no longer generated are deleted; no other file is touched.
    """
    out = Path(out_dir)
    out.mkdir(parents=True, exist_ok=True)
    samples = _samples(seed)
    names = [s.file for s in samples]
    if len(set(names)) != len(names):
        raise RuntimeError("duplicate sample file name")
    old_manifest = out / "manifest.json"
    if old_manifest.is_file():
        try:
            old = [str(e["file"]) for e in json.loads(old_manifest.read_text(encoding="utf-8"))]
        except (ValueError, TypeError, KeyError):
            old = []
        for name in set(old) - set(names):
            stale = out / name
            if stale.parent == out and stale.is_file():
                stale.unlink()
    for s in samples:
        (out / s.file).write_bytes(s.content)
    manifest = [s.manifest() for s in samples]
    (out / "manifest.json").write_text(json.dumps(manifest, ensure_ascii=False, indent=2) + "\n", encoding="utf-8")
    (out / "README.md").write_text(_readme(manifest), encoding="utf-8")
    return manifest


_README_HEAD = """# 示例台账（sample_uploads/）

**本目录中的县区、乡镇（街道）、村（社区）和人名全部为虚构，数据也全部为编造，
与任何真实地方、真实支部和真实创建结果无关。**

这些文件由 `python -m analytics make-samples sample_uploads`（`make samples`）按固定随机种子
生成，每次生成的字节完全相同；请勿手工修改，改动生成器 `analytics/sample_data.py` 后重新生成。
`manifest.json` 按应导入的顺序列出每个文件：`expect`（accept 应接收 / refuse 应拒收）、
上传时应指定的 `period`/`county`（文件里没有时）、预期的问题代码 `codes`（拒收文件为错误代码，
接收文件为提示代码）和中文说明 `note`。`python -m analytics init-demo` 把应接收的文件依次
导入空数据库作为演示数据；`tests/test_samples_golden.py` 用真实导入流程逐一核对。

## 虚构的地区

- 两个县区：望川区（砚池街道、桂香街道、青石镇、栗园乡）和东篱县（柳塘镇、石槽乡、麦丰镇、凤栖街道），
  共 8 个乡镇（街道）、69 个村（社区）党支部，2024 年 1—12 月逐月台账。
- 年初约 3% 五星、约 10% 四星、约 30% 三星，全年逐步晋星。砚池街道、青石镇、柳塘镇报送任务台账（作战图）。
- 各项指标都有可看的情况（2024 年 8 月、9 月和第 3 季度）：
  - 晋星/达标：柳塘镇杏坡村（目标四星）9 月由三星晋四星；
  - 降星：柳塘镇前营村 8 月掉一星（10 月恢复）；桂香街道金桂社区 9 月由四星降为三星（11 月恢复）；
  - 未报送：栗园乡 8 月整月未报送（乡镇级一条）；麦丰镇瓦窑村 9 月漏报；麦丰镇豆家庄村 7 月起并入双井村，
    第 3 季度缺报；
  - 停滞：青石镇鹿鸣沟村 5—9 月星级和已完成任务数不变、未达目标；
  - 逾期：青石镇杨家洼村 8、9 月有 4 项任务逾期（另为软弱涣散村）；
  - 并列：石槽乡石槽村与碾盘沟村并列第一（红旗），红土坡村与羊角沟村并列末位（黑旗）；
  - 凤栖街道只有 2 个社区：可得红旗，不评黑旗；
  - 青石镇 9 月先报初报版，后报更正版（演示替换与历史版本）。

## 文件清单（按导入顺序）

| 文件 | 预期 | 上传时指定 | 代码 | 说明 |
|---|---|---|---|---|
"""


def _readme(manifest: list[dict[str, Any]]) -> str:
    lines = [_README_HEAD.rstrip("\n")]
    for e in manifest:
        given = "，".join(x for x in (e["period"] and f"月份 {e['period']}", e["county"] and f"县区 {e['county']}") if x)
        lines.append(f"| {e['file']} | {'接收' if e['expect'] == 'accept' else '拒收'} | {given or '—'} | "
                     f"{' '.join(e['codes']) or '—'} | {e['note']} |")
    return "\n".join(lines) + "\n"


# --------------------------------------------------------------------------- benchmark ledgers

_SYL_A = "青柳杏槐桐枣梨桑榆松柏竹荷莲菱芦苇麦稻谷豆瓜桃李栗榛茶桂兰菊梅"
_SYL_B = "湾沟岭坡洼坪庄营屯寨岗塘桥渠泉井店集铺河"


def write_scale_ledger(path: Path, n_branches: int, *, tasks_per_branch: int = 28, seed: int = 0,
                       period: str = "2024-08") -> dict[str, Any]:
    """A big standard-layout ledger (星级台账 + 任务台账) for benchmarks, written in constant memory.

    25 branches per township (样本镇0001…), 12 townships per county (样本县01…),
    ``tasks_per_branch`` task rows per branch. Every row is valid: the file is accepted.
    """
    rng = random.Random(seed)
    path = Path(path)
    year, month = (int(x) for x in period.split("-"))
    wb = xlsxwriter.Workbook(str(path), {"constant_memory": True})
    wb.set_properties({"title": "五星支部创建工作台账（基准测试）", "author": "示例数据", "created": CREATED})
    ledger = wb.add_worksheet(spec.LEDGER_SHEET_NAME)
    task_ws = wb.add_worksheet(spec.TASK_SHEET_NAME)
    date_fmt = wb.add_format({"num_format": "yyyy-mm-dd"})
    ledger.write_row(0, 0, ["县(市、区)", "乡镇(街道)", "村(社区)", "创建目标", *spec.STAR_NAMES[spec.VILLAGE],
                            "问题数", "软弱涣散", "支部书记", "报送月份"])
    task_ws.write_row(0, 0, ["县(市、区)", "乡镇(街道)", "村(社区)", "所属星", "重点任务", "负责人", "完成时限",
                             "是否完成"])
    per_town, per_county = 25, 12
    words = STATUS_MARKS["words"]
    trow = 0
    for i in range(n_branches):
        t_idx = i // per_town
        county = f"样本县{t_idx // per_county + 1:02d}"
        township = f"样本{'镇' if t_idx % 3 else '街道'}{t_idx + 1:04d}"
        j = i % per_town
        btype = spec.COMMUNITY if j % 5 == 4 else spec.VILLAGE
        # unique inside the township: a distinct second syllable, then "新" for the few that wrap around
        name = f"{_SYL_A[(j * 7 + t_idx) % len(_SYL_A)]}{_SYL_B[j % len(_SYL_B)]}{'新' * (j // len(_SYL_B))}{btype}"
        stars = min(5, max(0, int(rng.gauss(2.4, 1.2))))
        target = rng.choice((3, 4, 5, None)) if stars < 5 else 5
        marks = [words[spec.ACHIEVED]] * stars + [words[spec.IN_PROGRESS]] + [words[spec.NOT_STARTED]] * 4
        ledger.write_row(i + 1, 0, [county, township, name, LEVEL_CN[target] if target else "", *marks[:5],
                                    rng.randint(0, 5), "否", _person(rng), period])
        texts = [x for slot in TASKS[btype] for x in slot]
        for k in range(tasks_per_branch):
            trow += 1
            slot = k % 5 + 1
            deadline = date(year, rng.randint(1, 12), rng.randint(1, 28))
            done = deadline.month <= month and rng.random() < 0.8
            task_ws.write_row(trow, 0, [county, township, name, spec.star_name(slot, btype), texts[k % len(texts)],
                                        _person(rng)])
            task_ws.write_datetime(trow, 6, datetime(deadline.year, deadline.month, deadline.day), date_fmt)
            task_ws.write_string(trow, 7, "是" if done else "否")
    wb.close()
    n_townships = (n_branches + per_town - 1) // per_town
    return {"path": str(path), "period": period, "branches": n_branches, "tasks": trow,
            "townships": n_townships, "counties": (n_townships + per_county - 1) // per_county,
            "bytes": path.stat().st_size}

