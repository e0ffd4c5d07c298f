"""`pantau` command line: infrastructure, platform processes, keys, registry, workers."""
from __future__ import annotations

import json
import os
import sys
import time

import click

from pantau import audit
from pantau.accounts import ROLES as ACCOUNT_ROLES
from pantau.config import SERVICES

DEFAULT_METRICS_PORTS = {"consumer": 9100, "relay-survey": 9101, "relay-consultation": 9102,
                         "relay-complaints": 9103}
"""Where a worker serves /metrics when PANTAU_METRICS_PORT is unset (the dev profile's ports)."""


@click.group()
def main() -> None:
    """Pantau: monitoring of SKM, FKP and SP4N-LAPOR! for the Biro Organisasi."""


# --- infrastructure -----------------------------------------------------------------------

@main.group()
def infra() -> None:
    """Kafka broker and MongoDB-protocol store on loopback (no Docker)."""


def _profile(name: str):
    from .infra.profiles import get
    return get(name)


@infra.command("install")
def infra_install() -> None:
    """Fetch the Kafka jars and build the local store if missing (cached in .local/)."""
    from .infra import kafka, store
    t0 = time.monotonic()
    kafka.install()
    store.install()
    click.echo(f"installed in {time.monotonic() - t0:.1f}s (store engine: {store.engine()})")


@infra.command("up")
@click.option("--profile", default="dev", show_default=True)
def infra_up(profile: str) -> None:
    """Start Kafka and the store and wait until both answer."""
    from .infra import platform
    p = _profile(profile)
    r = platform.infra_up(p)
    click.echo(f"infra ready in {r['seconds']}s: kafka {p.kafka_bootstrap}, store {p.mongo_url}")


@infra.command("down")
@click.option("--profile", default="dev", show_default=True)
def infra_down(profile: str) -> None:
    from .infra import platform
    platform.infra_down(_profile(profile))


@infra.command("status")
@click.option("--profile", default="dev", show_default=True)
def infra_status(profile: str) -> None:
    from .infra import platform
    for name, pid in platform.status(_profile(profile)).items():
        click.echo(f"{name:20s} {'running pid ' + str(pid) if pid else 'stopped'}")


# --- whole platform -----------------------------------------------------------------------

@main.command("up")
@click.option("--profile", default="dev", show_default=True)
@click.option("--registry", default="deploy/registry/kaltim.yaml", show_default=True)
@click.option("--demo/--no-demo", default=True, show_default=True, help="load demo data")
def up(profile: str, registry: str, demo: bool) -> None:
    """Start infrastructure and every service, load the registry (and demo data)."""
    from .infra import platform
    p = _profile(profile)
    os.environ.update(p.env())  # this process (registry, keys, demo) talks to the same profile
    t0 = time.monotonic()
    platform.infra_up(p)
    click.echo(f"infrastructure ready ({time.monotonic() - t0:.0f}s)")
    platform.init(p, registry)
    platform.services_up(p)
    click.echo(f"services ready ({time.monotonic() - t0:.0f}s)")
    from .infra import prometheus
    from .infra.procs import StartError
    try:
        prom_url = prometheus.start(p)
        click.echo(f"prometheus ready ({time.monotonic() - t0:.0f}s)")
    except StartError as exc:  # the platform runs without it; say why
        prom_url = None
        click.echo(f"prometheus NOT started: {exc}", err=True)
    if demo:
        from . import demo as demo_data
        loaded = demo_data.load(p)
        click.echo(f"demo data posted: {loaded} ({time.monotonic() - t0:.0f}s)")
        demo_file = demo_data.demo_accounts(p)
    click.echo(f"\nPantau is up in {time.monotonic() - t0:.0f}s.")
    for name, port in p.http_ports.items():
        click.echo(f"  {name:13s} http://127.0.0.1:{port}   (/healthz /readyz /metrics /openapi.json)")
    click.echo(f"  kafka         {p.kafka_bootstrap}\n  store         {p.mongo_url}")
    if prom_url:
        click.echo(f"  prometheus    {prom_url}   (alerts: {prom_url}/alerts; config .local/run/{p.name}/prometheus.yml)")
    click.echo(f"\nDashboard: http://127.0.0.1:{p.http_ports['aggregator']}/masuk")
    if demo:
        click.echo(f"Demo accounts (username, one-time password to change at the first sign-in, role): {demo_file}")
        click.echo(demo_file.read_text(encoding="utf-8").rstrip())
    click.echo("Accounts:  .venv/bin/pantau users add <username> --name '…' --role bureau_admin|bureau_analyst|"
               "evaluator|auditor|unit_operator [--unit <unit_id>]")
    click.echo("API keys:  .venv/bin/pantau keys issue --role bureau   |   --unit <unit_id>")
    click.echo("Stop with: make down")


