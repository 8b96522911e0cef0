"""A big ledger drawn the way offices fill them — the ingest benchmark's input (issue 17 §7).

``write_office_ledger(path, n_branches)`` writes one .xlsx with the four sheets a city
office sends together (星级台账, 任务台账 as a 作战图, 问题清单, 软弱涣散整顿), with a
shared-string table as Excel and WPS save them. Unlike ``analytics.sample_data.write_scale_ledger``
(uniform names, one county per 300 branches, short repeated texts, inline strings), it varies
like real files:

* many counties (one per ~500 branches) and townships of 12–30 branches, invented
  two-syllable names; branch names written ``张庄村``, ``张庄村党支部`` or
  ``东风社区党总支`` (the importer drops the suffix for the identity), the problem
  list always with the organisation's full name;
* a title row, a merged two-row header over the five stars, mixed marks
  (√/×/★/已达标/创建中/推进中/未启动), free-text 存在问题 and 备注, 报送月份 as
  text in two forms;
* the task sheet as a 作战图: 所属星, 重点任务, long varied 具体举措 (two to four
  measures with numbers), 负责人, 领星人, 责任单位, 专班人员, 完成时限 as date cells
  and as text in every accepted form (2024.10.31, 2024/9/30, 2024年10月底, 年底, 长期 …),
  是否完成 as 是/否/已完成/推进中/已验收/已销号;
* a problem list of ~4 rows per branch (~20,000 for a city), open and closed, whose open
  count is the star ledger's 问题数; a rectification sheet for ~5 % of branches.

Every row is valid: the file is accepted (some warnings may be raised, as with real
files). Deterministic for a seed.
"""

from __future__ import annotations

import random
from datetime import date, datetime
from pathlib import Path
from typing import Any

from analytics import spec

# Invented syllables (no real place is meant).
_A = "青柳杏槐桐枣梨桑榆松柏竹荷莲菱芦苇麦稻谷豆瓜桃李栗榛茶桂兰菊梅樱丰安宁康乐和顺兴旺福寿"
_B = "庄寨营屯店集沟湾坡岭园河桥堡铺岗塘洼坪湖台"
_SURNAMES = "王李张刘陈杨赵黄周吴徐孙马朱胡郭何高林罗郑梁谢宋唐韩冯邓曹彭曾萧田董袁潘蒋蔡余杜叶程魏苏吕丁任沈姚卢"
_GIVEN = ("建国", "秀兰", "志强", "海燕", "国庆", "春梅", "红军", "丽娟", "永刚", "玉兰", "卫东", "桂芳", "文斌",
          "晓燕", "俊峰", "淑珍", "明亮", "翠英", "宏伟", "小红", "新民", "金凤", "保国", "彩霞", "振华", "凤英")
_DEPARTMENTS = ("组织办", "党建办", "农业农村办", "乡村振兴办", "综治中心", "司法所", "派出所", "宣传办", "文化站",
                "民政所", "生态环境办", "财政所", "自然资源所", "经发办", "社会事务办")
_MEASURE_PARTS = (
    "制定工作方案，明确时间节点和责任人", "召开专题会议研究部署", "包片干部蹲点指导", "对照标准逐项整改到位",
    "建立工作台账，每周调度一次", "争取上级项目资金{n}万元", "组织党员群众{n}人次参与", "学习先进村（社区）经验",
    "新建改建场地{n}平方米", "入户走访{n}户，逐户登记", "聘请专业团队指导", "纳入年度目标考核",
    "每月通报进度，末位约谈", "建立长效管护机制", "整合涉农资金{n}万元", "覆盖群众{n}户",
)
_PROBLEM_PARTS = (
    "党员活动室设施陈旧", "集体经济收入来源单一，年收入不足{n}万元", "环境卫生反复，背街小巷有垃圾堆放",
    "矛盾纠纷化解不及时，{n}件积案未结", "后备干部不足，年龄结构老化", "档案资料不规范，会议记录缺失{n}次",
    "志愿服务参与度不高", "“三会一课”记录不全", "村规民约未及时修订", "安全隐患排查有{n}处未整改",
)
_PROBLEM_MEASURES = ("制定整改清单，限期销号", "包村干部督导整改", "争取专项资金改造", "建立长效管理机制",
                     "召开专题组织生活会", "补齐台账资料，专人管理")
