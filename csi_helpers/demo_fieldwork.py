"""The demo client's qualitative fieldwork: coded excerpts of internal interviews, in-depth
interviews and focus groups (``notes.csv``, themes with their sentiment) and the
secondary sources (``secondary.csv``), as notebook 02 summarises them.

Example
-------
>>> import numpy as np
>>> notes = _notes(np.random.default_rng(1))
>>> set(notes["theme"]) <= set(THEMES)
True
"""
from __future__ import annotations

import numpy as np
import pandas as pd

__all__ = ["THEMES", "notes", "secondary"]

THEMES = {
    "waiting_time": "Waiting time",
    "staff_courtesy": "Staff courtesy",
    "after_sales": "After-sales service",
    "price": "Price",
    "product_quality": "Product quality",
    "delivery": "Delivery and installation",
    "store_layout": "Store layout",
    "online_ordering": "Online ordering",
}
THEME_WEIGHTS = {"waiting_time": 0.22, "after_sales": 0.18, "staff_courtesy": 0.12,
                 "price": 0.12, "product_quality": 0.11, "delivery": 0.10,
                 "store_layout": 0.07, "online_ordering": 0.08}
THEME_SENTIMENT = {  # P(negative, neutral, positive)
    "waiting_time": (0.75, 0.15, 0.10), "after_sales": (0.60, 0.15, 0.25),
    "staff_courtesy": (0.20, 0.20, 0.60), "price": (0.40, 0.35, 0.25),
    "product_quality": (0.20, 0.20, 0.60), "delivery": (0.50, 0.20, 0.30),
    "store_layout": (0.25, 0.25, 0.50), "online_ordering": (0.40, 0.25, 0.35),
}
EXCERPTS = {
    "waiting_time": {
        "negative": ["周末门店排队要等半个小时以上。", "We lose customers at the till on Saturdays.",
                     "等候开单的时间太长，很多人直接走了。", "I waited 40 minutes just to pay.",
                     "店里人手不够，高峰期没人接待。"],
        "neutral": ["工作日基本不用等。", "Waiting depends on the store and the day."],
        "positive": ["新开的自助收银台让排队短了很多。", "This time I was served within five minutes."],
    },
    "after_sales": {
        "negative": ["售后热线经常打不通。", "The repair took three weeks and two visits.",
                     "上门维修预约总是改期。", "Nobody called back about my warranty claim.",
                     "配件要等很久才到货。"],
        "neutral": ["售后政策和其他商家差不多。", "Warranty terms are standard for the industry."],
        "positive": ["维修师傅很专业，一次就修好了。", "They replaced the fridge without arguing."],
    },
    "staff_courtesy": {
        "negative": ["有的店员态度冷淡。", "The salesman kept pushing the extended warranty."],
        "neutral": ["店员态度一般，不冷不热。", "Staff are polite but busy."],
        "positive": ["店员很耐心地讲解每个型号。", "Staff remembered me from my last visit.",
                     "导购很热情，也不强推。", "Our best franchisees train their staff well."],
    },
    "price": {
        "negative": ["同样的型号网上便宜两三百。", "Prices went up twice this year.",
                     "促销规则太复杂。"],
        "neutral": ["价格和大卖场差不多。", "Price is not the main reason customers come."],
        "positive": ["会员价很有吸引力。", "The trade-in offer made it worth it."],
    },
    "product_quality": {
        "negative": ["新买的洗衣机三个月就出问题。", "Some own-brand small appliances feel cheap."],
        "neutral": ["质量和其他品牌差不多。", "Quality is what you expect at this price."],
        "positive": ["空调用了五年还很好。", "Reliable products are why we stay with Acme.",
                     "产品质量稳定，退货率低。"],
    },
    "delivery": {
        "negative": ["送货时间只能选一整天。", "The installer arrived late twice.",
                     "大件送货经常延误。"],
        "neutral": ["送货速度一般。", "Delivery is fine in the city, slow in the suburbs."],
        "positive": ["第二天就送到并安装好了。", "Delivery staff took the old unit away for free."],
    },
    "store_layout": {
        "negative": ["店里很难找到想看的产品。", "Parking at the mall store is a nightmare."],
        "neutral": ["门店布局和其他家差不多。", "Stores look alike across regions."],
        "positive": ["体验区设计得很好。", "The new store layout makes comparing models easy."],
    },
    "online_ordering": {
        "negative": ["App 付款时经常卡住。", "Online stock levels are often wrong."],
        "neutral": ["线上线下价格一致。", "Most of our customers still prefer the store."],
        "positive": ["线上下单、门店提货很方便。", "Ordering in the app took two minutes."],
    },
}


