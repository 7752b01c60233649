"""The reading room's OpenAPI document, fuzzed by schemathesis: for every operation it describes,
requests generated from the schema, valid ones and invalid ones (wrong types, values past the
limits, missing or extra parts); none may get a 5xx. The app runs in process over an index of
the sample releases and a release holding HTML (saved searches are written by the fuzzing).

Hypothesis drives schemathesis' strategies directly (schemathesis' own pytest integration does
not run under this pytest)."""

from __future__ import annotations

import shutil

import pytest
import schemathesis
from hypothesis import HealthCheck, given, settings
from schemathesis import GenerationMode
from web_helpers import RELEASES, build_index, hostile_release

from query.web import create_app

EXAMPLES = 40
"""Generated requests per operation and mode."""


@pytest.fixture(scope="module")
def schema(tmp_path_factory: pytest.TempPathFactory) -> schemathesis.BaseSchema:
    folder = tmp_path_factory.mktemp("fuzz")
    releases = folder / "releases"
    shutil.copytree(RELEASES, releases)
    hostile_release(releases)
    app = create_app(build_index(folder / "ix", releases), loopback=False)  # the client's Host is not localhost
    return schemathesis.openapi.from_asgi("/api/openapi.json", app)


def operations(schema: schemathesis.BaseSchema) -> list[schemathesis.APIOperation]:
    return [result.ok() for result in schema.get_all_operations()]


def _has_input(operation: schemathesis.APIOperation) -> bool:
    return any(len(part) for part in (operation.path_parameters, operation.query, operation.body))


def test_the_schema_describes_every_api_route(schema: schemathesis.BaseSchema) -> None:
    described = {f"{op.method.upper()} {op.path}" for op in operations(schema)}
    assert {"GET /api/search", "GET /api/facets", "GET /api/documents/{doc_id}", "GET /api/export",
            "GET /api/documents/{doc_id}/pages/{number}/image", "GET /api/documents/{doc_id}/file",
            "POST /api/watches", "POST /api/batch"} <= described  # fmt: skip


@pytest.mark.parametrize("mode", [GenerationMode.POSITIVE, GenerationMode.NEGATIVE])
def test_no_generated_request_gets_a_server_error(schema: schemathesis.BaseSchema, mode: GenerationMode) -> None:
    failures: list[str] = []
    for operation in operations(schema):
        if mode is GenerationMode.NEGATIVE and not _has_input(operation):
            continue  # nothing to get wrong

        @given(case=operation.as_strategy(generation_mode=mode))
        @settings(max_examples=EXAMPLES, deadline=None, database=None, suppress_health_check=list(HealthCheck))
        def run(case: schemathesis.Case) -> None:
            response = case.call()
            if response.status_code >= 500:
                failures.append(f"{case.method} {case.formatted_path} {case.query} {case.body!r:.200}: "
                                f"{response.status_code} {response.text[:200]}")  # fmt: skip

        run()
    assert not failures, "\n".join(failures[:20])
