"""The words of the report: column headers, table titles and short values, in English and Chinese.

A table a notebook computes keeps machine-friendly column names (``p_value``, ``ci_low``,
``revenue_share``) in its CSV file; what a reader sees is the header of :data:`COLUMNS`
in the report's language, formatted by the column's *kind* (see :mod:`.tables`):

==========  ===========================================================================
kind        shown as
==========  ===========================================================================
``text``    as written (values of :data:`VALUES` translated in a Chinese report)
``code``    a latent variable, indicator or item id, replaced by its name from the params
``int``     whole number with thousands separators
``pct``     a share 0..1 as a percentage, ``72.4%``
``pct100``  a percentage already on 0..100, ``72.4%``
``p``       a p-value in APA style: ``< .001``, ``.034``
``score``   a 0-100 score, one decimal
``coef``    loadings, paths, correlations, alpha: three decimals
``stat``    other statistics (means, SDs, chi-square): two decimals
``money``   an amount with thousands separators and two decimals
``bool``    yes / no (是 / 否)
``date``    a date, ISO (2026-10-28)
==========  ===========================================================================

A column not listed here falls back on its name's pattern (``*_share`` is a share,
``*_n`` a count ...) and then on its data type, so a new table is readable at once and
gets a proper header by one line here.

Example
-------
>>> header("p_value", "zh"), kind_of("revenue_share")
('p 值', 'pct')
"""
from __future__ import annotations

import re

__all__ = ["COLUMNS", "TABLES", "VALUES", "WORDS", "header", "kind_of", "title", "value",
           "word"]

