"""The page of the stack measured from outside, from `make bench-live`'s last output.

`make bench-live` writes bench/live-results.txt: a ``== run`` line, the scenario,
the figures as a Markdown table (a column per phase) and notes, indented. The
page's prose says how each figure is measured and why it differs from the
virtual-time bench; every figure on it comes from the file.
"""

from dataclasses import dataclass
from pathlib import Path

from docsite.bench_page import BenchOutputError, _when
from docsite.markdown import page

SCENARIO_PREFIX = "make local in real time, measured from outside: "
RESULTS = Path(__file__).resolve().parents[1] / "bench" / "live-results.txt"

INTRO = (
    "`make bench-live` runs `make local` in real time against the provider sandbox and "
    "measures it as a user would see it: over the stack's HTTP API (runs and their items, "
    "transactions, balances, the change feed) and the AWS endpoint (each execution's "
    "history, from Step Functions), never by importing the engine. The sandbox is served "
    "by the bench on loopback with a business-wide requests-per-minute limit, banksync's "
    "budget (`ProviderRatePerMinute`) below it so that it binds; the stack is "
    "`python -m devstack.local --no-demo --okra-base-url …` in its own process. It takes "
    "about half an hour and is not part of `make test` or `make bench`; "
    "`make bench-live ARGS=--help` lists the scenario's parameters (accounts, customers, "
    "readiness, limits, any template parameter). Last run: {when}."
)

PHASES = """\
The phases run one after another on one stack:

1. **on-demand burst**: `POST /refreshes {"customer": …}` for every customer at once,
   which also registers their accounts (the accounts lookup), webhooks delivered;
2. **sweep, webhooks on**: `POST /sweeps {"stale_after_hours": 0}`;
3. **sweep, webhooks lost**: the same, the provider's webhooks never sent (the stack
   still trusts them from the phases before);
4. **provider push + deletions**: the provider's own refresh of every account, pushed by
   webhook; at each, the bank takes back its oldest posted row, and 0.2 s after the
   announcement one of the rows just announced, while the fetches wait for the budget
   (a record keeps the rows its refresh found, so a fetch that lands after a removal
   still carries the removed row)."""

MEASURED = """\
- **items succeeded with the right data**: items (or pushed updates) that succeeded and
  whose account the API now lists exactly as the provider holds it in the newest record
  banksync fetched, less every row taken back since: each transaction's id, amount in
  minor units, direction and status; the latest balance's ledger and available.
- **429s** and **provider calls**: the sandbox's own record of every call it answered,
  in the phase's time.
- **drain ÷ (calls ÷ budget)**: from the phase's first request to the last item finished
  (`finished_at`), against the calls made at the budget's rate; it includes the
  readiness delay of the last records, which a small phase does not amortise.
- **ready → stored**: from the sandbox's record being ready (its webhook is sent then)
  to the item's `finished_at`; the target with webhooks is max(2 s, 10 % of readiness).
- **on-demand: POST → first provider call**: from a run's `POST /refreshes` to the
  sandbox's first call naming its customer (the accounts lookup); a budget window is
  `max(6 s, 10 calls ÷ rate)`.
- **deleted rows that reappeared**: rows the provider took back that the API lists, or
  whose latest change in the account's change feed is not their removal.
- **history events per execution**: `GetExecutionHistory` of every refresh execution
  the phase started, from the AWS endpoint."""

RECONCILED = """\
`make bench` measures the same engine on virtual time (the real ASL in moto, one
clock that jumps to the next due event); this run measures it in real time, from
outside. Where the figures differ, this is why:

- **Ready → stored.** On virtual time a webhook's wake, the poll and the store happen
  at the same instant, so freshness with webhooks is 0 s. In real time each hop takes
  a turn of the offline stack's loop (half a second): the provider's webhook is stored,
  its stream record reaches the push listener, the listener wakes the execution, moto's
  Step Functions runs the poll, and a pushed update goes through its queue to the
  fetcher; under the budget a woken item also waits for its call's window. These are
  real delays a deployed stack has too (stream and queue pollers), in other sizes.
- **Webhooks lost.** Both benches agree: a stack that trusts the provider's webhooks
  (they arrived in the phases before) parks a run until `WebhookFallbackSeconds`
  (600 s) before it polls, so a lost webhook costs that much freshness once; the
  first poll that finds data no webhook announced takes the trust away.
- **Drain.** `bench-scale` drains 10,000 accounts, where the readiness delay of the
  last records is a small part of hours; here the phases last minutes, and the first
  wait, the readiness delay and the sweep's paging are a visible share of them.
- **Calls per item.** An on-demand run by customer adds its accounts lookup; a pushed
  update needs one call (the fetch), a refresh two (start, fetch) when it is woken,
  more when it polls a record not ready yet."""


@dataclass
class LiveRun:
    header: str
    scenario: str
    table: list[str]
    notes: list[str]


def parse(text: str) -> LiveRun:
    header, scenario = "", ""
    table: list[str] = []
    notes: list[str] = []
    for line in text.splitlines():
        if line.startswith("== run "):
            header = line.removeprefix("== run ").strip()
        elif line.startswith(SCENARIO_PREFIX):
            scenario = line.strip()
        elif line.startswith("|"):
            table.append(line.rstrip())
        elif line.startswith("  ") and table:
            notes.append(line.strip())
    if not header:
        raise BenchOutputError("no '== run' line: write the file with `make bench-live`")
    if not scenario or len(table) < 3:
        raise BenchOutputError("bench/live-results.txt has no scenario or no table of figures")
    return LiveRun(header, scenario, table, notes)


def live_page(text: str | None = None) -> str:
    run = parse(text if text is not None else RESULTS.read_text())
    notes = "```text\n" + "\n".join(run.notes) + "\n```\n" if run.notes else ""
    return page(
        "bench/live-results.txt (make bench-live)",
        "# Measured from outside",
        INTRO.format(when=_when(run.header)),
        PHASES,
        f"**Scenario:** {run.scenario.removeprefix(SCENARIO_PREFIX)}.",
        "\n".join(run.table) + "\n",
        notes,
        "## How each figure is measured\n\n" + MEASURED,
        "## Beside the virtual-time bench\n\n" + RECONCILED,
    )
