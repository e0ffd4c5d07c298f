"""The MongoDB-protocol server: `mongod` when it is on PATH, else FerretDB v1.24.2 (SQLite).

FerretDB install, as it works on this machine (a plain `go install` builds a binary that
panics at start: the module zip lacks build/version/version.txt, which FerretDB embeds):
  1. `go mod download -json github.com/FerretDB/FerretDB@v1.24.2` into a cached GOMODCACHE;
  2. copy the module source, write `v1.24.2` into build/version/version.txt, and apply PATCHES;
  3. `CGO_ENABLED=0 go build -tags ferretdb_no_postgresql -o .local/go/bin/ferretdb-… ./cmd/ferretdb`.

ID_INDEX_FIX: the SQLite backend filters `{_id: value}` (find, update, delete) with the expression
`_ferretdb_sjson->'$._id'`, but creates the unique `_id` index on `_ferretdb_sjson->"_id"`;
SQLite uses an expression index only for the identical expression, so every `_id` lookup, update
and delete scanned the whole table, slower with every stored document (bench/README.md, "Fixes made").
Writing the filter with the index's expression (same meaning: both select the top-level `_id`)
makes them index searches, as fast at any size.

ID_PUSHDOWN: the backend pushes the `_id` condition down to SQLite only when it is the filter's
only key, so `{_id: k, seq: n}` (the projections' optimistic-concurrency replace) scanned the
whole table again, each write slower as a collection grew (bench/README.md, "Fixes made";
tests/integration/test_store_pushdown.py). Pushing `_id = ?` down whenever the filter has a string or ObjectID
`_id` is safe: it selects a superset, and every FerretDB handler (find, update, delete, count,
findAndModify, distinct, aggregate's $match) filters the rows it gets with the full filter again.

UPDATE_CLOSE: the update command closes each statement's query only when the whole command
returns (a `defer` inside its loop), and each open query holds one of the SQLite pool's 100
connections, so an update command with more than 100 statements (a bulk write of 101 replaces)
waited for a connection forever. Closing each statement's query once it is done fixes it.

ID_IN_PUSHDOWN: `{_id: {$in: [...]}}` (string or ObjectID values) was a whole-table scan; it is
pushed down as `_id IN (...)` on the index (ferretdb/pantau_id_in.go), so a batch reads all its
documents in one round trip instead of one `find_one` each. Same superset-then-refilter rule.
"""
from __future__ import annotations

import hashlib
import json
import os
import shutil
import subprocess
import tempfile
from pathlib import Path
from typing import Any

from . import procs
from .profiles import Profile

FERRETDB_VERSION = "v1.24.2"
GO_DIR = procs.LOCAL / "go"
ID_INDEX_FIX = ("internal/backends/sqlite/metadata/metadata.go",
                'IDColumn = DefaultColumn + "->\'$._id\'"', 'IDColumn = DefaultColumn + `->"_id"`', 1)
ID_PUSHDOWN = ("internal/backends/sqlite/collection.go",  # in Query and in Explain
               "if params.Filter.Len() == 1 {", "if params.Filter.Len() >= 1 {", 2)
UPDATE_CLOSE = ("internal/handler/msg_update.go",
                "\t\tresult, err := common.UpdateDocument(ctx, c, \"update\", iter, &u)\n",
                "\t\tresult, err := common.UpdateDocument(ctx, c, \"update\", iter, &u)\n\t\tcloser.Close()\n", 1)
ID_IN_PUSHDOWN = ("internal/backends/sqlite/collection.go",  # a `default:` case for the `_id` switch, in Query and Explain
                  "args = []any{string(must.NotFail(sjson.MarshalSingleValue(v)))}\n\t\t}\n",
                  "args = []any{string(must.NotFail(sjson.MarshalSingleValue(v)))}\n"
                  "\t\tdefault:\n\t\t\twhereClause, args = idInClause(v)\n\t\t}\n", 2)
ID_IN_EXPLAIN = ("internal/backends/sqlite/collection.go",
                 'sortPushdown := orderByClause != ""', 'filterPushdown = whereClause != ""\n\tsortPushdown := orderByClause != ""', 1)
