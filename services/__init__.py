"""The four Pantau services: survey, consultation, complaints (write side) and aggregator."""
