"""Realistic client exports of one synthetic engagement, for tests and training.

``write_exports(out_dir, seed, n)`` simulates ONE latent model (the ACSI chain EXPE -> QUAL ->
VAL -> SAT -> COMP/LOY, ``PATHS``; 15 items, standardised loadings 0.71-0.85, cut into
categories) and writes it in every form a consultant receives, so tests can check that each
reader gets the same answers from each format. The :class:`ExportSet` it returns holds the
truth, the respondents each file holds (``rows``), where the respondent fields are
(``meta_columns``) and which columns are contact data (``contact_columns``).

Questionnaire (问卷星 numbers): 1-2 expectations, 3-4 quality, 5 filter 您是否使用过售后服务？
(~25% 否), 6 a three-row after-sales matrix asked only after 是, 7-8 value, 9-10 satisfaction,
11 我曾想向本店投诉 (the single COMP item, reverse-keyed), 12 the 0-10 recommend question,
13-14 willingness, 15 region, 16 会员编号 (= CRM 客户编号, ~40% answer), 17 phone, 18 member
card number, 19 open question. Planted: ~3% blanks, 6% 不知道 on Q04-Q07 and Q09, 5% partial
responses that stop before question 15 (region unknown).

Formats, and how they mimic the real platforms
- 问卷星 按选项文本 / 按选项序号: 序号, 提交答卷时间 (text, '2026/3/5 14:23:11'), 所用时间
  ('145秒'), 来源 (手机提交/微信/链接), 来源详情 (N/A / 直接访问), 来自IP ('112.80.23.4(江苏-南京)'),
  then '1、购买前，我对本店商品质量的期望很高：', matrix rows '6、(售后服务响应速度)'. Text: option
  texts (满意, 不知道); code: option numbers (1..5, 不知道 6, 是 1 / 否 2, regions 1..4); the
  0-10 answer is its number in both. Unanswered '(空)', routed past '(跳过)'. Submitted answers
  only: no partials, so 序号 has gaps. CSV: GBK, CRLF. XLSX: one sheet, 序号 / 0-10 / codes as
  numbers, the rest text.
- Qualtrics: three header rows: ids; question text (matrix 'How satisfied are you with the
  following? - After-sales response speed'); ImportId JSON ('{"ImportId":"QID8_1"}',
  '{"ImportId":"startDate","timeZone":"Asia/Shanghai"}'). QIDs differ from Q numbers (two
  deleted questions); no question 16: the customer id is ExternalReference. English choice
  texts (the base language) incl. Don't know; skipped / unanswered empty. Text entry 'Q17'
  has ImportId 'QID19_TEXT'; region 'Other (please specify)' text is 'Q15_5_TEXT'. Partials:
  Finished False, Progress < 100, recorded a week after their last activity; rows in
  RecordedDate order. CSV UTF-8 with BOM, Finished True/False; XLSX 'Sheet0', Finished 1/0.
- SPSS .sav: ResponseId, EndDate, status (1 完成 / 0 未完成), duration (s), IPAddress,
  member_id, region (1..4 labelled), items named as in Qualtrics (Q1, Q6_1 ...) with Chinese
  value and variable labels, 不知道 = 9 declared user-missing; skipped, blank and not reached
  system-missing. Stata .dta: the same, but 不知道 system-missing (Stata has no user-missing).
- table_csv: ';'-delimited, UTF-8 with BOM, LF, one header row (resp_id, submitted, status
  complete/partial, duration in seconds, member_id, region, aftersales, q1..q15, phone,
  comment), Chinese labels and 不知道, blanks empty, partials included.
- CRM: crm.xlsx sheets 客户信息, 订单明细, 到店记录 with Chinese headers (``HEADERS``); 订单日期
  mixes Excel date cells, '2024/3/5', '2024年3月5日', '2024-03-05' (never day/month-ambiguous);
  金额 mixes numbers, '¥52,906.37', '2,867.53', '￥1,234.50'. customers_csv / transactions_csv:
  those sheets saved as GBK CSV (dates shown '2024/3/5'; '¥' is not in GBK, becomes '￥').

Not mimicked: platform file names, Qualtrics display-order / embedded-data columns, 问卷星
总分 columns and the merged two-row headers of some templates.
Example: ``write_exports(tmp_path).items.loc["Q05", "wjx_header"]`` is '6、(售后服务响应速度)'.
"""
from __future__ import annotations

import csv
import io
import json
import math
import re
from dataclasses import dataclass
from datetime import datetime, timedelta
from pathlib import Path
from statistics import NormalDist

import numpy as np
import pandas as pd
import pyreadstat
import xlsxwriter

__all__ = ["ExportSet", "write_exports", "FILES", "SCALES", "PATHS", "HEADERS", "TYPE_LABELS"]

#: File key -> file name ('wjx_text_csv' -> 'wjx_text.csv').
FILES = {k: ".".join(k.rsplit("_", 1)) for k in (
    "wjx_text_csv wjx_code_csv wjx_text_xlsx wjx_code_xlsx qualtrics_csv qualtrics_xlsx "
    "spss_sav stata_dta table_csv crm_xlsx customers_csv transactions_csv").split()}
