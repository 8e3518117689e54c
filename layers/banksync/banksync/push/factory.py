"""Building the fetcher from settings: the one place that wires its real clients."""

import boto3

from banksync.bankdata.store import BankDataStore
from banksync.provider_desk import ProviderDesk
from banksync.push.fetcher import PushFetcher
from banksync.push.queue import PushQueue
from banksync.push.settings import PushSettings
from banksync.push.updates import PushedUpdateStore


def build_fetcher(settings: PushSettings) -> PushFetcher:
    dynamodb = boto3.client("dynamodb")
    table = settings.data_table_name
    desk = ProviderDesk(settings.every_provider, table, dynamodb)
    first = settings.provider.name
    return PushFetcher(
        PushedUpdateStore(table, dynamodb),
        desk.provider(first),
        BankDataStore(table, dynamodb),
        PushQueue(settings.push_queue_url, boto3.client("sqs")),
        desk.budget(first),
        settings,
        desk=desk,
    )
