"""A run's deadline is bounded where it is set: the template's parameter, and the
execution input's own ``deadline_seconds``, which any caller of the state machine sets."""

from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

from banksync.provider.settings import ProviderSettings
from banksync.refresh.request import MAX_DEADLINE_SECONDS, StartRequest
from banksync.refresh.settings import WorkflowSettings
from devstack.template import StackTemplate

SETTINGS = WorkflowSettings("table", ProviderSettings("https://example.invalid", "arn:secret"))


def start(deadline: Any) -> StartRequest:
    return StartRequest.parse(
        {
            "refresh_id": "r-1",
            "items": [{"account_id": "acct-0", "product": "balance"}],
            "deadline_seconds": deadline,
        },
        SETTINGS,
    )


def test_the_input_bound_is_the_templates() -> None:
    spec = StackTemplate.load().body["Parameters"]["RefreshDeadlineSeconds"]
    assert spec["MaxValue"] == MAX_DEADLINE_SECONDS
    assert spec["MinValue"] >= 1


@given(st.integers(min_value=1, max_value=MAX_DEADLINE_SECONDS))
def test_a_deadline_within_the_bound_is_kept(seconds: int) -> None:
    assert start(seconds).deadline_seconds == seconds
    assert start(str(seconds)).deadline_seconds == seconds


@given(
    st.one_of(
        st.integers(max_value=0),
        st.integers(min_value=MAX_DEADLINE_SECONDS + 1),
    )
)
def test_a_deadline_outside_the_bound_is_refused_naming_the_field(seconds: int) -> None:
    with pytest.raises(ValueError, match=r"deadline_seconds must be between 1 and 3600"):
        start(seconds)


@pytest.mark.parametrize("deadline", [True, 900.5, "soon", "", [900], {"s": 900}])
def test_a_deadline_that_is_no_whole_number_is_refused_naming_the_field(deadline: Any) -> None:
    with pytest.raises(ValueError, match="deadline_seconds must be a whole number of seconds"):
        start(deadline)


def test_without_a_deadline_the_stacks_setting_applies() -> None:
    request = StartRequest.parse(
        {"refresh_id": "r-1", "items": [{"account_id": "acct-0", "product": "balance"}]},
        SETTINGS,
    )
    assert request.deadline_seconds == SETTINGS.deadline_seconds
