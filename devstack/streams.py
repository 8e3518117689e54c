"""Reading a DynamoDB stream from the embedded AWS as Lambda's event source would.

Records come back in the shape Lambda hands a stream-triggered function
(``{"Records": [...]}`` with ``eventSourceARN``), so the real handlers run
unchanged.
"""

from typing import Any

from botocore.config import Config


class StreamPump:
    def __init__(self, session: Any, stream_arn: str, start_at_latest: bool = False) -> None:
        # botocore 1.44 sends stream calls to an account-id endpoint moto lacks.
        self._client = session.client(
            "dynamodbstreams", config=Config(account_id_endpoint_mode="disabled")
        )
        self._arn = stream_arn
        self._iterators: dict[str, str | None] = {}
        # LATEST as Lambda's StartingPosition would be; TRIM_HORIZON to replay everything.
        self._start = "LATEST" if start_at_latest else "TRIM_HORIZON"
        if start_at_latest:
            self._open_shards()  # now: what is written from here on is what counts

    def poll(self) -> list[dict[str, Any]]:
        """Every record written since the last poll."""
        records: list[dict[str, Any]] = []
        self._open_shards()
        for shard_id, iterator in list(self._iterators.items()):
            if iterator is None:
                continue
            answer = self._client.get_records(ShardIterator=iterator)
            self._iterators[shard_id] = answer.get("NextShardIterator")
            records += [{**record, "eventSourceARN": self._arn} for record in answer["Records"]]
        return [_plain(record) for record in records]

    def _open_shards(self) -> None:
        shards = self._client.describe_stream(StreamArn=self._arn)["StreamDescription"]["Shards"]
        for shard in shards:
            if shard["ShardId"] not in self._iterators:
                self._iterators[shard["ShardId"]] = self._client.get_shard_iterator(
                    StreamArn=self._arn, ShardId=shard["ShardId"], ShardIteratorType=self._start
                )["ShardIterator"]


def _plain(record: dict[str, Any]) -> dict[str, Any]:
    """boto3 returns datetimes where Lambda's JSON event carries epoch seconds."""
    dynamodb = dict(record.get("dynamodb", {}))
    created = dynamodb.get("ApproximateCreationDateTime")
    if created is not None and hasattr(created, "timestamp"):
        dynamodb["ApproximateCreationDateTime"] = int(created.timestamp())
    return {**record, "dynamodb": dynamodb}
