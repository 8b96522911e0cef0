"""Property tests: whatever the bytes, read_workbook returns a RawWorkbook or raises
FileRefused (E_FILE) — never another exception, never a hang, nothing printed."""

from __future__ import annotations

import io
import zipfile
from collections.abc import Callable

import pytest
import xlsxwriter
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from analytics.ingest.model import FileRefused, RawWorkbook
from analytics.ingest.read import read_workbook
from analytics.settings import Settings

SETTINGS = Settings({"parse_timeout_s": 20})
PROPERTY = settings(
    max_examples=60, deadline=None, derandomize=True,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
NAMES = st.sampled_from(["台账.xlsx", "台账.xls", "台账.csv", "台账.xlsm", "台账"])


def small_xlsx() -> bytes:
    buf = io.BytesIO()
    wb = xlsxwriter.Workbook(buf, {"in_memory": True})
    ws = wb.add_worksheet("星级台账")
    ws.write_row(0, 0, ["乡镇(街道)", "村(社区)", "当前星级"])
    ws.write_row(1, 0, ["甲镇", "一村", 3])
    ws.write_formula(2, 2, "=C2+1", None, 4)
    wb.close()
    return buf.getvalue()


XLSX = small_xlsx()
CSV = "乡镇,村(社区),当前星级\n甲镇,一村,3\n".encode("gbk")


def read_or_refuse(data: bytes, name: str, capfd: pytest.CaptureFixture[str]) -> RawWorkbook | None:
    try:
        wb = read_workbook(data, name, SETTINGS)
    except FileRefused as exc:
        assert exc.problem.code == "E_FILE"
        wb = None
    else:
        assert isinstance(wb, RawWorkbook)
    assert capfd.readouterr() == ("", "")
    return wb


@PROPERTY
@given(data=st.binary(max_size=4096), name=NAMES)
def test_arbitrary_bytes(data: bytes, name: str, capfd: pytest.CaptureFixture[str]) -> None:
    read_or_refuse(data, name, capfd)


@PROPERTY
@given(data=st.sampled_from([XLSX, CSV]).flatmap(lambda d: st.integers(0, len(d) - 1).map(lambda n: d[:n])))
def test_truncated_prefixes(data: bytes, capfd: pytest.CaptureFixture[str]) -> None:
    read_or_refuse(data, "台账.xlsx", capfd)


def flip(data: bytes, positions: list[int]) -> bytes:
    out = bytearray(data)
    for p in positions:
        out[(p // 8) % len(out)] ^= 1 << (p % 8)
    return bytes(out)


@PROPERTY
@given(positions=st.lists(st.integers(0, len(XLSX) * 8 - 1), min_size=1, max_size=8))
def test_bit_flips_in_a_valid_workbook(positions: list[int], capfd: pytest.CaptureFixture[str]) -> None:
    read_or_refuse(flip(XLSX, positions), "台账.xlsx", capfd)


def zip_stored(mutate: Callable[[bytes], bytes]) -> bytes:
    """The workbook re-packed without compression, so that flips hit XML text rather than deflate streams."""
    src = zipfile.ZipFile(io.BytesIO(XLSX))
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", zipfile.ZIP_STORED) as dst:
        for info in src.infolist():
            dst.writestr(info.filename, mutate(src.read(info)) if info.filename.endswith("sheet1.xml") else src.read(info))
    return buf.getvalue()


@PROPERTY
@given(junk=st.binary(min_size=1, max_size=64), at=st.integers(0, 10_000))
def test_garbage_inside_the_sheet_xml(junk: bytes, at: int, capfd: pytest.CaptureFixture[str]) -> None:
    def mutate(xml: bytes) -> bytes:
        i = at % len(xml)
        return xml[:i] + junk + xml[i:]

    read_or_refuse(zip_stored(mutate), "台账.xlsx", capfd)


def test_fuzz_inputs_are_valid_to_begin_with(capfd: pytest.CaptureFixture[str]) -> None:
    wb = read_or_refuse(XLSX, "台账.xlsx", capfd)
    assert wb is not None and wb.sheets[0].table.to_pydict() == {
        "A": ["乡镇(街道)", "甲镇", None], "B": ["村(社区)", "一村", None], "C": ["当前星级", "3", "4"],
    }
    wb = read_or_refuse(zip_stored(lambda x: x), "台账.xlsx", capfd)
    assert wb is not None and wb.sheets[0].table.column("C").to_pylist() == ["当前星级", "3", "4"]
