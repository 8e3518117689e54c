"""The Mono sandbox's linking side, driven over HTTP: the key on every call, the widget
code's exchange, hosted links, an account's details and the list of linked accounts."""

import pytest

from devstack.sandbox_mono import MonoWorld, demo_mono_world
from tests.support.mono_sandbox import MonoHarness, account

PATHS = ["/v2/accounts", "/v2/accounts/x", "/v2/accounts/x/balance", "/v2/accounts/x/transactions"]


@pytest.mark.parametrize("path", PATHS)
@pytest.mark.parametrize("key", [None, "test_sk_wrong", ""])
def test_a_call_without_a_known_key_is_refused_in_the_envelope(path: str, key: str | None) -> None:
    harness = MonoHarness()
    answer = harness.client(key).get(path)
    assert answer.status_code == 401
    body = answer.json()
    assert body["status"] == "failed"
    assert body["data"] is None
    assert set(body) == {"status", "message", "timestamp", "data"}


def test_the_keys_it_accepts_are_configurable() -> None:
    harness = MonoHarness(MonoWorld(secret_keys=("test_sk_one", "live_sk_two")))
    assert harness.client("live_sk_two").get("/v2/accounts").status_code == 200
    assert harness.client("test_sk_one").get("/v2/accounts").status_code == 200
    assert harness.http.get("/v2/accounts").status_code == 401  # the default key is not one


def test_a_code_is_exchanged_for_the_account_id_once() -> None:
    harness = MonoHarness()
    code = harness.sandbox.link_account(account(7))
    first = harness.http.post("/v2/accounts/auth", json={"code": code})
    assert first.json() == {"id": account(7).account_id}
    again = harness.http.post("/v2/accounts/auth", json={"code": code})
    assert again.status_code == 400
    assert again.json()["status"] == "failed"


@pytest.mark.parametrize(("after", "status"), [(599.0, 200), (600.0, 400)])
def test_a_code_expires_after_ten_minutes_of_sandbox_time(after: float, status: int) -> None:
    harness = MonoHarness()
    code = harness.sandbox.link_account(account(1))
    harness.clock.advance(after)
    assert harness.http.post("/v2/accounts/auth", json={"code": code}).status_code == status


def test_the_exchange_can_answer_in_the_envelope() -> None:
    harness = MonoHarness(MonoWorld(exchange_answer="envelope"))
    code = harness.sandbox.link_account(account(2))
    body = harness.http.post("/v2/accounts/auth", json={"code": code}).json()
    assert body["status"] == "successful"
    assert body["data"] == {"id": account(2).account_id}


@pytest.mark.parametrize("body", [{}, {"code": ""}, {"code": 5}, []])
def test_an_exchange_without_a_code_is_a_400_naming_it(body: object) -> None:
    answer = MonoHarness().http.post("/v2/accounts/auth", json=body)
    assert answer.status_code == 400
    assert "code" in answer.json()["message"]


def test_a_hosted_link_links_an_account_and_announces_it() -> None:
    harness = MonoHarness(MonoWorld(link_data_delay=30))
    body = {
        "customer": {"name": "Ada Obi", "email": "ada@example.com"},
        "meta": {"ref": "order-1"},
        "scope": "auth",
        "redirect_url": "https://business.example/done",
    }
    data = harness.http.post("/v2/accounts/initiate", json=body).json()["data"]
    assert data["mono_url"].startswith("https://link.mono.co/")
    account_id = harness.sandbox.complete_link(data["mono_url"])
    harness.advance(0)
    connected = harness.business.last("mono.events.account_connected")
    assert connected["data"]["id"] == account_id
    assert connected["data"]["customer"] == data["customer"]
    assert connected["data"]["meta"] == {
        "data_status": "PROCESSING",
        "auth_method": "internet_banking",
        "ref": "order-1",
    }
    details = harness.http.get(f"/v2/accounts/{account_id}").json()["data"]
    assert details["meta"]["data_status"] == "PROCESSING"
    assert harness.http.get(f"/v2/accounts/{account_id}/transactions").json()["data"] == []
    assert harness.http.get(f"/v2/accounts/{account_id}/balance").json()["data"]["balance"] is None
    harness.advance(30)
    assert harness.business.events == [
        "mono.events.account_connected",
        "mono.events.account_updated",
    ]
    updated = harness.business.last("mono.events.account_updated")["data"]
    assert updated["account"]["_id"] == account_id
    assert updated["meta"]["data_status"] == "AVAILABLE"
    assert updated["meta"]["ref"] == "order-1"
    assert harness.http.get(f"/v2/accounts/{account_id}").json()["data"]["meta"]["data_status"] == (
        "AVAILABLE"
    )
    assert harness.http.get(f"/v2/accounts/{account_id}/transactions").json()["data"]


