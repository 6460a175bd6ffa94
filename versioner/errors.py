"""One exception family, so the CLI and the web can turn any of them into a clear message."""


class VersionerError(Exception):
    """Base class: a problem with the input or the request, not a bug."""


class SnapshotError(VersionerError):
    """A snapshot could not be read as an article: nothing of it was stored."""


class BadURL(VersionerError):
    """A URL that versioner will not store or fetch."""


class NotInArchive(VersionerError):
    """An article, version, capture or page that the archive does not hold (the web answers 404)."""


class StorageError(VersionerError):
    """The database refused a write (full disk, read-only file, locked too long)."""


class SearchSyntaxError(VersionerError):
    """A search query that SQLite's full-text engine could not read."""


class FetchError(VersionerError):
    """A page could not be fetched: network error, timeout, too large, too many redirects."""


class PrivateAddress(BadURL):
    """A URL whose host resolves to an address versioner refuses to reach without --allow-private."""


class DeliveryFailed(VersionerError):
    """A notification did not reach its target (refused, timed out, an error answer): it is retried later."""


class AliasError(VersionerError):
    """A merge or split that cannot be done as asked (one article already, no alias, a shared capture):
    nothing was moved."""


class CopyError(VersionerError):
    """A copy between two stores that cannot be made or did not arrive whole (versioner/store/copy.py)."""
