"""`make bench-live`: the offline stack in real time, measured from outside as a user would.

`make local` (``devstack.local``) runs in its own process against a provider
sandbox this bench serves on loopback with a business-wide limit, banksync's
budget set below it so that it binds. Everything is read back over the stack's
HTTP API (runs, items, transactions, balances, the change feed) and the AWS
endpoint (each execution's history, from Step Functions in moto); the engine is
not imported. Phases, one after another:

1. on-demand burst: ``POST /refreshes {"customer": …}`` for every customer at once
   (this also registers their accounts), webhooks delivered;
2. ``POST /sweeps {"stale_after_hours": 0}``, webhooks delivered;
3. the same sweep with every provider webhook lost;
4. the provider's own refresh of every account, pushed by webhook, with rows taken
   back moments after they were announced, while the fetches wait for the budget.

Printed: the issue's table, a column per phase (see ``bench.live_figures``).
"""

import argparse
import logging
import shutil
import tempfile
import time
from pathlib import Path

from bench.live_figures import Phase, table, window_seconds
from bench.live_phases import Phases
from bench.live_stack import Api, Provider, Stack
from devstack.parameters import ParameterError, parse_overrides
from devstack.sandbox import AccountSpec, Scenario, World
from devstack.template import StackTemplate

# Nigerian banks' ids as Okra names them; a customer's accounts are at different banks,
# so that a pushed webhook (customer and bank, no account) names one account.
BANKS = (
    ("5d6fe57a4099cc4b210bbec0", "Access Bank"),
    ("5d6fe57a4099cc4b210bbeb3", "Guaranty Trust Bank"),
    ("5d6fe57a4099cc4b210bbeb9", "First Bank of Nigeria"),
    ("5d6fe57a4099cc4b210bbeb8", "United Bank for Africa"),
    ("5d6fe57a4099cc4b210bbeba", "Zenith Bank"),
    ("5d6fe57a4099cc4b210bbeb5", "Stanbic IBTC Bank"),
)


def options(argv: list[str] | None = None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(prog="make bench-live", description=__doc__.split("\n")[0])
    parser.add_argument("--accounts", type=int, default=50)
    parser.add_argument(
        "--customers", type=int, default=15, help="the on-demand burst: one refresh per customer"
    )
    parser.add_argument("--ready-after", type=float, default=20.0, help="seconds to ready data")
    parser.add_argument(
        "--provider-limit", type=int, default=50, help="the provider's requests per minute"
    )
    parser.add_argument("--budget", type=int, default=40, help="banksync's ProviderRatePerMinute")
    parser.add_argument("--initial-wait", type=int, default=10, help="RefreshInitialWaitSeconds")
    parser.add_argument(
        "--phase-timeout", type=float, default=1800.0, help="seconds a phase may take"
    )
    parser.add_argument(
        "--parameter",
        action="append",
        default=[],
        metavar="Name=Value",
        help="another template parameter for the stack (repeatable)",
    )
    parser.add_argument("--keep", action="store_true", help="keep the stack's log and state")
    return parser.parse_args(argv)


def world(args: argparse.Namespace) -> World:
    scenario = Scenario(ready_after=args.ready_after)
    accounts = []
    for i in range(args.accounts):
        customer = i % args.customers
        bank_id, bank_name = BANKS[(i // args.customers) % len(BANKS)]
        accounts.append(
            AccountSpec(
                f"6740a2b3c4d5e6f7a8{i:06x}",
                f"6740a0e1b2c3d4e5f6{customer:06x}",
                bank_id=bank_id,
                bank_name=bank_name,
                scenario=scenario,
            )
        )
    return World(
        accounts=accounts,
        requests_per_minute=args.provider_limit,
        auto_refresh_seconds=None,  # the bench says when the provider refreshes
        records_keep_removed_rows=True,
    )


def parameters(args: argparse.Namespace) -> dict[str, str]:
    chosen = {
        "ProviderRatePerMinute": str(args.budget),
        "RefreshInitialWaitSeconds": str(args.initial_wait),
    }
    template = StackTemplate.load()
    try:
        chosen.update(parse_overrides(args.parameter, template.body["Parameters"]))
    except ParameterError as error:
        raise SystemExit(str(error)) from None
    return chosen


def run(args: argparse.Namespace, workdir: Path) -> tuple[list[Phase], list[str]]:
    provider = Provider(world(args))
    stack = Stack(provider, parameters(args), workdir, workdir / "stack.log")
    try:
        state = stack.start()
        provider.send_webhooks_to(state["webhook_url"], state["webhook_token"])
        phases = Phases(provider, Api(state["api_url"]), state, vars(args))
        done = [
            phases.on_demand_burst(),
            phases.sweep("sweep, webhooks on", "sent"),
            phases.sweep("sweep, webhooks lost", "never"),
            phases.provider_push(),
        ]
        return done, phases.notes
    finally:
        stack.stop()
        provider.stop()


def main(argv: list[str] | None = None) -> None:
    logging.getLogger("werkzeug").setLevel(logging.ERROR)  # the provider's request log
    args = options(argv)
    args.customers = min(args.customers, args.accounts)
    print(
        f"make local in real time, measured from outside: {args.accounts} accounts of "
        f"{args.customers} customers; provider limit {args.provider_limit}/min, budget "
        f"{args.budget}/min (a window of {window_seconds(args.budget):.0f} s); data ready "
        f"{args.ready_after:.0f} s after a refresh; first wait {args.initial_wait} s"
        + (f"; {', '.join(args.parameter)}" if args.parameter else ""),
        flush=True,
    )
    workdir = Path(tempfile.mkdtemp(prefix="bench-live-"))
    began = time.monotonic()
    try:
        phases, notes = run(args, workdir)
    except BaseException:
        print(f"the stack's log is kept: {workdir / 'stack.log'}")
        raise
    if args.keep:
        print(f"the stack's log: {workdir / 'stack.log'}")
    else:
        shutil.rmtree(workdir, ignore_errors=True)
    figures = table(phases) + [f"  {note}" for note in notes]
    figures.append(f"  ran {(time.monotonic() - began) / 60:.1f} min in real time")
    print("\n".join(figures), flush=True)


if __name__ == "__main__":
    main()
