"""The context object a handler is called with, as Lambda passes it (what banksync reads)."""

import uuid
from dataclasses import dataclass, field


@dataclass
class LambdaContext:
    function_name: str = "banksync-local"
    function_version: str = "$LATEST"
    memory_limit_in_mb: int = 256
    invoked_function_arn: str = "arn:aws:lambda:us-east-1:123456789012:function:banksync-local"
    aws_request_id: str = field(default_factory=lambda: str(uuid.uuid4()))

    def get_remaining_time_in_millis(self) -> int:
        return 60_000
