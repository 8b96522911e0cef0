"""The ledger contract (shared/spec/ledger-format.md) as data.

Everything a ledger may say — star names, status marks, header aliases, skip
words — lives here, so a new alias is a one-line change. Matching code lives in
``analytics.ingest``; this module only declares.
"""

from __future__ import annotations

import unicodedata
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Final, TypeVar

K = TypeVar("K")

VILLAGE: Final = "村"
COMMUNITY: Final = "社区"
BRANCH_TYPES: Final = (VILLAGE, COMMUNITY)

# §2 — star names per slot and branch type (slot = canonical display order).
STAR_NAMES: Final[dict[str, tuple[str, str, str, str, str]]] = {
    VILLAGE: ("支部过硬星", "产业兴旺星", "生态宜居星", "平安法治星", "文明幸福星"),
    COMMUNITY: ("支部过硬星", "共建共享星", "宜业兴业星", "平安法治星", "幸福和谐星"),
}
SLOTS: Final = (1, 2, 3, 4, 5)


def star_name(slot: int, branch_type: str) -> str:
    """Display name of a slot for a branch type (村 names when the type is unknown)."""
    names = STAR_NAMES.get(branch_type, STAR_NAMES[VILLAGE])
    return names[slot - 1]


def _star_name_index() -> dict[str, int]:
    index: dict[str, int] = {}
    for names in STAR_NAMES.values():
        for slot, name in enumerate(names, start=1):
            index[name] = slot
            index[name.removesuffix("星")] = slot
    return index


# Any star name, with or without the trailing 星, of either type -> slot.
STAR_NAME_TO_SLOT: Final[dict[str, int]] = _star_name_index()

# §2 — per-star status codes and the marks accepted for each (after normalization).
ACHIEVED: Final = "achieved"
IN_PROGRESS: Final = "in_progress"
NOT_STARTED: Final = "not_started"
STATUS_CODES: Final = (ACHIEVED, IN_PROGRESS, NOT_STARTED)
STATUS_LABELS: Final[dict[str | None, str]] = {
    ACHIEVED: "已达标",
    IN_PROGRESS: "创建中",
    NOT_STARTED: "未启动",
    None: "未填报",
}
STATUS_MARKS: Final[dict[str, tuple[str, ...]]] = {
    ACHIEVED: ("已达标", "达标", "已创成", "创成", "已验收", "已完成", "完成", "√", "✓", "✔", "★", "是", "1"),
    IN_PROGRESS: ("创建中", "推进中", "进行中", "正在创建", "在建", "△", "○", "2"),
    NOT_STARTED: ("未启动", "未达标", "未开始", "未创建", "×", "✗", "✘", "否", "0"),
}

# §3.2 — task "done" marks (是/否, √/×, 已完成/未完成/推进中); battle-map.md §1 adds
# 已验收 (done and accepted) and 已销号 (done).
TASK_DONE_MARKS: Final[dict[bool, tuple[str, ...]]] = {
    True: ("是", "√", "✓", "✔", "已完成", "完成", "已销号", "销号", "已验收", "1", "★"),
    False: ("否", "×", "✗", "✘", "未完成", "推进中", "进行中", "创建中", "未开始", "未启动", "0", "○", "△"),
}
# battle-map.md §1 — done marks that also mean accepted.
TASK_DONE_ACCEPTED_MARKS: Final = ("已验收",)
# battle-map.md §1 — accepted (验收) marks; a blank cell is false.
TASK_ACCEPTED_MARKS: Final[dict[bool, tuple[str, ...]]] = {
    True: ("已验收", "验收", "通过", "已通过", "验收通过", "合格", "√", "✓", "✔", "是", "1"),
    False: ("未验收", "未通过", "待验收", "×", "✗", "✘", "否", "0"),
}
# battle-map.md §2 — problem closed (销号) marks.
PROBLEM_CLOSED_MARKS: Final[dict[bool, tuple[str, ...]]] = {
    True: ("已销号", "销号", "已整改", "已完成", "完成", "已销项", "√", "✓", "✔", "是", "1"),
    False: ("未整改", "整改中", "未销号", "未完成", "推进中", "正在整改", "×", "✗", "✘", "否", "0"),
}
# battle-map.md §3 — rectification states; the cleared ones end the branch's weak status.
WEAK_STATES: Final = ("整顿中", "已销号", "已摘帽", "巩固提升")
WEAK_CLEARED_STATES: Final = ("已销号", "已摘帽")

