"""Customer tiering and differentiated treatment (METHOD.md §5): the flat names notebook 05
and the params (``tiering:``) use for :mod:`csi_helpers.customers`, where each concept has
its module (value, value tiers, rules, lifecycle and loyalty, tags, contacts, RFM,
satisfaction, CLV, value rating, channels, complaints). Everything here comes from there.

Example
-------
>>> from csi_helpers import tiering
>>> from csi_helpers.customers import value_tiers
>>> tiering.abc is value_tiers.abc
True
"""
from .customers.contacts import contact_plan, plan_summary  # noqa: F401
from .customers.engine import Purchases, member, purchase_days, store_visits  # noqa: F401
from .customers.inputs import (DEFAULTS, LABELS, clean_transactions, preflight,  # noqa: F401
                               settings)
from .customers.lifecycle import (LIFECYCLE_STAGES, LOYALTY_SEGMENTS,  # noqa: F401
                                  attribute_scales, dissatisfied_items, early_adopters,
                                  early_adopters_line, lifecycle, loyalty, loyalty_table,
                                  period_sales, strategy)
from .customers.rfm import RFM_SEGMENTS, rfm, rfm_segments  # noqa: F401
from .customers.rules import growth_rates, rule_abc  # noqa: F401
from .customers.satisfaction import (SatisfactionByTier, customer_satisfaction,  # noqa: F401
                                     linked_answers, linked_satisfaction, planted_note, recovery,
                                     respondent_satisfaction, satisfaction_by_tier,
                                     satisfaction_figure)
from .customers.tags import (CONTACTS, TREATMENTS, action_table, contact_text, tags,  # noqa: F401
                             treatment_text, visit_buy_table)
from .customers.value import customer_value, purchases, retention, yearly_sales  # noqa: F401
from .customers.value_tiers import (PYRAMID_TIERS, TierResult, abc, pareto_figure,  # noqa: F401
                                    pareto_line, pareto_point, pyramid, pyramid_figure)
