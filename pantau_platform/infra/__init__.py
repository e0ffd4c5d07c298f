"""Local infrastructure without Docker: install, start, stop and check Kafka, the store and the
platform's processes (used by `make up`, `make test` and the benchmarks)."""