@main.command("down")
@click.option("--profile", default="dev", show_default=True)
def down(profile: str) -> None:
    """Stop every process of the platform (data is kept)."""
    from .infra import platform, procs
    p = _profile(profile)
    platform.services_down(p)
    procs.stop(p.name, "prometheus")
    platform.infra_down(p)
    click.echo("Pantau stopped.")


@main.command("init")
@click.option("--registry", default=None, help="YAML or CSV registry file to import")
def init(registry: str | None) -> None:
    """Create topics and indexes; import the unit registry (idempotent)."""
    from pantau import bus, mongo, store, units
    from services.aggregator.consumer import ensure_indexes
    created = bus.ensure_topics()
    bus.require_durable_topics()
    for svc in SERVICES:
        store.prepare(mongo.db(svc)["events"])
    ensure_indexes(mongo.db("aggregator"))
    mongo.db("registry")["keys"].create_index("unit_id")
    n = units.import_units(units.load_file(registry)) if registry else 0
    click.echo(f"topics created: {created or 'none'}; units imported: {n}")


# --- workers --------------------------------------------------------------------------------

@main.command("relay")
@click.argument("service", type=click.Choice(SERVICES))
def relay(service: str) -> None:
    """Publish a service's stored events to Kafka (runs until SIGTERM)."""
    from pantau import relay as relay_mod
    from pantau.logs import setup
    setup(f"relay-{service}")
    port = int(os.environ.get("PANTAU_METRICS_PORT") or DEFAULT_METRICS_PORTS[f"relay-{service}"])
    relay_mod.main(service, port)


@main.command("consume")
def consume() -> None:
    """Run the aggregator's consumer (runs until SIGTERM)."""
    from pantau.logs import setup
    from services.aggregator import consumer
    setup("consumer")
    consumer.main(int(os.environ.get("PANTAU_METRICS_PORT") or DEFAULT_METRICS_PORTS["consumer"]))


# --- dead-letter topics ---------------------------------------------------------------------

DECODE_REASONS = ("undecodable", "invalid_envelope", "unknown_type", "unknown_version", "invalid_data")
"""DLQ reasons of records that are not events at all: a replay would only dead-letter them again."""


@main.group()
def dlq() -> None:
    """Dead-letter topics: list what is there, replay parked records once their cause is fixed."""


def _dlq_entries(topic: str | None, reasons: tuple[str, ...], every: bool):
    from pantau import dlq as dlq_mod
    from pantau.config import settings
    s = settings()
    topics = [s.topic(svc) for svc in SERVICES]
    if topic:
        if topic not in topics:
            raise click.UsageError(f"unknown topic {topic!r}; one of {', '.join(topics)}")
        topics = [topic]
    wanted = None if every else (set(reasons) if reasons else None)
    found = dlq_mod.entries(s, topics, wanted)
    if not every and not reasons:
        found = [e for e in found if e.reason not in DECODE_REASONS]
    return s, found


def _ledger():
    from pantau import mongo
    return mongo.db("aggregator")["dlq_replays"]


