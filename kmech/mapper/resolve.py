"""kubectl's handling of a ``kubectl get TYPE`` argument, with every decision recorded.

The pipeline (cli-runtime ``Builder``): expand categories piece by piece (``ReplaceAliases``),
split on commas dropping repeated strings, map every piece with ``mappingFor`` (first error
aborts), drop mappings whose GVK was already produced. ``mappingFor`` tries, in order:

1. the piece as ``resource.version.group`` (only with two or more dots) through KindFor,
2. the piece as ``resource.group`` through KindFor (short names expand in both; every
   KindFor error, ambiguity included, is ignored),
3. on a hit, RESTMapping of the kind at the found version (errors propagate);
4. otherwise the piece as ``Kind.version.group`` / ``Kind.group`` through RESTMapping (errors
   ignored), then ``Kind.group`` with version ``""``; a no-match there becomes
   ``the server doesn't have a resource type "X"`` where X is the text before the first dot.

Results are data (:class:`ResolveResult`): the mapping, discovery facts, how the name matched,
the other candidates in priority order with the reason each lost, kubectl's own warnings
(short-name collisions, exactly as kubectl prints them) and kmech's extra ``notes`` about
collisions kubectl resolves silently.

Upstream: cli-runtime ``pkg/resource/builder.go`` (``mappingFor``, ``ReplaceAliases``,
``SplitResourceArgument``, ``resourceMappings``).
"""

from __future__ import annotations

from collections.abc import Callable
from enum import StrEnum
from typing import TYPE_CHECKING, Any, TypeVar

from kmech._record import field, record
from kmech.mapper.errors import (
    AmbiguousKindError,
    AmbiguousResourceError,
    MapperError,
    NoKindMatchError,
    NoMatchError,
    ResourceTypeNotFoundError,
)
from kmech.mapper.explain import (
    CategoryStep,
    DedupeStep,
    ExpandStep,
    KindLookupStep,
    MappingStep,
    NoteStep,
    ParseStep,
    SplitStep,
    Step,
)
from kmech.mapper.interfaces import RESTMapping
from kmech.mapper.priority import Narrowing
from kmech.mapper.schema import (
    GroupKind,
    GroupResource,
    GroupVersion,
    GroupVersionKind,
    GroupVersionResource,
    parse_kind_arg,
    parse_resource_arg,
)
from kmech.mapper.shortcut import ExpansionRule

_C = TypeVar("_C")

if TYPE_CHECKING:
    from kmech.mapper.discovery_mapper import DiscoveryRESTMapper, ResourceInfo

__all__ = [
    "MatchedBy",
    "Candidate",
    "Resolution",
    "CategoryExpansion",
    "ResolveResult",
    "Recorder",
    "resolve_argument",
    "resolve_kind_argument",
    "mapping_for",
    "priority_reason",
]


class MatchedBy(StrEnum):
    """How a name matched a resource."""

    RESOURCE = "resource"
    SINGULAR = "singular"
    SHORT_NAME = "shortName"
    KIND = "kind"
    CATEGORY = "category"