#: column -> (English header, Chinese header, kind)
COLUMNS: dict[str, tuple[str, str, str]] = {
    # identity and structure
    "step": ("Step", "步骤", "int"), "key": ("Key", "键", "text"),
    "question": ("Question", "问题", "text"), "answer": ("Answer", "回答", "text"),
    "answered": ("Answered", "已回答", "bool"), "level": ("Level", "层级", "text"),
    "level_name": ("Level", "层级", "text"), "id": ("Id", "编号", "text"),
    "parent": ("Parent", "上级", "code"), "name": ("Name", "名称", "text"),
    "items": ("Items", "题目", "text"), "n_items": ("Items", "题目数", "int"),
    "reverse": ("Reverse keyed", "反向计分", "bool"), "reversed": ("Reverse keyed", "反向计分", "bool"),
    "method": ("Method", "方法", "text"), "file": ("File", "文件", "text"),
    "records": ("Records", "记录数", "int"), "sessions": ("Sessions", "场次", "int"),
    "participants": ("Participants", "参与人数", "int"), "status": ("Status", "状态", "text"),
    "detail": ("Detail", "说明", "text"), "indicator": ("Indicator", "指标", "code"),
    "lv": ("Latent variable", "潜变量", "code"), "latent_variable": ("Latent variable", "潜变量", "code"),
    "important": ("Important", "重要性", "bool"), "controllable": ("Controllable", "可控性", "bool"),
    "measurable": ("Measurable", "可测性", "bool"), "comparable": ("Comparable", "可比性", "bool"),
    "passes": ("Passes", "通过", "bool"), "failed": ("Fails on", "未通过的原则", "text"),
    "note": ("Note", "说明", "text"), "item": ("Item", "题目", "code"),
    "item_name": ("Item", "题目", "text"), "label": ("Answer label", "答案标签", "text"),
    "segment": ("Segment", "细分", "text"), "segment_zh": ("Segment", "细分", "text"),
    "measure": ("Measure", "指标", "text"), "value": ("Value", "数值", "text"),
    "statistic": ("Statistic", "统计量", "text"), "verdict": ("Verdict", "判定", "text"),
    "reading": ("Reading", "解读", "text"), "flag": ("Flag", "标记", "text"),
    "rule": ("Rule", "规则", "text"), "parameter": ("Setting", "设定", "text"),
    "action": ("Action", "处理", "text"), "kind": ("Kind", "类别", "text"),
    "title": ("Title", "标题", "text"), "publisher": ("Publisher", "发布方", "text"),
    "year": ("Year", "年份", "text"), "summary": ("Summary", "摘要", "text"),
    "source_id": ("Source", "来源", "text"), "theme": ("Theme", "主题", "text"),
    "theme_label": ("Theme", "主题", "text"), "competitor": ("Competitor", "竞争对手", "text"),
    "competitor_name": ("Competitor", "竞争对手", "text"), "target": ("Target", "目标", "code"),
    "quadrant": ("Quadrant", "象限", "text"), "quadrant_label": ("Quadrant", "象限", "text"),
    "weighting": ("Weighting", "加权方式", "text"), "factor": ("Factor", "因子", "code"),
    "block": ("Latent variable", "潜变量", "code"), "from": ("From", "自", "code"),
    "to": ("To", "至", "code"), "path": ("Path", "路径", "text"), "effect": ("Effect", "效应", "text"),
    "respondent_id": ("Respondent", "受访者编号", "text"), "customer_id": ("Customer", "客户编号", "text"),
    "customer_type": ("Customer type", "客户类型", "text"), "tier": ("Tier", "层级", "text"),
    "tag": ("Tag", "标签", "text"), "treatment": ("Treatment", "对策", "text"),
    "contact": ("Contact", "联系方式", "text"), "contact_priority": ("Contact priority", "联系优先级", "int"),
    "stage": ("Stage", "生命周期阶段", "text"), "stage_zh": ("Stage", "生命周期阶段", "text"),
    "care": ("Care", "管理策略", "text"), "reason": ("Reason", "原因", "text"),
    "by_rule": ("By rule", "按规则", "text"), "dropped_by": ("Dropped by", "剔除规则", "text"),
    "row_labels": ("Rows", "行号", "text"), "visit_tag": ("Visit tag", "到店标签", "text"),
    "buy_tag": ("Purchase tag", "购买标签", "text"), "R": ("R", "R", "text"), "F": ("F", "F", "text"),
    "M": ("M", "M", "text"), "first_purchase": ("First purchase", "首次购买", "date"),
    "last_purchase": ("Last purchase", "最近购买", "date"),
    # counts
    "n": ("n", "样本量", "int"), "count": ("Count", "计数", "int"), "rows": ("Rows", "行数", "int"),
    "missing": ("Missing", "缺失", "int"), "blank": ("Blank", "空白", "int"),
    "missing_label": ("Don't know / n.a.", "不知道/不适用", "int"),
    "out_of_range": ("Out of range", "超出量表", "int"), "rows_flagged": ("Rows flagged", "标记行数", "int"),
    "rows_dropped": ("Rows dropped", "剔除行数", "int"), "rows_remaining": ("Rows remaining", "剩余行数", "int"),
    "kept": ("Row kept", "保留行", "int"), "row": ("Row", "行号", "int"), "raw": ("Answer given", "原始答案", "text"),
    "internal_interview": ("Internal interviews", "内部访谈", "int"),
    "in_depth_interview": ("In-depth interviews", "深度访谈", "int"),
    "focus_group": ("Focus groups", "焦点小组", "int"), "total": ("Total", "合计", "stat"),
    "negative": ("Negative", "负面", "int"), "neutral": ("Neutral", "中性", "int"),
    "positive": ("Positive", "正面", "int"), "client_n": ("n (client)", "样本量（本企业）", "int"),
    "rival_n": ("n (competitor)", "样本量（竞争对手）", "int"), "n_paired": ("n (both rated)", "样本量（两者均评价）", "int"),
    "customers": ("Customers", "客户数", "int"), "orders": ("Orders", "订单数", "int"),
    "number": ("Factor", "因子序号", "int"), "rank": ("Rank", "排名", "int"),
    "recency": ("Recency (days)", "最近购买（天）", "int"), "frequency": ("Frequency", "购买频次", "int"),
    "recency_days": ("Days since last purchase", "距最近购买天数", "int"),
    "tenure_days": ("Days as customer", "客户时长（天）", "int"), "cell": ("RFM cell", "RFM 单元", "text"),
    "rfm_score": ("RFM score", "RFM 得分", "int"), "target_count": ("Target count", "目标数量", "int"),
    # shares
    "share": ("Share", "占比", "pct"), "target_share": ("Target share", "目标占比", "pct"),
    "gap": ("Gap", "差距", "pct"), "missing_share": ("Missing", "缺失比例", "pct"),
    "negative_share": ("Negative", "负面占比", "pct"), "top2": ("Top-2 box", "前两项占比", "pct"),
    "bottom2": ("Bottom-2 box", "后两项占比", "pct"), "customer_share": ("Customers", "客户占比", "pct"),
    "revenue_share": ("Revenue", "收入占比", "pct"), "cum_customer_share": ("Customers, cumulative", "累计客户占比", "pct"),
    "cum_revenue_share": ("Revenue, cumulative", "累计收入占比", "pct"), "cum_share": ("Revenue, cumulative", "累计收入占比", "pct"),
    "cum_share_before": ("Revenue, cumulative before", "此前累计收入占比", "pct"),
    "customer_cum_share": ("Customers, cumulative", "累计客户占比", "pct"),
    "monetary_share": ("Revenue", "收入占比", "pct"), "missing_pct": ("Missing", "缺失比例", "pct100"),
    "top2_pct": ("Top-2 box", "前两项占比", "pct100"), "growth_2024": ("Growth 2024", "2024 年增长", "pct"),
    "growth_2025": ("Growth 2025", "2025 年增长", "pct"), "growth_2026": ("Growth 2026", "2026 年增长", "pct"),
    # p-values
    "p_value": ("p", "p 值", "p"), "p": ("p", "p 值", "p"),
    # scores on 0-100
    "score": ("Score (0-100)", "得分（0-100）", "score"), "index": ("Index (0-100)", "指数（0-100）", "score"),
    "position": ("Position (0-100)", "定位（0-100）", "score"),
    "reversed_position": ("Position, reverse keyed", "反向计分后定位", "score"),
    "performance": ("Performance (0-100)", "绩效（0-100）", "score"),
    "client": ("Client (0-100)", "本企业（0-100）", "score"), "rival": ("Competitor (0-100)", "竞争对手（0-100）", "score"),
    "difference": ("Difference (points)", "差值（分）", "score"),
    "client_ci_low": ("Client 95% CI low", "本企业 95% 置信区间下限", "score"),
    "client_ci_high": ("Client 95% CI high", "本企业 95% 置信区间上限", "score"),
    "rival_ci_low": ("Competitor 95% CI low", "竞争对手 95% 置信区间下限", "score"),
    "rival_ci_high": ("Competitor 95% CI high", "竞争对手 95% 置信区间上限", "score"),
    "diff_ci_low": ("Difference 95% CI low", "差值 95% 置信区间下限", "score"),
    "diff_ci_high": ("Difference 95% CI high", "差值 95% 置信区间上限", "score"),
    # coefficients
    "importance": ("Importance", "重要性", "coef"), "importance_std": ("Importance (standardised)", "重要性（标准化）", "coef"),
    "alpha": ("Cronbach's alpha", "克朗巴哈 α", "coef"), "std_alpha": ("Standardised alpha", "标准化 α", "coef"),
    "r_drop": ("Item-rest r", "校正项总相关", "coef"), "alpha_if_deleted": ("Alpha if deleted", "删除该题后 α", "coef"),
    "std_alpha_if_deleted": ("Std. alpha if deleted", "删除该题后标准化 α", "coef"),
    "raw_r": ("Item-total r", "项总相关", "coef"), "std_r": ("Std. item-total r", "标准化项总相关", "coef"),
    "weight": ("Weight", "权重", "coef"), "est": ("Estimate", "估计值", "coef"),
    "std_all": ("Standardised", "标准化估计", "coef"), "loading": ("Loading", "载荷", "coef"),
    "cross_loading": ("Largest cross-loading", "最大交叉载荷", "coef"), "h2": ("Communality h²", "共同度 h²", "coef"),
    "u2": ("Uniqueness u²", "特殊度 u²", "coef"), "msa": ("MSA", "MSA", "coef"),
    "direct": ("Direct", "直接效应", "coef"), "indirect": ("Indirect", "间接效应", "coef"),
    "communality": ("Communality", "共同度", "coef"), "redundancy": ("Redundancy", "冗余度", "coef"),
    "estimate": ("Estimate", "估计值", "coef"), "r2": ("R²", "R²", "coef"),
    "generating": ("Planted", "设定值", "coef"), "population": ("Population", "总体值", "coef"),
    "cr": ("Composite reliability", "组合信度 CR", "coef"), "ave": ("AVE", "AVE", "coef"),
    "sqrt_ave": ("√AVE", "√AVE", "coef"), "max_corr": ("Largest correlation", "最大相关", "coef"),
    "max_htmt": ("Largest HTMT", "最大 HTMT", "coef"), "inside": ("Inside the CI", "落在置信区间内", "bool"),
    "fornell_larcker": ("Fornell-Larcker met", "满足 Fornell-Larcker", "bool"),
    "ci_low": ("95% CI low", "95% 置信区间下限", "same"), "ci_high": ("95% CI high", "95% 置信区间上限", "same"),
    "se": ("Std. error", "标准误", "same"),
    # statistics
    "mean": ("Mean", "均值", "stat"), "sd": ("SD", "标准差", "stat"), "skew": ("Skewness", "偏度", "stat"),
    "scale_low": ("Scale low", "量表下限", "stat"), "scale_high": ("Scale high", "量表上限", "stat"),
    "observed_pc": ("Observed eigenvalue (PC)", "实际特征值（主成分）", "stat"),
    "simulated_pc_mean": ("Simulated mean (PC)", "模拟均值（主成分）", "stat"),
    "simulated_pc_q95": ("Simulated 95th pct (PC)", "模拟 95% 分位数（主成分）", "stat"),
    "observed_fa": ("Observed eigenvalue (FA)", "实际特征值（因子）", "stat"),
    "simulated_fa_mean": ("Simulated mean (FA)", "模拟均值（因子）", "stat"),
    "simulated_fa_q95": ("Simulated 95th pct (FA)", "模拟 95% 分位数（因子）", "stat"),
    "cooperation": ("Cooperation", "配合度", "stat"), "loyalty": ("Loyalty", "忠诚度", "stat"),
    "planted": ("Planted", "设定值", "coef"), "group": ("Group", "分组", "text"),
    "std": ("SD", "标准差", "stat"), "min": ("Min", "最小值", "stat"), "max": ("Max", "最大值", "stat"),
    "25%": ("25th percentile", "25% 分位数", "stat"), "50%": ("Median", "中位数", "stat"),
    "75%": ("75th percentile", "75% 分位数", "stat"),
    # tracking
    "wave": ("Wave", "测评期", "text"), "run": ("Run", "运行编号", "text"),
    "date": ("Date", "日期", "date"), "respondents": ("Respondents", "受访者数", "int"),
    "previous": ("Previous wave", "上一期", "score"), "current": ("This wave", "本期", "score"),
    "change": ("Change", "变化", "text"), "before": ("Before", "变化前", "text"),
    "after": ("After", "变化后", "text"),
    "importance_previous": ("Importance, previous", "上一期重要性", "coef"),
    "performance_previous": ("Performance, previous", "上一期绩效", "score"),
    "importance_change": ("Importance change", "重要性变化", "coef"),
    "performance_change": ("Performance change", "绩效变化", "score"),
    "moved": ("Moved", "变化量", "score"), "n_previous": ("n, previous", "上一期样本量", "int"),
    "n_current": ("n, this wave", "本期样本量", "int"), "significant": ("Significant", "显著", "bool"),
    "delta_cfi": ("ΔCFI", "ΔCFI", "coef"), "chi2_diff": ("Δχ²", "Δχ²", "stat"),
    "df_diff": ("Δdf", "Δdf", "int"), "p_diff": ("p (Δχ²)", "p（Δχ²）", "p"),
    "chi2": ("χ²", "χ²", "stat"), "df": ("df", "自由度", "int"), "cfi": ("CFI", "CFI", "coef"),
    "tli": ("TLI", "TLI", "coef"), "rmsea": ("RMSEA", "RMSEA", "coef"), "srmr": ("SRMR", "SRMR", "coef"),
    "npar": ("Parameters", "参数个数", "int"), "aic": ("AIC", "AIC", "stat"), "bic": ("BIC", "BIC", "stat"),
    "t": ("t", "t", "stat"), "predicted": ("Predicted (mean)", "预测（均值）", "stat"),
    "actual": ("Actual (mean)", "实际（均值）", "stat"), "p_alive": ("P(alive)", "存活概率", "pct"),
    "clv_mean": ("CLV, mean", "平均终生价值", "money"), "clv_total": ("CLV, total", "终生价值合计", "money"),
    "clv_share": ("Share of CLV", "终生价值占比", "pct"), "clv": ("CLV", "终生价值", "money"),
    "expected_purchases": ("Expected purchases", "预期购买次数", "stat"),
    "expected_spend": ("Expected spend", "预期金额", "money"), "groups": ("Groups (n)", "分组（样本量）", "text"),
    "delta_cfi_metric": ("ΔCFI metric", "度量 ΔCFI", "coef"),
    "delta_cfi_scalar": ("ΔCFI scalar", "标量 ΔCFI", "coef"),
    "means_comparable": ("Means comparable", "均值可比", "bool"),
    # customer management: value rating, channels, complaints
    "integrity": ("Integrity", "诚信度", "score"), "dependence": ("Dependence", "依存度", "score"),
    "growth": ("Growth", "成长度", "score"), "contribution": ("Contribution", "贡献度", "score"),
    "dimensions": ("Dimensions rated", "已评维度数", "int"),
    "min_score": ("From score", "起始分数", "score"),
    "mean_integrity": ("Integrity, mean", "诚信度均值", "score"),
    "mean_cooperation": ("Cooperation, mean", "配合度均值", "score"),
    "mean_dependence": ("Dependence, mean", "依存度均值", "score"),
    "mean_growth": ("Growth, mean", "成长度均值", "score"),
    "mean_contribution": ("Contribution, mean", "贡献度均值", "score"),
    "mean_total": ("Total, mean", "总分均值", "score"),
    "service": ("Service standard", "服务标准", "text"), "reward": ("Reward", "奖励", "text"),
    "cut_off": ("From score", "起始分数", "score"),
    "acquired": ("Customers acquired", "获得客户数", "int"), "buyers": ("Buyers", "购买客户数", "int"),
    "conversion": ("Conversion", "转化率", "pct"), "leads": ("Leads", "线索数", "int"),
    "lead_conversion": ("Lead conversion", "线索转化率", "pct"), "cost": ("Cost", "费用", "money"),
    "acquisition_cost": ("Average acquisition cost", "平均获客成本", "money"),
    "cost_per_buyer": ("Cost per buyer", "每位购买客户成本", "money"),
    "revenue_per_customer": ("Revenue per customer", "人均销售额", "money"),
    "revenue_per_buyer": ("Revenue per buyer", "每位购买客户销售额", "money"),
    "retention": ("Retention", "留存率", "pct"),
    "return_on_acquisition": ("Revenue / cost", "销售额 / 费用", "stat"),
    "vital_few": ("Vital few", "关键少数", "bool"),
    "within_standard": ("Within the standard", "达标数", "int"),
    "within_standard_share": ("Share within the standard", "达标比例", "pct"),
    "response_median_h": ("Response, median (h)", "响应时间中位数（小时）", "stat"),
    "response_p90_h": ("Response, 90th percentile (h)", "响应时间90分位（小时）", "stat"),
    "resolved": ("Resolved", "已解决", "int"), "resolved_share": ("Share resolved", "解决比例", "pct"),
    "resolution_median_h": ("Resolution, median (h)", "解决时间中位数（小时）", "stat"),
    "followed_up_share": ("Share followed up", "回访比例", "pct"),
    "followed_up_unknown": ("Follow-up unknown", "回访情况未知", "int"),
    "complainers": ("Complainers", "投诉客户", "stat"), "others": ("Other customers", "其他客户", "stat"),
    "test": ("Test", "检验", "code"),
    "n_complainers": ("n, complainers", "投诉客户数", "int"), "n_others": ("n, others", "其他客户数", "int"),
    # money
    "revenue": ("Revenue", "收入", "money"), "monetary": ("Revenue", "收入", "money"),
    "min_revenue": ("Lowest revenue", "最低收入", "money"), "max_revenue": ("Highest revenue", "最高收入", "money"),
    "revenue_per_year": ("Revenue per year", "年均收入", "money"),
}

