"""Projections of the aggregator: pure functions of the events, idempotent under redelivery."""
