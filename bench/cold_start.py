"""Cold-start cost of every function beside the floor every DynamoDB Lambda pays.

Each sample is a fresh Python process (as a new Lambda container is) that
imports one function's ``app`` module, which builds its clients and settings,
and reports how long that took. The floor is ``import boto3`` plus one
DynamoDB client: no function can do less. Every process gets the environment
Lambda really sets (``LAMBDA_TASK_ROOT``, ``_HANDLER``, ``AWS_EXECUTION_ENV``,
…) beside the function's own variables from ``template.yaml``, because
Powertools and boto3 take other paths outside Lambda, and it imports only
what Lambda has (``bench.lambda_site``), not the development venv. Subjects are sampled
interleaved, round after round, so that drift in a shared machine hits them
all alike; every ratio comes from the same run.
"""

import os
import statistics
import subprocess
import sys
from collections.abc import Mapping
from importlib.util import cache_from_source
from pathlib import Path
from typing import Any

from bench.lambda_site import layer_tree, python_files, runtime_packages
from devstack.provision import function_environment
from devstack.template import StackTemplate

ROOT = Path(__file__).resolve().parents[1]
SAMPLES = int(os.environ.get("BENCH_COLD_SAMPLES", "9"))
TARGET = 1.2
# BENCH_LAYER_BYTECODE=0: the layer as deployed without compiled modules.
BYTECODE = os.environ.get("BENCH_LAYER_BYTECODE", "1") != "0"
# Wall time is what a caller waits; CPU time is steadier on a shared machine.
PROBE = (
    "import time; t, c = time.perf_counter(), time.process_time(); {code}; "
    "print(time.perf_counter() - t, time.process_time() - c)"
)
FLOOR = "import boto3; boto3.client('dynamodb')"
REGION = "us-east-1"
ACCOUNT = "123456789012"


class BenchTemplate(StackTemplate):
    """The template with every resource standing in as a well-formed name, ARN or URL,
    as CloudFormation would resolve them, so that each function's settings load."""

    @staticmethod
    def _lookup(values: Mapping[str, str], name: str) -> str:
        if name in values:
            return values[name]
        logical_id, _, attribute = name.partition(".")
        if attribute == "QueueUrl" or (logical_id.endswith("Queue") and not attribute):
            return f"https://sqs.{REGION}.amazonaws.com/{ACCOUNT}/bench-{logical_id}"
        if attribute in {"Arn", "StreamArn"} or logical_id.endswith(("Secret", "Key")):
            return f"arn:aws:bench:{REGION}:{ACCOUNT}:{logical_id}"
        return f"bench-{logical_id}"


def lambda_environment(template: StackTemplate, logical_id: str) -> dict[str, str]:
    """What the python3.13 runtime sets, then the function's own variables."""
    props = template.body["Resources"][logical_id]["Properties"]
    name = f"banksync-{logical_id}"
    task_root = ROOT / props["CodeUri"]
    return {
        "PATH": os.environ.get("PATH", ""),
        "LANG": "en_US.UTF-8",
        "TZ": ":UTC",
        "LAMBDA_TASK_ROOT": str(task_root),
        "LAMBDA_RUNTIME_DIR": "/var/runtime",
        "_HANDLER": props.get("Handler", "app.lambda_handler"),
        "AWS_EXECUTION_ENV": "AWS_Lambda_python3.13",
        "AWS_LAMBDA_FUNCTION_NAME": name,
        "AWS_LAMBDA_FUNCTION_VERSION": "$LATEST",
        "AWS_LAMBDA_FUNCTION_MEMORY_SIZE": "256",
        "AWS_LAMBDA_LOG_GROUP_NAME": f"/aws/lambda/{name}",
        "AWS_LAMBDA_LOG_STREAM_NAME": "2026/01/01/[$LATEST]0123456789abcdef",
        "AWS_LAMBDA_INITIALIZATION_TYPE": "on-demand",
        "AWS_LAMBDA_RUNTIME_API": "127.0.0.1:9001",
        "AWS_REGION": REGION,
        "AWS_DEFAULT_REGION": REGION,
        "AWS_ACCESS_KEY_ID": "bench",
        "AWS_SECRET_ACCESS_KEY": "bench",
        "AWS_SESSION_TOKEN": "bench",
        "AWS_XRAY_CONTEXT_MISSING": "LOG_ERROR",
        "AWS_XRAY_DAEMON_ADDRESS": "169.254.79.129:2000",
        "_AWS_XRAY_DAEMON_ADDRESS": "169.254.79.129",
        "_AWS_XRAY_DAEMON_PORT": "2000",
        # The layer (/opt/python) before the runtime's SDK (/var/runtime), as in Lambda.
        "PYTHONPATH": os.pathsep.join([str(layer_tree(BYTECODE)), str(runtime_packages())]),
        # /opt and /var/task are read-only: what is not compiled is compiled every time.
        "PYTHONDONTWRITEBYTECODE": "1",
        **function_environment(template, logical_id),
    }


