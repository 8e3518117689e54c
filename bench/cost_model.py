"""What a million item refreshes cost on the scheduled path, from counted usage.

Groups of hourly subscriptions (bench.cost_stack: one account each, balance
and transactions, callbacks ready after 60 s, the provider's webhook when
ready), with a webhook URL and without, of 1 and of BENCH_COST_SUBSCRIPTIONS
(10) subscriptions, ticked twice each: the first refresh (the account's
history: 12 transactions) and an hour later the steady state (3 new and 3
changed). Each part is fitted on the two sizes as a share per execution plus
a share per subscription, and priced at the batcher's full batch of 100
subscriptions: in moto a batch that large takes minutes. Every request is
counted from botocore's events (bench.cost_aws), DynamoDB in capacity units
by DynamoDB's rules (bench.cost_meter), Lambda time from the handlers' own
CPU plus an allowance for network waits (bench.cost_lambda). Prices:
us-east-1 list prices, December 2026.

Not per refresh, so not here: storage, point-in-time recovery, KMS keys and
secrets by the month, custom metrics by the month, the event source
mappings' empty polls, the Pipe's stream reads (polled whatever the traffic).
"""

import math
import sys
import time
from collections import defaultdict

from bench.cost_lambda import PLATFORM_LOG_BYTES
from bench.cost_stack import GROUPS, SUBSCRIPTIONS, Tick, metered_stack

BATCH = 100  # subscriptions per batch: the batcher's SQS batch (BatchSize 100)
TARGET = 6.00  # USD per million item refreshes, steady state with webhooks
PUBLISHED = 12.67  # the earlier published figure (steady state, fewer parts counted)
GB = 1024**3
XRAY_SAMPLED = 0.05  # the default sampling rule at volume: 1 a second, then 5 %
PRICES = {  # part -> USD per unit
    "EventBridge Scheduler invocations": 1.00 / 1e6,
    "SQS requests": 0.40 / 1e6,
    "Step Functions state transitions": 25.0 / 1e6,
    "Lambda requests": 0.20 / 1e6,
    "Lambda GB-seconds, CPU (arm64)": 0.0000133334,
    "Lambda GB-seconds, network wait (arm64)": 0.0000133334,
    "HTTP API requests (provider webhooks)": 1.00 / 1e6,
    "DynamoDB write units": 0.625 / 1e6,
    "DynamoDB read units": 0.125 / 1e6,
    "KMS requests": 0.03 / 1e4,
    "Secrets Manager requests": 0.05 / 1e4,
    "Pipes requests": 0.40 / 1e6,
    "EventBridge events": 1.00 / 1e6,
    "CloudWatch Logs ingested (GB)": 0.50,
    "X-Ray traces recorded": 5.00 / 1e6,
    "data transfer out (GB)": 0.09,
    "DynamoDB Streams reads by Lambda triggers": 0.0,
}
SCENARIOS = (
    ("steady, webhooks", "steady", "hooked"),
    ("steady, none", "steady", "plain"),
    ("first, webhooks", "first", "hooked"),
    ("first, none", "first", "plain"),
)


def parts(tick: Tick) -> dict[str, float]:
    """Usage per batch by billed part (DynamoDB by table and index)."""
    cpu = sum(i.gb_seconds()[0] for i in tick.invocations)
    wait = sum(i.gb_seconds()[1] for i in tick.invocations)
    logs = sum(i.log_bytes + PLATFORM_LOG_BYTES for i in tick.invocations)
    found: dict[str, float] = {
        "EventBridge Scheduler invocations": tick.scheduler,
        "SQS requests": tick.usage.get("SQS requests", 0),
        "Step Functions state transitions": tick.transitions,
        "Lambda requests": len(tick.invocations),
        "Lambda GB-seconds, CPU (arm64)": cpu,
        "Lambda GB-seconds, network wait (arm64)": wait,
        "HTTP API requests (provider webhooks)": tick.webhooks_in,
    }
    for name, units in sorted(tick.usage.items()):
        kind, _, table = name.partition(" ")
        if kind in ("writes", "reads"):
            found[f"DynamoDB {kind[:-1]} units: {table}"] = units
    for part in ("KMS requests", "Secrets Manager requests", "EventBridge events"):
        found[part] = tick.usage.get(part, 0)
    found["Pipes requests"] = tick.pipe_requests
    found["CloudWatch Logs ingested (GB)"] = logs / GB
    found["X-Ray traces recorded"] = XRAY_SAMPLED * len(tick.invocations)
    found["data transfer out (GB)"] = tick.bytes_out / GB
    found["DynamoDB Streams reads by Lambda triggers"] = 0
    return found


def price(part: str) -> float:
    return PRICES[part.split(":")[0]]


def at_batch(one: dict[str, float], many: dict[str, float], n: int, size: int) -> dict[str, float]:
    """Usage per batch of ``size`` subscriptions, from batches of 1 and ``n``: each part's
    fixed share (per execution) and per-subscription share, fitted on the two."""
    fitted = {}
    for part in dict.fromkeys([*one, *many]):
        per_subscription = (many.get(part, 0) - one.get(part, 0)) / (n - 1)
        fixed = one.get(part, 0) - per_subscription
        fitted[part] = max(0.0, fixed + per_subscription * size)
    return fitted