@dlq.command("list")
@click.option("--topic", default=None, help="one source topic (default: all)")
@click.option("--reason", "reasons", multiple=True, help="only these reasons (repeatable)")
@click.option("--all", "every", is_flag=True, help="also records that are not events (undecodable …)")
def dlq_list(topic: str | None, reasons: tuple[str, ...], every: bool) -> None:
    """One JSON line per DLQ record: where it came from, why, and whether it was replayed."""
    from pantau import dlq as dlq_mod
    _, found = _dlq_entries(topic, reasons, every)
    done = dlq_mod.replayed(_ledger(), found)
    for e in found:
        click.echo(json.dumps({"id": e.id, "origin": ":".join(map(str, e.origin)), "reason": e.reason,
                               "detail": e.headers.get("dlq_detail", "")[:300],
                               "replayed_at": done[e.id].isoformat() if e.id in done else None}, ensure_ascii=False))
    click.echo(f"{len(found)} records, {len(done)} replayed", err=True)


@dlq.command("replay")
@click.option("--topic", default=None, help="one source topic (default: all)")
@click.option("--reason", "reasons", multiple=True,
              help="only these reasons (repeatable; default: every reason but the undecodable kinds)")
@click.option("--again", is_flag=True, help="also records replayed before")
@click.option("--dry-run", is_flag=True, help="list what would be sent")
def dlq_replay(topic: str | None, reasons: tuple[str, ...], again: bool, dry_run: bool) -> None:
    """Publish parked records back into their topic and partition; the consumer applies each at
    its original position, exactly once (a record already applied changes nothing)."""
    from pantau import dlq as dlq_mod
    s, found = _dlq_entries(topic, reasons, False)
    if dry_run:
        done = {} if again else dlq_mod.replayed(_ledger(), found)
        for e in found:
            if e.id not in done:
                click.echo(f"would replay {e.id} -> {':'.join(map(str, e.origin))} ({e.reason})")
        return
    sent = dlq_mod.replay(s, _ledger(), found, again=again)
    audit.record(_operator(), "dlq.replay", topic or "*", {"records": len(sent), "reasons": list(reasons)})
    click.echo(f"replayed {len(sent)} of {len(found)} records")


# --- keys and registry ----------------------------------------------------------------------

@main.group()
def keys() -> None:
    """API keys (stored hashed)."""


@keys.command("issue")
@click.option("--unit", "unit_id", default=None, help="unit id the key is scoped to")
@click.option("--role", type=click.Choice(["unit", "bureau"]), default=None)
@click.option("--note", default="")
def keys_issue(unit_id: str | None, role: str | None, note: str) -> None:
    """Print a new token for `Authorization: Bearer <token>`."""
    from pantau import auth
    from pantau.units import Registry
    role = role or ("unit" if unit_id else None)
    if role is None:
        raise click.UsageError("give --unit UNIT_ID or --role bureau")
    if role == "unit" and Registry.instance().get(unit_id or "") is None:
        raise click.UsageError(f"unknown unit {unit_id!r}")
    token = auth.issue(role, unit_id, note)
    audit.record(_operator(), "key.issue", token.split("_")[1], {"role": role, "unit_id": unit_id})
    click.echo(token)


def _operator() -> str:
    return f"cli:{os.environ.get('SUDO_USER') or os.environ.get('USER') or 'unknown'}"


@keys.command("revoke")
@click.argument("key_id")
def keys_revoke(key_id: str) -> None:
    """Revoke a key (it stops working within seconds)."""
    from pantau import auth
    if not auth.revoke(key_id):
        raise click.ClickException(f"no key {key_id}")
    audit.record(_operator(), "key.revoke", key_id)
    click.echo(f"revoked {key_id}")


@keys.command("rotate")
@click.argument("key_id")
def keys_rotate(key_id: str) -> None:
    """Issue a new key with the same role and unit, then revoke the old one; prints the new token."""
    from pantau import auth
    doc = auth.keys().find_one({"_id": key_id})
    if doc is None or doc.get("revoked"):
        raise click.ClickException(f"no active key {key_id}")
    token = auth.issue(doc["role"], doc.get("unit_id"), f"rotated from {key_id}")
    auth.revoke(key_id)
    audit.record(_operator(), "key.rotate", key_id, {"new_key": token.split("_")[1]})
    click.echo(token)


