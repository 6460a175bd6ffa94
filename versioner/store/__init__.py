"""The database: the only package that holds SQL. `Store` is the one way in; its schema and migrations,
the compressed texts and raw captures, the search index, the diff cache and the watchlist live here."""

from versioner.store.store import BatchLost, CaptureState, Store, Version, VersionInfo

__all__ = ["BatchLost", "CaptureState", "Store", "Version", "VersionInfo"]
