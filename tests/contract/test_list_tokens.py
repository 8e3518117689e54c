"""Every list decodes its next_token for its own index: a token from another list, or one
lacking a key attribute, is a 400 naming next_token, never a 500 nor a page elsewhere."""

import pytest

from banksync.paging import encode_token
from tests.contract.lists import ListRoute, list_routes
from tests.fuzz.harness import Answer, FuzzStack

# Keys no list gives: too few attributes, too many, values that are not strings.
FORGED = {
    "no keys": {},
    "the table's key alone": {"pk": {"S": "RUN#x"}, "sk": {"S": "RUN"}},
    "an index's keys without the table's": {"gsi2pk": {"S": "RUNS"}, "gsi2sk": {"S": "2026"}},
    "a number": {"pk": {"N": "1"}, "sk": {"S": "x"}},
}


def get(stack: FuzzStack, route: ListRoute, *extra: tuple[str, str]) -> Answer:
    query = "&".join(f"{name}={value}" for name, value in (*route.query, *extra))
    return stack.through_http("GET", route.path, query.encode(), {}, b"")


@pytest.fixture(scope="module")
def tokens(api_stack: FuzzStack) -> dict[str, str]:
    """Each list's own next_token, from a page of one item."""
    found = {}
    for route in list_routes(api_stack.seeded):
        answer = get(api_stack, route, ("limit", "1"))
        assert answer.status == 200, (route, answer)
        assert answer.body["next_token"], f"{route.name}: seed a second item"
        found[route.name] = answer.body["next_token"]
    return found


def test_each_list_takes_its_own_token(api_stack: FuzzStack, tokens: dict[str, str]) -> None:
    for route in list_routes(api_stack.seeded):
        answer = get(api_stack, route, ("limit", "1"), ("next_token", tokens[route.name]))
        assert answer.status == 200, (route.name, answer)


def test_every_list_refuses_every_other_lists_token(
    api_stack: FuzzStack, tokens: dict[str, str]
) -> None:
    for route in list_routes(api_stack.seeded):
        own = {route.path, dict(route.query).get("customer")}
        for name, token in tokens.items():
            other = next(r for r in list_routes(api_stack.seeded) if r.name == name)
            if {other.path, dict(other.query).get("customer")} == own:
                continue
            assert_refused(get(api_stack, route, ("next_token", token)), route, name)


@pytest.mark.parametrize("forged", sorted(FORGED))
def test_every_list_refuses_a_token_without_its_index_keys(
    api_stack: FuzzStack, forged: str
) -> None:
    token = encode_token(FORGED[forged])
    for route in list_routes(api_stack.seeded):
        assert_refused(get(api_stack, route, ("next_token", token)), route, forged)


def assert_refused(answer: Answer, route: ListRoute, token: str) -> None:
    assert answer.status == 400, (route.name, token, answer)
    assert answer.headers["Content-Type"] == "application/json", (route.name, answer)
    assert set(answer.error["fields"]) == {"next_token"}, (route.name, token, answer.error)
