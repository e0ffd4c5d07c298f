# syntax=docker/dockerfile:1
#
# One image for every Pantau process: the four gunicorn services, the three outbox relays,
# the aggregator consumer and the one-shot `pantau init`. docker-compose.yml picks the command.
#
#   docker build -t pantau:local .
#   docker run --rm pantau:local pantau --help

# --- build: install the project and its pinned dependencies into a virtualenv ----------------------
FROM python:3.11-slim AS build

ENV PIP_NO_CACHE_DIR=1 \
    PIP_DISABLE_PIP_VERSION_CHECK=1 \
    PYTHONDONTWRITEBYTECODE=1

RUN python -m venv /opt/venv
ENV PATH=/opt/venv/bin:$PATH

WORKDIR /src
# .dockerignore keeps .git, .local/ (local Kafka/Mongo data), .venv/, caches and tests out.
COPY . .
RUN pip install .

# --- runtime ---------------------------------------------------------------------------------------
FROM python:3.11-slim AS runtime

# Pango/HarfBuzz and a font for WeasyPrint (PDF exports); nothing else from Debian is needed.
RUN apt-get update \
    && apt-get install -y --no-install-recommends \
        libpango-1.0-0 libpangoft2-1.0-0 libharfbuzz-subset0 fonts-dejavu-core \
    && rm -rf /var/lib/apt/lists/*

RUN groupadd --system --gid 10001 pantau \
    && useradd --system --uid 10001 --gid pantau --home-dir /app --no-create-home \
        --shell /usr/sbin/nologin pantau

ENV PATH=/opt/venv/bin:$PATH \
    PYTHONUNBUFFERED=1 \
    PYTHONDONTWRITEBYTECODE=1 \
    PANTAU_TZ=Asia/Makassar \
    PANTAU_HOST=0.0.0.0 \
    PANTAU_METRICS_ADDR=0.0.0.0 \
    PROMETHEUS_MULTIPROC_DIR=/tmp/prom

COPY --from=build /opt/venv /opt/venv

# Commands are run from /app: `gunicorn -c deploy/gunicorn.conf.py ...` and `pantau init`
# (which reads deploy/registry/kaltim.yaml) use paths relative to it.
WORKDIR /app
COPY deploy/ ./deploy/

# Multiprocess metrics directory for gunicorn workers. Compose mounts a tmpfs over it so every
# container start begins with an empty directory.
RUN mkdir -p /tmp/prom /data-keys && chown pantau:pantau /tmp/prom /data-keys && chmod 700 /data-keys

USER pantau:pantau

# HTTP: aggregator 8000, survey 8001, consultation 8002, complaints 8003.
# Metrics: consumer 9100, relays 9101-9103.
EXPOSE 8000 8001 8002 8003 9100 9101 9102 9103

CMD ["pantau", "--help"]
