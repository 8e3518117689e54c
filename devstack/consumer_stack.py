"""A consumer stack beside banksync (``make local ARGS=--with-example``).

``examples/stream-consumer`` is provisioned from its own template, as
banksync is from its, with its ``Fn::ImportValue`` resolved from banksync's
exports; its functions run in-process and their event sources (banksync's
stream, filtered) are pumped as banksync's are.
"""

import importlib.util
import os
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from devstack.event_sources import SourcePump, pumps_for
from devstack.lambdas import Handler, one_at_a_time
from devstack.provision import function_environment, provision
from devstack.template import TEMPLATE_PATH, StackTemplate

EXAMPLE_TEMPLATE = TEMPLATE_PATH.parent / "examples" / "stream-consumer" / "template.yaml"


@dataclass
class ConsumerStack:
    template: StackTemplate
    handlers: dict[str, Handler]
    pumps: dict[str, list[SourcePump]]

    def state(self) -> dict[str, Any]:
        """What it created, for the stack's state file."""
        refs = self.template.refs
        return {
            "stack_name": self.template.stack_name,
            "tables": {
                lid: refs[lid] for lid, _ in self.template.resources("AWS::DynamoDB::Table")
            },
            "queues": {lid: refs[lid] for lid, _ in self.template.resources("AWS::SQS::Queue")},
            "functions": {lid: refs[lid] for lid in self.handlers},
        }


def consumer_stack(
    banksync: StackTemplate,
    session: Any,
    log_level: str = "WARNING",
    path: Path = EXAMPLE_TEMPLATE,
) -> ConsumerStack:
    """Provision the consumer at ``path`` beside the provisioned ``banksync`` stack."""
    template = StackTemplate.load(
        path,
        stack_name=f"{banksync.stack_name}-stream-consumer",
        region=banksync.region,
        account_id=banksync.account_id,
    )
    template.parameters.update({"BanksyncStackName": banksync.stack_name, "LogLevel": log_level})
    template.imports = banksync.exports()
    provision(template, session)
    handlers: dict[str, Handler] = {}
    for logical_id, _ in template.resources("AWS::Serverless::Function"):
        if logical_id in banksync.body["Resources"]:
            raise ValueError(f"{logical_id} is a banksync resource too: rename it in {path}")
        with _environment(function_environment(template, logical_id)):
            handlers[logical_id] = one_at_a_time(_handler(path.parent, template, logical_id))
    return ConsumerStack(template, handlers, pumps_for(template, session))


def _handler(root: Path, template: StackTemplate, logical_id: str) -> Handler:
    """The function's handler, imported from its CodeUri (not a package of this repo)."""
    props = template.body["Resources"][logical_id]["Properties"]
    module, attribute = props["Handler"].rsplit(".", 1)
    source = root / props["CodeUri"] / f"{module.replace('.', '/')}.py"
    spec = importlib.util.spec_from_file_location(f"{template.stack_name}.{logical_id}", source)
    if spec is None or spec.loader is None:
        raise ImportError(f"cannot load {source}")
    loaded = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(loaded)
    handler: Handler = getattr(loaded, attribute)
    return handler


@contextmanager
def _environment(variables: dict[str, str]) -> Iterator[None]:
    """The consumer's environment while its module loads (Powertools reads it then),
    without changing what banksync's functions see."""
    saved = {name: os.environ.get(name) for name in variables}
    os.environ.update(variables)
    try:
        yield
    finally:
        for name, value in saved.items():
            if value is None:
                os.environ.pop(name, None)
            else:
                os.environ[name] = value
