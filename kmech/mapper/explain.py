"""The decision trace of a resolution: steps as data, and their rendering as lines of words.

Each step records one thing kubectl's pipeline did (category check, split, parse, short-name
expansion, a kind lookup, a mapping lookup, a de-duplication) with what it found. The steps are
produced by :mod:`kmech.mapper.resolve`; :func:`render_steps` turns them into sentences for
``kmech resolve --explain``. Rendering never consults the mapper again: the steps carry everything.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from kmech._record import record
from kmech.mapper.errors import MapperError, ResourceTypeNotFoundError, did_you_mean
from kmech.mapper.interfaces import RESTMapping
from kmech.mapper.schema import (
    GroupKind,
    GroupResource,
    GroupVersionKind,
    GroupVersionResource,
)
from kmech.mapper.shortcut import Expansion, ExpansionRule

if TYPE_CHECKING:
    from kmech.mapper.discovery_mapper import DiscoveryRESTMapper

__all__ = [
    "CategoryStep",
    "SplitStep",
    "ParseStep",
    "ExpandStep",
    "KindLookupStep",
    "MappingStep",
    "DedupeStep",
    "NoteStep",
    "Step",
    "render_steps",
    "explain_argument",
]


@record(frozen=True, slots=True)
class CategoryStep:
    """A comma-separated piece was checked against the categories (``members`` None: not one)."""

    piece: str
    members: tuple[GroupResource, ...] | None


@record(frozen=True, slots=True)
class SplitStep:
    """The (expanded) argument was split on commas; ``duplicates`` were dropped."""

    pieces: tuple[str, ...]
    duplicates: tuple[str, ...]


@record(frozen=True, slots=True)
class ParseStep:
    """A piece was parsed as ``resource.version.group`` (``full``) and ``resource.group``."""

    piece: str
    full: GroupVersionResource | None
    group_resource: GroupResource


@record(frozen=True, slots=True)
class ExpandStep:
    """The short-name expander looked at a query."""

    expansion: Expansion


@record(frozen=True, slots=True)
class KindLookupStep:
    """``KindFor`` on a (possibly expanded) query: every candidate in discovery order, the
    winner and the reason it won, or the error (``swallowed``: kubectl ignores it)."""

    query: GroupVersionResource
    candidates: tuple[GroupVersionKind, ...]
    winner: GroupVersionKind | None
    reason: str
    error: str = ""
    swallowed: bool = False
    retried: bool = False


@record(frozen=True, slots=True)
class MappingStep:
    """``RESTMapping`` for a group-kind and version list (``purpose``: ``resource`` after a
    kind lookup, ``kind`` for the kind forms of the argument)."""

    purpose: str
    group_kind: GroupKind
    versions: tuple[str, ...]
    candidates: tuple[RESTMapping, ...]
    winner: RESTMapping | None
    reason: str
    error: str = ""
    swallowed: bool = False


@record(frozen=True, slots=True)
class DedupeStep:
    """A piece's mapping had the same GVK as an earlier one and was dropped."""

    piece: str
    gvk: GroupVersionKind


@record(frozen=True, slots=True)
class NoteStep:
    """A free sentence: a kmech observation or the final verdict."""

    text: str


Step = (
    CategoryStep
    | SplitStep
    | ParseStep
    | ExpandStep
    | KindLookupStep
    | MappingStep
    | DedupeStep
    | NoteStep
)


def _gv_text(group: str, version: str) -> str:
    return f"{group}/{version}" if group else version


def _gvk_text(gvk: GroupVersionKind) -> str:
    return f"{_gv_text(gvk.group, gvk.version)} {gvk.kind}"


def _gvr_text(gvr: GroupVersionResource) -> str:
    return f"{_gv_text(gvr.group, gvr.version)} {gvr.resource}"


def _query_text(q: GroupVersionResource) -> str:
    group = f'group "{q.group}"' if q.group else "any group"
    version = f'version "{q.version}"' if q.version else "any version"
    return f'resource "{q.resource}" in {group}, {version}'


def _mapping_text(m: RESTMapping) -> str:
    return f"{_gvr_text(m.resource)} (kind {m.gvk.kind}, {'namespaced' if m.namespaced else 'cluster-scoped'})"


