"""One provider rate for the whole stack: a DynamoDB counter per time window.

The provider limits requests per minute for the whole business, so every
call (refresh, callback, accounts lookup; on-demand, pushed, scheduled or
sweep) takes a token here first. Time is cut into windows of ``rate / 60``
calls a second each, at least ``WINDOW_CALLS`` calls and ``MIN_WINDOW_SECONDS``
long (12 s of 10 calls at 50/min; 6 s of 100 at 1,000/min); taking tokens
is one conditional ``ADD`` on the window's counter, which DynamoDB applies
atomically however many Lambdas ask at once. A refresh round takes the calls
it is about to make together (``banksync.budget.purse``), in one write.

Any 60 seconds then hold at most ``rate`` plus one window's calls (the
windows they cover and a burst at one edge), so a rate 10 below the
provider's limit (10 % below, past 100/min) never meets a 429: 50 for
Okra's 60.

Work under way comes before new work, at any priority: a call that finishes
what was started (the fetch of a record the provider announced ready: a woken
item's, a pushed update's) or
that opens an on-demand run a user waits for (its first call) may use all of
a window's calls; a refresh start may only bring the window to half of them,
and a scheduled or sweep start one call short of that (the reserve that keeps
on-demand starts ahead of theirs); a poll on a run's schedule, which may find
nothing ready, counts as new work. So whatever took a window first, work
under way and an on-demand run's first call find calls in it: a start is made
at most once per item, and its fetch later needs one call, which the kept
half has room for. In the last tenth of the window's *time* everything left
is released to every caller, since work under way that has not come by then
finds a fresh half a moment later, in the next window, and a call left idle
is one the sweep never gets back. A 429 fills every window up to the
provider's ``Retry-After``, which holds everyone.
"""

import math
import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, Literal, cast

from botocore.exceptions import ClientError

from banksync.dynamo import to_item

Priority = Literal["on_demand", "pushed", "scheduled", "sweep"]
PRIORITIES: tuple[Priority, ...] = ("on_demand", "pushed", "scheduled", "sweep")
WINDOW_CALLS = 10
MIN_WINDOW_SECONDS = 6.0
FIRST_CLASS: frozenset[Priority] = frozenset({"on_demand", "pushed"})
# Where in a window what new work may not use is released to it.
RESERVE_RELEASED_AT = 0.9
HELD = 10**9
# A take that finds fewer calls left than it asked for asks again for those.
TAKE_ATTEMPTS = 3
# What a window's item is, for a reader of the table's stream.
WINDOW_STAMP = {":entity": "budget_window", ":version": 1}
STAMPED = "entity = :entity, schema_version = :version"


@dataclass(frozen=True)
class Grant:
    calls: int  # taken now, all in the window that ends at ``until``
    wait: float  # none taken: the seconds until one may be
    until: float  # the window's end: a call taken and not made by then lapses


