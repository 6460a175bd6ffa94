"""versioner: keep every copy of a news article, store a version when its text really changed."""

from importlib.metadata import version

__version__ = version("versioner")
