"""Building the workflow from settings: the one place that wires real clients."""

from banksync.bankdata.store import BankDataStore
from banksync.okra.client import OkraClient
from banksync.okra.secret import SecretKey
from banksync.refresh.runs import RefreshRunStore
from banksync.refresh.settings import WorkflowSettings
from banksync.refresh.steps import ItemSteps
from banksync.refresh.workflow import RefreshWorkflow


def build_workflow(settings: WorkflowSettings) -> RefreshWorkflow:
    okra = OkraClient(settings.okra_base_url, SecretKey(settings.okra_secret_key_arn))
    steps = ItemSteps(okra, BankDataStore(settings.data_table_name))
    return RefreshWorkflow(RefreshRunStore(settings.data_table_name), steps, settings)
