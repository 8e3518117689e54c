"""template.yaml as CloudFormation will see it, translated by the SAM CLI's own translator.

The translator runs in the SAM CLI's venv (``.tools/sam``: it pins packages the
app cannot share), so policy templates, and what SAM adds for event sources,
on-failure destinations and tracing, come out as they will be deployed.
"""

import json
import subprocess
from functools import cache
from pathlib import Path
from typing import Any

import pytest

from devstack.template import TEMPLATE_PATH

ROOT = Path(__file__).resolve().parents[2]
SAM_PYTHON = ROOT / ".tools" / "sam" / "bin" / "python"
REGION = "us-east-1"

TRANSLATE = """
import json, sys
import boto3
from samcli.yamlhelper import yaml_parse
from samtranslator.parser.parser import Parser
from samtranslator.translator.translator import Translator

body = yaml_parse(open(sys.argv[1]).read())
for resource in body["Resources"].values():
    props = resource.get("Properties") or {}
    for key in ("CodeUri", "ContentUri", "DefinitionUri"):
        if isinstance(props.get(key), str):  # the translator wants artifacts in S3
            props[key] = "s3://artifacts/" + props[key]
translator = Translator(None, Parser(), boto_session=boto3.Session(region_name=sys.argv[2]))
out = translator.translate(body, parameter_values={}, get_managed_policy_map=lambda: {})
json.dump(out, sys.stdout, default=str)
"""


@cache
def translated_body(region: str = REGION) -> dict[str, Any]:
    """The translated template's body (intrinsic functions unresolved)."""
    if not SAM_PYTHON.exists():
        pytest.fail(f"the SAM CLI's venv is missing ({SAM_PYTHON}): run `make sam-cli`")
    answer = subprocess.run(
        [str(SAM_PYTHON), "-c", TRANSLATE, str(TEMPLATE_PATH), region],
        capture_output=True,
        text=True,
        check=False,
        timeout=120,
    )
    assert answer.returncode == 0, answer.stderr
    body: dict[str, Any] = json.loads(answer.stdout)
    return body
