"""Pin the layer's requirements with the hashes of their wheels.

Reads ``layers/banksync/requirements.txt`` (exact pins, comments kept),
downloads each pin's wheels for arm64 (what the layer deploys) and x86_64
(what the benches and most build hosts import) on CPython 3.13, and writes
the file again with every wheel's sha256, so that ``pip install
--require-hashes`` in the layer's build refuses anything else. Run after
changing a pin: ``.venv/bin/python scripts/lock_layer.py``.
"""

import hashlib
import re
import subprocess
import sys
import tempfile
from pathlib import Path

REQUIREMENTS = Path(__file__).resolve().parents[1] / "layers" / "banksync" / "requirements.txt"
PLATFORMS = ("manylinux2014_aarch64", "manylinux2014_x86_64")
PIN = re.compile(r"^([A-Za-z0-9][A-Za-z0-9_.-]*)(\[[^\]]*\])?==([^\s\\;]+)")


def normal(name: str) -> str:
    return re.sub(r"[-_.]+", "_", name).lower()


def wheel_hashes(pins: list[str]) -> dict[str, set[str]]:
    found: dict[str, set[str]] = {}
    with tempfile.TemporaryDirectory() as scratch:
        for platform in PLATFORMS:
            target = Path(scratch) / platform
            subprocess.run(  # noqa: S603 (pins read from our own requirements file)
                [sys.executable, "-m", "pip", "download", "-qq", "--no-deps",
                 "--only-binary=:all:", "--platform", platform, "--implementation", "cp",
                 "--python-version", "3.13", "-d", str(target), *pins],
                check=True,
            )  # fmt: skip
            for wheel in target.glob("*.whl"):
                digest = hashlib.sha256(wheel.read_bytes()).hexdigest()
                found.setdefault(normal(wheel.name.split("-")[0]), set()).add(digest)
    return found


def main() -> None:
    lines = REQUIREMENTS.read_text().splitlines()
    kept = [line for line in lines if not line.lstrip().startswith("--hash")]
    kept = [line.rstrip(" \\") for line in kept]
    pins = {m[1]: f"{m[1]}{m[2] or ''}=={m[3]}" for line in kept if (m := PIN.match(line))}
    hashes = wheel_hashes([re.sub(r"\[[^\]]*\]", "", pin) for pin in pins.values()])
    out = []
    for line in kept:
        match = PIN.match(line)
        if not match:
            out.append(line)
            continue
        digests = sorted(hashes[normal(match[1])])
        out.append(pins[match[1]] + " \\")
        out.extend(f"    --hash=sha256:{d}" + (" \\" if i < len(digests) - 1 else "")
                   for i, d in enumerate(digests))  # fmt: skip
    REQUIREMENTS.write_text("\n".join(out) + "\n")


if __name__ == "__main__":
    main()
