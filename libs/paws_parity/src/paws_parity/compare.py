"""Compare two snapshots: structural, runtime and semantic differences, after normalisation."""

from __future__ import annotations

import dataclasses
from collections.abc import Iterator, Mapping

from . import normalise, renames
from .collect.redact import REDACTED
from .model import Difference, Kind, Setting, Snapshot, Structure, Value
from .versions import release, version_change

DCS_PREFIX = "postgresql.parameters."
ALL_KEYS = "*"  # the key of a finding about a whole component


def diff(local: Snapshot, target: Snapshot) -> list[Difference]:
    """Every difference between `local` and `target`; equivalent values are never reported."""
    return compared(local, target)[0]


def compared(
    local: Snapshot, target: Snapshot
) -> tuple[list[Difference], list[renames.Retirement]]:
    """The differences, and the retired PostgreSQL parameters read as their successors."""
    local, target, retired = renames.retire_snapshots(local, target)
    found = [
        *_versions(local, target),
        *_topology(local, target, _one_sided(local, target)),
        *_settings(local, target),
        *_structure(local.structure, target.structure),
        *_app_env(local.app_env, target.app_env),
    ]
    return _annotated(found, retired), retired


def _annotated(found: list[Difference], retired: list[renames.Retirement]) -> list[Difference]:
    """A successor's finding says what it was read from; a removed parameter is a finding."""
    if not retired:
        return found
    notes = {(r.component, r.successor_key): r.describe() for r in retired if r.converted}
    found = [
        dataclasses.replace(d, note=notes[d.component, d.key])
        if (d.component, d.key) in notes
        else d
        for d in found
    ]
    for r in retired:
        if r.converted is None and not r.shadowed:
            mine = r.value if r.side == "local" else None
            theirs = None if r.side == "local" else r.value
            found.append(
                Difference(
                    r.component,
                    r.key,
                    mine,
                    theirs,
                    Kind.STRUCTURAL,
                    removed_in=r.entry.removed_in,
                    note=r.describe(),
                    origin=r.origin,
                )
            )
    return found


def undescribed(snapshot: Snapshot, other: Snapshot) -> set[str]:
    """Components `other` has that a partial `snapshot` says nothing about: not compared.

    A snapshot is partial when its `partial` list names any component; a complete one (every
    live collection) is compared in full, so a component it lacks is a finding.
    """
    if not snapshot.partial:
        return set()
    return set(other.settings) - set(snapshot.settings)


def _versions(local: Snapshot, target: Snapshot) -> Iterator[Difference]:
    for component in sorted(local.versions.keys() | target.versions.keys()):
        mine, theirs = local.versions.get(component), target.versions.get(component)
        if (mine is None and local.partial) or (theirs is None and target.partial):
            continue  # a partial side that does not say its version: nothing to compare
        if mine is None or theirs is None:
            yield Difference(component, "version", mine, theirs, Kind.STRUCTURAL)
            continue
        change = version_change(mine, theirs, component)
        if change:
            yield Difference(component, "version", mine, theirs, Kind.SEMANTIC, change=change)


def _one_sided(local: Snapshot, target: Snapshot) -> set[str]:
    """Components whose settings exist on one side only: reported once, as a whole.

    A component a partial side does not describe is not among them: its member counts are
    still compared when that side lists them.
    """
    skipped = undescribed(local, target) | undescribed(target, local)
    return set(local.settings.keys() ^ target.settings.keys()) - skipped


def _topology(local: Snapshot, target: Snapshot, one_sided: set[str]) -> Iterator[Difference]:
    mine, theirs = local.topology, target.topology
    for component in sorted(mine.members.keys() | theirs.members.keys()):
        if any(s.partial and component not in s.topology.members for s in (local, target)):
            continue  # a partial side that does not count this component's members
        a, b = mine.members.get(component, 0), theirs.members.get(component, 0)
        if a != b and component not in one_sided:
            yield Difference(component, "members", a, b, Kind.STRUCTURAL)
    sync = (mine.synchronous_mode, theirs.synchronous_mode)
    if None not in sync and sync[0] != sync[1]:
        yield Difference("patroni", "synchronous_mode", *sync, Kind.SEMANTIC)
    quorum = (mine.sentinel_quorum, theirs.sentinel_quorum)
    if None not in quorum and quorum[0] != quorum[1]:
        yield Difference("sentinel", "quorum", *quorum, Kind.SEMANTIC)


def _keyed(component: str, values: Mapping[str, Setting]) -> dict[str, Setting]:
    if component not in ("redis", "sentinel"):
        return dict(values)
    merged: dict[str, Setting] = {}
    for key, setting in values.items():
        name = normalise.redis_key(key)
        if name == key or name not in merged:
            merged[name] = setting
    return merged