_PATTERNS: list[tuple[str, str, str, str]] = [
    # regex on the column name -> (English template, Chinese template, kind); {0} is the match
    (r"^share_(\d+)$", "Share answering {0}", "答 {0} 的占比", "pct"),
    (r"^sales_(\d{4})$", "Sales {0}", "{0} 年销售额", "money"),
    (r"^growth_(\d{4})$", "Growth {0}", "{0} 年增长", "pct"),
    (r"^(.+)_share$", "{0} share", "{0}占比", "pct"),
    (r"^(.+)_n$", "{0} n", "{0}样本量", "int"),
    (r"^MR(\d+)$", "Factor {0}", "因子 {0}", "coef"),
]

#: short values the notebooks' tables carry in English, with their Chinese
VALUES: dict[str, str] = {
    # verdicts and readings
    "good": "良好", "ok": "合格", "acceptable": "可接受", "poor": "较差", "weak": "弱",
    "very weak": "很弱", "moderate": "中等", "substantial": "较强", "strong": "强",
    "marvelous": "极好", "meritorious": "良好", "middling": "中等", "mediocre": "一般",
    "miserable": "较差", "unacceptable": "不可接受", "AVE < .50": "AVE < .50",
    "n < 30: indicative only": "n < 30：仅供参考",
    # levels of the indicator system
    "CSI": "CSI", "latent variable": "潜变量", "indicator": "指标", "item": "题目",
    "latent_variable": "潜变量", "lv": "潜变量", "csi": "CSI", "all": "全部",
    # sources and statuses
    "collected": "已收集", "planned (file present)": "已计划（文件已到）", "planned": "已计划",
    "missing": "缺失", "secondary": "二手资料", "internal_interview": "内部访谈",
    "in_depth_interview": "深度访谈", "focus_group": "焦点小组", "survey": "问卷调查",
    "crm": "CRM 导出", "public": "公开资料", "research_firm": "研究机构", "web": "网络",
    # cleaning
    "out_of_range": "超出量表", "partials": "未完成答卷", "duplicates": "重复答卷",
    "speeders": "答题过快", "straightliners": "直线作答", "too_missing": "缺失过多",
    "drop": "剔除", "flag": "仅标记", "keep_first": "保留首条", "set to missing": "设为缺失",
    # IPMA quadrants
    "keep_up": "继续保持", "low_priority": "次要改进", "overkill": "过度投入",
    "concentrate": "重点改进", "Keep up the good work": "继续保持",
    "Low priority": "次要改进", "Possible overkill": "可能过度投入",
    "Concentrate here": "重点改进",
    # lifecycle
    "introduction": "导入期", "growth": "成长期", "maturity": "成熟期", "decline": "衰退期",
    "none": "无",
    "New-customer management": "新顾客管理", "Satisfied-customer management": "满意顾客管理",
    "Dissatisfied-customer and churn-prevention management": "不满意顾客及防流失管理",
    # RFM
    "high": "高", "low": "低",
    # tiers and customer types
    "large": "大客户", "ordinary": "普通客户", "small": "小客户", "agent": "代理商",
    "franchisee": "加盟商", "retail": "零售客户",
    "A:top_sales": "A：销售额前列", "A:type": "A：客户类型", "B:growth": "B：持续增长",
    "C:other": "C：其他",
    # fit measures
    "chi2": "卡方", "df": "自由度", "cfi": "CFI", "tli": "TLI", "rmsea": "RMSEA",
    "rmsea_ci_lower": "RMSEA 90% 置信区间下限", "rmsea_ci_upper": "RMSEA 90% 置信区间上限",
    "srmr": "SRMR", "aic": "AIC", "bic": "BIC", "loglik": "对数似然", "npar": "参数个数",
    "baseline_chi2": "基线模型卡方", "baseline_df": "基线模型自由度", "n": "样本量",
    "p_value": "p 值",
    # fieldwork measures
    "responses started": "开始作答数", "complete": "完成答卷", "partial": "未完成答卷",
    "completion rate": "完成率", "unique respondents": "独立受访者",
    "rows sharing an id": "编号重复的行", "median duration, complete (min)": "完成答卷用时中位数（分钟）",
    "first response": "首份答卷", "last response": "末份答卷", "fieldwork days": "调查天数",
    "target responses": "目标样本量", "complete / target": "完成数 / 目标数",
    "KMO (overall MSA)": "KMO（总体 MSA）", "Bartlett chi-square": "巴特利特卡方",
    "loading": "载荷", "path": "路径",
    "added": "新增", "dropped": "删除", "reworded": "措辞改变", "moved": "移动", "scale changed": "量表改变",
    "configural": "形态不变性", "metric": "度量不变性", "scalar": "标量不变性",
}