@record(frozen=True, slots=True)
class Candidate:
    """Another resource the name matched, and why it lost to the winner."""

    resource: GroupVersionResource
    kind: GroupVersionKind
    matched_by: MatchedBy
    reason: str

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready form."""
        return {
            "group": self.resource.group,
            "version": self.resource.version,
            "resource": self.resource.resource,
            "kind": self.kind.kind,
            "matchedBy": str(self.matched_by),
            "reason": self.reason,
        }


@record(frozen=True, slots=True)
class Resolution:
    """One mapping produced for one comma-separated piece of the argument.

    ``info`` is None only for the synthetic ``List`` / ``<Kind>List`` entries the mapper
    invents (the server serves nothing there). ``category`` names the category the piece came
    from, if any. ``warnings`` are kubectl's (printed by kubectl as ``Warning: ...``), ``notes``
    are kmech's additions.
    """

    input: str
    mapping: RESTMapping
    info: ResourceInfo | None
    matched_by: MatchedBy
    candidates: tuple[Candidate, ...] = ()
    warnings: tuple[str, ...] = ()
    notes: tuple[str, ...] = ()
    category: str | None = None

    @property
    def group(self) -> str:
        """The resource's group (``""`` is core)."""
        return self.mapping.resource.group

    @property
    def version(self) -> str:
        """The resource's version."""
        return self.mapping.resource.version

    @property
    def resource(self) -> str:
        """The plural resource name."""
        return self.mapping.resource.resource

    @property
    def kind(self) -> str:
        """The kind, as the mapping reports it (echoes a lowercase kind query)."""
        return self.mapping.gvk.kind

    @property
    def namespaced(self) -> bool:
        """True for namespaced resources."""
        return self.mapping.namespaced

    def to_dict(self) -> dict[str, Any]:
        """The ``kmech resolve -o json`` object for this piece."""
        info = self.info
        data: dict[str, Any] = {
            "input": self.input,
            "group": self.group,
            "version": self.version,
            "resource": self.resource,
            "kind": self.kind,
            "namespaced": self.namespaced,
            "verbs": list(info.verbs) if info else [],
            "shortNames": list(info.short_names) if info else [],
            "categories": list(info.categories) if info else [],
            "matchedBy": str(self.matched_by),
            "candidates": [c.to_dict() for c in self.candidates],
            "warnings": [*self.warnings, *self.notes],
        }
        if self.category is not None:
            data["category"] = self.category
        return data


@record(frozen=True, slots=True)
class CategoryExpansion:
    """A category found in the argument and its members (discovery order, repeats kept)."""

    name: str
    members: tuple[GroupResource, ...]


@record(frozen=True, slots=True)
class ResolveResult:
    """Everything one argument resolved to, in kubectl's order, after GVK de-duplication."""

    input: str
    resolutions: tuple[Resolution, ...]
    categories: tuple[CategoryExpansion, ...] = ()
    warnings: tuple[str, ...] = ()
    notes: tuple[str, ...] = ()
    steps: tuple[Step, ...] = ()

    @property
    def mappings(self) -> list[RESTMapping]:
        """The RESTMappings, in order."""
        return [r.mapping for r in self.resolutions]

    def to_dict(self) -> dict[str, Any]:
        """One piece, no category: that piece's object with ``input`` set to the argument.
        Otherwise ``{"input", "matchedBy", "resources": [...], "warnings"}`` where matchedBy is
        ``category`` for a single category argument and ``list`` for a comma list."""
        if len(self.resolutions) == 1 and not self.categories and "," not in self.input:
            data = self.resolutions[0].to_dict()
            data["input"] = self.input
            return data
        single_category = len(self.categories) == 1 and self.categories[0].name == self.input
        data = {
            "input": self.input,
            "matchedBy": "category" if single_category else "list",
            "resources": [r.to_dict() for r in self.resolutions],
            "warnings": [*self.warnings, *self.notes],
        }
        if self.categories:
            data["categories"] = {
                c.name: [str(m) for m in dict.fromkeys(c.members)] for c in self.categories
            }
        return data


@record(slots=True)
class Recorder:
    """Collects steps, kubectl warnings and kmech notes while an argument is resolved."""

    steps: list[Step] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)

    def note(self, text: str) -> None:
        """Record a kmech note (once) and the matching step."""
        if text not in self.notes:
            self.notes.append(text)
        self.steps.append(NoteStep(f"  note: {text}"))


# -- priority reasons ------------------------------------------------------------------------


def _group_label(group: str) -> str:
    return group or "core"


def priority_reason(mapper: DiscoveryRESTMapper, winner: GroupVersion, loser: GroupVersion) -> str:
    """Why ``winner`` outranks ``loser``, in words (group, then version priority)."""
    if winner == loser:
        return "same group-version"
    if winner == GroupVersion("", "v1"):
        return "group priority: core v1 always comes first"
    if winner.group == loser.group:
        group = mapper.group(winner.group)
        label = _group_label(winner.group)
        if group is not None and group.preferred_version == winner.version:
            return f"version priority: {label} prefers {winner.version}"
        return (
            f"version priority: {winner.version} is listed before {loser.version} in {label} "
            "(listed order, not version value)"
        )
    return (
        f"group priority: {_group_label(winner.group)} is listed before "
        f"{_group_label(loser.group)} in discovery order"
    )