# §3.1 — weak (软弱涣散) marks: 是/否, √/空.
WEAK_MARKS: Final[dict[bool, tuple[str, ...]]] = {
    True: ("是", "√", "✓", "✔", "软弱涣散", "1", "★"),
    False: ("否", "×", "✗", "✘", "0", "不是", "无"),
}

# §2 — star level words for target_stars / stars_reported; Chinese numerals 0–5.
LEVEL_NUMERALS: Final[dict[str, int]] = {"零": 0, "无": 0, "一": 1, "二": 2, "两": 2, "三": 3, "四": 4, "五": 5}

# §3.1 — star-ledger fields and their header aliases (exact, after normalization).
# Order inside a tuple does not matter; matching also tries the alias with a
# trailing 数/名称 removed where that is unambiguous (see ingest.headers).
LEDGER_ALIASES: Final[dict[str, tuple[str, ...]]] = {
    "county": ("县(市、区)", "县市区", "县区", "区县", "县(区)", "所属县区", "县(市区)", "县(市,区)"),
    "township": ("乡镇(街道)", "乡镇街道", "街道(乡镇)", "乡镇", "街道", "办事处", "所属乡镇", "所属街道"),
    "branch": (
        "村(社区)", "村(社区)名称", "村社区", "村名", "社区名称", "党组织名称", "支部名称", "党支部", "单位名称",
    ),
    "branch_type": ("类型", "类别", "村/社区"),
    "target_stars": ("创建目标", "目标星级", "申报星级", "争创星级"),
    "stars_reported": ("当前星级", "现有星级", "已获星级", "星级"),
    "tasks_done": ("已完成任务", "已完成任务数", "完成任务数"),
    "tasks_total": ("任务总数", "重点任务数"),
    "task_rate": ("任务完成率", "完成率"),
    "open_problems": ("问题数", "存在问题数", "未销号问题数"),
    "problems": ("存在问题", "问题清单"),
    "weak": ("软弱涣散", "是否软弱涣散"),
    "secretary": ("支部书记", "书记", "党组织书记", "第一责任人"),
    "period": ("报送月份", "月份", "统计月份", "填报月份"),
    "notes": ("备注",),
    "seq": ("序号",),
}
# §3.2 — task-ledger fields.
TASK_ALIASES: Final[dict[str, tuple[str, ...]]] = {
    "county": LEDGER_ALIASES["county"],
    "township": LEDGER_ALIASES["township"],
    "branch": LEDGER_ALIASES["branch"],
    "star": ("所属星", "星类", "星级类别", "创建星", "对应星"),
    "task": ("重点任务", "任务", "创建任务", "任务内容"),
    "measure": ("具体举措", "具体措施", "工作举措", "措施"),
    "owner": ("负责人", "责任人"),
    "deadline": ("完成时限", "时限", "截止时间", "计划完成时间"),
    "done": ("是否完成", "完成情况", "进度"),
    "done_date": ("完成时间", "实际完成时间", "销号时间"),
    "period": LEDGER_ALIASES["period"],
    "notes": ("备注",),
    "seq": ("序号",),
}
TASK_ALIASES.update({
    # battle-map.md §1: the task sheet as offices draw their 作战图.
    "team": ("专班人员", "专班成员", "工作专班", "创建专班"),
    "star_owner": ("领星人", "领办人", "星长"),
    "department": ("责任单位", "牵头单位", "责任部门", "配合单位"),
    "deadline": TASK_ALIASES["deadline"] + ("时间节点", "完成时间节点"),
    "accepted": ("是否验收", "验收情况", "验收"),
    "accepted_date": ("验收时间", "验收日期"),
})
# battle-map.md §2 — problem-list (问题清单) fields.
PROBLEM_ALIASES: Final[dict[str, tuple[str, ...]]] = {
    "county": LEDGER_ALIASES["county"],
    "township": LEDGER_ALIASES["township"],
    "branch": LEDGER_ALIASES["branch"],
    "star": TASK_ALIASES["star"],
    "problem": ("问题", "存在问题", "问题描述", "问题清单"),
    "measure": ("整改措施", "措施"),
    "owner": ("责任人", "负责人"),
    "deadline": ("整改时限", "完成时限", "时限"),
    "closed": ("是否销号", "整改情况", "销号情况"),
    "closed_date": ("销号时间", "整改完成时间"),
    "period": LEDGER_ALIASES["period"],
    "notes": ("备注",),
    "seq": ("序号",),
}
# battle-map.md §3 — weak-branch rectification (软弱涣散整顿) fields.
WEAK_ALIASES: Final[dict[str, tuple[str, ...]]] = {
    "county": LEDGER_ALIASES["county"],
    "township": LEDGER_ALIASES["township"],
    "branch": LEDGER_ALIASES["branch"],
    "situations": ("认定情形", "存在问题", "主要问题"),
    "plan": ("整顿措施", "整改方案"),
    "liaison": ("包联领导", "联系领导", "责任人"),
    "identified": ("认定时间",),
    "state": ("整顿状态", "状态"),
    "cleared": ("销号时间", "摘帽时间"),
    "period": LEDGER_ALIASES["period"],
    "notes": ("备注",),
    "seq": ("序号",),
}
# register.md §1 — the branch register (支部名册) fields.
REGISTER_ALIASES: Final[dict[str, tuple[str, ...]]] = {
    "county": LEDGER_ALIASES["county"],
    "township": LEDGER_ALIASES["township"],
    "branch": LEDGER_ALIASES["branch"],
    "branch_type": ("类型", "类别", "村/社区", "星级标准", "支部类型", "创建类型"),
    "secretary": ("支部书记", "书记", "党组织书记", "第一责任人", "支部书记姓名", "书记姓名"),
    "liaison": ("包村领导", "包联领导", "联系领导", "包片领导", "驻村干部", "创建指导员", "包村干部"),
    "team": ("创建专班", "工作专班", "指导组", "专班", "专班成员", "专班人员"),
    "status": ("状态", "支部状态", "名册状态"),
    "notes": ("备注",),
    "seq": ("序号",),
}
# register.md §2 — declared goals (创建目标): counts per exact level, or one text cell
# "五星2个、四星7个、三星5个" (goal_text); due is the deadline (2024, 2024-12, 2024年底).
GOAL_ALIASES: Final[dict[str, tuple[str, ...]]] = {
    "county": LEDGER_ALIASES["county"],
    "township": LEDGER_ALIASES["township"],
    "goal_5": ("五星", "五星支部", "五星目标", "五星个数", "五星支部数", "目标五星", "创建五星", "五星级"),
    "goal_4": ("四星", "四星支部", "四星目标", "四星个数", "四星支部数", "目标四星", "创建四星", "四星级"),
    "goal_3": ("三星", "三星支部", "三星目标", "三星个数", "三星支部数", "目标三星", "创建三星", "三星级"),
    "goal_text": ("创建目标", "目标", "目标任务", "创建目标任务", "目标数"),
    "due": ("完成时限", "目标年度", "时限", "完成时间", "截止时间", "目标时限", "年度", "完成年度"),
    "notes": ("备注",),
    "seq": ("序号",),
}
# cadence.md §2 — assessment-score (量化考核 / 观摩评分) fields. Every other column whose cells are
# numbers is a score item (随机抽查, 履职到位 …); these named items count as items whatever
# their cells hold (a cell that is not a number is then E_VALUE).
SCORE_ALIASES: Final[dict[str, tuple[str, ...]]] = {
    "county": LEDGER_ALIASES["county"],
    "township": LEDGER_ALIASES["township"],
    "branch": LEDGER_ALIASES["branch"],
    "branch_type": LEDGER_ALIASES["branch_type"],
    "total": ("总分", "合计得分", "考核得分", "得分", "总得分", "评分合计", "合计分"),
    "assessor": ("评分人", "考核组", "评分组", "考核人"),
    "period": LEDGER_ALIASES["period"] + ("考核期间", "考核周期", "考核月份", "考核季度", "评分期间"),
    "rank": ("排名", "名次", "排序"),  # ignored: the dashboard ranks by itself
    "notes": ("备注",),
    "seq": ("序号",),
}
ASSESSMENT_ITEMS: Final = ("随机抽查", "履职到位", "制度落实", "问题处置", "领办实事", "现场观摩", "观摩评分")
# The item name the total is stored under in v_assessment (cadence.md §2).
ASSESSMENT_TOTAL_ITEM: Final = "总分"
# cadence.md §5 — year-end acceptance (验收结果) fields.
ACCEPTANCE_ALIASES: Final[dict[str, tuple[str, ...]]] = {
    "county": LEDGER_ALIASES["county"],
    "township": LEDGER_ALIASES["township"],
    "branch": LEDGER_ALIASES["branch"],
    "branch_type": LEDGER_ALIASES["branch_type"],
    "awarded_stars": ("评定星级", "验收星级", "授予星级", "认定星级", "授星星级", "验收评定星级"),
    "accepted_at": ("验收时间", "验收日期", "授星时间", "评定时间"),
    "year": ("年度", "验收年度", "考核年度", "评定年度"),
    "notes": ("备注",),
    "seq": ("序号",),
}
LEDGER_REQUIRED: Final = ("township", "branch")
TASK_REQUIRED: Final = ("township", "branch", "task", "done")
PROBLEM_REQUIRED: Final = ("township", "branch", "problem", "closed")
WEAK_REQUIRED: Final = ("township", "branch", "state")
REGISTER_REQUIRED: Final = ("township", "branch", "branch_type")
GOAL_REQUIRED: Final = ("due",)
# Fields whose blank cells are carried down from the row above (§3.3 item 3).
CARRY_DOWN_FIELDS: Final = ("county", "township")
# Identity columns searched for totals words (§3.3 item 6).
IDENTITY_FIELDS: Final = ("county", "township", "branch")

