"""The composition of the platform, above the services: the `pantau` command line, starting and
stopping a profile's processes (`infra/`), the demo data, backup and restore, one person's
erasure. It may name every service; no service and nothing in the kernel (`pantau/`) imports it."""
