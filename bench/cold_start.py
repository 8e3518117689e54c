"""Cold-start cost of the webhook receiver beside the floor every DynamoDB Lambda pays.

Each sample is a fresh Python process (as a new Lambda container is) that
imports and initialises one thing and reports how long that took. The floor is
``import boto3`` plus one DynamoDB client; the receiver cannot do less than
that. The environment is Lambda's, so Powertools Tracer loads X-Ray as it
would in AWS.
"""

import os
import statistics
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
SAMPLES = 11
PROBE = "import time; t = time.perf_counter(); {code}; print(time.perf_counter() - t)"
SUBJECTS = {
    "webhook receiver (import functions/webhook_receiver/app.py)": (
        "import app",
        ROOT / "functions" / "webhook_receiver",
    ),
    "floor (import boto3 + one DynamoDB client)": (
        "import boto3; boto3.client('dynamodb')",
        ROOT,
    ),
}
LAMBDA_ENVIRONMENT = {
    "AWS_LAMBDA_FUNCTION_NAME": "banksync-webhook-receiver",
    "AWS_EXECUTION_ENV": "AWS_Lambda_python3.13",
    "AWS_REGION": "us-east-1",
    "AWS_DEFAULT_REGION": "us-east-1",
    "AWS_ACCESS_KEY_ID": "bench",
    "AWS_SECRET_ACCESS_KEY": "bench",
    "POWERTOOLS_SERVICE_NAME": "banksync",
    "POWERTOOLS_METRICS_NAMESPACE": "banksync",
    "EVENTS_TABLE_NAME": "events",
    "WEBHOOK_TOKEN_SECRET_ARN": "arn:aws:secretsmanager:us-east-1:123456789012:secret:token",
    "PYTHONPATH": str(ROOT / "layers" / "banksync"),
}


def sample(code: str, cwd: Path) -> float:
    env = {"PATH": os.environ.get("PATH", ""), **LAMBDA_ENVIRONMENT}
    result = subprocess.run(
        [sys.executable, "-c", PROBE.format(code=code)],
        cwd=cwd,
        env=env,
        capture_output=True,
        text=True,
        check=True,
    )
    return float(result.stdout.strip().splitlines()[-1]) * 1000


def main() -> None:
    if sys.version_info[:2] != (3, 13):
        sys.exit("make bench measures on Python 3.13, the Lambda runtime")
    timings: dict[str, list[float]] = {name: [] for name in SUBJECTS}
    for _ in range(SAMPLES):  # interleaved, so drift in the machine hits both alike
        for name, (code, cwd) in SUBJECTS.items():
            timings[name].append(sample(code, cwd))
    medians = {name: statistics.median(values) for name, values in timings.items()}
    print(f"cold-start import and init, median of {SAMPLES} fresh Python 3.13 processes")
    for name, median in medians.items():
        print(f"  {median:7.1f} ms  {name}")
    receiver, floor = medians.values()
    print(f"  ratio receiver / floor: {receiver / floor:.2f}")


if __name__ == "__main__":
    main()