def _decision_reason(
    mapper: DiscoveryRESTMapper, narrowing: Narrowing[_C], gv_of: Callable[[_C], GroupVersion]
) -> str:
    """Why the winner of ``narrowing`` beat the runner-up, in words."""
    if narrowing.winner is None:
        return "ambiguous"
    if len(narrowing.candidates) == 1:
        return "the only candidate"
    runner_up = next(c for c in narrowing.ranked if c != narrowing.winner)
    return priority_reason(mapper, gv_of(narrowing.winner), gv_of(runner_up))


# -- mappingFor ------------------------------------------------------------------------------


@record(slots=True)
class _KindHit:
    gvk: GroupVersionKind
    query: GroupVersionResource
    rule: ExpansionRule
    candidates: tuple[GroupVersionKind, ...]
    shadowed: tuple[GroupResource, ...]


def _kind_for(
    mapper: DiscoveryRESTMapper, query: GroupVersionResource, rec: Recorder
) -> _KindHit | None:
    """ShortcutExpander.KindFor with kubectl's error swallowing; None when it failed."""
    for attempt in (1, 2):
        expansion = mapper.expander.expand(query)
        rec.steps.append(ExpandStep(expansion))
        rec.warnings.extend(expansion.warnings)
        expanded = expansion.result
        try:
            narrowing = mapper.priority.narrow_kinds(expanded)
        except NoMatchError as exc:
            # ShortcutExpander.KindFor retries a no-match once (new data after a reset).
            rec.steps.append(
                KindLookupStep(
                    expanded, (), None, "", str(exc), swallowed=attempt == 2, retried=attempt == 1
                )
            )
            if attempt == 1:
                continue
            return None
        except MapperError as exc:
            rec.steps.append(KindLookupStep(expanded, (), None, "", str(exc), swallowed=True))
            return None
        if narrowing.winner is None:
            err = AmbiguousResourceError(expanded, matching_kinds=narrowing.candidates)
            rec.steps.append(
                KindLookupStep(expanded, narrowing.candidates, None, "", str(err), swallowed=True)
            )
            return None
        reason = _decision_reason(mapper, narrowing, GroupVersionKind.group_version)
        rec.steps.append(KindLookupStep(expanded, narrowing.candidates, narrowing.winner, reason))
        return _KindHit(
            narrowing.winner, expanded, expansion.rule, narrowing.ranked, expansion.shadowed
        )
    return None  # pragma: no cover - the loop always returns


def _rest_mapping(
    mapper: DiscoveryRESTMapper,
    group_kind: GroupKind,
    versions: tuple[str, ...],
    rec: Recorder,
    *,
    purpose: str,
    swallow: bool,
) -> tuple[RESTMapping, tuple[RESTMapping, ...]]:
    """PriorityRESTMapper.RESTMapping, recorded; returns the winner and all ranked mappings."""
    try:
        narrowing = mapper.priority.narrow_mappings(group_kind, *versions)
    except MapperError as exc:
        rec.steps.append(
            MappingStep(purpose, group_kind, versions, (), None, "", str(exc), swallowed=swallow)
        )
        raise
    winner = narrowing.winner
    if winner is None and len(narrowing.remaining) == 1:
        winner = narrowing.remaining[0]
    if winner is None:
        err = AmbiguousKindError(
            GroupVersionKind(group_kind.group, "", group_kind.kind),
            matching_kinds=[m.gvk for m in narrowing.candidates],
        )
        rec.steps.append(
            MappingStep(
                purpose, group_kind, versions, narrowing.candidates, None, "", str(err), swallow
            )
        )
        raise err
    reason = _decision_reason(mapper, narrowing, lambda m: m.gvk.group_version())
    if versions and versions[0] and len(narrowing.candidates) > 1:
        reason = f'requested version "{versions[0]}" comes first'
    rec.steps.append(
        MappingStep(purpose, group_kind, versions, narrowing.candidates, winner, reason)
    )
    return winner, narrowing.ranked


def _name_match(query_name: str, gvr: GroupVersionResource) -> MatchedBy:
    return MatchedBy.RESOURCE if query_name.lower() == gvr.resource else MatchedBy.SINGULAR


