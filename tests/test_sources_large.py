"""Large CSV exports go through Arrow's reader (sources.table.ARROW_BYTES): the same
table, the same problems, the same messages as the reader of small files."""
from __future__ import annotations

import pandas as pd
import pytest

from csi_helpers.errors import CSIInputError
from csi_helpers.sources import crm, table

ROWS = """客户编号,订单日期,实收金额（元）,备注
C001,2024年3月5日,"￥1,234.50",首单
C002 ,2024/3/6,88, 
C003,2024-03-07,(12.00),退货

C004,2024.3.8,"2,000",
"""


def _both(path, monkeypatch, kind="transactions", spec=None):
    spec = spec or {"path": str(path), "columns": {"amount": "实收金额（元）"}}
    small = crm.load(kind, spec)
    monkeypatch.setattr(table, "ARROW_BYTES", 1)
    large = crm.load(kind, spec)
    monkeypatch.undo()
    return small, large


@pytest.mark.parametrize("encoding", ["utf-8", "utf-8-sig", "gbk"])
def test_same_table_as_the_small_file_reader(tmp_path, monkeypatch, encoding):
    path = tmp_path / "订单.csv"
    path.write_bytes(ROWS.encode(encoding))
    small, large = _both(path, monkeypatch)
    pd.testing.assert_frame_equal(small.data, large.data, check_dtype=False)
    assert large.data["customer_id"].tolist() == ["C001", "C002", "C003", None, "C004"] or \
        large.data["customer_id"].iloc[[0, 1, 2, 4]].tolist() == ["C001", "C002", "C003", "C004"]
    assert large.data["amount"].iloc[[0, 2, 4]].tolist() == [1234.5, -12.0, 2000.0]
    assert small.mapped == large.mapped and small.dropped == large.dropped


def test_same_problems_named_on_the_same_lines(tmp_path, monkeypatch):
    path = tmp_path / "orders.csv"
    path.write_text("customer_id,date,amount\nC1,2024-01-05,12\nC2,soon,7\nC3,2024-01-07,lots\n",
                    encoding="utf-8")
    messages = []
    for arrow in (False, True):
        if arrow:
            monkeypatch.setattr(table, "ARROW_BYTES", 1)
        with pytest.raises(CSIInputError) as err:
            crm.load("transactions", {"path": str(path)})
        messages.append(str(err.value))
    assert messages[0] == messages[1]
    assert "line 3" in messages[0] and "line 4" in messages[0]


def test_a_wrongly_encoded_large_file_names_its_line(tmp_path, monkeypatch):
    path = tmp_path / "orders.csv"
    path.write_bytes("customer_id,date,amount\n".encode() + b"C1,2024-01-05,12\n" * 3
                     + "C2,2024-01-06,7,备注\n".encode("gbk")[:-3] + b"\xff\xfe\n")
    monkeypatch.setattr(table, "ARROW_BYTES", 1)
    with pytest.raises(CSIInputError, match=r"line 5 is not valid utf-8"):
        crm.load("transactions", {"path": str(path), "encoding": "utf-8"})
    with pytest.raises(CSIInputError, match=r"cannot be decoded as utf-8 \(line 5\)"):
        crm.load("transactions", {"path": str(path)})


def test_an_unclosed_quote_is_refused_by_both(tmp_path, monkeypatch):
    path = tmp_path / "orders.csv"
    path.write_text("customer_id,date,amount\nC1,2024-01-05,\"12\nC2,2024-01-06,7\n",
                    encoding="utf-8")
    messages = []
    for arrow in (False, True):
        if arrow:
            monkeypatch.setattr(table, "ARROW_BYTES", 1)
        with pytest.raises(CSIInputError) as err:
            crm.load("transactions", {"path": str(path)})
        messages.append(str(err.value))
    # pandas stops at the open quote, Arrow reads the quoted field to the end: both refuse
    assert "quotes are balanced" in messages[0]
    assert "line 2 '12\\nC2" in messages[1]


@pytest.mark.parametrize("encoding", ["utf-8", "utf-8-sig", "gbk"])
def test_manifest_fingerprint_streams_a_large_file_with_the_same_result(tmp_path, monkeypatch,
                                                                        encoding):
    """The run manifest's checksum and row count of a large file are streamed (a 600 MB
    export read whole, decoded and copied took 3 GB): the same answer as for a small one,
    quoted line breaks counted as one record, blank lines not at all."""
    text = ("客户编号;日期;备注\n" + "".join(f'C{i};2026-01-0{i % 9 + 1};"第一行\n第二行"\n'
                                         for i in range(300)) + "\n\n")
    path = tmp_path / "tx.csv"
    path.write_bytes(text.encode(encoding))
    small = table.file_fingerprint(path)
    monkeypatch.setattr(table, "ARROW_BYTES", 1)
    assert table.file_fingerprint(path) == small
    assert small[1] == 300
    other = tmp_path / "notes.json"
    other.write_text("{}")
    monkeypatch.setattr(table, "ARROW_BYTES", 1)
    assert table.file_fingerprint(other)[1] is None
