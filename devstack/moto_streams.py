"""moto's DynamoDB streams, bounded in time as DynamoDB's are.

moto 5.2 keeps every shard iterator it ever handed out (each GetRecords
hands out a new one: several a second for the offline stack's pumps) and
every stream record ever written. DynamoDB lets an iterator expire after 15
minutes and trims a stream's records after 24 hours; so does the embedded
AWS here, answering an expired iterator or trimmed data with DynamoDB's
errors rather than failing.
"""

import threading
import time
from collections.abc import Callable
from typing import Any

from moto.core.exceptions import JsonRESTError
from moto.dynamodb.models.table import StreamRecord, StreamShard
from moto.dynamodbstreams.models import DynamoDBStreamsBackend, ShardIterator

ITERATOR_LIFETIME = 15 * 60.0
RECORD_RETENTION = 24 * 3600.0
clock: Callable[[], float] = time.monotonic  # tests move it on
# A trim renumbers the shard's list: not while a write takes the next number.
_shard_lock = threading.Lock()


def _expire_iterators(backend: DynamoDBStreamsBackend) -> None:
    """Oldest first: the backend's dict keeps the order iterators were made in."""
    oldest = clock() - ITERATOR_LIFETIME
    iterators = backend.shard_iterators
    while iterators:
        try:
            arn, iterator = next(iter(iterators.items()))
        except (StopIteration, RuntimeError):  # another request changed it meanwhile
            return
        if getattr(iterator, "made_at", oldest) > oldest:
            return
        iterators.pop(arn, None)


def trim(shard: StreamShard) -> None:
    """Drop records past retention; sequence numbers of the rest stay as they were."""
    oldest = clock() - RECORD_RETENTION
    expired = 0
    for record in shard.items:
        if getattr(record, "made_at", oldest) > oldest:
            break
        expired += 1
    if expired:
        with _shard_lock:
            del shard.items[:expired]
            shard.starting_sequence_number += expired


def install() -> None:
    if getattr(DynamoDBStreamsBackend.get_records, "bounded", False):  # once per process
        return
    make_iterator, make_record = ShardIterator.__init__, StreamRecord.__init__
    get_records, add = DynamoDBStreamsBackend.get_records, StreamShard.add

    def iterator_init(self: ShardIterator, *args: Any, **kwargs: Any) -> None:
        make_iterator(self, *args, **kwargs)
        vars(self)["made_at"] = clock()

    def record_init(self: StreamRecord, *args: Any, **kwargs: Any) -> None:
        make_record(self, *args, **kwargs)
        vars(self)["made_at"] = clock()

    def locked_add(self: StreamShard, *args: Any, **kwargs: Any) -> None:
        with _shard_lock:
            add(self, *args, **kwargs)

    def bounded_get_records(
        self: DynamoDBStreamsBackend, iterator_arn: str, limit: int
    ) -> dict[str, Any]:
        _expire_iterators(self)
        iterator = self.shard_iterators.get(iterator_arn)
        if iterator is None:
            raise JsonRESTError("ExpiredIteratorException", "Iterator expired")
        trim(iterator.stream_shard)
        if iterator.sequence_number < iterator.stream_shard.starting_sequence_number:
            raise JsonRESTError(
                "TrimmedDataAccessException", "the iterator points past the stream's retention"
            )
        return get_records(self, iterator_arn, limit)

    bounded_get_records.bounded = True  # type: ignore[attr-defined]
    ShardIterator.__init__ = iterator_init  # type: ignore[method-assign]
    StreamRecord.__init__ = record_init  # type: ignore[method-assign]
    StreamShard.add = locked_add  # type: ignore[method-assign]
    DynamoDBStreamsBackend.get_records = bounded_get_records  # type: ignore[method-assign]
