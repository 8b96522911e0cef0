"""The validator warm-up of the command line: a valid one-branch ledger, validated once per process."""

from __future__ import annotations

from analytics.ingest import stage, warm
from analytics.settings import Settings


def test_the_example_is_an_accepted_one_branch_ledger() -> None:
    staged = stage(b"", "示例台账.xlsx", settings=Settings(), workbook=warm.example_workbook())
    assert staged.ok and staged.errors == [] and staged.warnings == []
    assert staged.parsed is not None
    branches = staged.parsed.branches.to_pylist()
    assert [(b["county"], b["township"], b["branch"], b["stars"]) for b in branches] == [("示例县", "示例镇", "示例村", 2)]  # 已达标 and √
    assert staged.parsed.tasks.num_rows == 1
    assert str(staged.parsed.period) == "2024-08-01"


def test_the_warm_up_runs_once(monkeypatch) -> None:  # type: ignore[no-untyped-def]
    calls: list[str] = []
    monkeypatch.setattr(warm, "_DONE", False)
    monkeypatch.setattr(warm, "example_workbook", lambda: calls.append("built") or warm.RawWorkbook("x.xlsx", "xlsx", []))
    warm.warm_up_validation(Settings())
    warm.warm_up_validation(Settings())
    assert calls == ["built"]
