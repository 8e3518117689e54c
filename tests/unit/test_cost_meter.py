"""The cost model's DynamoDB arithmetic: item sizes, rounding, transactions, indexes."""

import math
from types import SimpleNamespace
from typing import Any

import pytest

from banksync.delivery.model import Delivery
from banksync.dynamo import to_item
from banksync.refresh.model import ItemStatus, RefreshItem
from bench.cost_aws import AwsMeter
from bench.cost_lambda import PROVIDER_WAIT, Invocation, LambdaMeter
from bench.cost_meter import (
    Capacity,
    TableSchema,
    index_writes,
    item_size,
    number_size,
    read_units,
    write_units,
)
from devstack.template import StackTemplate

DATA_TABLE = TableSchema.from_properties(
    "DataTable", StackTemplate.load(region="us-east-1").body["Resources"]["DataTable"]["Properties"]
)


def text(n: int) -> dict[str, str]:
    return {"S": "x" * n}


def row(payload: int, **extra: Any) -> dict[str, Any]:
    """A DataTable item whose size is 20 bytes of key plus ``payload`` (names included)."""
    return {"pk": {"S": "ACCOUNT#1"}, "sk": {"S": "TXN#1"}, "d": text(payload - 1), **extra}


def test_sizes_follow_dynamodb_rules() -> None:
    assert item_size({"name": {"S": "héllo"}}) == 4 + 6  # UTF-8 bytes
    assert number_size("12345") == 4  # 5 significant digits: 3 bytes, plus 1
    assert number_size("1000") == 2  # trailing zeros do not count
    assert number_size("0.001") == 2
    assert item_size({"b": {"BOOL": True}, "n": {"NULL": True}}) == 4
    assert item_size({"m": {"M": {"ab": {"S": "cd"}}}}) == 1 + 3 + 1 + 2 + 2
    assert item_size({"l": {"L": [{"S": "a"}, {"S": "b"}]}}) == 1 + 3 + 2 * (1 + 1)


def test_write_units_round_up_to_the_kilobyte_and_read_units_to_four() -> None:
    assert write_units(0) == 1
    assert write_units(1024) == 1
    assert write_units(1025) == 2
    assert read_units(4096, consistent=True) == 1
    assert read_units(4097, consistent=True) == 2
    assert read_units(4097, consistent=False) == 1
    assert read_units(10, consistent=False) == 0.5


def test_the_template_gives_the_data_tables_keys_and_indexes() -> None:
    assert DATA_TABLE.keys == ("pk", "sk")
    assert [(i.name, i.keys, i.projection) for i in DATA_TABLE.indexes] == [
        ("gsi1", ("gsi1pk", "gsi1sk"), "ALL"),
        ("gsi2", ("gsi2pk", "gsi2sk"), "ALL"),
        ("gsi3", ("gsi3pk", "gsi3sk"), "KEYS_ONLY"),
    ]


def test_a_write_costs_the_larger_of_the_item_before_and_after() -> None:
    capacity = Capacity()
    capacity.write(DATA_TABLE, row(2000), row(100), transactional=False)
    assert capacity.writes["DataTable"] == 2


def test_each_item_of_a_transaction_costs_twice() -> None:
    capacity = Capacity()
    capacity.write(DATA_TABLE, None, row(1500), transactional=True)
    capacity.write(DATA_TABLE, None, row(100), transactional=True)
    assert capacity.writes["DataTable"] == 2 * 2 + 2 * 1


def test_an_item_with_an_index_key_is_written_to_that_index_too() -> None:
    indexed = row(100, gsi1pk={"S": "CUSTOMER#1"}, gsi1sk={"S": "ACCOUNT#1"})
    capacity = Capacity()
    capacity.write(DATA_TABLE, None, indexed, transactional=True)
    assert capacity.writes["DataTable"] == 2
    assert capacity.writes["DataTable gsi1"] == 1  # index writes are not transactional
    assert "DataTable gsi2" not in capacity.writes


def test_index_writes_follow_what_the_write_does_to_the_entry() -> None:
    keys = {"gsi1pk": {"S": "CUSTOMER#1"}, "gsi1sk": {"S": "A"}}
    moved = {"gsi1pk": {"S": "CUSTOMER#1"}, "gsi1sk": {"S": "B"}}
    assert index_writes(DATA_TABLE, None, row(10)) == {}
    assert index_writes(DATA_TABLE, row(10, **keys), row(10, **keys)) == {}  # unchanged
    assert index_writes(DATA_TABLE, row(10, **keys), row(20, **keys)) == {"gsi1": 1}
    assert index_writes(DATA_TABLE, row(10, **keys), row(10)) == {"gsi1": 1}  # removed
    assert index_writes(DATA_TABLE, row(10, **keys), row(10, **moved)) == {"gsi1": 2}