def subjects() -> dict[str, tuple[str, Path, dict[str, str]]]:
    template = BenchTemplate.load()
    found: dict[str, tuple[str, Path, dict[str, str]]] = {}
    for logical_id, resource in template.resources("AWS::Serverless::Function"):
        props: dict[str, Any] = resource["Properties"]
        module = props.get("Handler", "app.lambda_handler").rsplit(".", 1)[0]
        env = lambda_environment(template, logical_id)
        found[Path(props["CodeUri"]).name] = (f"import {module}", ROOT / props["CodeUri"], env)
    # A bare function: no layer, the runtime's SDK only.
    floor_env = {
        **lambda_environment(template, "WebhookReceiverFunction"),
        "PYTHONPATH": str(runtime_packages()),
    }
    found["floor"] = (FLOOR, ROOT, floor_env)
    return found


def sample(code: str, cwd: Path, env: dict[str, str]) -> tuple[float, float]:
    result = subprocess.run(
        # -S: no site-packages of the venv, only the paths Lambda would have.
        [sys.executable, "-S", "-c", PROBE.format(code=code)],
        cwd=cwd,
        env=env,
        capture_output=True,
        text=True,
        check=False,
    )
    if result.returncode != 0:
        sys.exit(f"cold start of {cwd.name} failed:\n{result.stderr}")
    wall, cpu = result.stdout.strip().splitlines()[-1].split()
    return float(wall) * 1000, float(cpu) * 1000


def compiled_at_start(code: str, cwd: Path, env: dict[str, str]) -> list[str]:
    """The layer's modules a cold start compiles because it has no bytecode of them,
    found in a run of its own, untimed. (anyio parses its own source for its lazy
    imports, bytecode or not: that is not counted.)"""
    layer = layer_tree(BYTECODE)
    _, compiled = python_files(code, cwd, env)
    return sorted(
        path.relative_to(layer).as_posix()
        for path in compiled
        if path.is_relative_to(layer) and not Path(cache_from_source(str(path))).exists()
    )


def main() -> None:
    if sys.version_info[:2] != (3, 13):
        sys.exit("make bench measures on Python 3.13, the Lambda runtime")
    cases = subjects()
    walls: dict[str, list[float]] = {name: [] for name in cases}
    cpus: dict[str, list[float]] = {name: [] for name in cases}
    for _ in range(SAMPLES):
        for name, (code, cwd, env) in cases.items():
            wall, cpu = sample(code, cwd, env)
            walls[name].append(wall)
            cpus[name].append(cpu)
    wall_of = {name: statistics.median(values) for name, values in walls.items()}
    cpu_of = {name: statistics.median(values) for name, values in cpus.items()}
    print(
        f"cold start (import and init), median of {SAMPLES} fresh Python 3.13 processes"
        " with Lambda's environment, all in one run"
    )
    print(f"  {'':<42} {'wall':>8} {'ratio':>6} {'CPU':>8} {'ratio':>6}")
    floor_label = "floor: import boto3 + one DynamoDB client"
    print(f"  {floor_label:<42} {wall_of['floor']:6.0f}ms {'':>6} {cpu_of['floor']:6.0f}ms")
    worst = 0.0
    for name in sorted((n for n in cases if n != "floor"), key=wall_of.__getitem__):
        wall_ratio, cpu_ratio = wall_of[name] / wall_of["floor"], cpu_of[name] / cpu_of["floor"]
        worst = max(worst, wall_ratio)
        mark = "" if wall_ratio <= TARGET else f"  above {TARGET}x"
        print(
            f"  {name:<42} {wall_of[name]:6.0f}ms {wall_ratio:5.2f}x "
            f"{cpu_of[name]:6.0f}ms {cpu_ratio:5.2f}x{mark}"
        )
    print(f"  slowest / floor (wall): {worst:.2f}x (target ≤ {TARGET}x)")
    if BYTECODE:
        for name, (code, cwd, env) in sorted(cases.items()):
            if modules := compiled_at_start(code, cwd, env):
                print(
                    f"  {name} compiles {len(modules)} layer modules at every start"
                    f" ({', '.join(modules[:3])}, …): run scripts/layer_bytecode.py"
                )


if __name__ == "__main__":
    main()
