"""The packages a deployed function sees, rebuilt from the pins, for the benches.

In Lambda a function imports from its own code, the layer (``/opt/python``:
banksync and exactly the packages of ``layers/banksync/requirements.txt``) and
the runtime (``/var/runtime``: the AWS SDK). The development venv holds far
more (httpx finds click and rich there and loads them; the X-Ray SDK patches
requests if it can import it), so a cold start measured in the venv is not the
one Lambda pays. These directories hold only what Lambda would: the layer's
pins, and the SDK at the versions the tests run against.
"""

import hashlib
import json
import re
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
LAYER_REQUIREMENTS = ROOT / "layers" / "banksync" / "requirements.txt"
# The packages' modules the layer's build compiles (scripts/layer_bytecode.py).
BYTECODE_LIST = LAYER_REQUIREMENTS.parent / "bytecode.txt"
DEV_REQUIREMENTS = ROOT / "requirements-dev.txt"
# What the python3.13 runtime ships beside the interpreter.
RUNTIME_SDK = ("boto3", "botocore", "s3transfer", "jmespath", "python-dateutil", "six", "urllib3")


def _pins(path: Path) -> dict[str, str]:
    found = {}
    for line in path.read_text().splitlines():
        match = re.match(r"^([A-Za-z0-9_.-]+)(?:\[[^\]]*\])?==(\S+)", line.strip())
        if match:
            found[re.sub(r"[-_.]+", "-", match[1]).lower()] = match[2]
    return found


def runtime_sdk_pins() -> list[str]:
    dev = _pins(DEV_REQUIREMENTS)
    return [f"{name}=={dev[name]}" for name in RUNTIME_SDK]


def _cache(kind: str, *inputs: str) -> Path:
    digest = hashlib.sha256("\n".join(inputs).encode()).hexdigest()[:16]
    return Path(tempfile.gettempdir()) / "banksync-bench" / f"{kind}-{digest}"


def _pip(*arguments: str) -> None:
    subprocess.run(
        [sys.executable, "-m", "pip", "-qq", "--disable-pip-version-check", *arguments],
        check=True,
    )


def _installed(kind: str, requirements: list[str]) -> Path:
    """A ``pip install --target`` of exactly these requirements (no dependencies of
    their own: every package is pinned), made once per set of pins."""
    target = _cache(kind, *requirements)
    if not (target / ".complete").exists():
        _pip("install", "--no-deps", "--no-compile", "--target", str(target), *requirements)
        (target / ".complete").touch()
    return target


def layer_requirements() -> list[str]:
    lines = LAYER_REQUIREMENTS.read_text().splitlines()
    return [line.split(" ")[0] for line in lines if re.match(r"^[A-Za-z0-9]", line)]


def layer_build(arm64: bool = False) -> Path:
    """``/opt/python`` as the layer's own build makes it (``layers/banksync/Makefile``):
    for arm64 as deployed, or with this machine's wheels so that it imports here."""
    layer = LAYER_REQUIREMENTS.parent
    sources = sorted(p for p in layer.rglob("*") if p.is_file() and "__pycache__" not in p.parts)
    inputs = [
        f"{p.relative_to(layer)}:{hashlib.sha256(p.read_bytes()).hexdigest()}" for p in sources
    ]
    artifacts = _cache("opt-arm64" if arm64 else "opt", *inputs)
    if not (artifacts / ".complete").exists():
        shutil.rmtree(artifacts, ignore_errors=True)
        platform = [] if arm64 else ["LAYER_PLATFORM="]
        make = shutil.which("make") or "/usr/bin/make"
        subprocess.run(
            [make, "--quiet", "-C", str(layer), "build-BanksyncLayer",
             f"ARTIFACTS_DIR={artifacts}", f"PYTHON={sys.executable}", *platform],
            check=True,
        )  # fmt: skip
        (artifacts / ".complete").touch()
    return artifacts / "python"


def layer_tree(bytecode: bool = True) -> Path:
    """The layer to import here; ``bytecode=False`` strips its compiled modules, as a
    layer built without them is deployed (and compiled on every cold start)."""
    built = layer_build()
    if bytecode:
        return built
    source = built.parent.with_name(built.parent.name + "-source") / "python"
    if not source.exists():
        shutil.copytree(built, source, ignore=shutil.ignore_patterns("__pycache__"))
    return source


def runtime_packages() -> Path:
    """The SDK the Lambda runtime provides, compiled as the runtime's own modules are."""
    target = _installed("runtime", runtime_sdk_pins())
    if not (target / ".compiled").exists():
        subprocess.run(
            [sys.executable, "-m", "compileall", "-q", "--invalidation-mode", "unchecked-hash",
             str(target)],
            check=True,
        )  # fmt: skip
        (target / ".compiled").touch()
    return target


# Prints, after ``code``, the Python files it read (a module's bytecode, .pyc, or
# its source) and those it compiled from source (no bytecode; importlib compiles
# with the file's path, ``ast.parse`` of a source read for another reason does not).
# Optional imports that fail (httpcore tries h2 and socksio) read their module all
# the same, and leave no trace in sys.modules.
PYTHON_FILES_PROBE = (
    "import sys, json; seen = {{'open': [], 'compile': []}}; "
    "sys.addaudithook(lambda event, args: seen[event].append(args[0] if event == 'open'"
    " else args[1]) if event in seen and isinstance(args[0 if event == 'open' else 1], str)"
    " and (args[0] if event == 'open' else args[1]).endswith(('.py', '.pyc')) else None)\n"
    "{code}\n"
    "print(json.dumps(seen))"
)


def python_files(code: str, cwd: Path, env: dict[str, str]) -> tuple[list[Path], list[Path]]:
    """The .py and .pyc files running ``code`` as a function's cold start read, and the
    sources it compiled."""
    result = subprocess.run(
        [sys.executable, "-S", "-c", PYTHON_FILES_PROBE.format(code=code)],
        cwd=cwd,
        env=env,
        capture_output=True,
        text=True,
        check=True,
    )
    seen = json.loads(result.stdout.strip().splitlines()[-1])
    return [Path(f) for f in seen["open"]], [Path(f) for f in seen["compile"]]


def tree_size(path: Path) -> int:
    return sum(
        file.stat().st_size
        for file in path.rglob("*")
        if file.is_file() and "__pycache__" not in file.parts
    )