#: machine words some tables carry as values, in English words
VALUES_EN: dict[str, str] = {
    "ss_loadings": "SS loadings", "proportion_var": "Proportion of variance",
    "cumulative_var": "Cumulative variance", "proportion_explained": "Proportion explained",
    "cumulative_proportion": "Cumulative proportion", "keep_up": "Keep up the good work",
    "low_priority": "Low priority", "overkill": "Possible overkill", "concentrate": "Concentrate here",
    "out_of_range": "Out of range", "partials": "Partial responses", "duplicates": "Duplicates",
    "speeders": "Speeders", "straightliners": "Straight-liners", "too_missing": "Too many missing",
    "latent_variable": "latent variable", "in_depth_interview": "In-depth interviews",
    "internal_interview": "Internal interviews", "focus_group": "Focus groups",
    "secondary": "Secondary data", "survey": "Questionnaire survey", "crm": "CRM export",
    "research_firm": "research firm", "chi2": "Chi-square", "df": "df", "p_value": "p",
    "cfi": "CFI", "tli": "TLI", "rmsea": "RMSEA", "rmsea_ci_lower": "RMSEA 90% CI low",
    "rmsea_ci_upper": "RMSEA 90% CI high", "srmr": "SRMR", "aic": "AIC", "bic": "BIC",
    "loglik": "Log-likelihood", "npar": "Parameters", "baseline_chi2": "Baseline chi-square",
    "baseline_df": "Baseline df", "configural": "Configural", "metric": "Metric (loadings)",
    "scalar": "Scalar (loadings, intercepts)",
}
VALUES.update({
    "High value": "重要价值客户", "High value to develop": "重要发展客户",
    "High value to retain": "重要保持客户", "High value to win back": "重要挽留客户",
    "Regular value": "一般价值客户", "Regular to develop": "一般发展客户",
    "Regular to retain": "一般保持客户", "Regular to win back": "一般挽留客户",
    "Keep close; reward and ask for referrals": "保持紧密联系；给予奖励并请其推荐",
    "Raise purchase frequency": "提高购买频次", "Win them back before they lapse": "在其流失前重新争取",
    "Find out why they left; win back": "查明流失原因并挽回",
    "Raise basket size: upgrade, cross-sell": "提高客单价：升级与交叉销售",
    "Nurture new buyers": "培育新买家", "Re-engage with offers": "以优惠重新激活",
    "Low-cost mass messages": "低成本群发信息",
})
VALUES.update({"acsi": "ACSI 加权", "equal": "等权", "pls": "PLS 权重"})
VALUES_EN.update({"acsi": "ACSI weights", "equal": "equal weights", "pls": "PLS weights"})
VALUES.update({"ss_loadings": "载荷平方和", "proportion_var": "方差占比",
               "cumulative_var": "累计方差", "proportion_explained": "解释占比",
               "cumulative_proportion": "累计解释占比", "region": "地区", "channel": "渠道",
               "store": "门店", "online": "线上", "phone": "电话", "North": "北区",
               "South": "南区", "East": "东区", "West": "西区"})

