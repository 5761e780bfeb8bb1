"""Build kubectl's mapper stack from discovery data, and the facade that answers every question.

The stack, outer to inner, is the one kubectl uses (minus the lazy/refreshing layer, which
belongs to the discovery package)::

    ShortcutExpander → PriorityRESTMapper → MultiRESTMapper → DefaultRESTMapper per group-version

:func:`new_discovery_rest_mapper` builds the priority stack exactly like client-go's
``NewDiscoveryRESTMapper``: one DefaultRESTMapper per group-version with data, in discovery
order; subresources left out; a missing singular name guessed from the kind; both ``Kind`` and
``kind`` registered; synthetic ``<Kind>List`` and ``List`` entries added; priority patterns
"core v1, then per group its preferred version and its other versions, then per group".

:class:`DiscoveryRESTMapper` is the convenient facade (build it with :func:`build_rest_mapper`).
It is immutable after construction and safe to share between threads; to pick up new discovery
data, build a new one.

Upstream: client-go ``restmapper/discovery.go`` (NewDiscoveryRESTMapper, GetAPIGroupResources),
cli-runtime ``pkg/genericclioptions/config_flags.go`` (toRESTMapper).
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import TYPE_CHECKING, Any

from kmech._record import record
from kmech.mapper.category import CategoryExpander
from kmech.mapper.default import DefaultRESTMapper
from kmech.mapper.discovery_data import (
    APIGroup,
    APIResource,
    APIResourceList,
    DiscoveryData,
    parse_discovery,
)
from kmech.mapper.interfaces import ANY_KIND, ANY_RESOURCE, ANY_VERSION, RESTMapping, RESTScopeName
from kmech.mapper.multi import MultiRESTMapper
from kmech.mapper.priority import PriorityRESTMapper
from kmech.mapper.schema import (
    GroupKind,
    GroupResource,
    GroupVersion,
    GroupVersionKind,
    GroupVersionResource,
)
from kmech.mapper.shortcut import ShortcutExpander

if TYPE_CHECKING:
    from kmech.mapper.interfaces import RESTMapper
    from kmech.mapper.resolve import ResolveResult

__all__ = [
    "ResourceInfo",
    "DiscoveryRESTMapper",
    "build_rest_mapper",
    "new_discovery_rest_mapper",
    "priority_patterns",
]


@record(frozen=True, slots=True)
class ResourceInfo:
    """One discovered resource (a top-level one; subresources are not listed).

    ``singular`` is the discovered singular name, or the one guessed from the kind when the
    server sent none (``singular_guessed``). ``preferred`` says whether ``version`` is the
    group's preferred version. ``rank`` is the position of the group-version in priority order
    (0 = core v1), useful for sorting.
    """

    group: str
    version: str
    resource: str
    singular: str
    kind: str
    namespaced: bool
    verbs: tuple[str, ...]
    short_names: tuple[str, ...]
    categories: tuple[str, ...]
    preferred: bool
    singular_guessed: bool
    rank: int

    @property
    def gvr(self) -> GroupVersionResource:
        """The plural resource."""
        return GroupVersionResource(self.group, self.version, self.resource)

    @property
    def gvk(self) -> GroupVersionKind:
        """The kind."""
        return GroupVersionKind(self.group, self.version, self.kind)

    @property
    def group_version(self) -> GroupVersion:
        """The group-version."""
        return GroupVersion(self.group, self.version)

    @property
    def group_resource(self) -> GroupResource:
        """The group-resource (``deployments.apps``)."""
        return GroupResource(self.group, self.resource)

    def to_dict(self) -> dict[str, Any]:
        """A JSON-ready dict with kubectl-style camelCase keys."""
        return {
            "group": self.group,
            "version": self.version,
            "resource": self.resource,
            "singular": self.singular,
            "kind": self.kind,
            "namespaced": self.namespaced,
            "verbs": list(self.verbs),
            "shortNames": list(self.short_names),
            "categories": list(self.categories),
            "preferredVersion": self.preferred,
        }


def priority_patterns(
    data: DiscoveryData,
) -> tuple[list[GroupVersionResource], list[GroupVersionKind]]:
    """The resource and kind priority patterns client-go derives from discovery order."""
    with_data = {rl.group_version for rl in data.resource_lists}
    gvs: list[GroupVersion] = [GroupVersion("", "v1")]
    for group in data.groups:
        preferred = group.preferred_version
        if preferred and GroupVersion(group.name, preferred) in with_data:
            gvs.append(GroupVersion(group.name, preferred))
        for version in group.versions:
            gv = GroupVersion(group.name, version)
            if gv in with_data and version != preferred:
                gvs.append(gv)
    resources = [GroupVersionResource(gv.group, gv.version, ANY_RESOURCE) for gv in gvs]
    kinds = [GroupVersionKind(gv.group, gv.version, ANY_KIND) for gv in gvs]
    for group in data.groups:
        resources.append(GroupVersionResource(group.name, ANY_VERSION, ANY_RESOURCE))
        kinds.append(GroupVersionKind(group.name, ANY_VERSION, ANY_KIND))
    return resources, kinds


def _build_default_mappers(data: DiscoveryData) -> list[DefaultRESTMapper]:
    mappers: list[DefaultRESTMapper] = []
    namespace, root = RESTScopeName.NAMESPACE, RESTScopeName.ROOT
    for rl in data.resource_lists:
        gv = rl.group_version
        g, v = gv.group, gv.version
        mapper = DefaultRESTMapper([gv])
        add_specific, add = mapper.add_specific_raw, mapper.add_raw
        for res in rl.resources:
            if "/" in res.name:
                continue
            scope = namespace if res.namespaced else root
            plural = (g, v, res.name)
            # Servers before ~1.27 (and k3s) send no singular name: guess it from the kind.
            singular = (g, v, res.singular_name or res.kind.lower())
            add_specific((g, v, res.kind.lower()), plural, singular, scope)
            add_specific((g, v, res.kind), plural, singular, scope)
            add(g, v, res.kind + "List", scope)
        add(g, v, "List", root)
        mappers.append(mapper)
    return mappers


def new_discovery_rest_mapper(data: DiscoveryData) -> PriorityRESTMapper:
    """The priority stack over one DefaultRESTMapper per discovered group-version."""
    resource_priority, kind_priority = priority_patterns(data)
    return PriorityRESTMapper(
        MultiRESTMapper(_build_default_mappers(data)),
        resource_priority=resource_priority,
        kind_priority=kind_priority,
    )


class DiscoveryRESTMapper:
    """kubectl's resource-name resolution over one discovery snapshot.

    The RESTMapper methods (``kind_for`` … ``rest_mappings``) go through the short-name
    expander, as kubectl's do; ``priority`` is the stack without the expander (what
    ``NewDiscoveryRESTMapper`` returns). Expander warnings are passed to ``warning_handler``
    when the RESTMapper methods are used; :meth:`resolve` returns them as data instead.

    >>> from kmech.mapper import build_rest_mapper
    >>> mapper = build_rest_mapper(
    ...     {"groups": [{"name": "", "versions": [{"groupVersion": "v1", "version": "v1"}],
    ...                  "preferredVersion": {"groupVersion": "v1", "version": "v1"}}]},
    ...     {"v1": {"groupVersion": "v1", "resources": [
    ...         {"name": "pods", "singularName": "pod", "namespaced": True, "kind": "Pod",
    ...          "verbs": ["get", "list"], "shortNames": ["po"], "categories": ["all"]}]}},
    ... )
    >>> str(mapper.kind_for(GroupVersionResource("", "", "po")))
    '/v1, Kind=Pod'
    >>> mapper.resolve("po").resolutions[0].resource
    'pods'
    """

    def __init__(
        self, data: DiscoveryData, *, warning_handler: Callable[[str], None] | None = None
    ) -> None:
        self.data = data
        self.priority = new_discovery_rest_mapper(data)
        self.expander = ShortcutExpander(
            self.priority, data.resource_lists, warning_handler=warning_handler
        )
        self.category_expander = CategoryExpander(data.resource_lists)
        self._groups: dict[str, APIGroup] = {}
        for group in data.groups:
            self._groups.setdefault(group.name, group)
        self._default_mappers: dict[GroupVersion, DefaultRESTMapper] = {}
        multi = self.priority.delegate
        assert isinstance(multi, MultiRESTMapper)
        for child in multi.mappers:
            assert isinstance(child, DefaultRESTMapper)
            self._default_mappers.setdefault(child.default_group_versions[0], child)
        self._gv_rank: dict[GroupVersion, int] = {}
        for index, pattern in enumerate(self.priority.kind_priority):
            if pattern.version != ANY_VERSION:
                self._gv_rank.setdefault(pattern.group_version(), index)
        self._lists_by_gv: dict[GroupVersion, APIResourceList] = {}
        for rl in data.resource_lists:
            self._lists_by_gv.setdefault(rl.group_version, rl)
        # Built on first use: most resolutions need the facts of one resource only, and
        # building 3,000 ResourceInfo objects up front would double the construction time.
        # Computing it twice from two threads is harmless (same value, one assignment wins).
        self._resources: tuple[ResourceInfo, ...] | None = None

    def _info(self, rl: APIResourceList, res: APIResource) -> ResourceInfo:
        gv = rl.group_version
        owner = self._groups.get(gv.group)
        return ResourceInfo(
            group=gv.group,
            version=gv.version,
            resource=res.name,
            singular=res.singular_name or res.kind.lower(),
            kind=res.kind,
            namespaced=res.namespaced,
            verbs=res.verbs,
            short_names=res.short_names,
            categories=res.categories,
            preferred=owner is not None and owner.preferred_version == gv.version,
            singular_guessed=not res.singular_name,
            rank=self._gv_rank.get(gv, len(self.priority.kind_priority)),
        )

    def __repr__(self) -> str:
        return (
            f"DiscoveryRESTMapper({len(self.data.groups)} groups, "
            f"{len(self.data.resource_lists)} group-versions, "
            f"{len(self.all_resources())} resources)"
        )

    # -- RESTMapper, through the short-name expander ---------------------------------------

    def kind_for(self, resource: GroupVersionResource) -> GroupVersionKind:
        """The kind ``resource`` (short names allowed) means, by priority."""
        return self.expander.kind_for(resource)

    def kinds_for(self, resource: GroupVersionResource) -> list[GroupVersionKind]:
        """Every kind ``resource`` may mean, in discovery order."""
        return self.expander.kinds_for(resource)

    def resource_for(self, resource: GroupVersionResource) -> GroupVersionResource:
        """The resource ``resource`` means, by priority (may be ambiguous within one GV)."""
        return self.expander.resource_for(resource)

    def resources_for(self, resource: GroupVersionResource) -> list[GroupVersionResource]:
        """Every resource ``resource`` may mean, in discovery order."""
        return self.expander.resources_for(resource)

    def rest_mapping(self, group_kind: GroupKind, *versions: str) -> RESTMapping:
        """The mapping for a kind; ``versions`` first, else the group's preferred order."""
        return self.expander.rest_mapping(group_kind, *versions)

    def rest_mappings(self, group_kind: GroupKind, *versions: str) -> list[RESTMapping]:
        """Every mapping for a kind, in discovery order."""
        return self.expander.rest_mappings(group_kind, *versions)

    # -- kubectl's argument pipeline ---------------------------------------------------------

    def resolve(self, argument: str) -> ResolveResult:
        """Resolve a ``kubectl get TYPE`` argument (categories, commas, short names, kinds).

        Raises:
            ResourceTypeNotFoundError: a piece matched nothing (kubectl's message, with
                ``suggestions``).
            MapperError: any other mapper error the last kubectl step lets through.
        """
        from kmech.mapper.resolve import resolve_argument

        return resolve_argument(self, argument)

    def resolve_kind(self, argument: str) -> ResolveResult:
        """Resolve a kind argument: ``Deployment``, ``Deployment.apps``, ``Deployment.v1.apps``.

        A kind without a group is looked up in the core group first (kubectl's rule) and then,
        unlike kubectl, in every group by priority; the result then carries a note.

        Raises:
            NoKindMatchError: no group serves the kind (with ``suggestions``).
        """
        from kmech.mapper.resolve import resolve_kind_argument

        return resolve_kind_argument(self, argument)

    def explain(self, argument: str, *, kind: bool = False) -> list[str]:
        """The decision trace of :meth:`resolve` (or :meth:`resolve_kind`) as lines of words.

        Never raises a mapper error: a failure is explained in the last lines.
        """
        from kmech.mapper.explain import explain_argument

        return explain_argument(self, argument, kind=kind)

    def suggest(self, name: str, *, limit: int = 3) -> list[str]:
        """The known names nearest to ``name`` (did-you-mean)."""
        from kmech.mapper.suggest import suggest_names

        return suggest_names(self, name, limit=limit)

    # -- discovery facts ---------------------------------------------------------------------

    def expand_category(self, category: str) -> tuple[GroupResource, ...] | None:
        """Members of ``category`` in discovery order (one per listing GV), or None."""
        return self.category_expander.expand(category)

    def categories(self) -> list[str]:
        """Every category name, in order of first appearance."""
        return self.category_expander.categories()

    def all_resources(self) -> list[ResourceInfo]:
        """Every top-level resource of every group-version, in discovery order."""
        if self._resources is None:
            self._resources = tuple(
                self._info(rl, res)
                for rl in self.data.resource_lists
                for res in rl.resources
                if not res.is_subresource
            )
        return list(self._resources)

    def resource_info(self, resource: GroupVersionResource) -> ResourceInfo | None:
        """Discovery facts for a fully specified plural resource (None for synthetic lists)."""
        rl = self._lists_by_gv.get(resource.group_version())
        if rl is None:
            return None
        for res in rl.resources:
            if res.name == resource.resource:
                return self._info(rl, res)
        return None

    def group(self, name: str) -> APIGroup | None:
        """The discovered group called ``name`` (``""`` is core)."""
        return self._groups.get(name)

    def group_names(self) -> list[str]:
        """Group names in discovery order."""
        return [g.name for g in self.data.groups]

    def group_version_rank(self, gv: GroupVersion) -> int | None:
        """Position of ``gv`` in priority order (0 = core v1), None if it has no data."""
        return self._gv_rank.get(gv)

    def default_mapper(self, gv: GroupVersion) -> DefaultRESTMapper | None:
        """The DefaultRESTMapper of one group-version (its first one, if listed twice)."""
        return self._default_mappers.get(gv)

    def plural_for_kind(self, gvk: GroupVersionKind) -> GroupVersionResource | None:
        """The plural resource registered for ``gvk`` in its group-version, if any."""
        mapper = self._default_mappers.get(gvk.group_version())
        return mapper.plural_for_kind(gvk) if mapper is not None else None

    def scope_for_kind(self, gvk: GroupVersionKind) -> RESTScopeName | None:
        """The scope registered for ``gvk`` in its group-version, if any."""
        mapper = self._default_mappers.get(gvk.group_version())
        return mapper.scope_for_kind(gvk) if mapper is not None else None


def build_rest_mapper(
    group_list: Any,
    resource_lists: Mapping[str, Any],
    *,
    warning_handler: Callable[[str], None] | None = None,
) -> DiscoveryRESTMapper:
    """Build the facade from legacy discovery JSON (kubectl disk-cache shape).

    ``group_list`` is an APIGroupList dict with groups in server order, the core group
    (``name: ""``) first; ``resource_lists`` maps ``"v1"`` / ``"apps/v1"`` to APIResourceList
    dicts. Missing group-versions are skipped.

    Raises:
        DiscoveryError: malformed input, naming the part.
    """
    return DiscoveryRESTMapper(
        parse_discovery(group_list, resource_lists), warning_handler=warning_handler
    )


if TYPE_CHECKING:
    _check: RESTMapper = DiscoveryRESTMapper(DiscoveryData((), ()))
