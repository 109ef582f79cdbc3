"""Pasted into the benchmarks' child scripts (benchmarks/load.py, benchmarks/validate.py) after
they set ``SRC``: when ``SRC`` is a source tree (``--baseline-src``, e.g. ``git archive main``),
``cultnet`` and its subpackages are imported from it; it has the repository's layout."""
import importlib.abc
import importlib.util
import os
import sys

if SRC:  # noqa: F821 (set by the child script this is pasted into)
    class _Finder(importlib.abc.MetaPathFinder):
        DIRS = {"cultnet": "cultnet", "cultnet.etl": "etl", "cultnet.graph": "graph",
                "cultnet.analysis": "analysis", "cultnet.ui": "ui"}

        def find_spec(self, name, path=None, target=None):
            if name not in self.DIRS:
                return None
            d = os.path.join(SRC, self.DIRS[name])  # noqa: F821
            return importlib.util.spec_from_file_location(name, os.path.join(d, "__init__.py"),
                                                          submodule_search_locations=[d])

    sys.meta_path.insert(0, _Finder())