# §3.1 default task totals when the ledger gives none but has task information.
DEFAULT_TASKS_TOTAL: Final[dict[str, int]] = {VILLAGE: 29, COMMUNITY: 27}

# §3.3 item 4 — branch-name suffixes dropped to get the identity name.
BRANCH_SUFFIXES: Final = ("党总支", "党支部", "党组织", "党委")
# §1 — infer branch_type from the name.
VILLAGE_NAME_ENDINGS: Final = ("村", "村委会")
COMMUNITY_NAME_ENDINGS: Final = ("社区", "居委会")
# §1 — words accepted in a 类型 column (after normalization and dropping 党支部 etc.).
BRANCH_TYPE_WORDS: Final[dict[str, tuple[str, ...]]] = {
    VILLAGE: ("村", "农村", "行政村", "村委会", "村级"),
    COMMUNITY: ("社区", "城市社区", "城镇社区", "居委会", "居民委员会", "社区级"),
}

# §3.3 item 6 — rows to skip.
TOTAL_WORDS: Final = ("合计", "总计", "小计")
FOOTER_PREFIXES: Final = ("填表人", "审核人", "制表", "联系电话", "说明", "注", "备注:")
# §4 — title rows that start with these are not title rows.
NON_TITLE_PREFIXES: Final = ("填报", "填表", "审核", "制表")

