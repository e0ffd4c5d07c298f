"""Pantau aggregator service."""
