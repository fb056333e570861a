"""`schema`: the JSON Schema of every kind, written to .vscode/schemas/ so
that VS Code's YAML extension shows the Chinese labels and checks as you type.

The files are committed; a test checks that they equal what this writes, so
run `python -m scripts schema` after changing scripts/records/schema.yaml.
"""
from __future__ import annotations

import json
from pathlib import Path

from ..records.schema import schema_for

SCHEMA_DIR = Path(".vscode") / "schemas"


def schema_documents(root: Path | None = None) -> dict[str, str]:
    """File name → JSON text, for every kind."""
    out = {}
    schema = schema_for(root)
    for name in schema.kinds:
        doc = dict(schema.json_schema(name))
        out[f"{name}.json"] = json.dumps(doc, ensure_ascii=False, indent=2) + "\n"
    return out


def write_schemas(root: Path) -> list[Path]:
    target = root / SCHEMA_DIR
    target.mkdir(parents=True, exist_ok=True)
    written = []
    for file, text in schema_documents(root).items():
        path = target / file
        path.write_text(text, encoding="utf-8")
        written.append(path)
    return written