_WEAK_SITUATIONS = ("班子不团结、战斗力不强", "组织生活不规范", "村务管理混乱、群众意见大", "书记长期缺职")
_WEAK_PLANS = ("选派第一书记，调整充实班子", "县乡领导包联，逐项整改销号", "规范“四议两公开”，公开村务财务")
_NOTES = ("", "", "", "", "", "", "已上报乡镇", "需县级协调", "资金已到位", "待验收", "见附件", "与上月一致")
_DONE_MARKS = ("是", "是", "已完成", "√", "已验收", "已销号")
_OPEN_MARKS = ("否", "推进中", "未完成", "×")
_STAR_MARKS = {  # a star's cell as offices write it
    spec.ACHIEVED: ("√", "★", "已达标", "√", "达标"),
    spec.IN_PROGRESS: ("创建中", "推进中", "△"),
    spec.NOT_STARTED: ("×", "未启动", "×", ""),
}
_LEVEL = ("无星", "一星", "二星", "三星", "四星", "五星")


def _tasks() -> list[list[str]]:
    from analytics.sample_data import TASKS

    return [[t for slot in TASKS[bt] for t in slot] for bt in (spec.VILLAGE, spec.COMMUNITY)]


def _person(rng: random.Random) -> str:
    return rng.choice(_SURNAMES) + rng.choice(_GIVEN)


def _fill(rng: random.Random, part: str) -> str:
    return part.format(n=rng.randint(2, 300)) if "{n}" in part else part


def _measure(rng: random.Random) -> str:
    return "；".join(_fill(rng, p) for p in rng.sample(_MEASURE_PARTS, rng.randint(1, 3))) + "。"


# The forms offices write a deadline in as text (2024.10.31, 2024年10月底, 年底, 长期 …).
_DEADLINE_FORMS = ("{d.year}.{d.month}.{d.day}", "{d.year}/{d.month}/{d.day}", "{d.year}年{d.month}月{d.day}日",
                   "{d.year}年{d.month}月底", "{d.month}月底", "{d.year}-{d.month:02d}-{d.day:02d}", "年底", "长期")


def _deadline_text(rng: random.Random, d: date) -> str:
    """A deadline written as text in one of the forms offices use."""
    return _DEADLINE_FORMS[rng.randrange(len(_DEADLINE_FORMS))].format(d=d)


def _unique(rng: random.Random, taken: set[str], make: Any) -> str:
    for _ in range(50):
        name = make()
        if name not in taken:
            taken.add(name)
            return str(name)
    name = make() + str(len(taken))
    taken.add(name)
    return str(name)


