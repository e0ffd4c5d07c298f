"""Pantau survey service."""
