"""The layer ships exactly what the tests run against."""

import re
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
LAYER = ROOT / "layers/banksync/requirements.txt"
PIN = re.compile(r"^([A-Za-z0-9_.-]+)(?:\[[^\]]*\])?==([^\s\\]+)(?:\s+\\)?$")
HASH = re.compile(r"^--hash=sha256:[0-9a-f]{64}(?:\s+\\)?$")


def normal(name: str) -> str:
    return re.sub(r"[-_.]+", "-", name).lower()


def pins(path: Path) -> dict[str, str]:
    found = {}
    for line in path.read_text().splitlines():
        match = PIN.match(line.strip())
        if match:
            found[normal(match[1])] = match[2]
    return found


def requirement_lines(path: Path) -> list[str]:
    lines = [line.strip() for line in path.read_text().splitlines()]
    return [line for line in lines if line and not line.startswith(("#", "--hash"))]


def hashes_by_pin(path: Path) -> dict[str, list[str]]:
    found: dict[str, list[str]] = {}
    current = ""
    for line in (line.strip() for line in path.read_text().splitlines()):
        if match := PIN.match(line):
            current = normal(match[1])
            found[current] = []
        elif line.startswith("--hash"):
            assert HASH.match(line), line
            found[current].append(line)
    return found


def test_every_layer_package_is_pinned_as_the_tests_install_it() -> None:
    layer = pins(LAYER)
    dev = pins(ROOT / "requirements-dev.txt")
    assert len(layer) == len(requirement_lines(LAYER)), "every requirement is an exact pin"
    assert {name: dev.get(name) for name in layer} == layer


def test_every_pin_carries_the_hash_of_a_wheel() -> None:
    assert all(hashes_by_pin(LAYER).values()), "pip --require-hashes needs one for every pin"


def test_the_layer_leaves_the_sdk_to_the_runtime() -> None:
    assert not {"boto3", "botocore", "s3transfer", "urllib3"} & set(pins(LAYER))


def test_the_sdk_the_tests_run_against_is_a_released_pair() -> None:
    dev = pins(ROOT / "requirements-dev.txt")
    assert dev["boto3"] == dev["botocore"]
