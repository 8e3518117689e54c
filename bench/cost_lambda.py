"""Lambda time from the real handlers: CPU measured, network waits allowed for.

Each handler invocation is timed with ``time.thread_time`` on the thread that
runs it (process time would also count moto's Step Functions engine and the
harness polling it, which run on other threads at the same moment). What the
other side of a call does in this process is not the function's time and is
taken out: moto answering an AWS request, the provider sandbox answering a
provider call, a nested handler. A function's own threads (the webhook
sender's deadline pool) are not counted; they only wait on the socket.

Below 1,769 MB a function gets that fraction of a vCPU, so CPU-bound work
runs 1769/memory times longer than on one core and costs the same GB-seconds
whatever the memory: CPU seconds times 1.769 GB. Waiting on the network costs
memory times the wait. This machine's core stands in for Lambda's (Graviton) vCPU.

Network waits are allowances, since nothing here is remote:
- PROVIDER_WAIT per provider call: one request/response to the provider's API
  over a kept-alive TLS connection from us-east-1 (Okra served West Africa:
  ~150 ms round trip) plus its own processing. Its latency is the provider's,
  not CPU, and it is the largest wait on the path.
- AWS_WAIT per AWS request a function makes: DynamoDB, SQS and KMS answer
  within the region in single-digit milliseconds.
- WEBHOOK_WAIT per webhook POST: a subscriber's endpoint answering 2xx.
Lambda bills each invocation's duration rounded up to the millisecond.
"""

import io
import math
import sys
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any

from devstack.template import StackTemplate

PROVIDER_WAIT = 0.250
AWS_WAIT = 0.006
WEBHOOK_WAIT = 0.250
FULL_VCPU_MB = 1769
# START, END and REPORT lines (with the X-Ray trace id) that Lambda logs per invocation.
PLATFORM_LOG_BYTES = 400


@dataclass
class Invocation:
    function: str
    memory_mb: int
    cpu: float = 0.0
    foreign: float = 0.0  # CPU spent answering this invocation's calls (moto, the sandbox)
    aws_calls: int = 0
    provider_calls: int = 0
    webhook_posts: int = 0
    log_bytes: int = 0

    @property
    def own_cpu(self) -> float:
        return max(0.0, self.cpu - self.foreign)

    @property
    def wait(self) -> float:
        return (
            self.provider_calls * PROVIDER_WAIT
            + self.aws_calls * AWS_WAIT
            + self.webhook_posts * WEBHOOK_WAIT
        )

    @property
    def billed_seconds(self) -> float:
        """Duration at this memory, rounded up to the millisecond Lambda bills."""
        cpu_wall = self.own_cpu * max(1.0, FULL_VCPU_MB / self.memory_mb)
        return max(1, math.ceil((cpu_wall + self.wait) * 1000)) / 1000

    def gb_seconds(self) -> tuple[float, float]:
        """(CPU part, waiting part) of the billed GB-seconds."""
        gb = self.memory_mb / 1024
        total = self.billed_seconds * gb
        waiting = min(total, self.wait * gb)
        return total - waiting, waiting


class LambdaMeter:
    def __init__(self, memory_mb: Callable[[str], int]) -> None:
        self.memory_mb = memory_mb
        self.invocations: list[Invocation] = []
        self.active = False
        self.calls = 0  # every invocation, metered or not
        self._local = threading.local()

    def _stack(self) -> list[Invocation]:
        if not hasattr(self._local, "stack"):
            self._local.stack = []
        stack: list[Invocation] = self._local.stack
        return stack

    def current(self) -> Invocation | None:
        stack = self._stack()
        return stack[-1] if stack else None

    def wrap(self, function: str, handler: Callable[..., Any]) -> Callable[..., Any]:
        """``handler`` timed as one invocation of ``function`` each time it is called."""

        def timed(*args: Any, **kwargs: Any) -> Any:
            invocation = Invocation(function, self.memory_mb(function))
            self.calls += 1
            stack = self._stack()
            stack.append(invocation)
            started = time.thread_time()
            try:
                return handler(*args, **kwargs)
            finally:
                invocation.cpu = time.thread_time() - started
                stack.pop()
                if stack:
                    stack[-1].foreign += invocation.cpu
                if self.active:
                    self.invocations.append(invocation)

        return timed

    def other_side(
        self, answer: Callable[..., Any], counts: str | None = None
    ) -> Callable[..., Any]:
        """``answer`` (a service answering a function's call in this process) is not the
        function's CPU; with ``counts``, the invocation's counter of such calls goes up."""

        def answered(*args: Any, **kwargs: Any) -> Any:
            invocation = self.current()
            started = time.thread_time()
            try:
                return answer(*args, **kwargs)
            finally:
                if invocation is not None:
                    invocation.foreign += time.thread_time() - started
                    if counts:
                        setattr(invocation, counts, getattr(invocation, counts) + 1)

        return answered

    def counted(self, call: Callable[..., Any], counts: str) -> Callable[..., Any]:
        """``call``, counted on the invocation making it (its CPU stays the function's)."""

        def counting(*args: Any, **kwargs: Any) -> Any:
            invocation = self.current()
            if invocation is not None:
                setattr(invocation, counts, getattr(invocation, counts) + 1)
            return call(*args, **kwargs)

        return counting

    def reset(self) -> None:
        self.invocations = []


class LogSink(io.TextIOBase):
    """stdout: what an invocation prints (its logs, its EMF metrics) is counted as
    CloudWatch Logs ingestion and kept off the bench's output; the rest passes."""

    def __init__(self, lambdas: LambdaMeter, out: Any) -> None:
        self.lambdas, self.out = lambdas, out

    def write(self, text: str) -> int:
        invocation = self.lambdas.current()
        if invocation is None:
            return int(self.out.write(text))
        invocation.log_bytes += len(text.encode())
        return len(text)

    def flush(self) -> None:
        self.out.flush()


@contextmanager
def logs_counted(lambdas: LambdaMeter) -> Iterator[None]:
    original = sys.stdout
    sys.stdout = LogSink(lambdas, original)
    try:
        yield
    finally:
        sys.stdout = original


def memory_of(stack: StackTemplate) -> Callable[[str], int]:
    default = int(stack.body.get("Globals", {}).get("Function", {}).get("MemorySize", 128))
    resources = stack.body["Resources"]
    return lambda logical_id: int(resources[logical_id]["Properties"].get("MemorySize", default))