SCALES = {name: {"points": 5, "start": 1, "labels_zh": zh.split(), "labels_en": en.split("|")}
          for name, zh, en in [
    ("satisfaction", "非常不满意 不满意 一般 满意 非常满意", "Very dissatisfied|Dissatisfied|"
     "Neither satisfied nor dissatisfied|Satisfied|Very satisfied"),
    ("agreement", "非常不同意 不同意 一般 同意 非常同意",
     "Strongly disagree|Disagree|Neither agree nor disagree|Agree|Strongly agree"),
    ("willingness", "非常不愿意 不愿意 一般 愿意 非常愿意",
     "Very unwilling|Unwilling|Neither willing nor unwilling|Willing|Very willing")]}
SCALES["recommend"] = {"points": 11, "start": 0, "labels_zh": [str(i) for i in range(11)],
                       "labels_en": [str(i) for i in range(11)]}
#: Cumulative category probabilities (lowest categories first); skewed like real CSI data.
_CUTS = {"pos": [0.04, 0.13, 0.38, 0.76], "comp": [0.30, 0.62, 0.82, 0.94],
         "nps": [0.01, 0.02, 0.035, 0.06, 0.09, 0.16, 0.25, 0.40, 0.62, 0.80]}
DK_ZH, DK_EN, WJX_DK, SPSS_DK = "不知道", "Don't know", 6, 9

LVS = ["EXPE", "QUAL", "VAL", "SAT", "COMP", "LOY"]
#: Standardised structural paths: target -> {predictor: coefficient}.
PATHS = {"QUAL": {"EXPE": 0.55}, "VAL": {"QUAL": 0.60},
         "SAT": {"EXPE": 0.15, "QUAL": 0.35, "VAL": 0.35},
         "COMP": {"SAT": -0.50}, "LOY": {"SAT": 0.55, "COMP": -0.20}}

# id lv scale question loading | title as typed in 问卷星 | English text
_ITEM_TABLE = """
Q01 EXPE agreement    1 .78 | 购买前，我对本店商品质量的期望很高： | Before buying, I expected high product quality
Q02 EXPE agreement    2 .74 | 购买前，我预期本店的服务会很周到： | Before buying, I expected attentive service
Q03 QUAL satisfaction 3 .82 | 您对本店商品质量的满意程度： | How satisfied are you with our product quality?
Q04 QUAL satisfaction 4 .76 | 您对店员专业水平的满意程度： | How satisfied are you with our staff's expertise?
Q05 QUAL satisfaction 6 .80 | 售后服务响应速度 | After-sales response speed
Q06 QUAL satisfaction 6 .72 | 维修质量 | Repair quality
Q07 QUAL satisfaction 6 .77 | 售后人员服务态度 | Attitude of after-sales staff
Q08 VAL  agreement    7 .83 | 与价格相比，本店商品物有所值： | Given the price, our products are good value
Q09 VAL  agreement    8 .75 | 与其他商家相比，本店的性价比更高： | We offer better value for money than other shops
Q10 SAT  satisfaction 9 .85 | 总体而言，您对本店的满意程度： | Overall, how satisfied are you with our shop?
Q11 SAT  satisfaction 10 .78 | 与您心目中理想的商店相比，您的满意程度： | Compared with your ideal shop, how satisfied are you?
Q12 COMP agreement    11 .80 | 我曾想向本店投诉： | I have thought about complaining to the shop
Q13 LOY  recommend    12 .84 | 您向亲友推荐本店的可能性有多大？ | How likely are you to recommend us to friends or family?
Q14 LOY  willingness  13 .80 | 您今后继续在本店购买的意愿： | How willing are you to keep buying from us?
Q15 LOY  willingness  14 .71 | 如果价格小幅上涨，您继续在本店购买的意愿： | If prices rose a little, how willing would you be to stay?
"""
_REVERSE, _DONT_KNOW = {"Q12"}, {"Q04", "Q05", "Q06", "Q07", "Q09"}
_MATRIX = (6, "您对售后服务以下方面的满意程度", "How satisfied are you with the following?")
# the other questions: number -> (问卷星 title, English text)
_OTHER = {5: ("您是否使用过售后服务？", "Have you used our after-sales service?"),
          15: ("您所在的地区：", "Which region are you in?"), 16: ("您的会员编号：", None),
          17: ("您的手机号码：", "Your mobile number:"), 18: ("您的会员卡号：", "Your card number:"),
          19: ("您还有什么建议？", "Do you have any other suggestions?")}
_WJX_H = {q: f"{q}、{title}" for q, (title, _) in _OTHER.items()}   # their 问卷星 headers
_LAST_Q = 19

REGIONS = {"华东": "East China", "华南": "South China", "华北": "North China", "西部": "West China"}
_REGION_P = [0.35, 0.25, 0.25, 0.15]
# region -> (province, city, latitude, longitude)
_CITIES = {r: [(p, c, float(la), float(lo)) for p, c, la, lo in
               (x.split() for x in cities.split(","))] for r, cities in {
    "华东": "江苏 南京 32.06 118.80, 上海 上海 31.23 121.47, 浙江 杭州 30.27 120.15",
    "华南": "广东 广州 23.13 113.26, 广东 深圳 22.54 114.06, 福建 厦门 24.48 118.09",
    "华北": "北京 北京 39.90 116.41, 天津 天津 39.08 117.20, 河北 石家庄 38.04 114.51",
    "西部": "四川 成都 30.57 104.07, 重庆 重庆 29.56 106.55, 陕西 西安 34.34 108.94"}.items()}
