"""The example converters, loaded from examples/<dataset>/convert.py (not a package)."""

from __future__ import annotations

from types import ModuleType

import pytest

from tests.helpers import load_converter


@pytest.fixture(scope="session")
def dominicks() -> ModuleType:
    return load_converter("dominicks")


@pytest.fixture(scope="session")
def stallion() -> ModuleType:
    return load_converter("stallion")