# §3.1 / §3.2 — default sheet names of the standard template (battle-map.md §2–§3 add two).
LEDGER_SHEET_NAME: Final = "星级台账"
TASK_SHEET_NAME: Final = "任务台账"
PROBLEM_SHEET_NAME: Final = "问题清单"
WEAK_SHEET_NAME: Final = "软弱涣散整顿"
SCORE_SHEET_NAME: Final = "考核评分"
ACCEPTANCE_SHEET_NAME: Final = "验收结果"


# --- sheet kinds -------------------------------------------------------------
# Every kind of table the importer reads, as data: ingest.headers recognises a
# sheet by trying every kind's rules, ingest.validate extracts and types its rows
# from the same declaration. A new kind is a new entry here plus its row builder.


@dataclass(frozen=True)
class Recognition:
    """One rule that makes a header a sheet of some kind (all conditions must hold).

    ``priority``: when several kinds' rules hold for one header, the lowest wins.
    """

    priority: int
    fields: tuple[str, ...] = ()  # fields of this kind that must all be matched
    labels: tuple[str, ...] = ()  # header texts (normalized) that must all be present
    any_labels: tuple[str, ...] = ()  # at least one of these header texts (empty: no condition)
    min_star_slots: int = 0  # at least this many star slots among the columns (star-ledger kinds)
    absent: tuple[tuple[str, str], ...] = ()  # (kind, field): that kind's field must not be matched
    max_star_slots: int | None = None  # at most this many star-name columns in the header (None: any)
    min_items: int = 0  # at least this many score-item columns (kinds with ``item_columns``)