#: words of the report's frame (cover, summary, notices, captions)
WORDS: dict[str, tuple[str, str]] = {
    "report_title": ("Customer satisfaction (CSI) report", "顾客满意度（CSI）测评报告"),
    "client": ("Client", "客户"), "industry": ("Industry", "行业"), "wave": ("Wave", "测评期"),
    "date": ("Date", "日期"), "run": ("Run", "运行编号"), "steps": ("Steps", "步骤"),
    "contents": ("Contents", "目录"), "summary": ("Executive summary", "摘要"),
    "appendix": ("Appendix", "附录"), "method_notes": ("Method notes", "方法说明"),
    "quality_log": ("Data-quality log", "数据质量记录"),
    "ok": ("done", "完成"), "failed": ("failed", "失败"), "skipped": ("not run", "未运行"),
    "pending": ("not run", "未运行"), "running": ("running", "运行中"),
    "not_applicable": ("not applicable", "不适用"),
    "more_rows": ("Showing {shown} of {total} rows; the whole table is on sheet “{sheet}” of "
                  "the Excel workbook.",
                  "仅显示 {total} 行中的 {shown} 行；完整表格见 Excel 工作簿的“{sheet}”工作表。"),
    "file_more_rows": ("Showing {shown} of {total} rows; the whole table is the file "
                       "tables/{file} (too long for a sheet of the Excel workbook).",
                       "仅显示 {total} 行中的 {shown} 行；完整表格见文件 tables/{file}"
                       "（行数过多，未放入 Excel 工作簿）。"),
    "sheet_pointer": ("Whole table: sheet “{sheet}” of the Excel workbook.",
                      "完整表格：Excel 工作簿的“{sheet}”工作表。"),
    "yes": ("yes", "是"), "no": ("no", "否"),
    "figure": ("Figure", "图"), "page": ("Page", "第"),
    "step_failed": ("This step failed at cell {cell}: {message}. What ran is shown below; the "
                    "rest of this chapter and later chapters are incomplete.",
                    "此步骤在第 {cell} 个单元格失败：{message}。下文显示已运行的部分，本章其余部分及后续章节不完整。"),
    "step_not_run": ("This step was not run ({status}): an earlier step failed or the run "
                     "stopped.", "此步骤未运行（{status}）：此前的步骤失败或运行已停止。"),
    "trace": ("Every number of this report is in the Excel workbook delivered with it; the "
              "run's inputs, versions and parameters are recorded with the run.",
              "本报告的全部数字均见随附的 Excel 工作簿；本次运行的输入、软件版本和参数均有记录。"),
}

