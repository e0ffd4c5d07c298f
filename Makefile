# Pantau: `make up` runs the platform with demo data, `make test` runs every test.
PY      ?= python3
VENV    := .venv
BIN     := $(VENV)/bin
STAMP   := $(VENV)/.installed-$(shell sha1sum pyproject.toml | cut -c1-12)

.PHONY: up down status test test-unit test-faults install infra-install clean lint

$(STAMP): pyproject.toml
	test -x $(BIN)/python || $(PY) -m venv $(VENV)
	$(BIN)/pip install -q --upgrade pip
	$(BIN)/pip install -q -e '.[test]'
	rm -f $(VENV)/.installed-* && touch $(STAMP)

install: $(STAMP) ## Python deps in .venv
	$(BIN)/pantau infra install

infra-install: install

up: install ## start infrastructure, services and demo data (dev ports 8000-8003)
	$(BIN)/pantau up

down: ## stop everything `make up` started (data is kept in .local/run/dev)
	@if [ -x $(BIN)/pantau ]; then $(BIN)/pantau down; fi

status:
	$(BIN)/pantau infra status

test: install ## whole suite against a real Kafka and store on test ports
	$(BIN)/python -m pytest -p no:cacheprovider tests

test-unit: $(STAMP)
	$(BIN)/python -m pytest -p no:cacheprovider tests/unit

clean: down
	rm -rf .local/run