@dataclass(frozen=True)
class SheetKind:
    key: str
    label: str  # what the kind is called in messages (星级台账 …)
    aliases: Mapping[str, tuple[str, ...]]
    required: tuple[str, ...]
    recognition: tuple[Recognition, ...]
    carry: tuple[str, ...] = ("county", "township")  # carried down when blank (§3.3 item 3)
    free_text: frozenset[str] = frozenset()  # kept as written (only trimmed); others normalized
    parsers: Mapping[str, str] = field(default_factory=dict)  # field -> parser (ingest.values.PARSERS)
    star_columns: bool = False  # star-name columns are matched (the star ledger)
    # Without township and branch columns the sheet belongs to the one branch its title or
    # sheet name names, or to the star ledger's only branch (a village's own 作战图).
    context_identity: bool = False
    # Columns no field matches are score items when their header is one of ``items`` or their
    # cells are numbers (the assessment sheet of cadence.md §2).
    item_columns: bool = False
    items: tuple[str, ...] = ()


LEDGER_KIND: Final = SheetKind(
    key="ledger", label="星级台账", aliases=LEDGER_ALIASES, required=LEDGER_REQUIRED,
    # §3.2 'Recognising sheets': branch and ≥3 star columns, or branch and 当前星级 (then a
    # task sheet wins: a 作战图 may carry a 星级 column).
    recognition=(Recognition(0, fields=("branch",), min_star_slots=3),
                 Recognition(2, fields=("branch", "stars_reported"))),
    free_text=frozenset({"problems", "notes"}),
    parsers={"target_stars": "target", "stars_reported": "stars_reported", "open_problems": "count",
             "weak": "weak", "branch_type": "branch_type"},
    star_columns=True,
)
TASK_KIND: Final = SheetKind(
    key="task", label="任务台账", aliases=TASK_ALIASES, required=TASK_REQUIRED,
    # battle-map.md §1: branch, task and done (the star column is optional); a village's own
    # 作战图 drawn with the seed's columns (no branch column) has task, measure, owner and done.
    recognition=(Recognition(1, fields=("branch", "task", "done")),
                 Recognition(1, fields=("task", "done", "measure", "owner"))),
    context_identity=True,
    # In a 作战图 the branch and star cells are usually merged over their tasks.
    carry=("county", "township", "branch", "star"),
    free_text=frozenset({"task", "measure", "notes"}),
    parsers={"star": "star", "done": "done", "accepted": "accepted", "deadline": "date",
             "done_date": "date", "accepted_date": "date"},
)
WEAK_KIND: Final = SheetKind(
    key="weak", label="软弱涣散整顿表", aliases=WEAK_ALIASES, required=WEAK_REQUIRED,
    # battle-map.md §3: branch and 整顿状态, or branch and 状态 with 认定情形 or 整顿措施.
    recognition=(Recognition(3, fields=("branch",), labels=("整顿状态",)),
                 Recognition(3, fields=("branch",), labels=("状态",), any_labels=("认定情形", "整顿措施"))),
    carry=("county", "township"),
    free_text=frozenset({"situations", "plan", "notes"}),
    parsers={"state": "weak_state", "identified": "date", "cleared": "date"},
)
PROBLEM_KIND: Final = SheetKind(
    key="problem", label="问题清单", aliases=PROBLEM_ALIASES, required=PROBLEM_REQUIRED,
    # battle-map.md §2: branch and problem, and no done-of-task column.
    recognition=(Recognition(4, fields=("branch", "problem"), absent=(("task", "done"),)),),
    # The branch cell is often merged over its problems; a star is the problem's own.
    carry=("county", "township", "branch"),
    free_text=frozenset({"problem", "measure", "notes"}),
    parsers={"star": "star", "closed": "closed", "deadline": "date", "closed_date": "date"},
)
REGISTER_KIND: Final = SheetKind(
    key="register", label="支部名册", aliases=REGISTER_ALIASES, required=REGISTER_REQUIRED,
    # register.md §1: branch with its type, or with a liaison or team column (no star columns:
    # a star ledger with a 类型 column is a ledger, priority 0 wins; a sheet with a score total
    # is a score sheet even when it has a 类型 column).
    recognition=(Recognition(5, fields=("branch", "branch_type"), absent=(("score", "total"),)),
                 Recognition(5, fields=("branch", "liaison"), absent=(("score", "total"),)),
                 Recognition(5, fields=("branch", "team"), absent=(("score", "total"),))),
    carry=("county", "township"),
    free_text=frozenset({"secretary", "liaison", "team", "notes"}),
    parsers={"branch_type": "branch_type", "status": "register_status"},
)
GOAL_KIND: Final = SheetKind(
    key="goals", label="创建目标", aliases=GOAL_ALIASES, required=GOAL_REQUIRED,
    # register.md §2: a level count with a deadline, or the goal text with a deadline or a unit
    # column. (A 汇总 sheet of 县区 / 五星 / 四星 / 三星 counts has no deadline: not a goals sheet.)
    recognition=(
        *(Recognition(6, fields=(goal, "due")) for goal in ("goal_5", "goal_4", "goal_3")),
        *(Recognition(6, fields=("goal_text", other)) for other in ("due", "county", "township")),
    ),
    # A blank township is the county's own goal: only the county is carried down.
    carry=("county",),
    free_text=frozenset({"notes"}),
    parsers={"goal_5": "count", "goal_4": "count", "goal_3": "count", "goal_text": "goal_text"},
)
# The kinds of the register workbook (register.md): read by analytics.ingest.register, skipped by ledgers.
REGISTER_KINDS: Final = (REGISTER_KIND.key, GOAL_KIND.key)

