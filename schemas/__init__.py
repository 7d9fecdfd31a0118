"""Pydantic v2 models: the API contract and the values the store port exchanges."""