_STEP_TITLES = {
    "01": ("Problem framing", "提出问题"), "02": ("Data collection", "采集数据"),
    "03": ("Indicator construction", "测评指标的构建与量化"),
    "04": ("Factor analysis and the satisfaction model", "因子分析与满意度模型"),
    "05": ("Customer tiering", "客户分层"), "06": ("Tracking", "连续跟踪"),
}

#: table stem -> (English title, Chinese title)
TABLES: dict[str, tuple[str, str]] = {
    "01_framing_questions": ("The six framing questions", "六个提问"),
    "01_indicator_tree": ("The indicator system", "指标体系"),
    "01_planned_sources": ("Planned data sources", "计划的数据来源"),
    "01_principles_checklist": ("The four principles, per indicator", "各指标的四大原则检查"),
    "02_answer_distribution": ("Answer distribution per item", "各题答案分布"),
    "02_cleaning_flags": ("Cleaning flags per response", "每份答卷的清洗标记"),
    "02_cleaning_log": ("Cleaning log", "数据清洗记录"),
    "02_duplicate_respondents": ("Duplicate respondents", "重复受访者"),
    "02_fieldwork_summary": ("Survey fieldwork", "问卷调查执行情况"),
    "02_missing_by_item": ("Missing values per item", "各题缺失值"),
    "02_out_of_range": ("Answers not on their scale", "超出量表的答案"),
    "02_quota": ("Quota against target", "配额完成情况"),
    "02_secondary_sources": ("Secondary sources", "二手资料"),
    "02_source_inventory": ("Sources by the five methods", "五种方法的数据来源"),
    "02_suspect_responses": ("Suspect responses", "可疑答卷"),
    "02_theme_frequency": ("Themes from interviews and focus groups", "访谈与焦点小组的主题"),
    "03_against_competitors": ("Against competitors", "与竞争对手比较"),
    "03_assignment_counts": ("Assignment: answers per item", "赋值：各题答案计数"),
    "03_assignment_positioning_rule": ("Assignment and positioning rule", "赋值与定位规则"),
    "03_importance_performance": ("Importance-performance of the indicators", "指标的重要性-绩效"),
    "03_item_statistics": ("Item statistics", "题目统计"),
    "03_reliability": ("Reliability per latent variable", "各潜变量信度"),
    "03_reliability_items": ("Reliability, item by item", "逐题信度"),
    "03_scores_by_segment": ("Scores by segment", "各细分群体得分"),
    "03_scores_tree": ("Scores of the indicator system", "指标体系得分"),
    "03_item_positions": ("Item positions (0-100)", "各题定位（0-100）"),
    "04_analysis_items": ("The analysis items", "分析题目"),
    "04_cfa_fit": ("CFA model fit", "验证性因子分析拟合"),
    "04_cfa_loadings": ("CFA loadings", "验证性因子分析载荷"),
    "04_csi": ("The CSI", "顾客满意度指数"),
    "04_efa_communalities": ("EFA: item loadings and communalities", "探索性因子分析：载荷与共同度"),
    "04_efa_loadings": ("EFA loadings", "探索性因子分析载荷"),
    "04_efa_variance_explained": ("EFA: variance explained", "探索性因子分析：解释方差"),
    "04_fornell_larcker": ("Fornell-Larcker criterion", "Fornell-Larcker 准则"),
    "04_htmt": ("HTMT ratios", "HTMT 比率"),
    "04_ipma": ("Importance-performance map (IPMA)", "重要性-绩效分析（IPMA）"),
    "04_kmo_items": ("KMO per item", "各题 KMO"),
    "04_parallel_analysis": ("Parallel analysis", "平行分析"),
    "04_pls_effects": ("Direct, indirect and total effects", "直接、间接与总效应"),
    "04_pls_outer": ("Measurement model (PLS)", "测量模型（PLS）"),
    "04_pls_paths": ("Path coefficients", "路径系数"),
    "04_pls_r2": ("R² of the latent variables", "潜变量的 R²"),
    "04_recovery": ("Planted model recovered", "设定模型的还原"),
    "04_reliability_validity": ("Reliability and validity", "信度与效度"),
    "04_suitability": ("Suitability for factoring", "因子分析适用性"),
    "05_abc_customers": ("ABC tier per customer", "每位客户的 ABC 层级"),
    "05_abc_summary": ("ABC tiers", "ABC 分层"),
    "05_action_table": ("Actions per tier and tag", "各层级与标签的行动"),
    "05_customer_value": ("Value per customer", "客户价值"),
    "05_lifecycle": ("Lifecycle stage per customer", "客户生命周期阶段"),
    "05_lifecycle_counts": ("Customers per lifecycle stage", "各生命周期阶段客户数"),
    "05_pyramid_summary": ("Customer pyramid", "客户金字塔"),
    "05_rfm": ("RFM per customer", "每位客户的 RFM"),
    "05_rfm_segments": ("RFM segments", "RFM 细分"),
    "05_rule_abc_customers": ("Rule-based tier per customer", "每位客户的规则分层"),
    "05_rule_abc_summary": ("Rule-based ABC tiers", "规则 ABC 分层"),
    "05_rule_abc_examples": ("Rule-based tiers: examples", "规则分层示例"),
    "03_planted_segment_effects": ("Planted segment effects (SD units of satisfaction)",
                                   "设定的细分群体效应（满意度标准差单位）"),
    "03_planted_competitor_shifts": ("Planted competitor shifts", "设定的竞争对手差异"),
    "03_segment_invariance": ("Measurement invariance across segments", "各细分群体间的测量不变性"),
    "05_clv_holdout": ("Lifetime model tested on the holdout months", "终生价值模型的保留期检验"),
    "05_clv_customers": ("Lifetime value per customer", "每位客户的终生价值"),
    "05_clv_by_tier": ("Lifetime value by tier", "各层级的终生价值"),
    "05_lifecycle_strategy": ("Lifecycle stages and their strategy", "生命周期阶段与管理策略"),
    "05_declining_dissatisfied": ("What declining customers are dissatisfied with",
                                  "衰退期客户的不满意项"),
    "05_loyalty": ("Loyalty segment per customer", "客户忠诚度分类明细"),
    "05_loyalty_segments": ("Loyalty segments", "忠诚度分类"),
    "05_early_adopters": ("Early adopters of the client's launches", "新产品早期购买者"),
    "05_contact_plan": ("Contact plan per customer", "客户联系计划"),
    "05_contact_plan_summary": ("Contact plan: the sales team's workload", "联系计划：销售团队工作量"),
    "05_value_rating_standards": ("Value tiers: service standard and reward",
                                  "价值等级：服务标准与奖励"),
    "05_value_rating_customers": ("Value rating per customer", "客户价值评级明细"),
    "05_value_rating_tiers": ("Value tiers of the latest period", "本期价值等级"),
    "05_value_rating_migration": ("Tier migration between the periods", "两期之间的等级迁移"),
    "05_channels": ("Acquisition channels: cost, quality and verdict", "获客渠道：成本、质量与结论"),
    "05_complaint_issues": ("Complaints by issue (Pareto)", "按问题分类的投诉（帕累托）"),
    "05_complaint_handling": ("Complaint handling against the standard", "投诉处理与标准对照"),
    "05_complainers_vs_others": ("Complainers and other customers", "投诉客户与其他客户"),
    "06_waves": ("The waves compared", "参与比较的各期"),
    "06_system_changes": ("Changes in the indicator system", "指标体系的变化"),
    "06_change": ("Change since the previous wave", "相对上一期的变化"),
    "06_invariance": ("Measurement invariance between the waves", "两期之间的测量不变性"),
    "06_segments": ("Significant changes by segment", "各细分群体的显著变化"),
    "06_drivers": ("The drivers that moved", "变化最大的驱动因素"),
    "06_paths_between_waves": ("Paths in both waves (multi-group PLS)", "两期的路径系数（多组 PLS）"),
    "05_satisfaction_by_abc": ("Satisfaction by ABC tier", "各 ABC 层级的满意度"),
    "05_satisfaction_by_pyramid": ("Satisfaction by pyramid tier", "各金字塔层级的满意度"),
    "05_tags": ("Tags per customer", "客户标签"),
    "05_tag_counts": ("Customers per tag", "各标签客户数"),
    "05_tags_visit_buy": ("Customers by visit (Y/N) and purchase (M/O)", "按到店（Y/N）与购买（M/O）划分的客户数"),
}