@keys.command("rotate-data-key")
def keys_rotate_data_key() -> None:
    """New key-encryption key (KEK): every per-person data key is re-wrapped with it, then the old
    KEK is retired (moved to retired/: only a backup from before still needs it)."""
    from pantau import data_keys, kek
    try:
        old, new = kek.rotate_files() if not kek.from_env() else (None, kek.keyring().active_id)
    except kek.KekError as exc:
        raise click.ClickException(str(exc)) from None
    counts: dict[str, tuple[int, int]] = {}
    for _ in range(2):  # the second pass takes a wrap a worker made under the old KEK meanwhile
        for service in SERVICES:
            done, live = data_keys.rewrap(service)
            counts[service] = (counts.get(service, (0, 0))[0] + done, live)
        time.sleep(1.0)
    still = sorted({k for s in SERVICES for k in data_keys.kek_ids_in_use(s)} - {new})
    if still:
        raise click.ClickException(f"keys still wrapped by {still}; run rotate-data-key again")
    retired = kek.retire(old) if old else None
    audit.record(_operator(), "data_key.rotate", new or "?", {"old_kek": old, "rewrapped": {
        s: c[0] for s, c in counts.items()}})
    for s, (done, live) in counts.items():
        click.echo(f"{s}: {done} of {live} data keys re-wrapped")
    click.echo(f"active KEK {new}" + (f"; {old} retired to {retired}" if retired else ""))


# --- personal data ---------------------------------------------------------------------------

@main.group()
def privacy() -> None:
    """Personal data at rest (pantau/data_keys.py)."""


@privacy.command("erase")
@click.option("--complaint", "complaint", default=None, help="tracking id: erase that complaint's reporter")
@click.option("--fkp-participant", "participant", default=None,
              help="<fkp id>/<participant id> (participants[].participant_id of GET /v1/fkp/{fkp_id})")
@click.option("--skm-response", "response", default=None, help="<unit>/<response id>: erase its suggestion")
def privacy_erase(complaint: str | None, participant: str | None, response: str | None) -> None:
    """Make one person's data unreadable everywhere, backups included; every figure stays."""
    from . import erasure
    if sum(x is not None for x in (complaint, participant, response)) != 1:
        raise click.UsageError("give exactly one of --complaint, --fkp-participant, --skm-response")
    try:
        if complaint:
            done = erasure.complaint_reporter(_operator(), complaint)
        elif participant:
            done = erasure.fkp_participant(_operator(), participant)
        else:
            done = erasure.skm_suggestion(_operator(), response or "")
    except erasure.NotFound as exc:
        raise click.ClickException(str(exc)) from None
    click.echo(f"erased {done.target} (key {done.key_id}{'' if done.destroyed else ', already erased'}); "
               f"audit entry {done.audit_id}")


# --- backup and restore ----------------------------------------------------------------------

def _backup_step(action: str, directory: str):
    """Run `pantau_platform.backup.<action>(directory)`, audit it, and return its summary."""
    from . import backup as backup_mod
    try:
        done = getattr(backup_mod, action)(directory)
    except backup_mod.BackupError as exc:
        raise click.ClickException(str(exc)) from None
    audit.record(_operator(), action, os.path.abspath(directory), {"documents": done.documents})
    return done


@main.command("backup")
@click.argument("directory", type=click.Path(file_okay=False))
def backup_cmd(directory: str) -> None:
    """Write every event log, file and the registry into DIRECTORY (pantau_platform/backup.py)."""
    done = _backup_step("backup", directory)
    click.echo(f"backed up {done.documents} documents in {done.files} files in {done.seconds} s to {directory}")


@main.command("restore")
@click.argument("directory", type=click.Path(exists=True, file_okay=False))
def restore_cmd(directory: str) -> None:
    """Load a backup into an empty store; the relays then republish every event (the projections
    are rebuilt by the consumer)."""
    done = _backup_step("restore", directory)
    click.echo(f"restored {done.documents} documents from {done.files} files in {done.seconds} s")


# --- staff accounts --------------------------------------------------------------------------

@main.group()
def users() -> None:
    """Staff accounts for the dashboard (pantau/accounts.py)."""