def _shadowed(local: Snapshot, target: Snapshot) -> set[tuple[str, str]]:
    """Setting keys compared elsewhere, so that no difference is reported twice."""
    both = [local, target]
    skip: set[tuple[str, str]] = set()
    if all(s.topology.synchronous_mode is not None for s in both):
        skip.add(("patroni", "synchronous_mode"))
    if all(s.topology.sentinel_quorum is not None for s in both):
        skip.add(("sentinel", "quorum"))
    pg_both = set(local.settings.get("postgresql", {})) & set(target.settings.get("postgresql", {}))
    skip.update(("patroni", DCS_PREFIX + name) for name in pg_both)
    return skip


def _settings(local: Snapshot, target: Snapshot) -> Iterator[Difference]:
    skip = _shadowed(local, target)
    dcs = _dcs_parameters(local, target)
    skipped = undescribed(local, target) | undescribed(target, local)
    for component in sorted(local.settings.keys() | target.settings.keys()):
        if component in skipped:
            continue
        if component not in local.settings or component not in target.settings:
            present = "present" if component in local.settings else None
            wanted = "present" if component in target.settings else None
            yield Difference(component, ALL_KEYS, present, wanted, Kind.STRUCTURAL)
            continue
        mine = _keyed(component, local.settings[component])
        theirs = _keyed(component, target.settings[component])
        for key in sorted(mine.keys() | theirs.keys()):
            if (component, key) in skip:
                continue
            found = _compare_setting(component, key, mine.get(key), theirs.get(key), local, target)
            if found is None:
                continue
            if component == "postgresql" and (dcs is None or key in dcs):
                found = dataclasses.replace(found, dcs_managed=True)
            if found.kind is Kind.STRUCTURAL and _partial_side(found, component, local, target):
                continue
            if found.kind is Kind.STRUCTURAL and _release_only(
                component, key, mine, theirs, local, target
            ):
                found = dataclasses.replace(found, release_only=True)
            yield found


def _partial_side(found: Difference, component: str, local: Snapshot, target: Snapshot) -> bool:
    """A key missing from a side that lists only some keys of this component is no finding."""
    missing_on = local if found.local is None else target
    return component in missing_on.partial


def _release_only(
    component: str,
    key: str,
    mine: Mapping[str, Setting],
    theirs: Mapping[str, Setting],
    local: Snapshot,
    target: Snapshot,
) -> bool:
    """A PostgreSQL setting at its built-in default that one server release has and the other
    lacks (minor releases add settings, as 15.20 did): a version difference, not drift.

    Only when both versions are known and are not the same release; never for an extension's
    `prefix.name` settings, which a configuration change (shared_preload_libraries) adds.
    """
    if component != "postgresql" or "." in key:
        return False
    present = mine.get(key) or theirs.get(key)
    if present is None or present.source != "default":
        return False
    versions = local.versions.get(component), target.versions.get(component)
    if versions[0] is None or versions[1] is None:
        return False
    return release(versions[0]) != release(versions[1])


def _set_or_unset(mine: Setting, theirs: Setting) -> tuple[Setting, Setting]:
    """When one side is redacted, both are compared as set or unset, never by value."""
    if REDACTED not in (mine.value, theirs.value):
        return mine, theirs

    def hide(setting: Setting) -> Setting:
        if setting.value in ("", None, REDACTED):
            return setting
        return setting.model_copy(update={"value": REDACTED})

    return hide(mine), hide(theirs)


def _meta(component: str, key: str, *snapshots: Snapshot) -> tuple[str, str, Setting | None]:
    """Normalisation context: Patroni's DCS parameters are PostgreSQL settings."""
    if component == "patroni" and key.startswith(DCS_PREFIX):
        name = key[len(DCS_PREFIX) :]
        for snapshot in snapshots:
            setting = snapshot.settings.get("postgresql", {}).get(name)
            if setting is not None:
                return "postgresql", name, setting
        return "postgresql", name, None
    return component, key, None


