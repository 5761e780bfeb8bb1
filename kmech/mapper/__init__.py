"""kmech.mapper: client-go's RESTMapper and kubectl's type-argument resolution, as a library.

Pure core: built from discovery data (plain JSON dicts, the shape kubectl's disk cache stores),
no network, no terminal, nothing heavy imported. Everything is immutable after construction and
safe to share between threads; to pick up new discovery data, build a new mapper.

Build one from a folder (a kmech fixture folder or a kubectl cache folder such as
``~/.kube/cache/discovery/<host>``) or from the documents themselves::

    >>> from kmech.mapper import load_rest_mapper, bundled_snapshot_dir
    >>> mapper = load_rest_mapper(bundled_snapshot_dir())      # k3s 1.34, shipped with kmech
    >>> # or: build_rest_mapper(group_list, resource_lists)    # APIGroupList + {"apps/v1": {...}}

Resolve a ``kubectl get TYPE`` argument exactly as kubectl does (categories, commas, short
names, ``resource.version.group``, kind forms), with the reasons as data::

    >>> result = mapper.resolve("hpa.v1.autoscaling")
    >>> res = result.resolutions[0]
    >>> (res.group, res.version, res.resource, res.kind, str(res.matched_by))
    ('autoscaling', 'v2', 'horizontalpodautoscalers', 'HorizontalPodAutoscaler', 'shortName')
    >>> [c.reason for c in res.candidates]
    ['version priority: autoscaling prefers v2']
    >>> mapper.resolve("ev").warnings        # what kubectl prints as "Warning: ..."
    ('short name "ev" could also match lower priority resource events.events.k8s.io',)
    >>> [r.resource for r in mapper.resolve("all").resolutions][:3]
    ['pods', 'replicationcontrollers', 'services']
    >>> mapper.resolve_kind("Deployment.v1.apps").resolutions[0].resource
    'deployments'

Unknown names raise kubectl's error, with the nearest names attached::

    >>> from kmech.mapper import ResourceTypeNotFoundError
    >>> try:
    ...     mapper.resolve("deploymnets")
    ... except ResourceTypeNotFoundError as err:
    ...     print(err, "/", err.hint)
    the server doesn't have a resource type "deploymnets" / did you mean "deployments" or "deployment"?

The client-go RESTMapper methods are there too (through the short-name expander, as kubectl's
are; ``mapper.priority`` is the stack without it)::

    >>> from kmech.mapper import GroupKind, GroupVersionResource
    >>> str(mapper.kind_for(GroupVersionResource("", "", "deploy")))
    'apps/v1, Kind=Deployment'
    >>> mapper.rest_mapping(GroupKind("autoscaling", "HorizontalPodAutoscaler"), "v1").resource
    GroupVersionResource(group='autoscaling', version='v1', resource='horizontalpodautoscalers')

``mapper.explain(arg)`` renders the decision trace as lines of words, ``mapper.all_resources()``
lists every resource with its facts (for ``kmech resources`` and completion), and
``mapper.expand_category(name)`` returns a category's members. Errors all derive from
``kmech.errors.MapperError`` (exit code 3); ``is_no_match(err)`` tells a caching discovery layer
that re-discovering and retrying once may help (client-go's DeferredDiscoveryRESTMapper rule).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from kmech._lazy import attach

if TYPE_CHECKING:
    from kmech.mapper.category import CategoryExpander
    from kmech.mapper.default import DefaultRESTMapper, unsafe_guess_kind_to_resource
    from kmech.mapper.discovery_data import (
        APIGroup,
        APIResource,
        APIResourceList,
        DiscoveryData,
        parse_discovery,
    )
    from kmech.mapper.discovery_mapper import (
        DiscoveryRESTMapper,
        ResourceInfo,
        build_rest_mapper,
        new_discovery_rest_mapper,
    )
    from kmech.mapper.errors import (
        AmbiguousError,
        AmbiguousKindError,
        AmbiguousResourceError,
        MapperError,
        NoKindMatchError,
        NoMatchError,
        NoResourceMatchError,
        ResourceRequiredError,
        ResourceTypeNotFoundError,
        did_you_mean,
        is_ambiguous,
        is_no_match,
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
        render_steps,
    )
    from kmech.mapper.interfaces import RESTMapper, RESTMapping, RESTScopeName
    from kmech.mapper.load import bundled_snapshot_dir, load_discovery_dir, load_rest_mapper
    from kmech.mapper.multi import MultiRESTMapper
    from kmech.mapper.priority import PriorityRESTMapper
    from kmech.mapper.resolve import (
        Candidate,
        CategoryExpansion,
        MatchedBy,
        Resolution,
        ResolveResult,
    )
    from kmech.mapper.schema import (
        GroupKind,
        GroupResource,
        GroupVersion,
        GroupVersionKind,
        GroupVersionResource,
        parse_group_kind,
        parse_group_resource,
        parse_group_version,
        parse_kind_arg,
        parse_resource_arg,
    )
    from kmech.mapper.shortcut import Expansion, ExpansionRule, ShortcutExpander
    from kmech.mapper.suggest import suggest_names

# Public name -> the submodule defining it; imported on first use (kmech._lazy), so that
# `import kmech.mapper.resolve` does not pay for explain, suggest or load.
_EXPORTS = {
    "CategoryExpander": "category",
    "DefaultRESTMapper": "default",
    "unsafe_guess_kind_to_resource": "default",
    "APIGroup": "discovery_data",
    "APIResource": "discovery_data",
    "APIResourceList": "discovery_data",
    "DiscoveryData": "discovery_data",
    "parse_discovery": "discovery_data",
    "DiscoveryRESTMapper": "discovery_mapper",
    "ResourceInfo": "discovery_mapper",
    "build_rest_mapper": "discovery_mapper",
    "new_discovery_rest_mapper": "discovery_mapper",
    "AmbiguousError": "errors",
    "AmbiguousKindError": "errors",
    "AmbiguousResourceError": "errors",
    "MapperError": "errors",
    "NoKindMatchError": "errors",
    "NoMatchError": "errors",
    "NoResourceMatchError": "errors",
    "ResourceRequiredError": "errors",
    "ResourceTypeNotFoundError": "errors",
    "did_you_mean": "errors",
    "is_ambiguous": "errors",
    "is_no_match": "errors",
    "CategoryStep": "explain",
    "DedupeStep": "explain",
    "ExpandStep": "explain",
    "KindLookupStep": "explain",
    "MappingStep": "explain",
    "NoteStep": "explain",
    "ParseStep": "explain",
    "SplitStep": "explain",
    "Step": "explain",
    "render_steps": "explain",
    "RESTMapper": "interfaces",
    "RESTMapping": "interfaces",
    "RESTScopeName": "interfaces",
    "bundled_snapshot_dir": "load",
    "load_discovery_dir": "load",
    "load_rest_mapper": "load",
    "MultiRESTMapper": "multi",
    "PriorityRESTMapper": "priority",
    "Candidate": "resolve",
    "CategoryExpansion": "resolve",
    "MatchedBy": "resolve",
    "Resolution": "resolve",
    "ResolveResult": "resolve",
    "GroupKind": "schema",
    "GroupResource": "schema",
    "GroupVersion": "schema",
    "GroupVersionKind": "schema",
    "GroupVersionResource": "schema",
    "parse_group_kind": "schema",
    "parse_group_resource": "schema",
    "parse_group_version": "schema",
    "parse_kind_arg": "schema",
    "parse_resource_arg": "schema",
    "Expansion": "shortcut",
    "ExpansionRule": "shortcut",
    "ShortcutExpander": "shortcut",
    "suggest_names": "suggest",
}

__all__ = [
    "APIGroup",
    "APIResource",
    "APIResourceList",
    "AmbiguousError",
    "AmbiguousKindError",
    "AmbiguousResourceError",
    "Candidate",
    "CategoryExpander",
    "CategoryExpansion",
    "CategoryStep",
    "DedupeStep",
    "ExpandStep",
    "Expansion",
    "ExpansionRule",
    "KindLookupStep",
    "MappingStep",
    "MatchedBy",
    "NoteStep",
    "ParseStep",
    "Resolution",
    "ResolveResult",
    "SplitStep",
    "Step",
    "did_you_mean",
    "render_steps",
    "suggest_names",
    "DefaultRESTMapper",
    "DiscoveryData",
    "DiscoveryRESTMapper",
    "GroupKind",
    "GroupResource",
    "GroupVersion",
    "GroupVersionKind",
    "GroupVersionResource",
    "MapperError",
    "MultiRESTMapper",
    "NoKindMatchError",
    "NoMatchError",
    "NoResourceMatchError",
    "PriorityRESTMapper",
    "RESTMapper",
    "RESTMapping",
    "RESTScopeName",
    "ResourceInfo",
    "ResourceRequiredError",
    "ResourceTypeNotFoundError",
    "ShortcutExpander",
    "build_rest_mapper",
    "bundled_snapshot_dir",
    "is_ambiguous",
    "is_no_match",
    "load_discovery_dir",
    "load_rest_mapper",
    "new_discovery_rest_mapper",
    "parse_discovery",
    "parse_group_kind",
    "parse_group_resource",
    "parse_group_version",
    "parse_kind_arg",
    "parse_resource_arg",
    "unsafe_guess_kind_to_resource",
]

__getattr__, __dir__ = attach(__name__, globals(), _EXPORTS)