SCORE_KIND: Final = SheetKind(
    key="score", label="考核评分表", aliases=SCORE_ALIASES, required=LEDGER_REQUIRED,
    # cadence.md §2: branch and total, or branch and at least two numeric item columns; never a
    # sheet with star columns (a star ledger with a 得分 column stays a star ledger). The
    # highest priority number: any other kind that fits wins (a register with two columns of
    # numbers, e.g. phone numbers, stays a register).
    recognition=(Recognition(7, fields=("branch", "total"), max_star_slots=0, absent=(("ledger", "stars_reported"),)),
                 Recognition(7, fields=("branch",), min_items=2, max_star_slots=0,
                             absent=(("ledger", "stars_reported"),))),
    carry=("county", "township"),
    free_text=frozenset({"assessor", "notes"}),
    item_columns=True,
    items=ASSESSMENT_ITEMS,
)
ACCEPTANCE_KIND: Final = SheetKind(
    key="acceptance", label="验收结果", aliases=ACCEPTANCE_ALIASES, required=("township", "branch", "awarded_stars"),
    # cadence.md §5: branch and 评定星级 (before a star ledger that has only 当前星级).
    recognition=(Recognition(1, fields=("branch", "awarded_stars"), max_star_slots=0),),
    carry=("county", "township"),
    free_text=frozenset({"notes"}),
    parsers={"awarded_stars": "stars_reported", "accepted_at": "date"},
)
# Every kind, in declaration order (the order of their rows in messages and loads).
SHEET_KINDS: Final = (LEDGER_KIND, TASK_KIND, PROBLEM_KIND, WEAK_KIND, REGISTER_KIND, GOAL_KIND, SCORE_KIND,
                      ACCEPTANCE_KIND)
# The kinds that make an upload of their own (no star ledger; cadence.md §2, §5): sheet kind ->
# uploads.kind.
UPLOAD_KINDS: Final[dict[str, str]] = {SCORE_KIND.key: "assessment", ACCEPTANCE_KIND.key: "acceptance"}

# register.md §1 — register status words (the first of each tuple is what is stored).
REGISTERED: Final = "在册"
MERGED: Final = "撤并"
NEW: Final = "新设"
REGISTER_STATUSES: Final = (REGISTERED, MERGED, NEW)
REGISTER_STATUS_WORDS: Final[dict[str, tuple[str, ...]]] = {
    REGISTERED: ("在册", "正常", "现有", "存续"),
    MERGED: ("撤并", "已撤并", "撤销", "已撤销", "合并", "已合并", "撤村并居"),
    NEW: ("新设", "新建", "新成立", "新增", "新设立"),
}
REGISTER_SHEET_NAME: Final = "支部名册"
GOAL_SHEET_NAME: Final = "创建目标"

