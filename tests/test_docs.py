"""The README is the user's manual: every setting and command must be in it."""

from __future__ import annotations

import re
from pathlib import Path

from analytics.__main__ import build_parser
from analytics.settings import SETTINGS, load_settings

ROOT = Path(__file__).resolve().parents[1]
README = (ROOT / "README.md").read_text(encoding="utf-8")


def _settings_table_rows() -> dict[str, str]:
    rows = {}
    for line in README.splitlines():
        m = re.match(r"\|\s*`([a-z_]+)`\s*\|(.*)\|", line)
        if m:
            rows[m.group(1)] = m.group(2)
    return rows


def test_every_setting_is_documented_with_its_default() -> None:
    rows = _settings_table_rows()
    missing = [s.name for s in SETTINGS if s.name not in rows]
    assert not missing, f"settings missing from README's settings table: {missing}"
    for s in SETTINGS:
        default = s.default
        shown = "{}" if default == {} else str(default).lower() if isinstance(default, bool) else str(default)
        assert shown in rows[s.name], f"README does not show the default {shown!r} of {s.name}"


def test_readme_documents_no_setting_that_does_not_exist() -> None:
    names = {s.name for s in SETTINGS}
    extra = set(_settings_table_rows()) - names
    assert not extra, f"README documents unknown settings: {extra}"


def test_every_cli_command_is_documented() -> None:
    parser = build_parser()
    sub = next(a for a in parser._actions if a.dest == "command")
    for name in sub.choices:  # type: ignore[union-attr]
        assert f"python -m analytics {name}" in README, f"command {name} missing from README"


def test_readme_gives_run_and_test_commands_first_and_ci_uses_the_test_command() -> None:
    run_at = README.index("make run")
    test_at = README.index("make test")
    assert run_at < 1500 and test_at < 1500, "the two commands must come first"
    ci = (ROOT / ".ci" / "run").read_text(encoding="utf-8")
    assert re.search(r"^make test$", ci, re.M), ".ci/run must call the README's test command"


def test_settings_file_and_environment_override_defaults(tmp_path: Path) -> None:
    cfg = tmp_path / "fivestar.toml"
    cfg.write_text('red_top_n = 5\ndistrict_goals = {"5" = 2, "4" = 7}\n', encoding="utf-8")
    s = load_settings(cfg, env={"FIVESTAR_OVERDUE_THRESHOLD": "4"})
    assert s.red_top_n == 5
    assert s.district_goals == {"5": 2, "4": 7}
    assert s.overdue_threshold == 4
    assert s.black_flag_min_branches == 3  # untouched default
