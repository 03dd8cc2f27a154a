"""csi_helpers.sources.crm and .fieldwork: the client's CRM exports and our fieldwork notes."""
from __future__ import annotations

import datetime as dt

import numpy as np
import pandas as pd
import pytest

from csi_helpers.errors import CSIInputError, InputProblems
from csi_helpers.sources import crm, fieldwork
from csi_helpers.sources.crm import (SYNONYMS, CRMTable, header_candidates, load, match_headers,
                                     read_customers, read_transactions, read_visits)

TYPES = {"代理商": "agent", "加盟商": "franchisee", "零售客户": "retail"}
CUSTOMER_HEADER = "客户编号,客户名称,客户类型,所在地区,城市,联系电话,开户日期,配合度,忠诚度"


def write_csv(path, header: str, rows: list[str], encoding="gbk"):
    path.write_bytes(("\r\n".join([header, *rows]) + "\r\n").encode(encoding))
    return path


def customers_csv(tmp_path, rows=None, name="客户.csv"):
    rows = rows or ["C001,王伟,代理商,华北,北京,13800000001,2024/3/5,5,4",
                    "C002,李芳,加盟商,华东,上海,13800000002,2024年3月6日,4,",
                    "007,张敏,零售客户,华南,广州,13800000003,2023-12-01,3,5"]
    return write_csv(tmp_path / name, CUSTOMER_HEADER, rows)


def write_xlsx(path, sheets: dict[str, list[list]]):
    openpyxl = pytest.importorskip("openpyxl")
    book = openpyxl.Workbook()
    book.remove(book.active)
    for name, rows in sheets.items():
        sheet = book.create_sheet(name)
        for row in rows:
            sheet.append(row)
    book.save(path)
    return path


ORDERS = [["订单编号", "客户编号", "订单日期", "金额", "品类", "收货人", "联系电话"],
          ["DD1", "C001", dt.datetime(2024, 3, 5), 52906.37, "服装", "王伟", "138"],
          ["DD2", "C001", dt.datetime(2024, 3, 5, 14, 23, 11), "¥52,906.37", "配饰", "王伟", "138"],
          ["DD3", "C002", "2024/3/5", "2,867.53", "服装", "李芳", "139"],
          ["DD4", "C002", "2024年3月5日", "￥1,234.50", "服装", "李芳", "139"],
          ["DD5", 7, "2024-03-05", 1200, "鞋", "张敏", "137"],
          ["DD6", "C003", "2024-03-05 14:23:11", "(1,234.50)", None, "张敏", "137"]]


def orders_xlsx(tmp_path, rows=None):
    return write_xlsx(tmp_path / "crm.xlsx", {"客户信息": [["客户编号", "客户类型"], ["C001", "代理商"]],
                                              "订单明细": rows or ORDERS})


def problems_of(fn, *args) -> list[str]:
    with pytest.raises(InputProblems) as info:
        fn(*args)
    assert isinstance(info.value, CSIInputError)
    return info.value.problems


# --------------------------------------------------------------------------- reading
def test_transactions_from_excel_with_date_cells_text_dates_and_currency(tmp_path):
    t = read_transactions({"path": orders_xlsx(tmp_path), "sheet": "订单明细"})
    assert isinstance(t, CRMTable) and t.kind == "transactions"
    assert t.mapped == {"customer_id": "客户编号", "date": "订单日期", "amount": "金额",
                        "transaction_id": "订单编号", "category": "品类"}
    assert list(t.data.columns) == ["customer_id", "date", "amount", "transaction_id",
                                    "category"]
    assert t.data["amount"].tolist() == [52906.37, 52906.37, 2867.53, 1234.5, 1200.0, -1234.5]
    assert t.data["date"].dt.normalize().eq(pd.Timestamp("2024-03-05")).all()
    assert t.data["date"].iloc[1] == pd.Timestamp("2024-03-05 14:23:11")
    assert t.data["customer_id"].tolist()[3:5] == ["C002", "7"]
    assert t.data["category"].isna().tolist() == [False] * 5 + [True]
    assert t.dropped == ["收货人", "联系电话"]
    assert t.read_as == "Excel .xlsx, sheet '订单明细'" and t.where.endswith("crm.xlsx")
    assert "transactions: 6 rows" in repr(t) and "amount <- '金额'" in repr(t)