def _resource_candidates(
    mapper: DiscoveryRESTMapper,
    hit: _KindHit,
    mapping: RESTMapping,
) -> list[Candidate]:
    winner_gv = mapping.gvk.group_version()
    out: list[Candidate] = []
    for gvk in hit.candidates:
        if gvk == hit.gvk:
            continue
        gvr = mapper.plural_for_kind(gvk)
        if gvr is None:
            continue
        # Other candidates matched the (expanded) name itself, not a short name.
        cand_match = _name_match(hit.query.resource, gvr)
        reason = priority_reason(mapper, winner_gv, gvk.group_version())
        out.append(Candidate(gvr, gvk, cand_match, reason))
    return out


def _short_name_candidates(
    mapper: DiscoveryRESTMapper, others: tuple[GroupResource, ...], reason: str
) -> list[Candidate]:
    out: list[Candidate] = []
    for gr in others:
        try:
            gvk = mapper.priority.kind_for(GroupVersionResource(gr.group, "", gr.resource))
        except MapperError:
            continue
        gvr = mapper.plural_for_kind(gvk)
        if gvr is not None:
            out.append(Candidate(gvr, gvk, MatchedBy.SHORT_NAME, reason))
    return out


def _shortcut_owners(
    mapper: DiscoveryRESTMapper, query: GroupVersionResource
) -> list[GroupResource]:
    owners: list[GroupResource] = []
    for item in mapper.expander.shortcuts:
        if query.group and query.group != item.short_form.group:
            continue
        if item.short_form.resource == query.resource and item.long_form not in owners:
            owners.append(item.long_form)
    return owners


def mapping_for(
    mapper: DiscoveryRESTMapper,
    piece: str,
    rec: Recorder | None = None,
    *,
    collision_notes: bool = True,
) -> Resolution:
    """kubectl's ``mappingFor`` for one piece, as a :class:`Resolution`.

    ``collision_notes=False`` leaves out kmech's note about other resources sharing the name
    (used for category members, which discovery itself named).

    Raises:
        ResourceTypeNotFoundError: neither a resource nor a kind matched.
        MapperError: an error kubectl lets through (e.g. an ambiguous final kind mapping).
    """
    rec = rec if rec is not None else Recorder()
    warnings_before = len(rec.warnings)
    notes_before = len(rec.notes)
    full, group_resource = parse_resource_arg(piece)
    rec.steps.append(ParseStep(piece, full, group_resource))

    hit: _KindHit | None = None
    if full is not None:
        hit = _kind_for(mapper, full, rec)
    if hit is None:
        hit = _kind_for(mapper, group_resource.with_version(""), rec)
    if hit is not None:
        mapping, _ = _rest_mapping(
            mapper,
            hit.gvk.group_kind(),
            (hit.gvk.version,),
            rec,
            purpose="resource",
            swallow=False,
        )
        if hit.rule in (ExpansionRule.SHORT_NAME, ExpansionRule.GROUP_PREFIX_SHORT_NAME):
            matched_by = MatchedBy.SHORT_NAME
        else:
            matched_by = _name_match(hit.query.resource, mapping.resource)
        candidates = _resource_candidates(mapper, hit, mapping)
        winner_gr = mapping.resource.group_resource()
        if hit.rule is ExpansionRule.SHORT_NAME:
            known = {c.resource for c in candidates}
            candidates += [
                c
                for c in _short_name_candidates(
                    mapper, hit.shadowed, "a short name listed later in discovery order"
                )
                if c.resource not in known
            ]
        elif hit.rule is ExpansionRule.REAL_NAME:
            owners = [o for o in _shortcut_owners(mapper, hit.query) if o != winner_gr]
            if owners:
                candidates += _short_name_candidates(
                    mapper, tuple(owners), "real resource names beat short names"
                )
                rec.note(
                    f'"{hit.query.resource}" is also a short name of '
                    f"{', '.join(str(o) for o in owners)}; kubectl uses the resource named "
                    f'"{hit.query.resource}" ({winner_gr}) because real names beat short names'
                )
        other_groups = list(
            dict.fromkeys(
                c.resource.group_resource()
                for c in candidates
                if c.matched_by is not MatchedBy.SHORT_NAME
                or hit.rule is not ExpansionRule.REAL_NAME
            )
        )
        other_groups = [gr for gr in other_groups if gr != winner_gr and gr not in hit.shadowed]
        if other_groups and hit.rule is not ExpansionRule.SHORT_NAME and collision_notes:
            first = next(c for c in candidates if c.resource.group_resource() == other_groups[0])
            rec.note(
                f'"{hit.query.resource}" also matches '
                f"{', '.join(str(g) for g in other_groups)}; kubectl silently uses "
                f"{winner_gr} ({first.reason})"
            )
        return Resolution(
            input=piece,
            mapping=mapping,
            info=mapper.resource_info(mapping.resource),
            matched_by=matched_by,
            candidates=tuple(candidates),
            warnings=tuple(rec.warnings[warnings_before:]),
            notes=tuple(rec.notes[notes_before:]),
        )

    full_kind, group_kind = parse_kind_arg(piece)
    if full_kind is None:
        full_kind = group_kind.with_version("")
    if not full_kind.empty():
        try:
            mapping, ranked = _rest_mapping(
                mapper,
                full_kind.group_kind(),
                (full_kind.version,),
                rec,
                purpose="kind",
                swallow=True,
            )
        except MapperError:
            pass
        else:
            return _kind_resolution(
                mapper, piece, mapping, ranked, rec, warnings_before, notes_before
            )
    try:
        mapping, ranked = _rest_mapping(
            mapper, group_kind, ("",), rec, purpose="kind", swallow=False
        )
    except NoMatchError as exc:
        note = ""
        if "/" in piece:
            note = (
                f'kubectl would read "{piece}" as TYPE/NAME ("{piece.partition("/")[0]}" named '
                f'"{piece.partition("/")[2]}"); subresources are not resource types.'
            )
        from kmech.mapper.suggest import suggest_names

        err = ResourceTypeNotFoundError(
            group_resource.resource,
            group=group_resource.group,
            argument=piece,
            suggestions=suggest_names(mapper, piece),
            note=note,
        )
        rec.steps.append(NoteStep(f"  not found: {err}"))
        raise err from exc
    return _kind_resolution(mapper, piece, mapping, ranked, rec, warnings_before, notes_before)