def per_million(usage: dict[str, float], items: int) -> dict[str, float]:
    return {part: q * price(part) * 1e6 / items for part, q in usage.items()}


def lambda_breakdown(tick: Tick) -> list[str]:
    rows: dict[str, list[float]] = defaultdict(lambda: [0, 0.0, 0.0, 0, 0])
    for i in tick.invocations:
        row = rows[i.function]
        row[0] += 1
        row[1] += i.own_cpu * 1000
        row[2] += i.wait * 1000
        row[3] += i.provider_calls
        row[4] += i.aws_calls
    return [
        f"    {name:<26} {n:>4.0f} invocations  {cpu:>7.0f} ms CPU  {wait:>7.0f} ms waiting"
        f"  ({calls:.0f} provider calls, {aws:.0f} AWS requests)"
        for name, (n, cpu, wait, calls, aws) in sorted(rows.items())
    ]


def measure() -> dict[str, Tick]:
    ticks: dict[str, Tick] = {}
    with metered_stack() as stack:
        # The stack's first run meets the provider's webhooks before it trusts them
        # (it polls on the old schedule): a deployed stack did that long ago.
        stack.tick(stack.subscribe("warm", True))
        groups = {g: stack.subscribe(g, g.startswith("hooked")) for g in GROUPS if g != "warm"}
        for phase in ("first", "steady"):
            if phase == "steady":
                stack.sync.refresh.clock.advance(3600)  # the next hourly tick
            for group, subscriptions in groups.items():
                ticks[f"{phase} {group}"] = stack.tick(subscriptions)
    return ticks


def row(label: str, values: list[float], money: bool = True) -> str:
    cells = "".join(
        f"{'$' if money else '':>7}{v:>9.2f}" if money else f"{v:>16.0f}" for v in values
    )
    return f"  {label:<46}{cells}"


def main() -> None:
    started = time.monotonic()
    ticks = measure()
    costs, measured = {}, {}
    for label, phase, group in SCENARIOS:
        one, many = ticks[f"{phase} {group}-1"], ticks[f"{phase} {group}"]
        fitted = at_batch(parts(one), parts(many), SUBSCRIPTIONS, BATCH)
        costs[label] = per_million(fitted, 2 * BATCH)
        measured[label] = sum(per_million(parts(many), many.items).values())
    print(
        f"cost per million item refreshes, scheduled path, at the batcher's full batch: "
        f"{BATCH} hourly subscriptions ({2 * BATCH} items: one account each, balance and "
        f"transactions, callbacks ready after 60 s), fitted per part from measured batches "
        f"of 1 and {SUBSCRIPTIONS} subscriptions"
    )
    print(f"  {'part':<46}" + "".join(f"{label:>16}" for label, _, _ in SCENARIOS))
    for part in dict.fromkeys(p for c in costs.values() for p in c):
        print(row(part, [costs[label].get(part, 0) for label, _, _ in SCENARIOS]))
    totals = [sum(costs[label].values()) for label, _, _ in SCENARIOS]
    print(row("total", totals))
    others = [
        sum(c for p, c in costs[label].items() if not p.startswith("DynamoDB write"))
        for label, _, _ in SCENARIOS
    ]
    print(row("(total without DynamoDB writes)", others))
    print(row(f"(measured at {2 * SUBSCRIPTIONS} items, not fitted)", list(measured.values())))
    steady = totals[0]
    verdict = "met" if steady <= TARGET else f"missed by ${steady - TARGET:.2f}"
    print(
        f"  target: <= ${TARGET:.2f} per million, steady state with webhooks: ${steady:.2f}, "
        f"{verdict} (published before: ${PUBLISHED:.2f}, which counted fewer parts)"
    )
    for label, phase, group in SCENARIOS:
        tick = ticks[f"{phase} {group}"]
        writes = math.fsum(q for p, q in parts(tick).items() if p.startswith("DynamoDB write"))
        print(
            f"  {label}, measured batch of {tick.items} items: {tick.provider_calls} provider "
            f"calls, {tick.webhooks_in} provider webhooks, {tick.transitions} transitions, "
            f"{writes:.0f} write units"
        )
        print("\n".join(lambda_breakdown(tick)))
        kinds = sorted(tick.writes_by_kind.items(), key=lambda kv: -kv[1])
        print(
            "    write units per item, tables and indexes, by item written: "
            + ", ".join(f"{kind} {units / tick.items:.1f}" for kind, units in kinds)
        )
        dynamodb = sorted((op, n) for op, n in tick.operations.items() if "dynamodb." in op)
        print("    DynamoDB requests: " + ", ".join(f"{op[9:]} {n}" for op, n in dynamodb))
    print(f"  ({time.monotonic() - started:.0f} s)")
    sys.stdout.flush()


if __name__ == "__main__":
    main()
