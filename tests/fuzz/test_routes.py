"""Every route through its real handler, as API Gateway invokes it: no bad input ever
answers 5xx, every 4xx names its problem and stores nothing, valid input is stored once."""

from hypothesis import event, given
from hypothesis import strategies as st

from devstack.http_api import routes_of
from tests.fuzz.cases import ROUTES, Case, mono_webhook_cases, operator_cases, webhook_cases
from tests.fuzz.checks import check, check_stored_once
from tests.fuzz.harness import FuzzStack, fuzz_settings
from tests.fuzz.read_cases import read_cases


def test_every_route_of_the_template_is_fuzzed(fuzz_stack: FuzzStack) -> None:
    assert {route.key for route in routes_of(fuzz_stack.stack)} == set(ROUTES)


@fuzz_settings(60)
@given(case=webhook_cases())
def test_the_webhook_route(fuzz_stack: FuzzStack, case: Case) -> None:
    run(fuzz_stack, case)


@fuzz_settings(40)
@given(case=mono_webhook_cases())
def test_mono_s_webhook_route(fuzz_stack: FuzzStack, case: Case) -> None:
    run(fuzz_stack, case)


@fuzz_settings(200)
@given(data=st.data())
def test_the_operator_routes(fuzz_stack: FuzzStack, data: st.DataObject) -> None:
    run(fuzz_stack, data.draw(operator_cases(fuzz_stack.seeded), label="case"))


@fuzz_settings(100)
@given(data=st.data())
def test_the_read_routes(fuzz_stack: FuzzStack, data: st.DataObject) -> None:
    run(fuzz_stack, data.draw(read_cases(fuzz_stack.seeded), label="case"))


def run(fuzz: FuzzStack, case: Case) -> None:
    before = fuzz.snapshot()
    answer = fuzz.through_lambda(case.event())
    event(f"{case.key}: {answer.status} ({'valid' if case.expect is None else case.expect})")
    check(fuzz, case, answer, before)
    check_stored_once(fuzz, case, answer, lambda: fuzz.through_lambda(case.event()))
