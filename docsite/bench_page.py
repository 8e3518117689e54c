"""The performance page, from `make bench`'s last output (bench/results.txt).

`make bench` writes that file: a ``== run`` line (when, at which commit, on how
many cores, under what load), then each bench module's output after a
``== bench.<module>`` line. The page's prose says what each module measures and
how; every figure on it comes from the file. Log lines (JSON) are dropped.
"""

import re
from dataclasses import dataclass
from pathlib import Path

from docsite.markdown import page, table

RESULTS = Path(__file__).resolve().parents[1] / "bench" / "results.txt"

# What each module measures, in the order `make bench` runs them.
ABOUT = {
    "bench.cold_start": (
        "Cold starts",
        "Each function's import and initialisation, beside the floor every DynamoDB-writing "
        "Lambda pays (`import boto3` and one DynamoDB client in a bare function). Every "
        "sample is a fresh Python 3.13 process with the environment Lambda sets and the "
        "function's own variables from the template, importing only what Lambda has: the "
        "layer as its build makes it, the SDK as the runtime ships it "
        "(`bench/lambda_site.py`). All functions are sampled interleaved in one run; a "
        "shared, loaded machine moves a ratio by about ±0.1 between runs. "
        "`bench/cold_instructions.py` counts instructions instead (valgrind), which load "
        "does not move.",
    ),
    "bench.sizes": (
        "Layer and function sizes",
        "Unzipped, the layer as its Makefile builds it for arm64 (hash-checked wheels, "
        "bytecode only for the modules some function imports at start).",
    ),
    "bench.transitions": (
        "State transitions per refresh execution",
        "The real refresh state machine in moto, on virtual time, for a batch of 1 item and "
        "a batch of 50 (callbacks ready after 60 s). Transitions must not grow with the "
        "batch: that is why executions take batches.",
    ),
    "bench.cost_model": (
        "What a refresh costs",
        "Hourly subscriptions tick in moto on virtual time through everything a deployed "
        "stack runs (schedules, queue, batcher, execution, the provider's webhooks through "
        "the HTTP API, the stores, the notifier, the deliverer, the domain-events Pipe). "
        "Every AWS request is counted from botocore's own events; DynamoDB capacity by "
        "DynamoDB's rules from the items before and after each write (transactions "
        "doubled, every index write counted); Lambda CPU from the real handlers, network "
        "waits as allowances (250 ms per provider call and per webhook POST, 6 ms per AWS "
        "request). Batches of 1 and 10 subscriptions are fitted per part and priced at the "
        "batcher's full batch, us-east-1 list prices, per million item refreshes. Files: "
        "`bench/cost_model.py`, `cost_stack.py`, `cost_aws.py`, `cost_meter.py`, "
        "`cost_lambda.py`.",
    ),
    "bench.provider_calls": (
        "Provider calls and freshness",
        "Real ASL on moto, virtual time: provider calls per account per day with the "
        "provider's daily refresh pushed by webhook (and with the webhooks lost), then "
        "banksync's own refreshes: how long after the provider is ready the data is stored, "
        "and calls per item, for readiness delays from 5 s to 10 minutes.",
    ),
    "bench.mono_calls": (
        "Mono: calls and freshness",
        "Real ASL on moto, virtual time, against the Mono sandbox: banksync's own refresh of "
        "one account as a Mono real-time job finished after 5 s to 5 minutes, with Mono's "
        "webhook delivered (on a stack that trusts webhooks and on one that has not seen "
        "any yet) or lost: job finished → stored, and Mono calls per item; then Mono's own "
        "sync with 20 % of accounts holding new data: Mono calls per account.",
    ),
    "bench.contention": (
        "First-class work under a sweep",
        "Real ASL on moto, virtual time, every execution side by side on one clock: a sweep "
        "whose budget binds, the provider's webhooks delivered through the push path, and "
        "bursts of on-demand refreshes during it. How long an on-demand run waits for its "
        "first provider call, how long after the provider is ready each item is stored, "
        "and the sweep's drain against its calls at the budget's rate.",
    ),
    "bench.consumer_events": (
        "What the domain events cost",
        "Refreshes written through the real stores into moto, the DataTable stream through "
        "the template's Pipe as the offline stack runs it, per million transaction changes.",
    ),
    "bench.consumer_reads": (
        "What consumers' reads and writes cost",
        "The sandbox's 100 transactions of one account, stored through the real store; read "
        "and write units from the size of each item every request touched, by DynamoDB's "
        "rules; us-east-1 on-demand prices.",
    ),
}