HEADERS = {
    "customers": {"customer_id": "客户编号", "name": "客户名称", "customer_type": "客户类型",
                  "region": "所在地区", "city": "城市", "phone": "联系电话", "joined": "开户日期",
                  "cooperation": "配合度", "loyalty": "忠诚度"},
    "transactions": {"transaction_id": "订单编号", "customer_id": "客户编号", "date": "订单日期",
                     "amount": "金额", "category": "品类"},
    "visits": {"customer_id": "客户编号", "date": "到店日期"}}
SHEETS = {"customers": "客户信息", "transactions": "订单明细", "visits": "到店记录"}
TYPE_LABELS = {"代理商": "agent", "加盟商": "franchisee", "零售客户": "retail"}
N_CUSTOMERS = 200
_CRM_START, _CRM_END = datetime(2024, 1, 1), datetime(2026, 9, 30)
_FIELD_START = datetime(2026, 3, 2)
_COMMENTS = ["希望增加停车位", "售后电话经常占线，希望改进", "店员很热情", "价格可以再优惠一些",
             "希望增加停车位,周末人太多", "无", "商品种类再多一些就好了", "送货速度有待提高",
             "整体不错，会继续支持", "希望会员积分能抵现"]
_SURNAMES, _GIVEN = list("王李张刘陈杨赵黄周吴徐孙马朱胡郭"), "伟 芳 娜 敏 静 磊 强 洋 艳 勇 秀英 丽华".split()
_FIRMS = "鑫达 恒通 宏远 华盛 永辉 嘉禾 瑞丰 金源 佳美 盛世".split()
_PINYIN = ("Wang Li Zhang Liu Chen Yang Zhao Huang".split(), "Wei Fang Na Min Jing Lei Yan".split())
#: customer type -> (share, mean number of orders, log-mean order amount)
_TYPES = {"agent": (0.1, 40, 10.3), "franchisee": (0.3, 20, 9.2), "retail": (0.6, 10, 7.0)}


@dataclass(frozen=True)
class ExportSet:
    """The files :func:`write_exports` wrote and the truth behind them.

    Attributes
    ----------
    paths : ``{key: Path}`` for the keys of ``FILES``.
    items : one row per item ``Q01..Q15``: lv, scale, text_zh, text_en, wjx_header,
        qualtrics_id, spss_name, table_name, reverse, plus question (问卷星 number),
        loading (planted standardised loading) and dont_know (the item offers 不知道).
    scales : ``SCALES``.
    answers : the truth, index = respondent id ('1'..'n', the 问卷星 序号), Q01..Q15 on each
        item's own scale (1..5, recommend 0..10), NaN for blank, skipped, 不知道, not reached.
    respondents : same index: status, duration_sec, customer_id, region (NaN where a
        partial stopped before question 15), skipped, response_id (Qualtrics / SPSS / Stata
        ResponseId), submitted (last activity; the submission time for completes).
    customers, transactions, visits : the CRM truth with canonical English names.
    headers : per CRM table, canonical name -> Chinese header (``HEADERS``).
    type_labels : Chinese customer type -> canonical (``TYPE_LABELS``).
    contact_columns : per file key, the headers that are contact data or free text.
    rows : per survey file key, the respondent ids (index of ``answers``) in file order.
    meta_columns : per survey file key, canonical field -> header in that file, for
        respondent_id, submitted, duration, status, customer_id, region, aftersales.
    """

    paths: dict
    items: pd.DataFrame
    scales: dict
    answers: pd.DataFrame
    respondents: pd.DataFrame
    customers: pd.DataFrame
    transactions: pd.DataFrame
    visits: pd.DataFrame
    headers: dict
    type_labels: dict
    contact_columns: dict
    rows: dict
    meta_columns: dict


# ------------------------------------------------------------------------------ the model
def _items_table() -> pd.DataFrame:
    recs, row = [], 0
    for k, line in enumerate(_ITEM_TABLE.strip().splitlines(), start=1):
        head, title, en = (part.strip() for part in line.split("|"))
        iid, lv, scale, num, lam = head.split()
        num, matrix = int(num), int(num) == _MATRIX[0]
        row = row + 1 if matrix else 0
        qid = f"Q{num}_{row}" if matrix else f"Q{num}"
        recs.append({"id": iid, "lv": lv, "scale": scale, "text_zh": title.rstrip("：？"),
                     "text_en": f"{_MATRIX[2]} - {en}" if matrix else en,
                     "wjx_header": f"{num}、({title})" if matrix else f"{num}、{title}",
                     "qualtrics_id": qid, "spss_name": qid, "table_name": f"q{k}",
                     "reverse": iid in _REVERSE, "question": num, "loading": float(lam),
                     "dont_know": iid in _DONT_KNOW})
    return pd.DataFrame(recs).set_index("id")


def _latent(rng: np.random.Generator, n: int) -> dict[str, np.ndarray]:
    """Standardised latent scores: each LV = sum(b * predictor) + residual of var 1 - R²."""
    eta, cov = {}, {}
    for j in LVS:
        preds = PATHS.get(j, {})
        r2 = sum(b1 * b2 * cov[p1, p2] for p1, b1 in preds.items() for p2, b2 in preds.items())
        eta[j] = sum((b * eta[p] for p, b in preds.items()), np.zeros(n))
        eta[j] = eta[j] + math.sqrt(1.0 - r2) * rng.standard_normal(n)
        for k in list(eta):
            cov[j, k] = cov[k, j] = 1.0 if k == j else sum(b * cov[p, k] for p, b in preds.items())
    return eta


