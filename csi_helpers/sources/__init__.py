"""Reading the client's sources: every file a client sends comes in here, and only here.

The flow, one module a step::

    text.py        bytes -> text: encodings (GBK, GB18030, UTF-8 with or without BOM)
    table.py       CSV / TXT (any delimiter) and Excel (python-calamine) -> a grid of text cells
    wjx.py         问卷星 exports: 序号 / 所用时间 ('145秒') / numbered headers / (空) (跳过)
    qualtrics.py   Qualtrics exports: three header rows, Finished, Duration (in seconds)
    spss.py        SPSS .sav / .zsav and Stata .dta (pyreadstat): value and variable labels
    survey.py      any survey export -> the survey the analysis reads (items by id, status,
                   duration in seconds, only the columns the analysis needs)
    values.py      amounts ('¥1,234.50'), dates ('2024年3月5日'), durations ('2分5秒')
    crm.py         customers / transactions / visits: header and value mapping, typing
    fieldwork.py   coded interview notes and secondary-data notes
    privacy.py     which columns are contact data or free text (they stay behind)
    draft.py       a params draft from the exports (``csi new acme --survey FILE``), with
                   draft_scales.py (answer scales from the answers found), draft_survey.py
                   (a survey's platform, meta and customer-id columns), draft_crm.py (CRM
                   sheets and headers) and draft_yaml.py (the commented YAML it writes)

Notebooks reach these through :mod:`csi_helpers.workbook` (``wb.survey_raw()``,
``wb.customers()`` ...) and ``csi validate`` through :func:`csi_helpers.params.check`.
"""
