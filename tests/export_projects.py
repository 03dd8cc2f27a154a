"""Projects made from the sample client exports (csi_helpers.demo_exports) for end-to-end tests.

``make_project(root, key, exports)`` writes ``params/<client>.yaml`` for one export as a
consultant would after ``csi new --survey``: the export's own headers as item columns,
named scales, one indicator per ACSI latent variable, and optionally the CRM workbook
with Chinese headers mapped. The notebooks folder links to the repository's.
"""
from __future__ import annotations

import os
from pathlib import Path

import yaml

REPO = Path(__file__).resolve().parents[1]
COLUMN = {"wjx": "wjx_header", "qualtrics": "qualtrics_id", "spss": "spss_name",
          "table": "table_name"}
FORMAT = {"wjx_text_csv": "wjx", "wjx_code_csv": "wjx", "wjx_text_xlsx": "wjx",
          "wjx_code_xlsx": "wjx", "qualtrics_csv": "qualtrics", "qualtrics_xlsx": "qualtrics",
          "spss_sav": "spss", "stata_dta": "spss", "table_csv": "table"}
LV_NAMES = {"EXPE": ("Customer expectations", "顾客期望"), "QUAL": ("Perceived quality", "感知质量"),
            "VAL": ("Perceived value", "感知价值"), "SAT": ("Customer satisfaction", "顾客满意度"),
            "COMP": ("Customer complaints", "顾客抱怨"), "LOY": ("Customer loyalty", "顾客忠诚")}
PRINCIPLES = {"important": True, "controllable": True, "measurable": True, "comparable": True}


def scales_for(exports, key: str) -> dict:
    out = {}
    for name, sc in exports.scales.items():
        spec = {"points": sc["points"], "start": sc["start"]}
        if name != "recommend" and "code" not in key:
            lang = "en" if key.startswith("qualtrics") else "zh"
            spec["labels"] = {lang: {lab: sc["start"] + k
                                     for k, lab in enumerate(sc[f"labels_{lang}"])}}
        missing = ["不知道", "Don't know"]
        if "code" in key and name != "recommend":
            missing.append("6")   # 问卷星 按选项序号: the option number of 不知道
        spec["missing_labels"] = missing
        out[name] = spec
    return out


def params_for(exports, key: str, client: str, crm: bool = True) -> dict:
    fmt = FORMAT[key]
    meta = exports.meta_columns[key]
    survey = {"path": str(exports.paths[key]), "segments": [meta["region"]],
              "customer_id_column": meta["customer_id"]}
    if fmt in ("spss", "table"):
        survey.update(id_column=meta["respondent_id"], duration_column=meta["duration"],
                      status_column=meta["status"])
    items, indicators = [], []
    for q, row in exports.items.iterrows():
        item = {"id": "i" + q, "column": row[COLUMN[fmt]], "scale": row["scale"],
                "text": {"zh": row["text_zh"], "en": row["text_en"]}}
        if row["reverse"]:
            item["reverse"] = True
        items.append(item)
    for k, (lv, (en, zh)) in enumerate(LV_NAMES.items(), start=1):
        members = ["i" + q for q in exports.items.index[exports.items["lv"] == lv]]
        indicators.append({"id": f"I{k:02d}", "lv": lv, "name": {"en": en, "zh": zh},
                           "items": members, "principles": dict(PRINCIPLES)})
    p = {"client": {"id": client, "name": f"Sample client ({key})", "language": "zh",
                    "wave": "2026-Q4"},
         "sources": {"survey": survey},
         "indicator_system": {"model": "ACSI", "indicators": indicators, "items": items},
         "scales": scales_for(exports, key),
         "fieldwork": {"cleaning": {"speeder_seconds": 30, "straightline_min_items": 10,
                                    "partials": "drop" if fmt != "wjx" else "keep"}},
         "analysis": {"pls": {"bootstrap": 50}, "parallel_iter": 20},
         "report": {"pdf": False},        # report.pdf is checked on the demo and mobi runs
         "tiering": {"rule_abc": {"a_customer_types": ["agent"], "b_consecutive_years": 1,
                                  "a_top_among": ["franchisee"]}}}
    if crm:
        crm_path = str(exports.paths["crm_xlsx"])
        ours = {"customers": ("customer_id", "customer_type", "region", "city", "gender",
                              "joined", "cooperation", "loyalty"),
                "transactions": ("customer_id", "date", "amount", "transaction_id", "category"),
                "visits": ("customer_id", "date")}
        h = {k: {o: t for o, t in v.items() if o in ours[k]} for k, v in exports.headers.items()}
        p["sources"]["customers"] = {"path": crm_path, "sheet": "客户信息",
                                     "columns": h["customers"],
                                     "values": {"customer_type": dict(exports.type_labels)}}
        p["sources"]["transactions"] = {"path": crm_path, "sheet": "订单明细",
                                        "columns": h["transactions"]}
        p["sources"]["visits"] = {"path": crm_path, "sheet": "到店记录", "columns": h["visits"]}
    return p


def make_project(root: Path, key: str, exports, client: str | None = None,
                 crm: bool = True) -> Path:
    """Write the project for one export under `root`; return the params file."""
    client = client or key.replace("_", "-")
    (root / "params").mkdir(parents=True, exist_ok=True)
    if not (root / "notebooks").exists():
        os.symlink(REPO / "notebooks", root / "notebooks")
    path = root / "params" / f"{client}.yaml"
    path.write_text(yaml.safe_dump(params_for(exports, key, client, crm), allow_unicode=True,
                                   sort_keys=False), encoding="utf-8")
    return path