# Headline figures: (label, module, pattern whose first group is the figure).
HEADLINES = [
    (
        "slowest cold start, as a multiple of the floor (target ≤ 1.2)",
        "bench.cold_start",
        r"slowest / floor \(wall\): ([\d.]+x)",
    ),
    ("layer, unzipped (target ≤ 15 MiB)", "bench.sizes", r"layer\s+([\d.]+ MiB)"),
    ("state transitions for a batch of 50", "bench.transitions", r"batch of 50: (\d+) transitions"),
    (
        "cost per million item refreshes, steady state with webhooks (target ≤ $6.00)",
        "bench.cost_model",
        r"steady state with webhooks: (\$[\d.]+)",
    ),
    (
        "provider calls per account per day, 20 % with new transactions (target ≤ 1.2)",
        "bench.provider_calls",
        r"webhooks delivered\s+20% of accounts with new transactions: ([\d.]+)",
    ),
    (
        "Mono calls per item, own refresh, webhook delivered (the floor: 2)",
        "bench.mono_calls",
        r"300 s\s+\|\s+[\d.]+ s, ([\d.]+) calls/item",
    ),
    (
        "domain events per million transaction changes, 15 per account",
        "bench.consumer_events",
        r"total\s+(\$\s*[\d.]+)",
    ),
]


class BenchOutputError(ValueError):
    """bench/results.txt lacks what the page shows: the bench's output changed."""


@dataclass
class Run:
    header: str
    sections: dict[str, list[str]]


def parse(text: str) -> Run:
    header, current = "", None
    sections: dict[str, list[str]] = {}
    for line in text.splitlines():
        if line.startswith("== run "):
            header = line.removeprefix("== run ").strip()
        elif line.startswith("== "):
            current = line.removeprefix("== ").strip()
            sections[current] = []
        elif current and line.strip() and not line.lstrip().startswith("{"):
            sections[current].append(line.rstrip())
    if not header:
        raise BenchOutputError("no '== run' line: write the file with `make bench`")
    return Run(header, sections)


def _headline(run: Run, module: str, pattern: str) -> str:
    if module not in run.sections:
        return "not in the last run"  # a module newer than the last `make bench`
    found = re.search(pattern, "\n".join(run.sections.get(module, [])))
    if not found:
        raise BenchOutputError(f"{module}'s output has no match for {pattern!r}")
    return re.sub(r"\$\s+", "$", " ".join(found.group(1).split()))


def _when(header: str) -> str:
    found = re.fullmatch(r"(\S+) commit (\S+) cores (\d+) load (.+)", header)
    if not found:
        return header
    when, commit, cores, load = found.groups()
    return f"run {when} at commit {commit}, on {cores} cores, load average {load}"


def performance_page(text: str | None = None) -> str:
    run = parse(text if text is not None else RESULTS.read_text())
    unknown = set(run.sections) - set(ABOUT)
    if unknown:
        raise BenchOutputError(f"say what these measure in docsite/bench_page.py: {unknown}")
    rows = [[label, _headline(run, module, pattern)] for label, module, pattern in HEADLINES]
    parts = [
        "# Performance and cost",
        "The figures of the last `make bench` run, as it printed them "
        f"({_when(run.header)}). `make bench` (about six minutes) writes "
        "`bench/results.txt` and this page; the history of earlier figures is in git. "
        "[Why the code is shaped as it is](why.md) keeps the measurements behind "
        "particular code choices. `make bench-scale` (long; not part of `make bench`) runs "
        "the sweep over 10,000 accounts against the provider's limit; `make bench-live` "
        "(half an hour; not part of `make bench` either) runs `make local` in real time and "
        "[measures it from outside](live.md).\n",
        table(["headline", "figure"], rows),
    ]
    for module, (title, about) in ABOUT.items():
        lines = run.sections.get(module)
        if lines is None:
            continue
        parts.append(f"## {title}\n\n{about} (`{module.replace('.', '/')}.py`)\n")
        parts.append("```text\n" + "\n".join(lines) + "\n```\n")
    return page("bench/results.txt (make bench)", *parts)