# §5 — problem codes.
E_FILE: Final = "E_FILE"
E_NO_LEDGER: Final = "E_NO_LEDGER"
E_MISSING_COLUMN: Final = "E_MISSING_COLUMN"
E_VALUE: Final = "E_VALUE"
E_DUPLICATE: Final = "E_DUPLICATE"
E_PERIOD: Final = "E_PERIOD"
E_COUNTY: Final = "E_COUNTY"
E_SCOPE: Final = "E_SCOPE"  # access.md §1: a file covering townships outside the account's reach
W_BLANK_STAR: Final = "W_BLANK_STAR"
W_STARS_MISMATCH: Final = "W_STARS_MISMATCH"
W_PERIOD_CONFLICT: Final = "W_PERIOD_CONFLICT"
W_UNKNOWN_COLUMN: Final = "W_UNKNOWN_COLUMN"
W_SKIPPED_SHEET: Final = "W_SKIPPED_SHEET"
# Not in the contract's list; added (documented in docs/decisions.md):
W_TRUNCATED: Final = "W_TRUNCATED"  # sheet ends exactly at its format's row limit
W_MORE_WARNINGS: Final = "W_MORE_WARNINGS"  # warnings beyond max_stored_warnings, counted in one (issue 14)
# battle-map.md §2–§3:
W_PROBLEMS_MISMATCH: Final = "W_PROBLEMS_MISMATCH"  # ledger's 问题数 ≠ open rows of the problem list
W_WEAK_CONFLICT: Final = "W_WEAK_CONFLICT"  # ledger's 软弱涣散 ≠ the rectification sheet
# register.md §1:
W_TYPE_CONFLICT: Final = "W_TYPE_CONFLICT"  # the ledger states a type other than the register's
W_NOT_IN_REGISTER: Final = "W_NOT_IN_REGISTER"  # a ledger branch missing from its county's register
# cadence.md §2:
W_TOTAL_MISMATCH: Final = "W_TOTAL_MISMATCH"  # a score sheet's total ≠ the sum of its items (kept as given)

MAX_LISTED_PROBLEMS: Final = 200
ROW_LIMITS: Final[dict[str, int]] = {".xls": 65_536, ".xlsx": 1_048_576, ".xlsm": 1_048_576}

# Star levels (metrics.md).
LEVEL_LABELS: Final[dict[int, str]] = {5: "五星", 4: "四星", 3: "三星", 2: "二星", 1: "一星", 0: "无星"}


# Unicode categories removed from names besides whitespace: control (Cc) and format (Cf)
# characters — NUL, ESC, BEL, zero-width spaces/joiners, BOM, bidi controls (issue 14).
DROPPED_CATEGORIES: Final = frozenset({"Cc", "Cf", "Zs", "Zl", "Zp"})


def normalize_text(value: str | None) -> str | None:
    """§3.3 item 4: NFKC, strip all whitespace (incl. U+3000), （）==(); blank -> None.

    Also drops every control and format character (Unicode Cc, Cf), so a name with a
    zero-width space or a bidi control is the same name as without it. The Python twin of
    ``analytics.ingest.values.normalize_array`` (they agree on every character assigned in
    Python's Unicode database; Arrow's may be newer).
    """
    if value is None:
        return None
    text = unicodedata.normalize("NFKC", value)
    if text.isprintable():  # the usual case: no control, format or separator character but space
        text = "".join(text.split())
    else:
        text = "".join(
            ch for ch in text if not (ch.isspace() or unicodedata.category(ch) in DROPPED_CATEGORIES)
        )
    return text or None


def marks_index(marks: Mapping[K, tuple[str, ...]]) -> dict[str, K]:
    """Normalized mark -> its meaning (a status code, or True/False for yes/no marks)."""
    out: dict[str, K] = {}
    for code, words in marks.items():
        for word in words:
            key = normalize_text(word)
            assert key is not None
            out[key] = code
    return out


# Normalized mark -> status code.
STATUS_BY_MARK: Final[dict[str, str]] = marks_index(STATUS_MARKS)
