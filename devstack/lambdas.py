"""Running the template's functions in-process, wherever the embedded AWS invokes them.

moto runs Lambda code only through Docker; without it, its simple backend
answers every invoke with a canned result. The dispatcher replaces that answer
with the real handler's, and turns a raised exception into a function error
(``errorType`` is the exception's class name) so that Retry and Catch in the
state machines see what AWS would show them.
"""

import importlib
import json
import sys
import threading
import traceback
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from types import ModuleType
from typing import Any

from moto.awslambda_simple.models import LambdaSimpleBackend

from devstack.context import LambdaContext
from devstack.template import StackTemplate

__all__ = ["LambdaContext", "LambdaDispatcher", "handler_module", "import_fresh", "one_at_a_time"]

Handler = Callable[[dict[str, Any], Any], Any]


def handler_module(template: StackTemplate, logical_id: str) -> tuple[str, str]:
    """The importable module and attribute of a function's ``Handler``."""
    props = template.body["Resources"][logical_id]["Properties"]
    module, attribute = props["Handler"].rsplit(".", 1)
    package = props["CodeUri"].strip("/").replace("/", ".")
    return f"{package}.{module}", attribute


def one_at_a_time(handler: Handler) -> Handler:
    """One invocation at a time, as one Lambda container runs them: Powertools keeps
    the current event in shared state that concurrent calls would trample."""
    lock = threading.Lock()

    def invoke(event: dict[str, Any], context: Any) -> Any:
        with lock:
            return handler(event, context)

    return invoke


def import_fresh(module: str) -> ModuleType:
    sys.modules.pop(module, None)
    return importlib.import_module(module)


class LambdaDispatcher:
    def __init__(self) -> None:
        self.handlers: dict[str, Handler] = {}
        self.invocations: list[tuple[str, dict[str, Any]]] = []

    def register(self, function_name: str, handler: Handler) -> None:
        self.handlers[function_name] = handler

    def invoke(self, function_name: str, body: Any, response_headers: dict[str, str]) -> bytes:
        name = function_name.split(":function:")[-1].split(":")[0]
        event = json.loads(body) if body else {}
        self.invocations.append((name, event))
        try:
            result = self.handlers[name](event, LambdaContext(function_name=name))
        except Exception as error:
            response_headers["x-amz-function-error"] = "Unhandled"
            failure = {
                "errorType": type(error).__name__,
                "errorMessage": str(error),
                "stackTrace": traceback.format_exception(error)[-3:],
            }
            return json.dumps(failure).encode()
        return json.dumps(result).encode()

    @contextmanager
    def installed(self) -> Iterator["LambdaDispatcher"]:
        original = LambdaSimpleBackend.invoke
        dispatcher = self

        def invoke(
            self: LambdaSimpleBackend,
            function_name: str,
            qualifier: Any,
            body: Any,
            headers: Any,
            response_headers: Any,
        ) -> bytes:
            return dispatcher.invoke(function_name, body, response_headers)

        LambdaSimpleBackend.invoke = invoke  # type: ignore[method-assign]
        try:
            yield self
        finally:
            LambdaSimpleBackend.invoke = original  # type: ignore[method-assign]