def _pick(pair, lang: str) -> str:
    return pair[1] if lang == "zh" else pair[0]


def word(key: str, lang: str = "en", **fields) -> str:
    """A word of the report frame in ``lang`` (:data:`WORDS`), with ``{fields}`` filled."""
    return _pick(WORDS[key], lang).format(**fields)


def step_title(number: str, lang: str = "en") -> str:
    """The chapter title of step ``"01"`` .. ``"06"``."""
    return _pick(_STEP_TITLES.get(number, (number, number)), lang)


def title(stem: str, lang: str = "en") -> str:
    """The title of table ``stem`` (``04_csi`` -> "The CSI"), or the stem in words."""
    if stem in TABLES:
        return _pick(TABLES[stem], lang)
    number, _, rest = stem.partition("_")
    return rest.replace("_", " ").capitalize() if number.isdigit() else stem.replace("_", " ")


def _pattern(name: str):
    for rx, en, zh, kind in _PATTERNS:
        m = re.match(rx, str(name))
        if m:
            inner = m.group(1)
            inner_h = header(inner, "en") if inner in COLUMNS else inner.replace("_", " ")
            inner_z = header(inner, "zh") if inner in COLUMNS else inner
            return en.format(inner_h if not inner.isdigit() else inner), \
                zh.format(inner_z if not inner.isdigit() else inner), kind
    return None