def test_sheet_by_index_and_plain_path_spec(tmp_path):
    book = orders_xlsx(tmp_path)
    assert len(read_transactions({"path": book, "sheet": 1}).data) == 6
    c = read_customers(str(book))                     # first sheet, spec = just the path
    assert c.data.to_dict("list") == {"customer_id": ["C001"], "customer_type": ["代理商"]}
    assert load("customers", book).mapped == c.mapped


def test_customers_gbk_csv_recoded_typed_and_private_columns_dropped(tmp_path):
    c = read_customers({"path": customers_csv(tmp_path), "values": {"customer_type": TYPES}})
    assert c.read_as == "CSV, gbk, delimiter ','"
    assert c.data["customer_type"].tolist() == ["agent", "franchisee", "retail"]
    assert c.data["customer_id"].tolist() == ["C001", "C002", "007"]     # zeros kept
    assert c.data["joined"].tolist() == [pd.Timestamp("2024-03-05"), pd.Timestamp("2024-03-06"),
                                         pd.Timestamp("2023-12-01")]
    assert c.data["cooperation"].tolist() == [5, 4, 3]
    assert np.isnan(c.data["loyalty"].iloc[1])
    for private in ("客户名称", "联系电话"):
        assert private not in c.data.columns and private in c.dropped
    assert not set(c.data.columns) & {"王伟", "13800000001"}
    assert not c.data.isin(["王伟", "13800000001"]).any().any()
    assert c.data["customer_id"].dtype == "str"


def test_keep_columns_and_canonical_english_headers(tmp_path):
    path = write_csv(tmp_path / "customers.csv", "customer_id,customer_type,region,vip,phone",
                     ["C1,agent,North,是,1", "C2,retail,South,否,2"], encoding="utf-8")
    c = read_customers({"path": path, "keep_columns": ["VIP"]})
    assert list(c.data.columns) == ["customer_id", "customer_type", "region", "vip"]
    assert c.dropped == ["phone"] and c.data["vip"].tolist() == ["是", "否"]
    assert problems_of(read_customers, {"path": path, "keep_columns": ["会员等级"]}) == [
        f"{c.where}: no column '会员等级' (sources.customers.keep_columns); the headers are "
        "'customer_id', 'customer_type', 'region', 'vip', 'phone'"]


def test_load_reads_only_the_columns_asked_for(tmp_path):
    """load(..., only=): the required columns and those named; the others found are not
    read (they are listed as dropped), so a large export's unused columns cost nothing."""
    path = write_csv(tmp_path / "tx.csv", "customer_id,date,amount,transaction_id,category",
                     ["C1,2024-03-05,10,T1,tv", "C2,2024-03-06,20,T2,fridge"], encoding="utf-8")
    t = load("transactions", path, only=("transaction_id",))
    assert t.data.columns.tolist() == ["customer_id", "date", "amount", "transaction_id"]
    assert t.dropped == ["category"] and t.data["amount"].tolist() == [10.0, 20.0]
    every = load("transactions", path)
    assert every.data.columns.tolist()[-1] == "category"
    assert load("transactions", path, only=()).data.columns.tolist() == [
        "customer_id", "date", "amount"]


def test_explicit_columns_win_and_matching_ignores_case_blanks_and_units(tmp_path):
    path = write_csv(tmp_path / "tx.csv", "Customer ID,Order Date,金额（元）,实收金额,TYPE",
                     ["C1,2024-03-05,\"1,000\",900,x"], encoding="utf-8")
    t = read_transactions(path)
    assert t.mapped == {"customer_id": "Customer ID", "date": "Order Date", "amount": "金额（元）"}
    t = read_transactions({"path": path, "columns": {"amount": "实收金额", "date": "order date"}})
    assert t.mapped["amount"] == "实收金额" and t.mapped["date"] == "Order Date"
    assert t.data["amount"].tolist() == [900.0] and "金额（元）" in t.dropped
    v = read_visits({"path": path, "columns": {"date": "Order Date"}})
    assert v.data.columns.tolist() == ["customer_id", "date"]


def test_visits_and_load_dispatch(tmp_path):
    path = write_csv(tmp_path / "visits.csv", "会员编号,到店日期,门店",
                     ["C1,2024/3/5,A", "C2,2024.3.6,B"])
    v = load("visits", {"path": path, "format": "csv", "encoding": "gbk"})
    assert v.mapped == {"customer_id": "会员编号", "date": "到店日期"} and v.dropped == ["门店"]
    with pytest.raises(CSIInputError, match="unknown CRM source 'orders'"):
        load("orders", path)
    with pytest.raises(CSIInputError, match=r"sources.visits: give at least \{path"):
        read_visits({"sheet": 0})


