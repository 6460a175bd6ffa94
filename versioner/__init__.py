"""versioner: keep every copy of a news article, store a version when its text really changed."""

__version__ = "0.1.0"