def _kind_resolution(
    mapper: DiscoveryRESTMapper,
    piece: str,
    mapping: RESTMapping,
    ranked: tuple[RESTMapping, ...],
    rec: Recorder,
    warnings_before: int,
    notes_before: int,
) -> Resolution:
    winner_gv = mapping.gvk.group_version()
    candidates = tuple(
        Candidate(
            m.resource,
            m.gvk,
            MatchedBy.KIND,
            priority_reason(mapper, winner_gv, m.gvk.group_version()),
        )
        for m in ranked
        if m != mapping
    )
    return Resolution(
        input=piece,
        mapping=mapping,
        info=mapper.resource_info(mapping.resource),
        matched_by=MatchedBy.KIND,
        candidates=candidates,
        warnings=tuple(rec.warnings[warnings_before:]),
        notes=tuple(rec.notes[notes_before:]),
    )


# -- the whole argument ----------------------------------------------------------------------


def _real_name_owners(mapper: DiscoveryRESTMapper, name: str) -> list[str]:
    owners: list[str] = []
    for info in mapper.all_resources():
        if name in (info.resource, info.singular) or name in info.short_names:
            text = str(info.group_resource)
            if text not in owners:
                owners.append(text)
    return owners


def resolve_argument(
    mapper: DiscoveryRESTMapper, argument: str, *, recorder: Recorder | None = None
) -> ResolveResult:
    """Resolve a ``kubectl get`` TYPE argument (see the module docstring for the order).

    Raises:
        ResourceTypeNotFoundError: a piece matched nothing (the first failing piece).
        MapperError: another error kubectl would report.
    """
    rec = recorder if recorder is not None else Recorder()
    expanded: list[tuple[str, str | None]] = []
    categories: list[CategoryExpansion] = []
    for piece in argument.split(","):
        members = mapper.expand_category(piece)
        rec.steps.append(CategoryStep(piece, members))
        if members is None:
            expanded.append((piece, None))
            continue
        categories.append(CategoryExpansion(piece, members))
        shadowed = _real_name_owners(mapper, piece)
        if shadowed:
            rec.note(
                f'"{piece}" is a category, so kubectl never reads it as the resource '
                f"{', '.join(shadowed)} (categories are checked first)"
            )
        for member in members:
            expanded.append((str(member), piece))

    pieces: list[tuple[str, str | None]] = []
    seen: set[str] = set()
    duplicates: list[str] = []
    for text, category in expanded:
        if text in seen:
            duplicates.append(text)
            continue
        seen.add(text)
        pieces.append((text, category))
    rec.steps.append(SplitStep(tuple(p for p, _ in pieces), tuple(duplicates)))

    resolutions: list[Resolution] = []
    seen_gvks: set[GroupVersionKind] = set()
    for text, category in pieces:
        resolution = mapping_for(mapper, text, rec, collision_notes=category is None)
        if resolution.mapping.gvk in seen_gvks:
            rec.steps.append(DedupeStep(text, resolution.mapping.gvk))
            continue
        seen_gvks.add(resolution.mapping.gvk)
        if category is not None:
            resolution = Resolution(
                input=resolution.input,
                mapping=resolution.mapping,
                info=resolution.info,
                matched_by=MatchedBy.CATEGORY,
                candidates=resolution.candidates,
                warnings=resolution.warnings,
                notes=resolution.notes,
                category=category,
            )
        resolutions.append(resolution)
    return ResolveResult(
        input=argument,
        resolutions=tuple(resolutions),
        categories=tuple(categories),
        warnings=tuple(rec.warnings),
        notes=tuple(rec.notes),
        steps=tuple(rec.steps),
    )


