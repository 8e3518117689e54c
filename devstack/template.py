"""template.yaml as data, with its intrinsic functions resolved for a local stack.

The template is read with cfn-lint's decoder (it understands ``!Ref``,
``!GetAtt``, ``!Sub`` and friends). Values of provisioned resources are
recorded as they are created, so later resources can refer to earlier ones.
"""

import re
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from cfnlint.decode import cfn_yaml

TEMPLATE_PATH = Path(__file__).resolve().parent.parent / "template.yaml"
NO_VALUE = object()


class UnresolvableError(LookupError):
    """A reference the local stack has no value for (yet)."""


@dataclass
class StackTemplate:
    body: Mapping[str, Any]
    stack_name: str = "banksync-local"
    region: str = "us-east-1"
    account_id: str = "123456789012"
    parameters: dict[str, str] = field(default_factory=dict)
    refs: dict[str, str] = field(default_factory=dict)
    attributes: dict[str, str] = field(default_factory=dict)
    # Other stacks' exports, by export name, for Fn::ImportValue.
    imports: dict[str, str] = field(default_factory=dict)

    @classmethod
    def load(cls, path: Path = TEMPLATE_PATH, **settings: Any) -> "StackTemplate":
        template = cls(body=cfn_yaml.load(str(path)), **settings)
        for name, spec in template.body.get("Parameters", {}).items():
            template.parameters.setdefault(name, str(spec.get("Default", "")))
        return template

    def resources(self, *types: str) -> Iterator[tuple[str, Mapping[str, Any]]]:
        for logical_id, resource in self.body["Resources"].items():
            if not types or resource["Type"] in types:
                yield logical_id, resource

    def properties(self, logical_id: str) -> dict[str, Any]:
        props = self.body["Resources"][logical_id].get("Properties", {})
        resolved: dict[str, Any] = self.resolve(props)
        return resolved

    def record(self, logical_id: str, ref: str, **attributes: str) -> None:
        self.refs[logical_id] = ref
        for name, value in attributes.items():
            self.attributes[f"{logical_id}.{name}"] = value

    def exports(self) -> dict[str, str]:
        """Export name → value of every exported output, as another stack imports them."""
        found: dict[str, str] = {}
        for output in self.body.get("Outputs", {}).values():
            if "Export" in output:
                found[str(self.resolve(output["Export"]["Name"]))] = str(
                    self.resolve(output["Value"])
                )
        return found

    def condition(self, name: str) -> bool:
        return bool(self.resolve(self.body["Conditions"][name]))

    def resolve(self, value: Any) -> Any:
        if isinstance(value, list):
            return [item for item in map(self.resolve, value) if item is not NO_VALUE]
        if not isinstance(value, Mapping):
            return value
        if len(value) == 1:
            ((key, arg),) = value.items()
            if key == "Ref" or key.startswith("Fn::") or key == "Condition":
                return self._intrinsic(key, arg)
        resolved = {key: self.resolve(item) for key, item in value.items()}
        return {key: item for key, item in resolved.items() if item is not NO_VALUE}

    def _intrinsic(self, key: str, arg: Any) -> Any:
        if key == "Ref":
            return self._ref(arg)
        if key == "Condition":
            return self.condition(arg)
        if key == "Fn::GetAtt":
            name = arg if isinstance(arg, str) else ".".join(arg)
            return self._lookup(self.attributes, name)
        if key == "Fn::Sub":
            template, variables = (arg, {}) if isinstance(arg, str) else arg
            return self._sub(template, self.resolve(variables))
        if key == "Fn::If":
            condition, when_true, when_false = arg
            return self.resolve(when_true if self.condition(condition) else when_false)
        if key == "Fn::Equals":
            left, right = self.resolve(arg)
            return str(left) == str(right)
        if key == "Fn::Not":
            return not self.resolve(arg)[0]
        if key == "Fn::And":
            return all(self.resolve(arg))
        if key == "Fn::Or":
            return any(self.resolve(arg))
        if key == "Fn::Join":
            separator, items = arg
            return separator.join(str(item) for item in self.resolve(items))
        if key == "Fn::ImportValue":
            return self._lookup(self.imports, str(self.resolve(arg)))
        if key == "Fn::Select":
            index, items = self.resolve(arg)
            return items[int(index)]
        raise UnresolvableError(f"intrinsic function {key} is not supported by the local stack")

    def _ref(self, name: str) -> Any:
        pseudo = {
            "AWS::StackName": self.stack_name,
            "AWS::Region": self.region,
            "AWS::AccountId": self.account_id,
            "AWS::Partition": "aws",
            "AWS::URLSuffix": "amazonaws.com",
        }
        if name == "AWS::NoValue":
            return NO_VALUE
        if name in pseudo:
            return pseudo[name]
        if name in self.parameters:
            return self.parameters[name]
        return self._lookup(self.refs, name)

    def _sub(self, template: str, variables: Mapping[str, Any]) -> str:
        def replace(match: re.Match[str]) -> str:
            name = match.group(1)
            if name in variables:
                return str(variables[name])
            if "." in name and not name.startswith("AWS::"):
                return str(self._lookup(self.attributes, name))
            return str(self._ref(name))

        substituted = re.sub(r"\$\{([^!}][^}]*)\}", replace, template)
        return substituted.replace("${!", "${")  # ${!Literal} stands for a literal ${Literal}

    @staticmethod
    def _lookup(values: Mapping[str, str], name: str) -> str:
        try:
            return values[name]
        except KeyError:
            raise UnresolvableError(f"{name} has no value in the local stack yet") from None
