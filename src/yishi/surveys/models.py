"""Filled in by the votes, surveys and cost-sharing work."""