# --------------------------------------------------------------------------- refusals
def test_ambiguous_dates_name_the_lines_and_the_fix(tmp_path):
    path = write_csv(tmp_path / "tx.csv", "客户编号,订单日期,金额",
                     ["C1,2024-03-05,1", "C2,05/03/2024,2", "C3,13/03/2024,3", "C4,,4"])
    [line] = problems_of(read_transactions, path)
    assert line.startswith(f"{crm.show_path(path)}: column '订单日期' (date): 2 cells are not a "
                           "date with a known day/month order (line 3 '05/03/2024', line 4 "
                           "'13/03/2024'); ")
    assert "export the column as YYYY-MM-DD" in line


def test_bad_amounts_and_dates_name_lines_values_and_params_key(tmp_path):
    path = write_csv(tmp_path / "tx.csv", "客户编号,订单日期,金额",
                     ["C1,2024-03-05,\"1.234,50\"", "C2,2024-02-30,abc", "C3,2024-03-05,5"])
    date, amount = problems_of(read_transactions, path)
    assert "column '订单日期' (date): 1 cell is not a date (line 3 '2024-02-30')" in date
    assert ("column '金额' (amount): 2 cells are not an amount (line 2 '1.234,50', line 3 "
            "'abc'); write amounts as numbers such as 1234.50, ¥1,234.50") in amount
    assert "sources.transactions.columns.amount" in amount


def test_unmapped_customer_types_are_listed_with_counts(tmp_path):
    rows = [f"C{i:03d},名,{t},华北,北京,1,2024-01-01,3,3"
            for i, t in enumerate(["代理商"] * 3 + ["经销商"] * 37 + ["其他"] * 2)]
    path = customers_csv(tmp_path, rows)
    [line] = problems_of(read_customers, {"path": path, "values": {"customer_type": TYPES}})
    assert line == (f"{crm.show_path(path)}: column '客户类型' (customer_type): 2 values not in "
                    "sources.customers.values.customer_type: '经销商' (37 rows), '其他' (2 rows); "
                    "add them to the mapping")
    c = read_customers(path)                          # no mapping: free labels, kept as written
    assert set(c.data["customer_type"]) == {"代理商", "经销商", "其他"}


def test_duplicate_and_empty_customer_ids(tmp_path):
    rows = ["C1,a,代理商,,,,,,", "C2,b,代理商,,,,,,", "C1,c,代理商,,,,,,", ",d,代理商,,,,,,",
            "C2,e,代理商,,,,,,", "C1,f,代理商,,,,,,"]
    empty, dup = problems_of(read_customers, customers_csv(tmp_path, rows))
    assert empty.endswith("column '客户编号' (customer_id): 1 row has no customer id (line 5); "
                          "fill the ids in or remove the rows")
    assert dup.endswith("column '客户编号' (customer_id): 2 ids appear more than once: 'C1' "
                        "(lines 2, 4, 7), 'C2' (lines 3, 6); keep one row per customer")


def test_missing_required_column_names_synonyms_headers_and_key(tmp_path):
    path = write_csv(tmp_path / "tx.csv", "会员,日期,备注", ["C1,2024-03-05,x"])
    customer, amount = problems_of(read_transactions, path)
    assert customer.startswith(f"{crm.show_path(path)}: no column for customer_id (required): "
                               "tried 'customer_id', '客户编号', '客户ID'")
    assert "'cust_id'" in customer
    assert amount.endswith("the headers are '会员', '日期', '备注'; set "
                           "sources.transactions.columns.amount to the header that holds it")
    assert "'金额', '订单金额', '交易金额', '实付金额', '销售额'" in amount


def test_two_headers_matching_one_name_is_a_problem_not_a_guess(tmp_path):
    path = write_csv(tmp_path / "tx.csv", "客户编号,订单日期,日期,金额", ["C1,2024-03-05,2024-03-06,1"])
    [line] = problems_of(read_transactions, path)
    assert line == (f"{crm.show_path(path)}: 2 columns look like date: '订单日期', '日期'; set "
                    "sources.transactions.columns.date to the one that holds it")
    t = read_transactions({"path": path, "columns": {"date": "日期"}})
    assert t.data["date"].iloc[0] == pd.Timestamp("2024-03-06") and "订单日期" in t.dropped
    headers = ["客户编号", "订单日期", "日期", "金额"]
    assert match_headers("transactions", headers) == {"customer_id": "客户编号", "amount": "金额"}
    with pytest.raises(InputProblems, match="2 columns look like date"):
        match_headers("transactions", headers, strict=True)