def _simulate(rng: np.random.Generator, n: int, items: pd.DataFrame, customers: pd.DataFrame):
    """Truth answers, respondents, and ``ext``: cell states, codes and the other answers."""
    eta = _latent(rng, n)
    k, qnum = len(items), items["question"].to_numpy()
    codes = np.empty((n, k))
    for j, it in enumerate(items.itertuples()):
        x = it.loading * eta[it.lv] + math.sqrt(1 - it.loading ** 2) * rng.standard_normal(n)
        cum = _CUTS["nps" if it.scale == "recommend" else "comp" if it.lv == "COMP" else "pos"]
        cuts = [NormalDist().inv_cdf(p) for p in cum]            # normal thresholds
        codes[:, j] = np.searchsorted(cuts, x) + SCALES[it.scale]["start"]
    # cell state: ok | blank | skip | dk | drop (a partial response never got there)
    partial = np.zeros(n, dtype=bool)
    partial[rng.choice(n, round(0.05 * n), replace=False)] = True
    stop = np.where(partial, rng.integers(2, 15, n), _LAST_Q + 1)   # first question not seen
    skipped = (rng.random(n) < 0.25) & (stop > 5)
    state = np.full((n, k), "ok", dtype=object)
    state[skipped[:, None] & (qnum == _MATRIX[0])[None, :]] = "skip"
    state[(rng.random((n, k)) < 0.03) & (state == "ok")] = "blank"
    dk = (rng.random((n, k)) < 0.06) & items["dont_know"].to_numpy()[None, :]
    state[dk & (state == "ok")] = "dk"
    state[qnum[None, :] >= stop[:, None]] = "drop"
    # fieldwork over 18 days, 8:00-24:00; ids '1'..'n' in order of last activity
    when = sorted(_FIELD_START + timedelta(days=int(d), hours=int(h), seconds=int(s))
                  for d, h, s in zip(rng.integers(0, 18, n), rng.integers(8, 24, n),
                                     rng.integers(0, 3600, n)))
    dur = np.clip(np.round(rng.lognormal(math.log(240), 0.45, n)), 60, 1800)
    dur = np.where(rng.random(n) < 0.03, rng.integers(30, 70, n), dur)     # speeders
    dur = np.where(partial, np.maximum(15, np.round(dur * (stop - 1) / _LAST_Q)), dur)
    region = rng.choice(list(REGIONS), n, p=_REGION_P).astype(object)
    cust = np.full(n, np.nan, dtype=object)
    n_link = min(round(0.4 * n), len(customers))          # ~40% give their 会员编号
    who = rng.choice(n, n_link, replace=False)
    linked = customers.iloc[rng.choice(len(customers), n_link, replace=False)]
    cust[who], region[who] = linked["customer_id"].to_numpy(), linked["region"].to_numpy()
    alnum = np.array(list("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789"))
    resp = pd.DataFrame({
        "status": np.where(partial, "partial", "complete"), "duration_sec": dur.astype(float),
        "customer_id": cust, "region": np.where(stop > 15, region, np.nan).astype(object),
        "skipped": skipped, "response_id": ["R_" + "".join(rng.choice(alnum, 15)) for _ in range(n)],
        "submitted": pd.to_datetime(when)},
        index=pd.Index([str(i) for i in range(1, n + 1)], name="respondent_id"))
    city = [_CITIES[r][i] for r, i in zip(region, rng.integers(0, 3, n))]

    def given(p, draw, q):                 # an optional answer to question q, or None
        return [draw() if rng.random() < p and s > q else None for s in stop]

    ext = {"state": state, "codes": codes, "stop": stop, "city": city,
           "aftersales": [None if s <= 5 else "否" if sk else "是" for s, sk in zip(stop, skipped)],
           "phone": given(0.7, lambda: _phone(rng), 17),
           "card": given(0.5, lambda: f"88{rng.integers(10 ** 8):08d}", 18),
           "comment": given(0.4, lambda: str(rng.choice(_COMMENTS)), 19),
           "ip": [f"{rng.choice([58, 112, 114, 117, 183, 222])}.{rng.integers(1, 255)}."
                  f"{rng.integers(0, 255)}.{rng.integers(1, 255)}" for _ in range(n)],
           "source": rng.choice(["手机提交", "微信", "链接"], n, p=[0.5, 0.35, 0.15]),
           "latlon": [(c[2] + rng.normal(0, 0.05), c[3] + rng.normal(0, 0.05)) for c in city],
           "lang": rng.choice(["ZH-S", "EN"], n, p=[0.9, 0.1]),
           "recipient": [(rng.choice(_PINYIN[0]), rng.choice(_PINYIN[1])) for _ in range(n)]}
    # the answers to the non-item questions, by question number (None: none / not reached)
    ext["other"] = [{5: ext["aftersales"][i], 15: r if isinstance(r, str) else None,
                     16: c if isinstance(c, str) else None, 17: ext["phone"][i],
                     18: ext["card"][i], 19: ext["comment"][i]}
                    for i, (r, c) in enumerate(zip(resp["region"], resp["customer_id"]))]
    answers = pd.DataFrame(np.where(state == "ok", codes, np.nan), index=resp.index,
                           columns=list(items.index))
    return answers, resp, ext