def _password(stdin: bool, prompt: str = "Kata sandi") -> str:
    """A password from the terminal (asked twice) or from standard input, never from the command line."""
    if stdin:
        return sys.stdin.readline().rstrip("\r\n")
    return click.prompt(prompt, hide_input=True, confirmation_prompt=True)


def _account_call(fn, *args):
    from pantau import accounts
    try:
        return fn(*args)
    except accounts.AccountError as exc:
        raise click.ClickException(str(exc)) from None


@users.command("add")
@click.argument("username")
@click.option("--name", "display_name", required=True, help="display name (the person's name)")
@click.option("--role", required=True, type=click.Choice(ACCOUNT_ROLES))
@click.option("--unit", "unit_id", default=None, help="the unit of a unit_operator")
@click.option("--password-stdin", is_flag=True, help="read the password from standard input")
@click.option("--temporary", is_flag=True, help="the person must change it at the first sign-in")
def users_add(username: str, display_name: str, role: str, unit_id: str | None, password_stdin: bool,
              temporary: bool) -> None:
    """Create an account."""
    from pantau import accounts
    a = _account_call(accounts.create, username, display_name, role, _password(password_stdin), unit_id, temporary)
    audit.record(_operator(), "account.create", a.username, {"role": a.role, "unit_id": a.unit_id})
    click.echo(f"created {a.username} ({a.role}{', ' + a.unit_id if a.unit_id else ''})")


@users.command("list")
def users_list() -> None:
    """One JSON line per account (no password hash)."""
    from pantau import accounts
    for d in accounts.listing():
        click.echo(json.dumps({k: v for k, v in d.items() if k != "password_hash"}, ensure_ascii=False, default=str))


def _set_active(username: str, active: bool) -> None:
    from pantau import accounts
    a = _account_call(accounts.set_active, username, active)
    audit.record(_operator(), "account.enable" if active else "account.disable", a.username)
    click.echo(f"{'enabled' if active else 'disabled'} {a.username}")


@users.command("disable")
@click.argument("username")
def users_disable(username: str) -> None:
    """Disable an account (its sessions end within seconds)."""
    _set_active(username, False)


@users.command("enable")
@click.argument("username")
def users_enable(username: str) -> None:
    """Enable a disabled account again."""
    _set_active(username, True)


@users.command("reset-password")
@click.argument("username")
@click.option("--password-stdin", is_flag=True, help="read the password from standard input")
@click.option("--temporary", is_flag=True, help="the person must change it at the next sign-in")
def users_reset_password(username: str, password_stdin: bool, temporary: bool) -> None:
    """Set a new password (also lifts a sign-in lock)."""
    from pantau import accounts
    a = _account_call(accounts.set_password, username, _password(password_stdin, "Kata sandi baru"), temporary)
    audit.record(_operator(), "account.reset_password", a.username)
    click.echo(f"password reset for {a.username}")


@users.command("set-role")
@click.argument("username")
@click.argument("role", type=click.Choice(ACCOUNT_ROLES))
@click.option("--unit", "unit_id", default=None, help="the unit of a unit_operator")
def users_set_role(username: str, role: str, unit_id: str | None) -> None:
    """Change an account's role (its sessions end: the person signs in again)."""
    from pantau import accounts
    a = _account_call(accounts.set_role, username, role, unit_id)
    audit.record(_operator(), "account.set_role", a.username, {"role": a.role, "unit_id": a.unit_id})
    click.echo(f"{a.username} is now {a.role}{' of ' + a.unit_id if a.unit_id else ''}")


@main.group()
def units() -> None:
    """The units registry."""


@units.command("import")
@click.argument("path", type=click.Path(exists=True, dir_okay=False))
def units_import(path: str) -> None:
    from pantau import units as units_mod
    n = units_mod.import_units(units_mod.load_file(path))
    audit.record(_operator(), "units.import", os.path.abspath(path), {"count": n})
    click.echo(f"imported {n} units")


@units.command("list")
def units_list() -> None:
    from pantau.units import Registry
    for u in Registry.instance().all():
        click.echo(json.dumps(u.to_dict(), ensure_ascii=False))


if __name__ == "__main__":
    sys.exit(main())
