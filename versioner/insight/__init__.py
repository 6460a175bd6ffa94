"""Insight into a history: how old each sentence is (blame) and every edit as research data."""
