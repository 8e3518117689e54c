"""The layer's build compiles what the functions import at start, and only that.

Built as ``sam build`` builds it (``layers/banksync/Makefile``), with this
machine's wheels, once per version of the layer's sources (bench.lambda_site).
"""

import importlib.util
from pathlib import Path

import pytest

from bench.lambda_site import BYTECODE_LIST, layer_build


@pytest.fixture(scope="module")
def layer() -> Path:
    return layer_build()


def compiled(module: Path) -> bool:
    return Path(importlib.util.cache_from_source(str(module))).exists()


def listed() -> list[str]:
    lines = BYTECODE_LIST.read_text().splitlines()
    return [line for line in lines if line and not line.startswith("#")]


def test_the_modules_the_functions_import_are_compiled(layer: Path) -> None:
    modules = [layer / name for name in listed()]
    assert modules, "the list names the packages' modules the functions import"
    assert all(compiled(module) for module in modules if module.exists())
    assert all(compiled(module) for module in (layer / "banksync").rglob("*.py"))


def test_modules_no_function_imports_ship_as_source_only(layer: Path) -> None:
    unlisted = layer / "pydantic" / "v1" / "main.py"
    assert unlisted.exists()
    assert "pydantic/v1/main.py" not in listed()
    assert not compiled(unlisted)


def test_the_list_names_modules_of_the_pins_once_each_in_order() -> None:
    names = listed()
    assert names == sorted(set(names))
    assert all(name.endswith(".py") and not name.startswith("banksync/") for name in names)


def test_powertools_swagger_ui_assets_are_not_shipped(layer: Path) -> None:
    swagger_ui = layer / "aws_lambda_powertools" / "event_handler" / "openapi" / "swagger_ui"
    assert (swagger_ui / "__init__.py").exists(), "its modules stay: api_gateway imports them"
    assert not list(swagger_ui.glob("*.min.js"))
    assert not list(swagger_ui.glob("*.min.css"))