def _compare_setting(
    component: str,
    key: str,
    mine: Setting | None,
    theirs: Setting | None,
    local: Snapshot,
    target: Snapshot,
) -> Difference | None:
    context = (mine and mine.context) or (theirs and theirs.context) or None
    origin = (theirs and theirs.origin) or (mine and mine.origin) or ""
    if mine is None or theirs is None:
        one = mine or theirs
        value: Value = one.value if one else None
        return Difference(
            component, key, value if mine else None, value if theirs else None,
            Kind.STRUCTURAL, context=context, origin=origin,
        )  # fmt: skip
    mine, theirs = _set_or_unset(mine, theirs)
    as_component, as_key, borrowed = _meta(component, key, local, target)
    meta_for_mine = theirs if borrowed is None else borrowed
    meta_for_theirs = mine if borrowed is None else borrowed
    a = normalise.canonical(as_component, as_key, mine, meta_for_mine)
    b = normalise.canonical(as_component, as_key, theirs, meta_for_theirs)
    if a == b:
        return None
    return Difference(
        component,
        key,
        normalise.display(as_component, as_key, mine, meta_for_mine),
        normalise.display(as_component, as_key, theirs, meta_for_theirs),
        Kind.RUNTIME,
        context=context,
        origin=origin,
    )


def patroni_managed(snapshot: Snapshot) -> bool:
    """Whether Patroni runs this environment's PostgreSQL (its DCS is the cluster's config)."""
    return "patroni" in snapshot.settings or snapshot.topology.members.get("patroni", 0) > 0


def _dcs_parameters(local: Snapshot, target: Snapshot) -> set[str] | None:
    """PostgreSQL parameters set through Patroni's DCS; None: all of them.

    When Patroni runs the local cluster every PostgreSQL fix goes through its DCS: ALTER
    SYSTEM through the leader address changes one member of three, and the next failover
    brings the drift back.
    """
    if patroni_managed(local):
        return None
    if "patroni" not in local.settings and "patroni" not in target.settings:
        return set()
    names = set(normalise.catalogue().patroni_command_line)
    for snapshot in (local, target):
        for key in snapshot.settings.get("patroni", {}):
            if key.startswith(DCS_PREFIX):
                names.add(key[len(DCS_PREFIX) :])
    return names


def _port(text: str) -> str:
    port = text.rsplit(":", 1)[-1]
    return port if "/" in port else f"{port}/tcp"


def _mount(text: str) -> str:
    parts = text.split(":")
    return parts[0] if len(parts) == 1 else ":".join(parts[1:])


def _structure(local: Structure | None, target: Structure | None) -> Iterator[Difference]:
    if local is None or target is None:
        return
    for label, a_set, b_set in (
        ("networks", set(local.networks), set(target.networks)),
        ("volumes", set(local.volumes), set(target.volumes)),
    ):
        for name in sorted(a_set ^ b_set):
            yield Difference(
                "compose", f"{label}.{name}", "present" if name in a_set else None,
                "present" if name in b_set else None, Kind.STRUCTURAL,
            )  # fmt: skip
    for name in sorted(local.services.keys() | target.services.keys()):
        mine, theirs = local.services.get(name), target.services.get(name)
        if mine is None or theirs is None:
            yield Difference(
                "compose", f"services.{name}", "present" if mine else None,
                "present" if theirs else None, Kind.STRUCTURAL,
            )  # fmt: skip
            continue
        pairs = {
            "networks": (sorted(mine.networks), sorted(theirs.networks)),
            "volumes": (sorted(map(_mount, mine.volumes)), sorted(map(_mount, theirs.volumes))),
            "ports": (sorted(map(_port, mine.ports)), sorted(map(_port, theirs.ports))),
        }
        for attribute, (a, b) in pairs.items():
            if a != b:
                key = f"services.{name}.{attribute}"
                yield Difference("compose", key, list(a), list(b), Kind.RUNTIME)
        yield from _limits(name, mine.limits, theirs.limits)


def _limits(
    service: str, mine: Mapping[str, str], theirs: Mapping[str, str]
) -> Iterator[Difference]:
    for limit in sorted(mine.keys() | theirs.keys()):
        a, b = mine.get(limit), theirs.get(limit)
        key = f"services.{service}.deploy.resources.limits.{limit}"
        if a is None or b is None:
            yield Difference("compose", key, a, b, Kind.STRUCTURAL)
        elif normalise.compose_limit(limit, a) != normalise.compose_limit(limit, b):
            yield Difference("compose", key, a, b, Kind.RUNTIME)


def _app_env(
    local: Mapping[str, list[str]] | None, target: Mapping[str, list[str]] | None
) -> Iterator[Difference]:
    if local is None or target is None:
        return
    for service in sorted(local.keys() | target.keys()):
        mine, theirs = set(local.get(service, [])), set(target.get(service, []))
        for name in sorted(mine ^ theirs):
            yield Difference(
                "app", f"{service}.{name}", "set" if name in mine else None,
                "set" if name in theirs else None, Kind.STRUCTURAL,
            )  # fmt: skip