def header(name, lang: str = "en") -> str:
    """The header of column ``name`` in ``lang``; unknown names in words."""
    if name in COLUMNS:
        return _pick(COLUMNS[name], lang)
    hit = _pattern(name)
    if hit:
        return _pick(hit[:2], lang)
    text = str(name).replace("_", " ")
    return text[:1].upper() + text[1:]


def kind_of(name, dtype=None) -> str:
    """The kind of column ``name`` (see the module docstring); ``dtype`` decides unknowns."""
    if name in COLUMNS:
        kind = COLUMNS[name][2]
        if kind == "bool" and getattr(dtype, "kind", "b") in "iuf":
            return "int"             # e.g. "answered": a flag per respondent, a count per cause
        return kind
    hit = _pattern(name)
    if hit:
        return hit[2]
    if dtype is not None:
        kind = getattr(dtype, "kind", "O")
        if kind == "b":
            return "bool"
        if kind in "iu":
            return "int"
        if kind == "f":
            return "stat"
        if kind == "M":
            return "date"
    return "text"


def value(text, lang: str = "en"):
    """A short value of a table in ``lang``: Chinese from :data:`VALUES`, English words for
    machine words from :data:`VALUES_EN`; anything else unchanged."""
    if not isinstance(text, str):
        return text
    if lang == "zh":
        return VALUES.get(text, text)
    return VALUES_EN.get(text, text)

# customer management: value rating, channels, complaints (codes in the data, words in the report)
VALUES.update({"expectation_gap": "期望落差", "product_quality": "产品质量", "service": "服务",
               "total": "合计", "keep": "保留", "drop": "放弃", "open": "开拓",
               "unknown": "未记录", "satisfaction": "满意度", "retention": "留存率",
               "new": "新增", "gone": "流失", "unrated": "未评级",
               "two_proportion_z": "两比例 z 检验", "fisher_exact": "Fisher 精确检验",
               "welch_t": "Welch t 检验"})
VALUES_EN.update({"expectation_gap": "Expectation gap", "product_quality": "Product quality",
                  "service": "Service", "total": "Total", "keep": "Keep", "drop": "Drop",
                  "open": "Open (trial)", "unknown": "Not recorded",
                  "satisfaction": "Satisfaction (0-100)", "retention": "Retention",
                  "new": "New", "gone": "Gone", "unrated": "No tier",
                  "two_proportion_z": "Two-proportion z", "fisher_exact": "Fisher's exact",
                  "welch_t": "Welch's t"})

COLUMNS.update({
    "strategy": ("Strategy", "管理策略", "text"),
    "declining": ("Declining customers dissatisfied", "衰退期客户不满意比例", "pct"),
    "n_declining": ("n, declining", "衰退期客户数", "int"),
    "stated_loyalty": ("Stated loyalty (0-100)", "表达的忠诚度（0-100）", "score"),
    "confirmed": ("Confirmed by the survey", "问卷确认", "int"),
    "early_adopters": ("Early adopters", "早期购买者", "int"),
    "early_adopter": ("Early adopter", "早期购买者", "bool"),
    "category": ("Category", "品类", "text"), "launched": ("Launched", "上市日期", "date"),
    "until": ("Early until", "早期截至", "date"),
    "channel": ("Channel", "渠道", "text"), "cadence_days": ("Every (days)", "间隔（天）", "int"),
    "contacts_per_year": ("Contacts a year", "每年联系次数", "stat"), "batch": ("Week", "批次（周）", "int"),
    "next_contact": ("Next contact", "下次联系", "date"), "first_contact": ("First contact", "首次联系", "date"),
    "last_contact": ("Last scheduled", "最后一次安排", "date"),
    "per_week": ("Largest week", "单周最多", "int"),
    "others_dissatisfied": ("Other customers dissatisfied", "其他客户不满意比例", "pct"),
})
VALUES.update({"loyal": "忠诚客户", "switcher": "品牌转换者", "no_loyalty": "无品牌忠诚",
               "one_to_one": "一对一", "small_batch": "分小批", "message_group": "信息群组"})
VALUES_EN.update({"introduction": "Introduction", "growth": "Growth", "maturity": "Maturity",
                  "decline": "Decline", "loyal": "Loyal", "switcher": "Brand switcher",
                  "no_loyalty": "No brand loyalty",
                  "one_to_one": "One-to-one", "small_batch": "Small batches",
                  "message_group": "Message group"})
