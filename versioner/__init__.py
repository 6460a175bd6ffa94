"""versioner: keep every copy of a news article, store a version when its text really changed.

The names below are the public Python API (docs/python-api.md): what scripts may import and rely on.
Each is imported on first use, so `versioner --help` does not load the extractor and the diff engine.
"""

from importlib import import_module
from importlib.metadata import version

__version__ = version("versioner")

_PUBLIC = {
    "Store": "versioner.store",
    "Version": "versioner.store",
    "VersionInfo": "versioner.store",
    "Capture": "versioner.capture",
    "ingest": "versioner.versioning",
    "IngestResult": "versioner.versioning",
    "ingest_paths": "versioner.ingest_files",
    "changes": "versioner",
    "search": "versioner.search_results",
    "diff_versions": "versioner.diff.engine",
    "VersionDiff": "versioner.diff.engine",
    "VersionerError": "versioner.errors",
    "NotInArchive": "versioner.errors",
    "SnapshotError": "versioner.errors",
    "BadURL": "versioner.errors",
    "StorageError": "versioner.errors",
}
__all__ = ["__version__", *_PUBLIC]


def __getattr__(name: str):
    if name not in _PUBLIC:
        raise AttributeError(f"module 'versioner' has no attribute {name!r}")
    if name == "changes":
        return import_module("versioner.changes")
    return getattr(import_module(_PUBLIC[name]), name)


def __dir__() -> list[str]:
    return sorted(__all__)
