"""Pantau shared kernel: what every service uses (envelope, bus, outbox, consumer loop,
store, web helpers, auth, units registry, rules)."""