def write_office_ledger(path: Path, n_branches: int, *, seed: int = 0, period: str = "2024-08") -> dict[str, Any]:
    """Write the four-sheet office ledger; return counts (branches, tasks, problems, weak rows, bytes)."""
    import xlsxwriter

    rng = random.Random(seed)
    year, month = (int(x) for x in period.split("-"))
    task_texts = _tasks()

    # --- who: counties of ~500 branches, townships of 12–30 ------------------------------------
    branches: list[tuple[str, str, str, str]] = []  # county, township, ledger name, type
    counties: set[str] = set()
    while len(branches) < n_branches:
        county = _unique(rng, counties, lambda: rng.choice(_A) + rng.choice(_A) + rng.choice(("县", "县", "区", "市")))
        towns: set[str] = set()
        in_county = 0
        while in_county < 500 and len(branches) < n_branches:
            town = _unique(rng, towns, lambda: rng.choice(_A) + rng.choice(_B) + rng.choice(("镇", "镇", "乡", "街道")))
            names: set[str] = set()
            for _ in range(min(rng.randint(12, 30), n_branches - len(branches))):
                btype = spec.COMMUNITY if (town.endswith("街道") and rng.random() < 0.7) or rng.random() < 0.08 \
                    else spec.VILLAGE
                stem = _unique(rng, names, lambda: rng.choice(_A) + rng.choice(_B) + ("新" if rng.random() < 0.05 else ""))
                branches.append((county, town, stem + btype, btype))
                in_county += 1

    # Not constant_memory: that mode writes every string inline, while Excel and WPS save a
    # shared-string table (t="s"), which is what readers of real files parse.
    wb = xlsxwriter.Workbook(str(path))
    wb.set_properties({"title": "五星支部创建工作台账（基准测试，仿真）", "author": "示例数据",
                       "created": datetime(2024, 12, 31, 9, 0, 0)})
    title_fmt = wb.add_format({"bold": True, "font_size": 16, "align": "center"})
    head_fmt = wb.add_format({"bold": True, "align": "center", "valign": "vcenter", "border": 1, "text_wrap": True})
    date_fmt = wb.add_format({"num_format": "yyyy-mm-dd"})
    date_fmt2 = wb.add_format({"num_format": "yyyy\"年\"m\"月\"d\"日\""})
    month_text = f"{year}年{month}月"

    ledger = wb.add_worksheet(spec.LEDGER_SHEET_NAME)
    tasks_ws = wb.add_worksheet("作战图")
    problems_ws = wb.add_worksheet(spec.PROBLEM_SHEET_NAME)
    weak_ws = wb.add_worksheet(spec.WEAK_SHEET_NAME)

    # 星级台账: title, then a two-row header: 创建情况 over the five stars, the other labels
    # spanning both rows. Written as the reader sees a merged header (the value in the top cell,
    # the cells it covers empty): constant-memory mode cannot go back to merge a row it left.
    star_names = spec.STAR_NAMES[spec.VILLAGE]
    ledger.write_string(0, 0, f"××市“五星”支部创建工作台账（{month_text}）", title_fmt)
    ledger.write_row(1, 0, ["序号", "县(市、区)", "乡镇(街道)", "村(社区)", "创建目标", "创建情况", "", "", "", "",
                            "问题数", "存在问题", "软弱涣散", "支部书记", "报送月份", "备注"], head_fmt)
    ledger.write_row(2, 5, list(star_names), head_fmt)

    tasks_ws.write_string(0, 0, f"“五星”支部创建作战图（{month_text}）", title_fmt)
    tasks_ws.write_row(1, 0, ["序号", "县(市、区)", "乡镇(街道)", "村(社区)", "所属星", "重点任务", "具体举措", "负责人",
                              "领星人", "责任单位", "专班人员", "完成时限", "是否完成", "备注"], head_fmt)
    problems_ws.write_string(0, 0, f"问题清单（截至{month_text}）", title_fmt)
    problems_ws.write_row(1, 0, ["序号", "县(市、区)", "乡镇(街道)", "党组织名称", "所属星", "问题描述", "整改措施",
                                 "责任人", "整改时限", "是否销号", "销号时间", "备注"], head_fmt)
    weak_ws.write_string(0, 0, "软弱涣散基层党组织整顿台账", title_fmt)
    weak_ws.write_row(1, 0, ["序号", "县(市、区)", "乡镇(街道)", "村(社区)", "认定情形", "整顿措施", "包联领导",
                             "认定时间", "整顿状态", "销号时间", "备注"], head_fmt)

    n_tasks = n_problems = n_weak = 0
    lrow, trow, prow, wrow = 3, 2, 2, 2
    for i, (county, town, stem_name, btype) in enumerate(branches):
        # How the ledger writes the name: bare, or with the organisation's suffix.
        roll = rng.random()
        suffix = "" if roll < 0.4 else ("党总支" if roll < 0.55 else "党支部")
        shown = stem_name + suffix
        full = stem_name + (suffix or "党支部")
        stars = min(5, max(0, int(rng.gauss(2.4, 1.2))))
        target = rng.choice((3, 4, 5, None)) if stars < 5 else 5
        statuses = [spec.ACHIEVED] * stars + [spec.IN_PROGRESS] + [spec.NOT_STARTED] * 4
        marks = [rng.choice(_STAR_MARKS[s]) for s in statuses[:5]]
        weak_state = None
        if rng.random() < 0.05:
            weak_state = rng.choice(("整顿中", "整顿中", "巩固提升", "已销号"))
        # the problem list: open and closed rows; the open count is the ledger's 问题数
        n_rows = rng.choice((0, 1, 2, 3, 4, 4, 5, 6, 7, 8))
        problem_rows = []
        for _ in range(n_rows):
            text = _fill(rng, rng.choice(_PROBLEM_PARTS))
            closed = rng.random() < 0.45
            due = date(year, rng.randint(max(1, month - 3), 12), rng.randint(1, 28))
            problem_rows.append((text, closed, due))
        open_n = sum(1 for _, closed, _ in problem_rows if not closed)
        open_texts = "；".join(t for t, closed, _ in problem_rows if not closed)
        secretary = _person(rng)
        ledger.write_row(lrow, 0, [i + 1, county, town, shown, _LEVEL[target] if target else "", *marks, open_n,
                                   open_texts, "是" if weak_state in ("整顿中", "巩固提升") else "否", secretary,
                                   month_text if rng.random() < 0.9 else period, rng.choice(_NOTES)])
        lrow += 1

        texts = task_texts[1 if btype == spec.COMMUNITY else 0]
        owner_of_star = [_person(rng) for _ in range(5)]
        team = "、".join(_person(rng) for _ in range(rng.randint(2, 4)))
        n_branch_tasks = rng.randint(22, 35)
        for k in range(n_branch_tasks):
            slot = k * 5 // n_branch_tasks + 1  # grouped by star, as a 作战图 is drawn
            first_of_star = k == 0 or (k - 1) * 5 // n_branch_tasks + 1 != slot
            deadline = date(year, rng.randint(1, 12), rng.randint(1, 28))
            done = deadline.month <= month and rng.random() < 0.8
            # Cells merged down a block show their value in the top cell only: 县/乡镇 per
            # township, 专班人员 per branch, 领星人 per star.
            new_town = k == 0 and (trow == 2 or branches[i - 1][1] != town)
            tasks_ws.write_row(trow, 0, [trow - 1, county if new_town else "", town if new_town else "", shown,
                                         spec.star_name(slot, btype), texts[k % len(texts)], _measure(rng),
                                         _person(rng), owner_of_star[slot - 1] if first_of_star else "",
                                         rng.choice(_DEPARTMENTS), team if k == 0 else ""])
            form = rng.random()
            if form < 0.45:
                tasks_ws.write_datetime(trow, 11, datetime(deadline.year, deadline.month, deadline.day), date_fmt)
            elif form < 0.55:
                tasks_ws.write_datetime(trow, 11, datetime(deadline.year, deadline.month, deadline.day), date_fmt2)
            else:
                tasks_ws.write_string(trow, 11, _deadline_text(rng, deadline))
            tasks_ws.write_string(trow, 12, rng.choice(_DONE_MARKS) if done else rng.choice(_OPEN_MARKS))
            note = rng.choice(_NOTES)
            if note:
                tasks_ws.write_string(trow, 13, note)
            trow += 1
            n_tasks += 1

        for text, closed, due in problem_rows:
            slot = rng.choice((1, 2, 3, 4, 5, None))
            problems_ws.write_row(prow, 0, [prow - 1, county, town, full,
                                            spec.star_name(slot, btype) if slot else "", text,
                                            rng.choice(_PROBLEM_MEASURES), _person(rng)])
            problems_ws.write_datetime(prow, 8, datetime(due.year, due.month, due.day), date_fmt)
            problems_ws.write_string(prow, 9, rng.choice(("已销号", "已整改", "√")) if closed
                                     else rng.choice(("整改中", "未销号", "未整改")))
            if closed:
                done_on = date(year, rng.randint(1, month), rng.randint(1, 28))
                if rng.random() < 0.5:
                    problems_ws.write_datetime(prow, 10, datetime(done_on.year, done_on.month, done_on.day), date_fmt)
                else:
                    problems_ws.write_string(prow, 10, f"{done_on.year}.{done_on.month}.{done_on.day}")
            prow += 1
            n_problems += 1

        if weak_state is not None:
            identified = date(year - 1, rng.randint(1, 12), rng.randint(1, 28))
            weak_ws.write_row(wrow, 0, [wrow - 1, county, town, stem_name, rng.choice(_WEAK_SITUATIONS),
                                        rng.choice(_WEAK_PLANS), _person(rng),
                                        f"{identified.year}年{identified.month}月", weak_state])
            if weak_state == "已销号":
                weak_ws.write_string(wrow, 9, f"{year}年{rng.randint(1, month)}月")
            wrow += 1
            n_weak += 1

    ledger.write_string(lrow + 1, 0, f"填表人：{_person(rng)}    审核人：{_person(rng)}    联系电话：0379-6{rng.randint(1000000, 9999999)}")
    wb.close()
    return {"path": str(path), "period": period, "branches": len(branches), "tasks": n_tasks,
            "problems": n_problems, "weak": n_weak, "counties": len(counties),
            "townships": len({(c, t) for c, t, _, _ in branches}), "bytes": Path(path).stat().st_size}
