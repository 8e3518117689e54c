"""The functions' sample events and the lines that invoke each, for the sam local page."""

from devstack.invoke import EVENTS, FUNCTION_EVENTS
from devstack.template import StackTemplate
from docsite.markdown import table
from docsite.template_pages import MissingDocsError


def function_events_table(template: StackTemplate) -> str:
    functions = [lid for lid, _ in template.resources("AWS::Serverless::Function")]
    missing = [f for f in functions if not FUNCTION_EVENTS.get(f)]
    if missing:
        raise MissingDocsError(f"give these functions an event in devstack/invoke.py: {missing}")
    mapped = {name for events in FUNCTION_EVENTS.values() for name in events}
    files = {path.name for path in EVENTS.glob("*.json")}
    if mapped != files:
        raise MissingDocsError(
            f"events/ and devstack/invoke.py's FUNCTION_EVENTS differ: {sorted(mapped ^ files)}"
        )
    rows = []
    for function in functions:
        first, *others = FUNCTION_EVENTS[function]
        rows.append(
            [
                f"`{function}`",
                f"`sam local invoke {function} -e events/{first}`",
                f"`make invoke FUNCTION={function} EVENT=events/{first}`",
                ", ".join(f"`{name}`" for name in others) or "—",
            ]
        )
    return table(
        ["function", "with a container runtime", "without (offline stack)", "other events"], rows
    )
