"""A client's params file: load, validate, check against the data, and read it.

``params/<client>.yaml`` says everything an engagement needs: who the client is, how the
problem is framed, the four-level indicator system (CSI > latent variables of the ACSI /
ECSI model > indicators > survey items), the Likert scale, where the data are, and the
analysis and tiering settings. ``params/_template.yaml`` documents every key, its allowed
values and its default; ``params/demo.yaml`` is the demo client.

- :func:`load` reads the YAML, validates it, fills the defaults and resolves every
  ``sources.*.path`` to an absolute path (relative paths are relative to the project
  root, the parent of the folder holding the YAML file). It raises :class:`ParamsError`
  listing every problem.
- :func:`validate` returns the problems of the params themselves (keys, types, values,
  ids, cross-references), empty if none; it reads no data file.
- :func:`check` is what ``csi validate`` reports: the problems of :func:`validate` and
  those of the data (files exist and are readable, the survey has the columns the params
  name, quota values occur in the data, each CRM file has its required columns and
  readable values). For a demo client (``demo:`` in the params) data files that are not
  there yet are skipped: they are generated on demand.

Every problem is one line naming the key path and the fix, e.g.::

    indicator_system.indicators[3].items[0]: 'Q17' is not a column of data/acme/survey.csv; add the column or fix the item id

Readers of a loaded dict: :func:`blocks`, :func:`items`, :func:`indicators`,
:func:`label`, :func:`scale_labels`, :func:`model_lvs`.

Example
-------
>>> from csi_helpers import params
>>> p = params.load("params/demo.yaml")            # doctest: +SKIP
>>> params.blocks(p)["SAT"]                        # doctest: +SKIP
['Q17', 'Q18', 'Q19']
>>> params.label(p, "SAT", "zh")                   # doctest: +SKIP
'顾客满意度'

Submodules: ``vocabulary`` (models, latent variables, languages, sources), ``specs`` (the
validating spec types), ``schema`` (``_SCHEMA``), ``system`` (cross-checks of the indicator
system, paths, scales, fieldwork), ``loading`` (YAML, :func:`validate`, :func:`load`,
:class:`ParamsError`), ``data`` (:func:`check`, :func:`check_report`), ``readers``.
"""
from __future__ import annotations

from ..errors import CSIInputError, InputProblems
from .data import (MIN_RESPONSES, _NOUN, _check_answers, _check_data, _check_survey,
                   _relative, check, check_report)
from .loading import (MAX_YAML_NODES, ParamsError, _expanded_size, _normalise, _read_yaml,
                      _show, load, resolve_survey, validate)
from .readers import (_text, blocks, indicators, item_points, item_scales, items, label,
                      labels, model_lvs, model_paths, reverse_items, scale_labels, scale_points)
from .schema import _BOOLP, _CLIENT_ID, _CRM_SOURCE, _ITEM, _SCALE, _SCHEMA
from .specs import (_ABSENT, _INVALID, _REQUIRED, _Any, _Bool, _Choice, _Date, _Dict, _Field,
                    _Int, _List, _Map, _NFactors, _Num, _SheetSpec, _Spec, _Str, _Text,
                    _Validator, _as_dict, _as_list, _join, _near, _ok, _short)
from .system import (_check_fieldwork, _check_paths, _check_scale, _check_scales,
                     _check_system, _cross_checks, _dups, _weights_all_or_none)
from .vocabulary import LANGUAGES, LV_NAMES, MODEL_LVS, SOURCES

__all__ = [
    "ParamsError", "load", "validate", "check", "blocks", "items", "indicators", "label", "labels",
    "scale_labels", "model_lvs", "model_paths", "MODEL_LVS", "LV_NAMES",
]
