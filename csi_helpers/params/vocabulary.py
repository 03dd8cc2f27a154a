"""The params' fixed vocabulary: the structural models and their latent variables
(with standard names), the label languages, and the kinds of source file."""
from __future__ import annotations

__all__ = ["MODEL_LVS", "LV_NAMES", "LANGUAGES", "SOURCES"]

#: The latent variables of each structural model, in the model's order.
MODEL_LVS: dict[str, tuple[str, ...]] = {
    "ACSI": ("EXPE", "QUAL", "VAL", "SAT", "COMP", "LOY"),
    "ECSI": ("IMAG", "EXPE", "QUAL", "VAL", "SAT", "COMP", "LOY"),
}
#: Standard names of the latent variables (used when ``latent_variables`` is omitted).
LV_NAMES: dict[str, dict[str, str]] = {
    "IMAG": {"en": "Corporate image", "zh": "企业形象"},
    "EXPE": {"en": "Customer expectations", "zh": "顾客期望"},
    "QUAL": {"en": "Perceived quality", "zh": "感知质量"},
    "VAL": {"en": "Perceived value", "zh": "感知价值"},
    "SAT": {"en": "Customer satisfaction", "zh": "顾客满意度"},
    "COMP": {"en": "Customer complaints", "zh": "顾客抱怨"},
    "LOY": {"en": "Customer loyalty", "zh": "顾客忠诚"},
}
LANGUAGES = ("en", "zh")
SOURCES = ("survey", "customers", "transactions", "visits", "acquisition", "channel_costs",
           "complaints", "ratings", "notes", "secondary", "truth")