def test_all_problems_of_a_file_come_at_once(tmp_path):
    rows = ["C1,a,代理商,,,,2024-02-30,很好,3", "C2,b,经销商,,,,05/03/2024,4,3",
            "C3,c,加盟商,,,,2024-01-01,x,3"]
    path = customers_csv(tmp_path, rows)
    lines = problems_of(read_customers, {"path": path, "values": {"customer_type": TYPES}})
    assert len(lines) == 4
    assert "'客户类型' (customer_type): 1 value not in" in lines[0]
    assert "'开户日期' (joined): 1 cell is not a date with a known day/month order" in lines[1]
    assert "'开户日期' (joined): 1 cell is not a date (line 2 '2024-02-30')" in lines[2]
    assert "'配合度' (cooperation): 2 cells are not a number (line 2 '很好', line 4 'x')" \
        in lines[3]
    assert all(line.startswith(crm.show_path(path) + ":") and "\n" not in line
               for line in lines)


def test_three_bad_columns_three_lines(tmp_path):
    path = write_xlsx(tmp_path / "c.xlsx", {"客户": [
        ["客户编号", "客户类型", "开户日期", "配合度", "忠诚度"],
        ["C1", "代理商", "2024-13-01", "high", "5"],
        ["C2", "加盟商", dt.datetime(2024, 3, 5), 4, "五"]]})
    lines = problems_of(read_customers, path)
    assert [line.split(": ")[1] for line in lines] == [
        "column '开户日期' (joined)", "column '配合度' (cooperation)", "column '忠诚度' (loyalty)"]


def test_spec_problems_are_collected_too(tmp_path):
    path = customers_csv(tmp_path)
    lines = problems_of(read_customers, {
        "path": path, "format": "excel", "columns": {"member": "客户编号", "city": "所在城市"},
        "values": {"gender": {"男": "M"}}})
    assert "sources.customers.format is excel but the file is a CSV / text file" in lines[0]
    assert lines[1].startswith("sources.customers.columns.member: 'member' is not a customers "
                               "column")
    assert "no column '所在城市' (sources.customers.columns.city)" in lines[2]
    assert lines[3].startswith("sources.customers.values.gender: the file has no column "
                               "'gender'")
    lines = problems_of(read_customers, {"path": path, "format": "json"})
    assert lines == ["sources.customers.format: 'json' is not a format; use auto | csv | excel"]


def test_values_recode_labels_before_typing(tmp_path):
    rows = ["C1,a,代理商,,,,,很好,3", "C2,b,加盟商,,,,,一般,3"]
    c = read_customers({"path": customers_csv(tmp_path, rows),
                        "values": {"cooperation": {"很好": 5, "一般": 3},
                                   "customer_type": {"代理商": "A", "加盟商": None}}})
    assert c.data["cooperation"].tolist() == [5.0, 3.0]
    assert c.data["customer_type"].iloc[0] == "A" and pd.isna(c.data["customer_type"].iloc[1])


def test_a_column_can_be_left_out_explicitly(tmp_path):
    c = read_customers({"path": customers_csv(tmp_path), "columns": {"region": None}})
    assert "region" not in c.data.columns and "所在地区" in c.dropped


# --------------------------------------------------------------------------- synonyms
def test_synonyms_never_match_two_names_of_one_kind():
    for kind, names in SYNONYMS.items():
        seen: dict[str, str] = {}
        for our in names:
            for header in crm._tried(kind, our):
                key = crm._key(header)
                assert seen.setdefault(key, our) == our, (kind, header, our, seen[key])


def test_header_candidates_and_brief_synonyms():
    assert header_candidates("transactions", ["客户编号", "订单日期", "日期", "金额（元）", "x"]) == {
        "customer_id": ["客户编号"], "date": ["订单日期", "日期"], "amount": ["金额（元）"]}
    brief = {"customer_id": "客户编号 客户ID 客户代码 会员编号 会员ID", "customer_type": "客户类型 客户类别 类型",
             "region": "地区 所在地区 区域", "city": "城市 所在城市", "gender": "性别",
             "joined": "开户日期 注册日期 入会日期 建档日期", "cooperation": "配合度", "loyalty": "忠诚度"}
    for our, headers in brief.items():
        for h in headers.split():
            assert match_headers("customers", [h]) == {our: h}
    for h in ("customer id", "Customer_No", "CUST_ID", "type"):
        assert list(match_headers("customers", [h])) == [
            "customer_id" if "cust" in h.lower() else "customer_type"]
    for our, headers in {"date": "订单日期 交易日期 日期 下单时间 到店日期", "amount": "金额 订单金额 交易金额 "
                         "实付金额 销售额 amount revenue sales", "transaction_id": "订单编号 订单号 交易编号",
                         "category": "品类 类别 商品类别"}.items():
        for h in headers.split():
            kind = "visits" if h == "到店日期" else "transactions"
            assert match_headers(kind, [h]) == {our: h}
    for h in ("order date", "Transaction Date", "order id"):
        assert len(match_headers("transactions", [h])) == 1


