"""Customer management as the method teaches it: one module per concept.

``clv``: customer lifetime value (BG/NBD, Gamma-Gamma). The tiering concepts of
``csi_helpers.tiering`` (value tiers, rules, tags, RFM, lifecycle) move here next.
"""
