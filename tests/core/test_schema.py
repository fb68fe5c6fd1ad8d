"""The OpenAPI schema is generated, valid, and free of warnings (what CI checks)."""

from pathlib import Path

import pytest
import yaml
from django.core.management import call_command


@pytest.fixture
def schema_file(tmp_path) -> Path:
    return tmp_path / "schema.yml"


def test_schema_validates_with_no_warnings(schema_file):
    # --fail-on-warn turns any warning or error into SystemExit; success returns normally.
    call_command("spectacular", "--validate", "--fail-on-warn", "--file", str(schema_file))

    schema = yaml.safe_load(schema_file.read_text())
    assert schema["openapi"].startswith("3.")
    assert {"/api/v1/products/", "/api/v1/auth/token/", "/api/v1/me/addresses/{address_id}/", "/api/v1/events/"} <= set(schema["paths"])


def test_every_operation_documents_its_errors_and_has_an_example(schema_file):
    call_command("spectacular", "--file", str(schema_file))
    schema = yaml.safe_load(schema_file.read_text())

    for path, operations in schema["paths"].items():
        if not path.startswith("/api/v1/"):
            continue
        for method, operation in operations.items():
            responses = operation["responses"]
            assert any(code >= "400" for code in responses), f"{method} {path} documents no error"
            for code, response in responses.items():
                if code >= "400":
                    assert response["content"]["application/json"]["schema"] == {"$ref": "#/components/schemas/Error"}
            examples = [
                example
                for response in responses.values()
                for example in response.get("content", {}).get("application/json", {}).get("examples", {})
            ]
            examples += list(operation.get("requestBody", {}).get("content", {}).get("application/json", {}).get("examples", {}))
            assert examples, f"{method} {path} has no example"


@pytest.mark.parametrize("url", ["/api/schema/", "/api/docs/", "/api/redoc/"])
def test_schema_and_docs_are_served(client, url):
    response = client.get(url)

    assert response.status_code == 200
