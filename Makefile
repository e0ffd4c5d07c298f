# Pantau: `make up` runs the platform with demo data, `make test` runs every test.
PY      ?= python3
VENV    := .venv
BIN     := $(VENV)/bin
STAMP   := $(VENV)/.installed-$(shell sha1sum pyproject.toml | cut -c1-12)

.PHONY: up down status test test-unit test-faults test-fuzz test-cluster install infra-install prometheus-install browser-install clean lint messages
TEST_WORKERS ?= 2  # pytest-xdist workers, each on its own platform (tests/conftest.py: PANTAU_TEST_PROFILE)
SUDO    := $(shell [ "$$(id -u)" = 0 ] || echo sudo)

$(STAMP): pyproject.toml
	test -x $(BIN)/python || $(PY) -m venv $(VENV)
	$(BIN)/pip install -q --upgrade pip
	$(BIN)/pip install -q -e '.[test]'
	rm -f $(VENV)/.installed-* && touch $(STAMP)

install: $(STAMP) prometheus-install browser-install ## Python deps in .venv, Kafka jars, the store, Prometheus, Chromium
	$(BIN)/pantau infra install

# Debian's prometheus package: the local Prometheus of `make up` and promtool for `make test`.
# The package also enables its own service on :9090 (the dev profile's port): keep that one off.
prometheus-install:
	@command -v promtool >/dev/null 2>&1 || ($(SUDO) apt-get update && $(SUDO) apt-get install -y --no-install-recommends prometheus)
	@if [ -d /run/systemd/system ]; then \
	  if systemctl is-enabled --quiet prometheus 2>/dev/null || systemctl is-active --quiet prometheus 2>/dev/null; then \
	    echo "disabling Debian's prometheus service (it would hold :9090)"; $(SUDO) systemctl disable --now prometheus; fi; \
	elif [ -s /run/prometheus/prometheus.pid ] && ps -p "$$(cat /run/prometheus/prometheus.pid)" -o comm= 2>/dev/null | grep -qx prometheus; then \
	  echo "stopping Debian's prometheus service (it would hold :9090)"; $(SUDO) /etc/init.d/prometheus stop; \
	fi

# Debian's Chromium for the browser tests (Playwright's own browser download cannot work here)
# and poppler-utils (pdftotext/pdftoppm, to look at the PDF reports); Pango for WeasyPrint.
browser-install:
	@command -v chromium >/dev/null 2>&1 && command -v pdftotext >/dev/null 2>&1 && ldconfig -p | grep -q libpangoft2 || \
	  ($(SUDO) apt-get update && $(SUDO) apt-get install -y --no-install-recommends chromium poppler-utils libpango-1.0-0 libpangoft2-1.0-0 fonts-dejavu-core)

infra-install: install

up: install ## start infrastructure, services and demo data (dev ports 8000-8003)
	$(BIN)/pantau up

down: ## stop everything `make up` started (data is kept in .local/run/dev)
	@if [ -x $(BIN)/pantau ]; then $(BIN)/pantau down; fi

status:
	$(BIN)/pantau infra status

test: install lint ## lint, then the whole suite against a real Kafka and store on test ports
	$(BIN)/python -m pytest -p no:cacheprovider -n $(TEST_WORKERS) --dist loadfile --durations=25 tests --ignore=tests/cluster

# each check runs even when one before it failed (all findings at once); lint fails if any did
lint: $(STAMP) ## ruff over the tree, mypy on pantau/, services/ and pantau_platform/, the import contracts (pyproject.toml)
	@rc=0; \
	echo "ruff check ."; $(BIN)/ruff check . || rc=1; \
	echo "mypy ([tool.mypy]: pantau, services, pantau_platform)"; $(BIN)/mypy || rc=1; \
	echo "lint-imports ([tool.importlinter])"; $(BIN)/lint-imports --no-cache --no-logo || rc=1; \
	echo "module-level cycles, a package and its own submodule too (tests/unit/test_import_rules.py)"; \
	$(BIN)/python -m pytest -q -p no:cacheprovider tests/unit/test_import_rules.py || rc=1; \
	exit $$rc

# the catalogs of pantau/messages.py: extract every msg()/_()/N_() id of the code (babel.cfg) and
# update pantau/locale/{id,en}; new entries come in empty, to be translated (tests/unit/test_messages.py
# fails until they are), entries no code uses any more are dropped
MESSAGE_KEYWORDS := --no-default-keywords -k msg -k _ -k N_
messages: $(STAMP) ## extract the messages of the code and update the id and en catalogs
	@pot=$$(mktemp --suffix=.pot) && \
	$(BIN)/pybabel -q extract -F babel.cfg $(MESSAGE_KEYWORDS) --no-location --sort-output -w 100 \
	  --project pantau -o $$pot . && \
	$(BIN)/pybabel update -i $$pot -d pantau/locale -D pantau --no-fuzzy-matching --ignore-obsolete -w 100; \
	rc=$$?; rm -f $$pot; exit $$rc

test-faults: install ## the fault suite in its full form (more writes, every fault several times), then on three brokers
	PANTAU_FAULTS=full $(BIN)/python -m pytest -p no:cacheprovider tests/faults
	$(MAKE) test-cluster

FUZZ_EXAMPLES ?= 50
test-fuzz: install ## deeper fuzzing: $(FUZZ_EXAMPLES) random examples per operation, key and mode, the coverage phase, every check; then the shape sweep
	PANTAU_FUZZ_EXAMPLES=$(FUZZ_EXAMPLES) $(BIN)/python -m pytest -p no:cacheprovider -s tests/security/test_fuzz.py tests/security/test_body_shapes.py

test-cluster: install ## replication faults on a three-broker KRaft cluster (profile cluster): a producer drill, then the fault suite
	$(BIN)/python -m pytest -p no:cacheprovider -s tests/cluster
	PANTAU_FAULTS=cluster $(BIN)/python -m pytest -p no:cacheprovider tests/faults

test-unit: $(STAMP) prometheus-install
	$(BIN)/python -m pytest -p no:cacheprovider tests/unit

.PHONY: bench
bench: install ## benchmark harness (bench/README.md): real platform on the bench profile, < 20 min; BENCH_QUICK=1 ~3 min
	@$(BIN)/python -c "import psutil" 2>/dev/null || $(BIN)/pip install -q -e '.[test,bench]'
	$(BIN)/python bench/harness.py

clean: down
	rm -rf .local/run