def _render_expand(exp: Expansion) -> list[str]:
    q = exp.query
    if exp.rule is ExpansionRule.REAL_NAME:
        return [f'short names: "{q.resource}" is a real resource or singular name, not expanded']
    if exp.rule is ExpansionRule.UNCHANGED:
        return [f'short names: "{q.resource}" is not a short name (short names are case-sensitive)']
    target = GroupResource(exp.result.group, exp.result.resource)
    if exp.rule is ExpansionRule.SHORT_NAME:
        lines = [
            f'short names: "{q.resource}" is the short name of {target} (first in discovery order)'
        ]
        if q.version:
            lines.append(
                f'  the version "{q.version}" is dropped when a short name expands (kubectl >= 1.29)'
            )
        for other in exp.shadowed:
            lines.append(f"  {other} has the same short name but comes later: kubectl warns")
        return lines
    return [
        f'short names: "{q.resource}" is the short name of {target}, whose group starts '
        f'with "{q.group}" (group-prefix match)'
    ]


def _render_step(step: Step) -> list[str]:
    if isinstance(step, CategoryStep):
        if step.members is None:
            return [f'"{step.piece}" is not a category']
        members = ", ".join(str(m) for m in step.members)
        return [f'"{step.piece}" is a category (checked before names): {members}']
    if isinstance(step, SplitStep):
        text = f"pieces to map: {', '.join(repr(p) for p in step.pieces)}"
        if step.duplicates:
            text += f" (dropped repeated {', '.join(repr(d) for d in step.duplicates)})"
        return [text]
    if isinstance(step, ParseStep):
        lines = [f'piece "{step.piece}":']
        if step.full is not None:
            lines.append(f"  parsed as resource.version.group: {_query_text(step.full)}")
        else:
            lines.append("  fewer than two dots: no resource.version.group form")
        gr = step.group_resource
        lines.append(
            f"  parsed as resource.group: {_query_text(GroupVersionResource(gr.group, '', gr.resource))}"
        )
        return lines
    if isinstance(step, ExpandStep):
        return ["  " + line for line in _render_expand(step.expansion)]
    if isinstance(step, KindLookupStep):
        head = f"  kind lookup for {_query_text(step.query)}"
        if step.error:
            tail = " (ignored, next form tried)" if step.swallowed else ""
            if step.retried:
                tail = " (the short-name expander retries a no-match once)"
            return [f"{head}: {step.error}{tail}"]
        cands = ", ".join(_gvk_text(c) for c in step.candidates)
        lines = [f"{head}: {len(step.candidates)} candidate(s): {cands}"]
        if step.winner is not None:
            lines.append(f"    winner {_gvk_text(step.winner)}: {step.reason}")
        return lines
    if isinstance(step, MappingStep):
        versions = ", ".join(f'"{v}"' for v in step.versions) or "none"
        head = f"  mapping for kind {step.group_kind} (versions {versions})"
        if step.error:
            tail = " (ignored, next form tried)" if step.swallowed else ""
            return [f"{head}: {step.error}{tail}"]
        lines = [f"{head}: {len(step.candidates)} candidate(s)"]
        if step.winner is not None:
            lines.append(f"    winner {_mapping_text(step.winner)}: {step.reason}")
        return lines
    if isinstance(step, DedupeStep):
        return [
            f'  "{step.piece}" gives {_gvk_text(step.gvk)} again: dropped (kubectl de-duplicates by kind)'
        ]
    return [step.text]


def render_steps(steps: tuple[Step, ...] | list[Step]) -> list[str]:
    """The steps as lines of words (no colour, no trailing spaces)."""
    lines: list[str] = []
    for step in steps:
        lines.extend(_render_step(step))
    return lines


def explain_argument(
    mapper: DiscoveryRESTMapper, argument: str, *, kind: bool = False
) -> list[str]:
    """Resolve ``argument`` and describe every step, including a failure, as lines."""
    from kmech.mapper.resolve import Recorder, resolve_argument, resolve_kind_argument

    recorder = Recorder()
    try:
        if kind:
            result = resolve_kind_argument(mapper, argument, recorder=recorder)
        else:
            result = resolve_argument(mapper, argument, recorder=recorder)
    except MapperError as exc:
        lines = render_steps(recorder.steps)
        lines.append(f"result: error: {exc}")
        hint = exc.hint if isinstance(exc, ResourceTypeNotFoundError) else ""
        if not hint:
            hint = did_you_mean(getattr(exc, "suggestions", ()))
        if hint:
            lines.append(f"  {hint}")
        return lines
    lines = render_steps(recorder.steps)
    for res in result.resolutions:
        lines.append(
            f'result: "{res.input}" → {_mapping_text(res.mapping)}, matched by {res.matched_by}'
        )
        for cand in res.candidates:
            lines.append(
                f"  candidate {_gvr_text(cand.resource)} ({cand.kind.kind}), "
                f"matched by {cand.matched_by}: lost, {cand.reason}"
            )
    for warning in result.warnings:
        lines.append(f"warning (kubectl prints it): {warning}")
    for note in result.notes:
        lines.append(f"warning (kmech only): {note}")
    return lines
