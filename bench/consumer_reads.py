"""What reading the consumer side costs in DynamoDB units, and what a change costs to write.

An account's 100 transactions (the sandbox's rows: Okra's shape, amounts as
numbers and strings) are stored through the real store into moto, then
read as a consumer would: one page of the change feed (``count=100``) and
one page of the transactions list (``limit=100``). Units follow DynamoDB's
rules from the size of every item each request touched (DynamoDB's item
size: attribute names plus values): a strongly consistent read is 1 unit
per 4 KB of the page, an eventually consistent one half that; a write 1
unit per 1 KB of each item, twice that inside a transaction; a failed
condition still costs its write. Prices: us-east-1 on-demand list prices.
"""

import math
import os
import warnings
from collections.abc import Iterator
from decimal import Decimal
from typing import Any

from tests.support.stack import use_offline_environment

use_offline_environment()
os.environ["POWERTOOLS_METRICS_DISABLED"] = "true"
warnings.filterwarnings("ignore", "No application metrics to publish")

import boto3  # noqa: E402
from moto import mock_aws  # noqa: E402

from banksync.bankdata.store import BankDataStore  # noqa: E402
from banksync.consumer.reads import ConsumerReads  # noqa: E402
from banksync.feed.reader import ChangeFeed  # noqa: E402
from devstack.sandbox import AccountSpec  # noqa: E402
from tests.support.stack import MOTO_CONFIG, provisioned_stack  # noqa: E402

PAGE = 100
READ_PRICE, WRITE_PRICE = 0.125 / 1e6, 0.625 / 1e6


def attribute_bytes(value: dict[str, Any]) -> int:
    """DynamoDB's size of one attribute value (without its name)."""
    kind, inner = next(iter(value.items()))
    if kind in ("S", "B"):
        return len(inner.encode() if isinstance(inner, str) else inner)
    if kind == "N":
        digits = len(str(Decimal(inner)).lstrip("-").replace(".", "").lstrip("0")) or 1
        return math.ceil(digits / 2) + 1
    if kind in ("BOOL", "NULL"):
        return 1
    if kind == "M":
        return 3 + sum(len(k.encode()) + attribute_bytes(v) + 1 for k, v in inner.items())
    if kind == "L":
        return 3 + sum(attribute_bytes(v) + 1 for v in inner)
    return sum(attribute_bytes({kind[0]: member}) for member in inner)  # SS, NS, BS


def item_bytes(item: dict[str, Any]) -> int:
    return sum(len(name.encode()) + attribute_bytes(value) for name, value in item.items())


class Meter:
    """Read and write units of every DynamoDB request, from the items it touched."""

    def __init__(self, client: Any) -> None:
        self.client = client
        self.read_units = self.write_units = 0.0
        client.meta.events.register("after-call.dynamodb", self._after)
        self._table = ""

    def _after(self, http_response: Any, parsed: dict[str, Any], model: Any, **kw: Any) -> None:
        params = kw["context"].get("params", {})
        name = model.name
        if name in ("Query", "GetItem"):
            items = parsed.get("Items") or ([parsed["Item"]] if "Item" in parsed else [])
            size = sum(item_bytes(i) for i in items)
            units = max(1, math.ceil(size / 4096))
            self.read_units += units if params.get("ConsistentRead") else units / 2
        elif name == "BatchGetItem":
            # Each key of a batch is rounded up on its own; a key not found costs 1 too.
            asked = sum(len(r["Keys"]) for r in params["RequestItems"].values())
            found = [i for items in parsed.get("Responses", {}).values() for i in items]
            self.read_units += sum(max(1, math.ceil(item_bytes(i) / 4096)) for i in found)
            self.read_units += asked - len(found)
        elif name == "TransactWriteItems":
            for action in params["TransactItems"]:
                (body,) = action.values()
                item = body.get("Item") or {
                    **body["Key"],
                    **body.get("ExpressionAttributeValues", {}),
                }
                self.write_units += 2 * max(1, math.ceil(item_bytes(item) / 1024))
        elif name in ("PutItem", "UpdateItem", "DeleteItem"):
            item = params.get("Item") or {
                **params["Key"],
                **params.get("ExpressionAttributeValues", {}),
            }
            self.write_units += max(1, math.ceil(item_bytes(item) / 1024))

    def take(self) -> tuple[float, float]:
        taken = (self.read_units, self.write_units)
        self.read_units = self.write_units = 0.0
        return taken


def context_params(params: dict[str, Any], context: dict[str, Any], **_: Any) -> None:
    context["params"] = dict(params)


def measure() -> Iterator[tuple[str, float, float]]:
    with mock_aws(config=MOTO_CONFIG):
        session = boto3.Session(region_name="us-east-1")
        stack = provisioned_stack(session)
        table = stack.refs["DataTable"]
        client = session.client("dynamodb")
        client.meta.events.register("provide-client-params.dynamodb", context_params)
        meter = Meter(client)
        spec = AccountSpec("bench-account", "bench-customer", initial_transactions=PAGE)
        rows = spec.transactions(1)
        bank = BankDataStore(table, client)
        bank.save_transactions(spec.account_id, rows, "2026-12-01T10:00:00.000Z")
        reads, writes = meter.take()
        yield f"store {PAGE} new transactions", reads / PAGE, writes / PAGE
        bank.save_transactions(spec.account_id, rows, "2026-12-01T11:00:00.000Z")
        reads, writes = meter.take()
        yield f"list the same {PAGE} again, unchanged", reads / PAGE, writes / PAGE
        feed = ChangeFeed(table, client)
        page = feed.account_page(spec.account_id, None, PAGE)
        if len(page) != PAGE:
            raise RuntimeError(f"the feed page held {len(page)}")
        reads, writes = meter.take()
        yield f"read one feed page of {PAGE} (count={PAGE})", reads, writes
        listed, _ = ConsumerReads(table, client).transactions(
            spec.account_id, None, None, None, PAGE, None
        )
        if len(listed) != PAGE:
            raise RuntimeError(f"the list page held {len(listed)}")
        reads, writes = meter.take()
        yield f"read one transactions page of {PAGE} (limit={PAGE})", reads, writes


def main() -> None:
    print("consumer side, DynamoDB units (sandbox rows, Okra's shape):")
    print(f"{'what':60} {'read units':>11} {'write units':>12} {'$ per million':>14}")
    for what, reads, writes in measure():
        per = " (per transaction)" if what.startswith(("store", "list")) else ""
        price = reads * READ_PRICE * 1e6 + writes * WRITE_PRICE * 1e6
        print(f"{what + per:60} {reads:>11.2f} {writes:>12.2f} {price:>14.2f}")


if __name__ == "__main__":
    main()
