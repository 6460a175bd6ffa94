"""Bytes to an article, with no database: decode the bytes, extract the text from HTML, normalise it,
and recognise what is not an article at all (error pages, cut-off copies)."""
