"""Polling the web: when each tracked URL and feed is due, and the poll run that fetches and ingests."""