class ProviderBudget:
    def __init__(
        self,
        table_name: str,
        rate_per_minute: int,
        client: Any,
        clock: Callable[[], float] = time.time,
        provider: str = "okra",
    ) -> None:
        if rate_per_minute < 1:
            raise ValueError("the provider rate must be at least 1 request per minute")
        self._table, self._client, self.clock = table_name, client, clock
        # Each provider's limit is its own. The first provider's budget kept the key it
        # had before a second one came, so no stored window is orphaned.
        self.pk = "BUDGET" if provider == "okra" else f"BUDGET#{provider}"
        self.window_seconds = max(MIN_WINDOW_SECONDS, 60 * WINDOW_CALLS / rate_per_minute)
        self.window_calls = round(rate_per_minute * self.window_seconds / 60)
        self.reserved_calls = max(1, self.window_calls // 10)
        # Kept from new work for work under way (released late in the window).
        self.kept_calls = max(1, self.window_calls // 2)

    @property
    def table(self) -> str:
        return self._table

    @property
    def client(self) -> Any:
        return self._client

    def take(self, priority: Priority, under_way: bool = False) -> float:
        """0 if a call may be made now; otherwise the seconds until one may be."""
        grant = self.take_calls(priority, 1, under_way=1 if under_way else 0)
        return 0.0 if grant.calls else grant.wait

    def take_calls(self, priority: Priority, wanted: int, under_way: int = 0) -> Grant:
        """Up to ``wanted`` calls of the current window in one write (a round's worth:
        one write per call made the windows a tenth of every refresh's writes), the
        first ``under_way`` of them for work under way; fewer when fewer are left, none
        (and the wait) when none are."""
        now = self.clock()
        start = self._window_start(now)
        release = start + self.window_seconds * RESERVE_RELEASED_AT
        end = start + self.window_seconds
        whole, cap = self.window_calls, self.calls_for(priority, now)
        wanted = max(1, wanted)
        under = min(max(0, under_way), wanted, whole)
        new = min(wanted - under, max(0, cap - under))
        for _ in range(TAKE_ATTEMPTS):
            asked = under + new
            # New work may only bring the window's count up to its cap; work under way
            # (counted first) up to the whole window.
            room = (cap if new else whole) - asked
            try:
                self._client.update_item(
                    TableName=self._table,
                    Key=self._key(start),
                    UpdateExpression=f"ADD used :asked SET expires_at = :expires, {STAMPED}",
                    ConditionExpression="attribute_not_exists(used) OR used <= :room",
                    ExpressionAttributeValues=to_item(
                        {
                            ":asked": asked,
                            ":room": room,
                            ":expires": self._expiry(start),
                            **WINDOW_STAMP,
                        }
                    ),
                    ReturnValuesOnConditionCheckFailure="ALL_OLD",
                )
            except ClientError as error:
                if error.response["Error"]["Code"] != "ConditionalCheckFailedException":
                    raise
                # The window as it stood (ReturnValuesOnConditionCheckFailure): the count.
                window = cast(dict[str, Any], dict(error.response).get("Item") or {})
                used = int(window.get("used", {}).get("N", HELD))
                # Fewer are left than asked for: take those, work under way first.
                under = min(under, max(0, whole - used))
                new = min(new, max(0, cap - used - under))
                if under + new:
                    continue
                if under_way or used >= HELD:
                    return Grant(0, max(0.001, end - now), end)
                if used < whole:
                    return Grant(0, max(0.001, release - now), end)  # only the kept share is left
                if priority in FIRST_CLASS:
                    return Grant(0, max(0.001, end - now), end)
                # A schedule's or the sweep's new work comes back at a release, where it takes
                # whatever work under way left: kept busy, it asks once a window, not twice.
                return Grant(0, max(0.001, release + self.window_seconds - now), end)
            return Grant(asked, 0.0, end)
        return Grant(0, 0.001, end)  # others kept taking what was left: ask again

    def calls_for(self, priority: Priority, now: float, under_way: bool = False) -> int:
        """How many of the window's calls ``priority`` may use at ``now``: all of them for
        work under way, fewer for new work until late in the window."""
        start = self._window_start(now)
        released = now >= start + self.window_seconds * RESERVE_RELEASED_AT
        if under_way or released:
            return self.window_calls
        if priority in FIRST_CLASS:
            return self.window_calls - self.kept_calls
        return self.window_calls - self.kept_calls - self.reserved_calls

    def hold(self, seconds: float) -> None:
        """The provider said 429: no call from anyone for ``seconds``."""
        now = self.clock()
        start = self._window_start(now)
        while start < now + seconds:
            self._client.update_item(
                TableName=self._table,
                Key=self._key(start),
                UpdateExpression=f"SET used = :held, expires_at = :expires, {STAMPED}",
                ExpressionAttributeValues=to_item(
                    {":held": HELD, ":expires": self._expiry(start), **WINDOW_STAMP}
                ),
            )
            start += self.window_seconds

    def _window_start(self, now: float) -> float:
        return math.floor(now / self.window_seconds) * self.window_seconds

    def _key(self, start: float) -> dict[str, Any]:
        return to_item({"pk": self.pk, "sk": f"WINDOW#{start:.3f}"})

    def _expiry(self, start: float) -> int:
        return int(start + self.window_seconds) + 3600
