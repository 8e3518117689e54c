"""Building the workflow from settings: the one place that wires real clients."""

import boto3

from banksync.bankdata.store import BankDataStore
from banksync.budget.limiter import ProviderBudget
from banksync.provider_registry import build_provider
from banksync.refresh.runs import RefreshRunStore
from banksync.refresh.settings import WorkflowSettings
from banksync.refresh.steps import ItemSteps
from banksync.refresh.wake import WakeSignals
from banksync.refresh.workflow import RefreshWorkflow


def build_workflow(settings: WorkflowSettings) -> RefreshWorkflow:
    provider = build_provider(settings.provider)
    dynamodb = boto3.client("dynamodb")
    table = settings.data_table_name
    budget = ProviderBudget(table, settings.provider.rate_per_minute, dynamodb)
    steps = ItemSteps(provider, BankDataStore(table, dynamodb), budget)
    runs = RefreshRunStore(table, dynamodb)
    return RefreshWorkflow(runs, steps, settings, wake=WakeSignals(table, dynamodb))
