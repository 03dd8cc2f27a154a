"""The examples in the docstrings run: every module of csi_helpers through doctest."""
from __future__ import annotations

import doctest
import importlib
import pkgutil

import pytest

import csi_helpers

MODULES = sorted(m.name for m in pkgutil.walk_packages(csi_helpers.__path__, "csi_helpers."))


@pytest.mark.parametrize("name", MODULES)
def test_docstring_examples_run(name):
    module = importlib.import_module(name)
    result = doctest.testmod(module, optionflags=doctest.ELLIPSIS | doctest.NORMALIZE_WHITESPACE,
                             verbose=False)
    assert result.failed == 0, f"{name}: {result.failed} docstring example(s) failed"
