"""make local's /docs and /openapi.json: the committed document, Swagger UI from local files."""

import json
import re
from pathlib import Path
from typing import Any

from werkzeug.test import Client
from werkzeug.wrappers import Response

from devstack.api_docs import DOCUMENT, SHIPPED, ApiDocs, swagger_assets


def api(environ: dict[str, Any], start_response: Any) -> Any:
    return Response("from the api", status=418)(environ, start_response)


def client(assets: Path | None) -> Client:
    return Client(ApiDocs(api, assets))


def test_the_document_served_is_the_committed_one_with_this_stack_first() -> None:
    answer = client(swagger_assets()).get("/openapi.json", base_url="http://127.0.0.1:3999")
    served = json.loads(answer.data)
    committed = json.loads(DOCUMENT.read_text())
    assert served["servers"][0]["url"] == "http://127.0.0.1:3999"
    assert [s["url"] for s in served["servers"][1:]] == [
        s["url"] for s in committed["servers"] if s["url"].startswith("https:")
    ]
    assert served["paths"] == committed["paths"]


def test_swagger_ui_loads_only_files_this_stack_serves() -> None:
    assets = swagger_assets()
    assert assets is not None, "swagger-ui-py (requirements-dev.txt) ships Swagger UI's files"
    docs = client(assets)
    page = docs.get("/docs").get_data(as_text=True)
    loaded = re.findall(r'(?:src|href)="([^"]+)"', page)
    assert loaded, page
    for url in loaded:
        assert url.startswith("/"), f"{url} would need the internet"
        answer = docs.get(url)
        assert answer.status_code == 200, url
        assert answer.data == (assets / url.rsplit("/", 1)[1]).read_bytes()


def test_without_the_assets_the_page_links_the_document() -> None:
    page = client(None).get("/docs").get_data(as_text=True)
    assert 'href="/openapi.json"' in page
    assert "swagger-ui-bundle.js" not in page


def test_every_other_request_reaches_the_api() -> None:
    docs = client(swagger_assets())
    for method, path in (
        ("GET", "/refreshes"),
        ("POST", "/docs"),
        ("GET", "/docs/assets/index.css"),  # shipped by the package, not served
        ("GET", "/docs/assets/../../openapi/banksync.json"),
    ):
        answer = docs.open(path, method=method)
        assert (answer.status_code, answer.data) == (418, b"from the api"), path
    assert "swagger-ui.css" in SHIPPED
