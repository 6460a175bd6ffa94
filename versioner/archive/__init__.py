"""The archive in the formats of web archives: WARC records of every raw capture (warc_export.py)."""
