"""The API's OpenAPI document and Swagger UI, served beside the offline HTTP API.

``/openapi.json`` is the committed openapi/banksync.json with the local
server first, so that Swagger UI's "Try it out" calls this stack; ``/docs`` is
Swagger UI, from the assets the swagger-ui-py package ships (installed by
requirements-dev.txt): nothing is fetched from the internet. Without that
package, ``/docs`` says so and links the document.
"""

import importlib.util
import json
import mimetypes
from collections.abc import Iterable
from pathlib import Path
from typing import Any

from werkzeug.wrappers import Request, Response

DOCUMENT = Path(__file__).resolve().parents[1] / "openapi" / "banksync.json"
DOCS, SPEC, ASSETS = "/docs", "/openapi.json", "/docs/assets/"
# The only files the page loads; nothing else of the package is served.
SHIPPED = ("swagger-ui.css", "swagger-ui-bundle.js", "swagger-ui-standalone-preset.js")
PAGE = """<!doctype html>
<html lang="en">
<head>
  <meta charset="utf-8">
  <title>banksync API (offline stack)</title>
  <link rel="stylesheet" href="/docs/assets/swagger-ui.css">
</head>
<body>
  <div id="swagger-ui"></div>
  <script src="/docs/assets/swagger-ui-bundle.js"></script>
  <script src="/docs/assets/swagger-ui-standalone-preset.js"></script>
  <script>
    window.ui = SwaggerUIBundle({
      url: "/openapi.json",
      dom_id: "#swagger-ui",
      deepLinking: true,
      presets: [SwaggerUIBundle.presets.apis, SwaggerUIStandalonePreset],
      layout: "StandaloneLayout"
    });
  </script>
</body>
</html>
"""
WITHOUT_ASSETS = """<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>banksync API</title></head>
<body><p>Swagger UI's assets are not installed (pip install -r requirements-dev.txt
installs swagger-ui-py). The OpenAPI document is at <a href="/openapi.json">/openapi.json</a>.</p>
</body></html>
"""


def swagger_assets() -> Path | None:
    """The folder of Swagger UI's built files, if swagger-ui-py is installed."""
    spec = importlib.util.find_spec("swagger_ui")
    if spec is None or spec.origin is None:
        return None
    folder = Path(spec.origin).parent / "static"
    return folder if all((folder / name).is_file() for name in SHIPPED) else None


class ApiDocs:
    """A WSGI application: the docs' paths here, every other request to ``api``."""

    def __init__(self, api: Any, assets: Path | None = None) -> None:
        self.api = api
        self.assets = assets
        self.document: dict[str, Any] = json.loads(DOCUMENT.read_text())

    def served_document(self, here: str) -> bytes:
        """The document, its first server the one the page was loaded from."""
        local = {"url": here, "description": "this offline stack (unsigned)"}
        deployed = [s for s in self.document.get("servers", []) if s["url"].startswith("https:")]
        return json.dumps({**self.document, "servers": [local, *deployed]}, indent=2).encode()

    def __call__(self, environ: dict[str, Any], start_response: Any) -> Iterable[bytes]:
        request = Request(environ)
        response = self.respond(request)
        if response is None:
            answer: Iterable[bytes] = self.api(environ, start_response)
            return answer
        return response(environ, start_response)

    def respond(self, request: Request) -> Response | None:
        if request.method != "GET":
            return None
        if request.path == SPEC:
            here = request.host_url.rstrip("/")
            return Response(self.served_document(here), content_type="application/json")
        if request.path in (DOCS, f"{DOCS}/"):
            page = PAGE if self.assets else WITHOUT_ASSETS
            return Response(page, content_type="text/html; charset=utf-8")
        name = request.path.removeprefix(ASSETS)
        if request.path.startswith(ASSETS) and name in SHIPPED and self.assets:
            kind = mimetypes.guess_type(name)[0] or "application/octet-stream"
            return Response((self.assets / name).read_bytes(), content_type=kind)
        return None