def test_a_hosted_link_is_completed_once() -> None:
    harness = MonoHarness()
    body = {"customer": {"name": "Ada", "email": "ada@example.com"}, "scope": "auth"}
    url = harness.http.post("/v2/accounts/initiate", json=body).json()["data"]["mono_url"]
    harness.sandbox.complete_link(url)
    with pytest.raises(KeyError):
        harness.sandbox.complete_link(url)


@pytest.mark.parametrize(
    ("body", "named"),
    [
        ({"scope": "everything"}, "scope"),
        ({"scope": "auth"}, "customer"),
        ({"scope": "auth", "customer": {"name": "Ada"}}, "customer.email"),
        ({"scope": "auth", "customer": {"email": "a@example.com"}}, "customer.name"),
        ({"scope": "reauth"}, "account"),
    ],
)
def test_a_link_request_missing_a_field_is_a_400_naming_it(body: object, named: str) -> None:
    answer = MonoHarness().http.post("/v2/accounts/initiate", json=body)
    assert answer.status_code == 400
    assert named in answer.json()["message"]


def test_a_reauth_link_for_an_unknown_account_is_a_404() -> None:
    answer = MonoHarness().http.post(
        "/v2/accounts/initiate", json={"scope": "reauth", "account": "f" * 24}
    )
    assert answer.status_code == 404


@pytest.mark.parametrize("suffix", ["", "/balance", "/transactions", "/jobs/abc"])
def test_an_unknown_account_is_a_404_in_the_envelope(suffix: str) -> None:
    answer = MonoHarness().http.get(f"/v2/accounts/{'f' * 24}{suffix}")
    assert answer.status_code == 404
    assert answer.json()["status"] == "failed"


def test_the_accounts_list_pages_by_ten_with_each_accounts_customer() -> None:
    harness = MonoHarness()
    for number in range(1, 13):
        harness.linked(account(number, customer_id=f"{number % 2:024x}"))
    first = harness.http.get("/v2/accounts").json()
    second = harness.http.get("/v2/accounts", params={"page": 2}).json()
    assert len(first["data"]) == 10
    assert len(second["data"]) == 2
    assert first["meta"]["total"] == second["meta"]["total"] == 12
    assert first["meta"]["pages"] == 2
    assert first["meta"]["previous"] is None
    assert first["meta"]["next"].endswith("/v2/accounts/?page=2")
    assert second["meta"]["next"] is None
    ids = [row["id"] for row in first["data"] + second["data"]]
    assert ids == [account(n).account_id for n in range(1, 13)]
    customers = {row["id"]: row["customer"]["id"] for row in first["data"] + second["data"]}
    assert customers[account(3).account_id] == f"{1:024x}"
    assert harness.http.get("/v2/accounts", params={"page": 0}).status_code == 400


def test_an_unknown_route_is_a_404_in_the_envelope() -> None:
    answer = MonoHarness().http.get("/v2/nowhere")
    assert answer.status_code == 404
    assert answer.json()["status"] == "failed"


def test_the_demo_world_has_one_customer_with_two_linked_accounts_with_data() -> None:
    harness = MonoHarness(demo_mono_world())
    rows = harness.http.get("/v2/accounts").json()["data"]
    assert len(rows) == 2
    assert len({row["customer"]["id"] for row in rows}) == 1
    assert {row["status"] for row in rows} == {"AVAILABLE"}
    assert {row["institution"]["name"] for row in rows} == {"GTBank", "Kuda Bank"}
