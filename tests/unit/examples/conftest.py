"""The example converters, loaded from examples/<dataset>/convert.py (not a package)."""

from __future__ import annotations

import importlib.util
from pathlib import Path
from types import ModuleType

import pytest

EXAMPLES = Path(__file__).resolve().parents[3] / "examples"


def load_converter(dataset: str) -> ModuleType:
    """Import examples/<dataset>/convert.py under a unique module name."""
    path = EXAMPLES / dataset / "convert.py"
    spec = importlib.util.spec_from_file_location(f"crossdock_example_{dataset}", path)
    assert spec is not None
    assert spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


@pytest.fixture(scope="session")
def dominicks() -> ModuleType:
    return load_converter("dominicks")


@pytest.fixture(scope="session")
def stallion() -> ModuleType:
    return load_converter("stallion")
