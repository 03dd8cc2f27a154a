"""Indicator construction: item statistics and the roll-up of 0-100 scores to a CSI.

The fourth level of the indicator system (survey items, METHOD.md §2) is measured on a
Likert scale in two moves (METHOD.md §4): *assignment* (赋值, each answer label becomes a
number 1..points; ``csi_helpers.scales.assign``) and *positioning* (定位, the numbers are
placed on one 0-100 continuum, ``100 * (x - 1) / (points - 1)``; ``scales.position``),
after reverse-keyed items are turned round (``scales.reverse``). This module takes those
0-100 positions up the tree

    item -> indicator (测评指标) -> latent variable -> CSI (顾客满意度指数)

and answers the questions a CSI report asks of them: how each item behaves
(``item_statistics``), which indicators matter and how they perform
(``importance_performance``, ``ipa_figure``), how segments differ (``by_segment``,
``segment_figure``) and how the client stands against its competitors
(``against_competitors``, ``competitor_figure``).

Weights live in the params file (``params/demo.yaml`` shape): ``weight`` on an item
(within its indicator), on an indicator (within its latent variable) and on a latent
variable (for ``indicator_system.csi.weighting: custom``). Without weights every level is
the plain mean of the level below.

Example
-------
>>> from csi_helpers import indices, scales
>>> keyed = scales.reverse(values, p["scale"]["reverse_items"], 5)   # doctest: +SKIP
>>> r = indices.rollup(scales.position(keyed, 5), p)                  # doctest: +SKIP
>>> r.csi, r.weighting                                                # doctest: +SKIP
(74.3, 'acsi')

Layout: one module per concept, each importable from here as before:
``system``: the tree, weights, scale points and labels (shared helpers);
``items``: item positions, item statistics, the positioning rule;
``lv_reliability``: Cronbach's alpha by latent variable;
``csi_rollup``: the roll-up of the indicator system into the CSI, respondent scores;
``ipa``: importance-performance analysis;
``segments``: scores by segment;
``competitors``: comparison against competitors.
"""
from __future__ import annotations

from .system import (  # noqa: F401
    OUTCOME_LVS, COMPLAINTS_LV, SATISFACTION_LV, _TEXT, _lang, _name, _system, _points,
    _item_scale, _points_of, _weights, _weighted_mean, _numeric_frame, _t_ci,
    _check_confidence, _Tree, _tree, _item_ids, _measure_name,
)
from .items import (  # noqa: F401
    _reverse_keyed, item_positions, item_statistics, positioning_table,
)
from .lv_reliability import (  # noqa: F401
    Reliability, reliability_by_lv,
)
from .csi_rollup import (  # noqa: F401
    _csi_weights, Rollup, rollup, respondent_scores, _aligned, scores_figure,
)
from .ipa import (  # noqa: F401
    QUADRANTS, importance_performance, _target_label, ipa_figure,
)
from .segments import (  # noqa: F401
    by_segment, segment_figure,
)
from .competitors import (  # noqa: F401
    _as_values, against_competitors, competitor_figure,
)

__all__ = [
    "Rollup", "Reliability", "positioning_table", "item_positions", "item_statistics",
    "reliability_by_lv", "rollup", "respondent_scores", "scores_figure",
    "importance_performance", "ipa_figure", "by_segment", "segment_figure",
    "against_competitors", "competitor_figure", "QUADRANTS",
]