PATCHES = (ID_INDEX_FIX, ID_PUSHDOWN, UPDATE_CLOSE, ID_IN_PUSHDOWN, ID_IN_EXPLAIN)
ADDED_FILES = {"internal/backends/sqlite/pantau_id_in.go": Path(__file__).with_name("ferretdb") / "pantau_id_in.go"}
# named after the patch set, so that an install with other patches rebuilds
_PATCH_ID = repr(PATCHES) + "".join(p.read_text() for p in ADDED_FILES.values())
FERRETDB = GO_DIR / "bin" / f"ferretdb-{hashlib.sha256(_PATCH_ID.encode()).hexdigest()[:10]}"


def engine() -> str:
    return "mongod" if shutil.which("mongod") else "ferretdb"


def _go_env() -> dict[str, str]:
    env = dict(os.environ)
    env.update({"CGO_ENABLED": "0", "GOCACHE": str(GO_DIR / "cache"), "GOMODCACHE": str(GO_DIR / "modcache"),
                "GOFLAGS": "-modcacherw", "GOTOOLCHAIN": "local"})
    return env


def installed() -> bool:
    return engine() == "mongod" or FERRETDB.exists()


def install() -> None:
    if installed():
        return
    if not shutil.which("go"):
        raise procs.StartError("Go >= 1.24 is needed to build FerretDB (or put mongod on PATH)")
    env = _go_env()
    out = subprocess.run(["go", "mod", "download", "-json", f"github.com/FerretDB/FerretDB@{FERRETDB_VERSION}"],
                         check=True, capture_output=True, text=True, env=env, cwd=tempfile.gettempdir())
    src_dir = Path(json.loads(out.stdout)["Dir"])
    with tempfile.TemporaryDirectory() as tmp:
        src = Path(tmp) / "ferretdb"
        shutil.copytree(src_dir, src)
        for p in src.rglob("*"):
            p.chmod(p.stat().st_mode | 0o200)
        (src / "build" / "version" / "version.txt").write_text(FERRETDB_VERSION + "\n")
        for path, before, after, count in PATCHES:
            code = (src / path).read_text()
            if code.count(before) != count:
                raise procs.StartError(f"FerretDB source changed: {path} has {before!r} "
                                       f"{code.count(before)} times, not {count}")
            (src / path).write_text(code.replace(before, after))
        for dest, source in ADDED_FILES.items():
            shutil.copyfile(source, src / dest)
        FERRETDB.parent.mkdir(parents=True, exist_ok=True)
        subprocess.run(["go", "build", "-tags", "ferretdb_no_postgresql", "-o", str(FERRETDB), "./cmd/ferretdb"],
                       check=True, env=env, cwd=src)


def start(p: Profile) -> int:
    install()
    if not procs.pid_of(p.name, "store") and not procs.port_free(p.store_port):
        raise procs.StartError(f"store: port {p.store_port} is taken by a process this run did not start")
    d = procs.run_dir(p.name)
    if engine() == "mongod":
        data = d / "mongod-data"
        data.mkdir(exist_ok=True)
        argv = ["mongod", "--bind_ip", "127.0.0.1", "--port", str(p.store_port), "--dbpath", str(data),
                "--quiet"]
        return procs.start(p.name, "store", argv)
    data, state = d / "ferretdb-data", d / "ferretdb-state"
    data.mkdir(exist_ok=True)
    state.mkdir(exist_ok=True)
    argv = [str(FERRETDB), "--handler=sqlite", f"--sqlite-url=file:{data}/",
            f"--listen-addr=127.0.0.1:{p.store_port}", f"--state-dir={state}", "--debug-addr=-",
            "--telemetry=disable", "--log-level=warn"]
    return procs.start(p.name, "store", argv, env={"DO_NOT_TRACK": "1"})


def ready(p: Profile) -> bool:
    from pymongo import MongoClient
    c: MongoClient[dict[str, Any]] = MongoClient(p.mongo_url, serverSelectionTimeoutMS=1000, connectTimeoutMS=1000)
    try:
        c.admin.command("ping")
        return True
    finally:
        c.close()


def wait_ready(p: Profile, timeout: float = 60) -> float:
    return procs.wait_until(lambda: ready(p), "store", timeout, p.name, "store")