def resolve_kind_argument(
    mapper: DiscoveryRESTMapper, argument: str, *, recorder: Recorder | None = None
) -> ResolveResult:
    """Resolve ``Kind``, ``Kind.group`` or ``Kind.version.group`` to its mapping.

    Kinds match exactly (``Deployment``, or the all-lowercase ``deployment``). A kind without a
    group is looked up in the core group first, as kubectl does; if the core group has no
    such kind, kmech (unlike kubectl) also searches every other group by priority and adds a
    note saying so.

    Raises:
        NoKindMatchError: no group serves the kind (``suggestions`` filled).
    """
    rec = recorder if recorder is not None else Recorder()
    full, group_kind = parse_kind_arg(argument)
    versions: tuple[str, ...] = ()
    if full is not None:
        group_kind = full.group_kind()
        versions = (full.version,)
        rec.steps.append(
            NoteStep(
                f'kind "{argument}": parsed as Kind.version.group: kind "{full.kind}" in group '
                f'"{full.group}", version "{full.version}"'
            )
        )
    else:
        where = f'group "{group_kind.group}"' if group_kind.group else "the core group"
        rec.steps.append(
            NoteStep(
                f'kind "{argument}": parsed as Kind.group: kind "{group_kind.kind}" in {where}, '
                "preferred version"
            )
        )
    try:
        mapping, ranked = _rest_mapping(
            mapper, group_kind, versions, rec, purpose="kind", swallow=False
        )
    except NoMatchError as exc:
        if group_kind.group or versions:
            from kmech.mapper.suggest import suggest_names

            err = NoKindMatchError(group_kind, versions)
            err.suggestions = tuple(suggest_names(mapper, argument, kinds=True))
            raise err from exc
        found: list[RESTMapping] = []
        for name in dict.fromkeys(mapper.group_names()):
            if not name:
                continue
            try:
                found.append(mapper.priority.rest_mapping(GroupKind(name, group_kind.kind)))
            except MapperError:
                continue
        if not found:
            from kmech.mapper.suggest import suggest_names

            err = NoKindMatchError(group_kind, versions)
            err.suggestions = tuple(suggest_names(mapper, argument, kinds=True))
            raise err from exc
        found.sort(key=lambda m: mapper.group_version_rank(m.gvk.group_version()) or 0)
        mapping, ranked = found[0], tuple(found)
        rec.note(
            f'the core group has no kind "{argument}" and kubectl looks nowhere else for a kind '
            f"without a group; kmech found {mapping.gvk.group_kind()} (spell it that way for kubectl)"
        )
    resolution = _kind_resolution(mapper, argument, mapping, ranked, rec, 0, 0)
    return ResolveResult(
        input=argument,
        resolutions=(resolution,),
        warnings=tuple(rec.warnings),
        notes=tuple(rec.notes),
        steps=tuple(rec.steps),
    )
