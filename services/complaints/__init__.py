"""Pantau complaints service."""
