"""The sample score sheets and acceptance sheet (cadence.md §2, §5) reproduce
``sample_data.assessment_history()`` and ``award_history()``."""

from __future__ import annotations

from analytics import sample_data as sd
from tests.test_samples_golden import MANIFEST, staged


def _own_kind(kind: str) -> list[str]:
    return [e["file"] for e in MANIFEST if e["expect"] == "accept" and staged(e["file"]).parsed is not None
            and staged(e["file"]).parsed.kind == kind]  # type: ignore[union-attr]


def test_sample_score_sheets_reproduce_the_quarterly_totals_with_their_items() -> None:
    files = _own_kind("assessment")
    assert len(files) == 2
    got = []
    for name in files:
        parsed = staged(name).parsed
        assert parsed is not None and parsed.period_kind == "quarter"
        rows = parsed.assessment.to_pylist()
        items = {r["item"] for r in rows}
        assert items == {*(i for i, _ in sd.ASSESSMENT_ITEMS), "总分"}
        got += [(parsed.period, r["county"], r["township"], r["branch"], r["points"]) for r in rows if r["item"] == "总分"]
    expected = [(r["period"], r["county"], r["township"], r["branch"], r["total"]) for r in sd.assessment_history()]
    assert sorted(got) == sorted(expected) and len(expected) > 60
    q3 = staged(files[0])
    assert [w.code for w in q3.warnings] == ["W_TOTAL_MISMATCH"] and q3.warnings[0].value is not None
    assert sd.UNSCORED_BRANCH not in {b for _p, _c, _t, b, _v in got if _p.month == 7}


def test_sample_acceptance_sheet_reproduces_the_awards() -> None:
    [name] = _own_kind("acceptance")
    parsed = staged(name).parsed
    assert parsed is not None and parsed.period.year == 2024
    got = sorted((r["township"], r["branch"], r["awarded_stars"], r["accepted_at"]) for r in parsed.awards.to_pylist())
    assert got == sorted((r["township"], r["branch"], r["awarded_stars"], r["accepted_at"]) for r in sd.award_history())
