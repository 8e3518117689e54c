"""Building the workflow from settings: the one place that wires real clients."""

import boto3

from banksync.bankdata.store import BankDataStore
from banksync.provider_desk import ProviderDesk
from banksync.refresh.runs import RefreshRunStore
from banksync.refresh.settings import WorkflowSettings
from banksync.refresh.steps import ItemSteps
from banksync.refresh.wake import WakeSignals
from banksync.refresh.workflow import RefreshWorkflow


def build_workflow(settings: WorkflowSettings) -> RefreshWorkflow:
    dynamodb = boto3.client("dynamodb")
    table = settings.data_table_name
    desk = ProviderDesk(settings.every_provider, table, dynamodb)
    first = settings.provider.name
    steps = ItemSteps(
        desk.provider(first), BankDataStore(table, dynamodb), desk.budget(first), desk
    )
    runs = RefreshRunStore(table, dynamodb)
    return RefreshWorkflow(runs, steps, settings, wake=WakeSignals(table, dynamodb))
