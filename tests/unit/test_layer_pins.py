"""The layer ships exactly what the tests run against."""

import re
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
PIN = re.compile(r"^([A-Za-z0-9_.-]+)(?:\[[^\]]*\])?==(\S+)$")


def pins(path: Path) -> dict[str, str]:
    found = {}
    for line in path.read_text().splitlines():
        match = PIN.match(line.strip())
        if match:
            found[re.sub(r"[-_.]+", "-", match[1]).lower()] = match[2]
    return found


def test_every_layer_package_is_pinned_as_the_tests_install_it() -> None:
    layer = pins(ROOT / "layers/banksync/requirements.txt")
    dev = pins(ROOT / "requirements-dev.txt")
    lines = [
        line
        for line in (ROOT / "layers/banksync/requirements.txt").read_text().splitlines()
        if line.strip() and not line.startswith("#")
    ]
    assert len(layer) == len(lines), "every requirement is an exact pin"
    assert {name: dev.get(name) for name in layer} == layer


def test_the_sdk_is_a_released_pair() -> None:
    layer = pins(ROOT / "layers/banksync/requirements.txt")
    assert layer["boto3"] == layer["botocore"]