def _notes(rng: np.random.Generator) -> pd.DataFrame:
    sessions = []
    for i, (who, d) in enumerate([("Sales director", "2026-09-02"),
                                  ("After-sales manager", "2026-09-03"),
                                  ("Store operations manager", "2026-09-04")], start=1):
        sessions.append(("internal_interview", f"II{i:02d}", [who], d, 8))
    idi = [("franchisee", "上海"), ("franchisee", "成都"), ("agent", "广州"), ("franchisee", "北京"),
           ("retail", "杭州"), ("agent", "西安"), ("retail", "深圳"), ("franchisee", "南京")]
    for i, (kind, city) in enumerate(idi, start=1):
        day = f"2026-09-{9 + i:02d}"
        sessions.append(("in_depth_interview", f"IDI{i:02d}",
                         [f"Key customer {i} ({kind}, {city})"], day, 8))
    for i, (size, d) in enumerate([(10, "2026-09-22"), (9, "2026-09-25")], start=1):
        sessions.append(("focus_group", f"FG{i:02d}",
                         [f"FG{i:02d}-P{p:02d}" for p in range(1, size + 1)], d, 31))
    themes = list(THEMES)
    tw = np.array([THEME_WEIGHTS[t] for t in themes])
    tw = tw / tw.sum()
    rows = []
    for method, sid, people, d, k in sessions:
        for _ in range(k):
            theme = themes[int(rng.choice(len(themes), p=tw))]
            sent = ["negative", "neutral", "positive"][int(rng.choice(3, p=THEME_SENTIMENT[theme]))]
            pool = EXCERPTS[theme][sent]
            rows.append({"method": method, "session_id": sid,
                         "participant": people[int(rng.integers(0, len(people)))],
                         "date": d, "theme": theme, "theme_label": THEMES[theme],
                         "sentiment": sent, "excerpt": pool[int(rng.integers(0, len(pool)))]})
    notes = pd.DataFrame(rows)
    notes.insert(0, "note_id", [f"N{i + 1:03d}" for i in range(len(notes))])
    return notes


SECONDARY = [
    ("S01", "China home appliance retail market report 2025", "National Household Electrical "
     "Appliances Association (fictitious)", 2025, "public",
     "Market grew 4%; online share 45%; after-sales is the top complaint category."),
    ("S02", "Consumer complaints bulletin, H1 2026", "Provincial consumer council (fictitious)",
     2026, "public", "Installation delays and repair waiting times lead appliance complaints."),
    ("S03", "Customer reviews of Acme, Brightline and Homestar stores", "Review platform scrape",
     2026, "web", "Acme rated 4.2/5; praise for staff, complaints about queues and hotline."),
    ("S04", "Social media mentions of home-appliance retailers", "Web listening tool export",
     2026, "web", "Brightline leads on product innovation mentions; Homestar on low prices."),
    ("S05", "Retail satisfaction benchmark 2025", "Horizon Research (fictitious)", 2025,
     "research_firm", "Sector CSI 74/100; leaders differ mainly on after-sales and delivery."),
    ("S06", "Loyalty drivers in durable-goods retail", "Horizon Research (fictitious)", 2026,
     "research_firm", "Image and perceived value drive repurchase more than price."),
]


def _secondary() -> pd.DataFrame:
    return pd.DataFrame(SECONDARY, columns=["source_id", "title", "publisher", "year", "kind",
                                            "summary"])


def notes(rng: np.random.Generator) -> pd.DataFrame:
    """The coded notes (``notes.csv``) drawn from ``rng``."""
    return _notes(rng)


def secondary() -> pd.DataFrame:
    """The secondary sources (``secondary.csv``)."""
    return _secondary()
