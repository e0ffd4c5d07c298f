"""Pantau consultation service."""