@pytest.mark.parametrize("consistent", [True, False])
def test_transactional_reads_cost_twice_a_consistent_read(consistent: bool) -> None:
    capacity = Capacity()
    capacity.read("DataTable", 5000, consistent, transactional=True)
    assert capacity.reads["DataTable"] == 4


def test_a_transact_write_request_is_billed_per_item_from_the_items_stored() -> None:
    """The request meter: each action's item before (read before the call) and after."""
    stored: dict[str, Any] = {}

    def image(table: str, key: dict[str, Any]) -> Any:
        return stored.get(key["sk"]["S"])

    meter = AwsMeter({"data-table": DATA_TABLE}, image, LambdaMeter(lambda _: 256))
    meter.active = True
    model = SimpleNamespace(
        name="TransactWriteItems", service_model=SimpleNamespace(service_name="dynamodb")
    )
    new = row(1500, gsi2pk={"S": "ACCOUNTS"}, gsi2sk={"S": "1"})
    params = {
        "TransactItems": [
            {"Put": {"TableName": "data-table", "Item": new}},
            {"ConditionCheck": {"TableName": "data-table", "Key": {**row(0), "sk": {"S": "X"}}}},
        ]
    }
    context: dict[str, Any] = {}
    meter.on_request(params=params, model=model, context=context)
    stored["TXN#1"] = new  # what the embedded DynamoDB holds after the call
    meter.on_answer(parsed={}, model=model, context=context)
    assert meter.capacity.writes == {"DataTable": 2 * 2 + 2 * 1, "DataTable gsi2": 2}


def test_lambda_time_is_own_cpu_at_the_memorys_share_of_a_vcpu_plus_the_waits() -> None:
    invocation = Invocation("F", memory_mb=256, cpu=0.100, foreign=0.020, provider_calls=2)
    # 80 ms of its own CPU at 256/1769 of a vCPU, then two provider calls' waits.
    assert invocation.billed_seconds == pytest.approx(
        math.ceil((0.080 * 1769 / 256 + 2 * PROVIDER_WAIT) * 1000) / 1000
    )
    cpu, waiting = invocation.gb_seconds()
    assert waiting == pytest.approx(2 * PROVIDER_WAIT * 0.25)
    assert cpu + waiting == pytest.approx(invocation.billed_seconds * 0.25)


def test_what_answers_a_functions_call_in_this_process_is_not_its_cpu() -> None:
    meter = LambdaMeter(lambda _: 256)
    meter.active = True
    sandbox = meter.other_side(lambda: sum(range(200_000)), counts="provider_calls")
    meter.wrap("F", lambda: sandbox())()
    (invocation,) = meter.invocations
    assert invocation.provider_calls == 1
    assert 0 < invocation.foreign <= invocation.cpu
    assert invocation.own_cpu == pytest.approx(invocation.cpu - invocation.foreign)


HOOK_URL = "https://hooks.example.com/banksync"


@pytest.mark.parametrize("index", ["gsi1", "gsi2", "gsi3"])
def test_a_refresh_items_later_updates_write_no_index(index: str) -> None:
    """The items' lookup keys are on the keys-only gsi3: the updates after the first,
    which never move them, write no index (an ALL index rewrote its copy on each)."""
    started = RefreshItem("rf_1", "acct-1", "balance", "cust-1", status=ItemStatus.STARTED)
    started.record_id, started.callback_url = "rec-1", "https://api.okra.ng/callback?record=rec-1"
    before = to_item(started.to_record())
    started.status, started.finished_at = ItemStatus.SUCCEEDED, "2026-12-01T00:01:00.000Z"
    started.balance = {"available": 100, "ledger": 120, "currency": "NGN"}
    writes = index_writes(DATA_TABLE, before, to_item(started.to_record()))
    assert index not in writes
    assert index_writes(DATA_TABLE, None, before) == {"gsi3": 1}


def test_a_deliverys_attempts_rewrite_its_listing_entry_only() -> None:
    delivery = Delivery("sub_1", "msg_1", "refresh.item.succeeded", "{}", HOOK_URL, "2026-12-01")
    before = to_item(delivery.to_record())
    delivery.status, delivery.attempt_count = "delivered", 1
    delivery.attempts = [{"at": "2026-12-01T00:00:01.000Z", "status": 204}]
    after = to_item(delivery.to_record())
    assert set(index_writes(DATA_TABLE, before, after)) == {"gsi1"}
    assert set(index_writes(DATA_TABLE, None, before)) == {"gsi1", "gsi3"}