# -------------------------------------------------------------------------------- the CRM
def _phone(rng) -> str:
    return f"1{rng.choice([3, 5, 8])}{rng.integers(10 ** 9):09d}"


def _crm(rng: np.random.Generator):
    """Customers, orders and visits (the truth) and the cells of the three CRM sheets."""
    m = N_CUSTOMERS
    ctype = rng.choice(list(_TYPES), m, p=[v[0] for v in _TYPES.values()])
    region = rng.choice(list(REGIONS), m, p=_REGION_P)
    city = [_CITIES[r][i][1] for r, i in zip(region, rng.integers(0, 3, m))]
    joined = pd.to_datetime("2016-01-01") + pd.to_timedelta(rng.integers(0, 3650, m), unit="D")
    customers = pd.DataFrame({
        "customer_id": [f"C{i:04d}" for i in range(1, m + 1)], "customer_type": ctype,
        "region": region, "city": city, "joined": joined,
        "cooperation": rng.choice(np.arange(1, 6), m, p=[0.05, 0.15, 0.35, 0.3, 0.15]),
        "loyalty": rng.choice(np.arange(1, 6), m, p=[0.05, 0.15, 0.3, 0.3, 0.2])})
    names = [f"{c}{rng.choice(_FIRMS)}{rng.choice(['商贸有限公司', '贸易有限公司', '百货商行'])}"
             if t != "retail" else f"{rng.choice(_SURNAMES)}{rng.choice(_GIVEN)}"
             for t, c in zip(ctype, city)]
    phones = [_phone(rng) for _ in range(m)]
    span = (_CRM_END - _CRM_START).days + 1
    tx, vis = [], []
    for cid, t, j in zip(customers["customer_id"], ctype, joined):
        first = max(0, (j - _CRM_START).days)
        if first >= span:
            continue
        for d in rng.integers(first, span, rng.poisson(_TYPES[t][1])):
            tx.append((cid, _CRM_START + timedelta(days=int(d)),
                       round(float(rng.lognormal(_TYPES[t][2], 0.8)), 2),
                       str(rng.choice(["服装", "鞋类", "配饰", "家居"]))))
        vis += [(cid, _CRM_START + timedelta(days=int(d)))
                for d in rng.integers(first, span, rng.poisson(8))]
    tx = pd.DataFrame(tx, columns=["customer_id", "date", "amount", "category"])
    tx = tx.sort_values(["date", "customer_id"], kind="stable").reset_index(drop=True)
    tx.insert(0, "transaction_id", [f"DD{i:06d}" for i in range(1, len(tx) + 1)])
    visits = pd.DataFrame(vis, columns=["customer_id", "date"]).sort_values(
        ["date", "customer_id"], kind="stable").reset_index(drop=True)
    tx["date"], visits["date"] = pd.to_datetime(tx["date"]), pd.to_datetime(visits["date"])
    # the sheets' cells: datetimes become Excel date cells
    zh_type = {v: k for k, v in TYPE_LABELS.items()}
    cust = [[c.customer_id, nm, zh_type[c.customer_type], c.region, c.city, ph,
             c.joined.to_pydatetime(), int(c.cooperation), int(c.loyalty)]
            for c, nm, ph in zip(customers.itertuples(), names, phones)]
    orders = []     # 55% real cells, 15% each text form
    for t, df, af in zip(tx.itertuples(), *rng.integers(0, 20, (2, len(tx)))):
        d = t.date.to_pydatetime()
        date = d if df < 11 else [_ymd(d), f"{d.year}年{d.month}月{d.day}日", f"{d:%Y-%m-%d}"][
            (df - 11) // 3]
        amt = t.amount if af < 11 else [f"¥{t.amount:,.2f}", f"{t.amount:,.2f}",
                                        f"￥{t.amount:,.2f}"][(af - 11) // 3]
        orders.append([t.transaction_id, t.customer_id, date, amt, t.category])
    vis = [[v.customer_id, v.date.to_pydatetime()] for v in visits.itertuples()]
    return customers, tx, visits, {"customers": cust, "transactions": orders, "visits": vis}


def _ymd(d: datetime) -> str:
    return f"{d.year}/{d.month}/{d.day}"


# ---------------------------------------------------------------------------- the writers
def _write_csv(path: Path, header_rows, rows, encoding: str, delimiter=",", eol="\r\n"):
    buf = io.StringIO()           # None is written as an empty field
    csv.writer(buf, delimiter=delimiter, lineterminator=eol).writerows([*header_rows, *rows])
    path.write_bytes(buf.getvalue().encode(encoding))


def _write_xlsx(path: Path, sheets: dict[str, list[list]]):
    """One xlsx; str -> text cell, number -> number cell, datetime -> date cell, None -> empty."""
    wb = xlsxwriter.Workbook(str(path), {"strings_to_urls": False, "strings_to_numbers": False})
    wb.set_properties({"created": datetime(2026, 1, 1)})   # fixed: identical bytes per seed
    datef = wb.add_format({"num_format": "yyyy/m/d"})
    for name, rows in sheets.items():
        ws = wb.add_worksheet(name)
        for r, row in enumerate(rows):
            for c, v in enumerate(row):
                if isinstance(v, datetime):
                    ws.write_datetime(r, c, v, datef)
                elif isinstance(v, (int, float, np.integer, np.floating)) and v == v:
                    ws.write_number(r, c, float(v))
                elif isinstance(v, str):
                    ws.write_string(r, c, v)
    wb.close()


def _cell(state: str, code: float, scale: str, variant: str):
    """One item answer in a variant: 'wjx_text', 'wjx_code', 'qualtrics' or 'table'."""
    wjx = variant.startswith("wjx")
    if state in ("skip", "blank", "drop"):
        return {"skip": "(跳过)", "blank": "(空)"}[state] if wjx else None
    if state == "dk":
        return {"wjx_text": DK_ZH, "wjx_code": WJX_DK, "qualtrics": DK_EN, "table": DK_ZH}[variant]
    if scale == "recommend" or variant == "wjx_code":
        return int(code)
    s = SCALES[scale]
    return s["labels_en" if variant == "qualtrics" else "labels_zh"][int(code) - s["start"]]


def _answers(items, ext, i: int, variant: str) -> list:
    """Respondent i's item answers in questionnaire order, formatted for one variant."""
    return [_cell(ext["state"][i, j], ext["codes"][i, j], sc, variant)
            for j, sc in enumerate(items["scale"])]


def _wjx_rows(items, resp, ext, variant):
    """问卷星 header and rows (submitted answers only) and the respondents they hold."""
    header = ["序号", "提交答卷时间", "所用时间", "来源", "来源详情", "来自IP"]
    for num in range(1, _LAST_Q + 1):
        header += list(items.loc[items["question"] == num, "wjx_header"]) or [_WJX_H[num]]
    code = {5: {"是": 1, "否": 2}, 15: {r: k for k, r in enumerate(REGIONS, start=1)}}
    rows, held = [], list(resp.index[resp["status"] == "complete"])
    for rid in held:
        i = resp.index.get_loc(rid)
        t, (prov, city) = resp["submitted"].iat[i], ext["city"][i][:2]
        src = ext["source"][i]
        row = [int(rid), f"{t.year}/{t.month}/{t.day} {t.hour}:{t:%M:%S}",
               f"{int(resp['duration_sec'].iat[i])}秒", src, "直接访问" if src == "链接" else "N/A",
               f"{ext['ip'][i]}({prov}-{city})", *_answers(items, ext, i, variant)]
        other = {q: code[q][v] if variant == "wjx_code" and q in code and v else v
                 for q, v in ext["other"][i].items()}
        other = {q: "(空)" if v is None else v for q, v in other.items()}
        row.insert(6 + items.index.get_loc("Q05"), other.pop(5))
        rows.append(row + list(other.values()))
    return header, rows, held


# Qualtrics' metadata columns; the question-text row splits the id at capitals unless named
_Q_META = [c.replace("_", " ") for c in (
    "StartDate EndDate Status IPAddress Progress Duration_(in_seconds) Finished RecordedDate "
    "ResponseId RecipientLastName RecipientFirstName RecipientEmail ExternalReference "
    "LocationLatitude LocationLongitude DistributionChannel UserLanguage").split()]
_Q_TEXT = {"Status": "Response Type", "IPAddress": "IP Address", "ResponseId": "Response ID",
           "ExternalReference": "External Data Reference"}
_Q_IMPORT = {"IPAddress": "ipAddress", "Duration (in seconds)": "duration",
             "ResponseId": "_recordId", "ExternalReference": "externalDataReference"}


def _qualtrics_rows(items, resp, ext, xlsx: bool):
    """Qualtrics' three header rows and rows in RecordedDate order (partials: +7 days)."""
    tz = {"StartDate", "EndDate", "RecordedDate"}
    qid = lambda num: num if num < 6 else num + 2  # noqa: E731  (two questions were deleted)
    cols = [(c, _Q_TEXT.get(c, re.sub(r"(?<=[a-z])(?=[A-Z])", " ", c)),
             _Q_IMPORT.get(c, c[0].lower() + c[1:]), c in tz) for c in _Q_META]
    for it in items.itertuples():
        if it.Index == "Q05":
            cols.append(("Q5", _OTHER[5][1], "QID5", 0))
        cols.append((it.qualtrics_id, it.text_en, it.qualtrics_id.replace(
            f"Q{it.question}", f"QID{qid(it.question)}"), 0))
    region_q = _OTHER[15][1]
    cols += [("Q15", f"{region_q} - Selected Choice", f"QID{qid(15)}", 0), ("Q15_5_TEXT",
             f"{region_q} - Other (please specify) - Text", f"QID{qid(15)}_5_TEXT", 0)]
    cols += [(f"Q{q}", _OTHER[q][1], f"QID{qid(q)}_TEXT", 0) for q in (17, 18, 19)]
    header = [[c[0] for c in cols], [c[1] for c in cols],
              [json.dumps({"ImportId": c[2]} | ({"timeZone": "Asia/Shanghai"} if c[3] else {}),
                          separators=(",", ":")) for c in cols]]
    recorded = [t + timedelta(days=7) if s == "partial" else t
                for t, s in zip(resp["submitted"], resp["status"])]
    order = sorted(range(len(resp)), key=lambda i: (recorded[i], i))
    en = {"是": "Yes", "否": "No"} | REGIONS
    rows = []
    for i in order:
        done = resp["status"].iat[i] == "complete"
        end, dur = resp["submitted"].iat[i], int(resp["duration_sec"].iat[i])
        o = ext["other"][i]
        cid, (last, first), (lat, lon) = o[16], ext["recipient"][i], ext["latlon"][i]
        row = [f"{end - timedelta(seconds=dur):%Y-%m-%d %H:%M:%S}", f"{end:%Y-%m-%d %H:%M:%S}",
               "IP Address", ext["ip"][i], 100 if done else 100 * (ext["stop"][i] - 1) // _LAST_Q,
               dur, int(done) if xlsx else str(done), f"{recorded[i]:%Y-%m-%d %H:%M:%S}",
               resp["response_id"].iat[i], *((last, first) if cid else (None, None)),
               f"{first.lower()}.{last.lower()}{i}@example.com" if cid else None, cid,
               round(lat, 4), round(lon, 4), "email" if cid else "anonymous", ext["lang"][i]]
        row += _answers(items, ext, i, "qualtrics")
        row.insert(len(_Q_META) + items.index.get_loc("Q05"), en.get(o[5]))
        row += [en.get(o[15]), None, o[17], o[18], o[19]]
        rows.append(row if xlsx else [None if v is None else str(v) for v in row])
    return header, rows, [resp.index[i] for i in order]


def _spss_frame(items, resp, ext, stata: bool):
    """The SPSS/Stata data frame plus its variable labels, value labels and user-missing."""
    regions = {r: k for k, r in enumerate(REGIONS, start=1)}
    df = pd.DataFrame({
        "ResponseId": resp["response_id"].to_numpy(dtype=object),
        "EndDate": resp["submitted"].to_numpy(dtype="datetime64[ns]"),
        "status": (resp["status"] == "complete").to_numpy(dtype=float),
        "duration": resp["duration_sec"].to_numpy(), "IPAddress": np.array(ext["ip"], dtype=object),
        "member_id": resp["customer_id"].fillna("").to_numpy(dtype=object),
        "region": resp["region"].map(regions).to_numpy(dtype=float)})
    labels = {"ResponseId": "答卷编号", "EndDate": "提交时间", "status": "答卷状态",
              "duration": "答题时长（秒）", "IPAddress": "IP地址", "member_id": "会员编号",
              "region": _OTHER[15][0].rstrip("：")}
    vlabels = {"status": {1: "完成", 0: "未完成"}, "region": {k: r for r, k in regions.items()}}
    missing = {}
    state, codes = ext["state"], ext["codes"]
    for j, it in enumerate(items.itertuples()):
        if it.Index == "Q05":
            df["Q5"] = [{"是": 1.0, "否": 2.0}.get(v, np.nan) for v in ext["aftersales"]]
            labels["Q5"], vlabels["Q5"] = _OTHER[5][0].rstrip("？"), {1: "是", 2: "否"}
        s, col = SCALES[it.scale], np.where(state[:, j] == "ok", codes[:, j], np.nan)
        vlabels[it.spss_name] = ({0: "0 完全不可能", 10: "10 非常可能"} if it.scale == "recommend"
                                 else dict(enumerate(s["labels_zh"], start=s["start"])))
        if it.dont_know and not stata:
            col = np.where(state[:, j] == "dk", SPSS_DK, col)
            missing[it.spss_name] = [SPSS_DK]
            vlabels[it.spss_name][SPSS_DK] = DK_ZH
        df[it.spss_name] = col
        labels[it.spss_name] = (f"{_MATRIX[1]}—{it.text_zh}" if it.question == _MATRIX[0]
                                else it.text_zh)
    for q, key in ((17, "phone"), (18, "card"), (19, "comment")):
        df[f"Q{q}"] = np.array([v or "" for v in ext[key]], dtype=object)
        labels[f"Q{q}"] = _OTHER[q][0].rstrip("：？")
    return df, labels, vlabels, missing


def _table_rows(items, resp, ext):
    """The plain table: short ids, Chinese labels, partial responses included."""
    header = ["resp_id", "submitted", "status", "duration", "member_id", "region", "aftersales",
              *items["table_name"], "phone", "comment"]
    rows = []
    for i, rid in enumerate(resp.index):
        o = ext["other"][i]
        rows.append([rid, f"{resp['submitted'].iat[i]:%Y-%m-%d %H:%M:%S}", resp["status"].iat[i],
                     int(resp["duration_sec"].iat[i]), o[16], o[15], o[5],
                     *_answers(items, ext, i, "table"), o[17], o[19]])
    return header, rows


# ------------------------------------------------------------- where things are, per file
_FAMILIES = {"wjx": "wjx_text_csv wjx_code_csv wjx_text_xlsx wjx_code_xlsx",
             "qualtrics": "qualtrics_csv qualtrics_xlsx", "spss": "spss_sav stata_dta",
             "table": "table_csv", "crm": "crm_xlsx customers_csv", "tx": "transactions_csv"}
_CONTACT = {"wjx": ["来自IP", _WJX_H[17], _WJX_H[18], _WJX_H[19]],
            "qualtrics": ["IPAddress", "RecipientLastName", "RecipientFirstName",
                          "RecipientEmail", "LocationLatitude", "LocationLongitude",
                          "Q15_5_TEXT", "Q17", "Q18", "Q19"],
            "spss": ["IPAddress", "Q17", "Q18", "Q19"], "table": ["phone", "comment"],
            "crm": [HEADERS["customers"]["name"], HEADERS["customers"]["phone"]], "tx": []}
_META = {  # respondent_id, submitted, duration, status, customer_id, region, aftersales
    "wjx": ["序号", "提交答卷时间", "所用时间", None, _WJX_H[16], _WJX_H[15], _WJX_H[5]],
    "qualtrics": ["ResponseId", "EndDate", "Duration (in seconds)", "Finished",
                  "ExternalReference", "Q15", "Q5"],
    "spss": ["ResponseId", "EndDate", "duration", "status", "member_id", "region", "Q5"],
    "table": ["resp_id", "submitted", "duration", "status", "member_id", "region", "aftersales"]}
_FIELDS = "respondent_id submitted duration status customer_id region aftersales".split()
#: Per file key: the headers that are contact data or free text (never into a run folder).
CONTACT_COLUMNS = {k: _CONTACT[f] for f, keys in _FAMILIES.items() for k in keys.split()}
#: Per survey file key: canonical respondent field -> header in that file.
META_COLUMNS = {k: {m: h for m, h in zip(_FIELDS, _META[f]) if h}
                for f, keys in _FAMILIES.items() if f in _META for k in keys.split()}


# -------------------------------------------------------------------------------- the API
def write_exports(out_dir, seed: int = 7, n: int = 300) -> ExportSet:
    """Write one engagement's survey and CRM exports in every format; return the truth.

    Parameters
    ----------
    out_dir : str or Path
        Folder to write into (created if missing; the files of ``FILES`` are overwritten).
    seed : int
        Seed of the ``numpy.random.Generator``. Same seed and n, same files: byte-identical
        except the .sav, whose header holds its creation time.
    n : int
        Number of survey respondents (5% partial, absent from the 问卷星 files).

    Returns
    -------
    ExportSet
        The paths, the truth and where things are in each file.

    Example
    -------
    >>> ex = write_exports("/tmp/exports", seed=7, n=300)            # doctest: +SKIP
    >>> len(ex.rows["wjx_text_csv"]), len(ex.rows["qualtrics_csv"])  # doctest: +SKIP
    (285, 300)
    """
    out = Path(out_dir)
    out.mkdir(parents=True, exist_ok=True)
    paths = {k: out / f for k, f in FILES.items()}
    rng = np.random.default_rng(seed)
    items = _items_table()
    customers, tx, visits, cells = _crm(rng)
    answers, resp, ext = _simulate(rng, n, items, customers)

    rows = {}
    for v in ("wjx_text", "wjx_code"):
        header, body, rows[f"{v}_csv"] = _wjx_rows(items, resp, ext, v)
        _write_csv(paths[f"{v}_csv"], [header], body, "gbk")
        _write_xlsx(paths[f"{v}_xlsx"], {"Sheet1": [header] + body})
    header, body, rows["qualtrics_csv"] = _qualtrics_rows(items, resp, ext, xlsx=False)
    _write_csv(paths["qualtrics_csv"], header, body, "utf-8-sig")
    header, body, _ = _qualtrics_rows(items, resp, ext, xlsx=True)
    _write_xlsx(paths["qualtrics_xlsx"], {"Sheet0": header + body})
    df, labels, vlabels, missing = _spss_frame(items, resp, ext, stata=False)
    pyreadstat.write_sav(df, paths["spss_sav"], column_labels=labels,
                         variable_value_labels=vlabels, missing_ranges=missing,
                         variable_measure={c: "ordinal" for c in items["spss_name"]})
    df, labels, vlabels, _ = _spss_frame(items, resp, ext, stata=True)
    pyreadstat.write_dta(df, paths["stata_dta"], column_labels=labels,
                         variable_value_labels=vlabels)
    header, body = _table_rows(items, resp, ext)
    _write_csv(paths["table_csv"], [header], body, "utf-8-sig", delimiter=";", eol="\n")
    rows |= {k.replace("_csv", "_xlsx"): v for k, v in rows.items()}
    rows |= dict.fromkeys(["spss_sav", "stata_dta", "table_csv"], list(resp.index))

    _write_xlsx(paths["crm_xlsx"], {SHEETS[t]: [list(HEADERS[t].values())] + cells[t]
                                    for t in ("customers", "transactions", "visits")})
    for t in ("customers", "transactions"):     # as Excel shows them; '¥' is not in GBK
        text = [[_ymd(v) if isinstance(v, datetime) else str(v).replace("¥", "￥") for v in r]
                for r in cells[t]]
        _write_csv(paths[f"{t}_csv"], [list(HEADERS[t].values())], text, "gbk")
    return ExportSet(
        paths=paths, items=items, scales=SCALES, answers=answers, respondents=resp,
        customers=customers, transactions=tx, visits=visits,
        headers={t: dict(h) for t, h in HEADERS.items()}, type_labels=dict(TYPE_LABELS),
        contact_columns={k: list(v) for k, v in CONTACT_COLUMNS.items()},
        rows={k: list(v) for k, v in rows.items()},
        meta_columns={k: dict(v) for k, v in META_COLUMNS.items()})