# --------------------------------------------------------------------------- fieldwork
def test_fieldwork_notes_and_secondary(tmp_path):
    notes = write_csv(tmp_path / "notes.csv", "note_id,method,session_id,participant,date,theme,"
                      "sentiment,excerpt", ["N1,focus_group,S1,P1,2026/3/5,waiting_time,negative,"
                                            "排队太久", "N2,in_depth_interview,S2,,,price,neutral,"],
                      encoding="utf-8")
    df = fieldwork.read_notes(notes)
    assert df["date"].iloc[0] == pd.Timestamp("2026-03-05") and pd.isna(df["date"].iloc[1])
    assert df.columns.tolist()[:3] == ["note_id", "method", "session_id"]
    sec = write_xlsx(tmp_path / "desk.xlsx", {"desk": [
        ["source_id", "title", "publisher", "year", "kind", "summary"],
        ["D1", "行业报告", "统计局", 2024, "public", "..."]]})
    df = fieldwork.read_secondary({"path": sec, "sheet": "desk"})
    assert df["year"].tolist() == [2024.0] and df["kind"].tolist() == ["public"]


def test_fieldwork_collects_every_problem(tmp_path):
    notes = write_csv(tmp_path / "notes.csv", "note_id,method,session_id,date,sentiment",
                      ["N1,interview,S1,05/03/2026,bad", "N2,focus_group,S2,2026-02-30,positive"],
                      encoding="utf-8")
    lines = problems_of(fieldwork.read_notes, notes)
    assert len(lines) == 5
    assert "required column(s) 'theme' missing from the notes file" in lines[0]
    assert "column 'method': 1 cell is not one of internal_interview | in_depth_interview | " \
           "focus_group (line 2 'interview'); recode them" in lines[1]
    assert "column 'date': 1 cell is not a date with a known day/month order" in lines[2]
    assert "column 'date': 1 cell is not a date (line 3 '2026-02-30')" in lines[3]
    assert "column 'sentiment'" in lines[4]
    sec = write_csv(tmp_path / "sec.csv", "source_id,title,kind,year", ["S1,t,blog,二〇二四"],
                    encoding="utf-8")
    kind, year = problems_of(fieldwork.read_secondary, sec)
    assert "column 'kind': 1 cell is not one of public | web | research_firm" in kind
    assert "column 'year': 1 cell is not a number" in year


# --------------------------------------------------------------------------- the demo exports
def test_demo_crm_exports_read_back_to_the_truth(tmp_path):
    demo = pytest.importorskip("csi_helpers.demo_exports")
    ex = demo.write_exports(tmp_path, n=60)
    for kind, sheet in demo.SHEETS.items():
        for spec in ({"path": ex.paths["crm_xlsx"], "sheet": sheet},
                     {"path": ex.paths.get(f"{kind}_csv")}):
            if spec["path"] is None:
                continue
            if kind == "customers":
                spec["values"] = {"customer_type": ex.type_labels}
            got = load(kind, spec)
            truth = getattr(ex, kind)
            assert len(got.data) == len(truth)
            for col in got.data.columns:
                a, b = got.data[col].reset_index(drop=True), truth[col].reset_index(drop=True)
                if a.dtype.kind == "M":
                    assert (a == pd.to_datetime(b)).all(), (kind, col)
                elif a.dtype.kind == "f":
                    assert np.allclose(a, b.astype(float), equal_nan=True), (kind, col)
                else:
                    assert a.astype(str).tolist() == b.astype(str).tolist(), (kind, col)
            assert set(got.data.columns) <= set(truth.columns)
            if kind == "customers":
                assert set(ex.contact_columns["crm_xlsx"]) <= set(got.dropped)
                assert len(got.data.columns) == 7
