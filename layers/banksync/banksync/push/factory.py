"""Building the fetcher from settings: the one place that wires its real clients."""

import boto3

from banksync.bankdata.store import BankDataStore
from banksync.budget.limiter import ProviderBudget
from banksync.provider_registry import build_provider
from banksync.push.fetcher import PushFetcher
from banksync.push.queue import PushQueue
from banksync.push.settings import PushSettings
from banksync.push.updates import PushedUpdateStore


def build_fetcher(settings: PushSettings) -> PushFetcher:
    dynamodb = boto3.client("dynamodb")
    table = settings.data_table_name
    return PushFetcher(
        PushedUpdateStore(table, dynamodb),
        build_provider(settings.provider),
        BankDataStore(table, dynamodb),
        PushQueue(settings.push_queue_url, boto3.client("sqs")),
        ProviderBudget(table, settings.provider.rate_per_minute, dynamodb),
        settings,
    )
