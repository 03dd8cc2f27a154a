"""Customer management as the method teaches it (METHOD.md §5-6), one module per concept:

==================  =====================================================================
module              concept
==================  =====================================================================
``inputs``          the ``tiering:`` settings, checks of the customer tables, preflight
``engine``          the embedded query engine (DuckDB through Ibis) every aggregate runs on
``value``           customer value: revenue, orders, sales per year (客户价值)
``value_tiers``     ABC by revenue and the value pyramid (价值分层, 客户金字塔)
``rules``           ABC by rule: the franchise example (按规则分层)
``lifecycle``       lifecycle stages with their strategy; loyalty segments (客户生命周期)
``tags``            Y/N, M/O, VIP tags, treatments and the action table (标签)
``contacts``        the contact plan: next contact, channel and cadence per customer
``rfm``             recency, frequency, monetary scores and the eight segments
``satisfaction``    satisfaction by tier of linked respondents
``clv``             customer lifetime value: BG/NBD and Gamma-Gamma (客户终生价值)
``value_rating``    the five-dimension value rating and its migration (客户价值评级)
``channels``        acquisition channels: cost, quality, keep / drop / open (渠道评估)
``complaints``      complaint handling: causes, Pareto, the 24-hour standard (投诉处理)
==================  =====================================================================

Import a concept's module (``from csi_helpers.customers import rfm``); notebook 05 uses
the flat names of :mod:`csi_helpers.tiering` (``tiering.abc``, ``tiering.rfm`` ...), which
come from these modules.
"""
