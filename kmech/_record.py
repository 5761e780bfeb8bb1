"""Value classes for modules on a command's start-up path, without importing :mod:`dataclasses`.

``import dataclasses`` imports inspect, ast, dis and tokenize: 12 ms on the reference machine,
a third of a warm ``kubectl get``, before a single class is defined. ``@record`` is the subset of
``@dataclass`` kmech uses, with the same contract for what it covers:

- fields are the class's annotated attributes in order (base records' fields first), each with
  no default, a default value, or ``field(default=..., default_factory=..., repr=...,
  compare=...)``; a ``ClassVar`` annotation is not a field;
- generated ``__init__`` (positional or keyword), ``__repr__`` (``Name(a=1, b='x')``, fields with
  ``repr=False`` left out), ``__eq__`` (same class, equal compared fields) and
  ``__match_args__``; a method the class body defines itself is never replaced;
- ``frozen=True``: assignment and deletion raise :class:`FrozenInstanceError` (an
  AttributeError), and ``__hash__`` hashes the compared fields; otherwise instances are
  unhashable, as with ``@dataclass(eq=True)``;
- ``slots=True``: the class is rebuilt with ``__slots__`` (no ``__dict__``), and frozen slotted
  instances still copy and pickle.

mypy reads ``@record`` as a dataclass through :pep:`681`. Use it in the modules that ``kmech
resolve``, ``kmech resources`` and completion import (tests/test_imports.py pins that list);
elsewhere plain ``dataclasses`` is fine. :func:`replace` is ``dataclasses.replace`` for records.
"""

from __future__ import annotations

from collections.abc import Callable
from operator import attrgetter
from typing import TYPE_CHECKING, Any, TypeVar

if TYPE_CHECKING:
    from typing import dataclass_transform
else:

    def dataclass_transform(**_kwargs: Any) -> Callable[[Any], Any]:
        return lambda function: function


__all__ = ["FrozenInstanceError", "field", "fields", "record", "replace"]

_T = TypeVar("_T")
_MISSING: Any = type("_Missing", (), {"__repr__": lambda self: "<missing>"})()


class FrozenInstanceError(AttributeError):
    """Assignment to a field of a frozen record."""


class Field:
    """One field of a record: its name, default or default factory, and whether it takes part in
    ``__repr__`` and in comparison (``__eq__``, ``__hash__``)."""

    __slots__ = ("name", "default", "default_factory", "repr", "compare")

    def __init__(
        self,
        default: Any = _MISSING,
        default_factory: Callable[[], Any] | None = None,
        repr: bool = True,  # noqa: A002 - dataclasses' spelling
        compare: bool = True,
    ) -> None:
        if default is not _MISSING and default_factory is not None:
            raise ValueError("cannot specify both default and default_factory")
        self.name = ""
        self.default = default
        self.default_factory = default_factory
        self.repr = repr
        self.compare = compare

    @property
    def has_default(self) -> bool:
        return self.default is not _MISSING or self.default_factory is not None


def field(
    *,
    default: Any = _MISSING,
    default_factory: Callable[[], Any] | None = None,
    repr: bool = True,  # noqa: A002 - dataclasses' spelling
    compare: bool = True,
) -> Any:
    """Declare a field with options, as ``dataclasses.field`` does."""
    return Field(default, default_factory, repr, compare)


def fields(obj: Any) -> tuple[Field, ...]:
    """The fields of a record class or instance, in ``__init__`` order."""
    found: tuple[Field, ...] | None = getattr(obj, "__record_fields__", None)
    if found is None:
        raise TypeError(f"{obj!r} is not a record")
    return found


def replace(obj: _T, /, **changes: Any) -> _T:
    """A copy of record ``obj`` with ``changes`` applied (``dataclasses.replace``)."""
    for f in fields(obj):
        changes.setdefault(f.name, getattr(obj, f.name))
    return type(obj)(**changes)


@dataclass_transform(field_specifiers=(field, Field))
def record(*, frozen: bool = False, slots: bool = False) -> Callable[[type[_T]], type[_T]]:
    """Class decorator: make ``cls`` a record (see the module docstring for the contract)."""

    def wrap(cls: type[_T]) -> type[_T]:
        return _process(cls, frozen=frozen, slots=slots)

    return wrap


def _own_fields(cls: type) -> list[Field]:
    own: list[Field] = []
    for name, annotation in cls.__dict__.get("__annotations__", {}).items():
        text = annotation if isinstance(annotation, str) else repr(annotation)
        if text.startswith(("ClassVar", "typing.ClassVar")):
            continue
        value = cls.__dict__.get(name, _MISSING)
        f = value if isinstance(value, Field) else Field(default=value)
        if isinstance(f.default, list | dict | set):
            raise ValueError(f"mutable default for field {name}: use default_factory")
        f.name = name
        own.append(f)
    return own


def _process(cls: type[_T], *, frozen: bool, slots: bool) -> type[_T]:
    inherited: dict[str, Field] = {}
    for base in reversed(cls.__mro__[1:]):
        for f in base.__dict__.get("__record_fields__", ()):
            inherited[f.name] = f
    own = _own_fields(cls)
    by_name = {**inherited, **{f.name: f for f in own}}
    all_fields = tuple(by_name.values())
    seen_default = False
    for f in all_fields:
        if f.has_default:
            seen_default = True
        elif seen_default:
            raise TypeError(f"non-default argument {f.name!r} follows default argument")

    if slots:
        body = dict(cls.__dict__)
        inherited_slots = {s for b in cls.__mro__[1:] for s in b.__dict__.get("__slots__", ())}
        body["__slots__"] = tuple(f.name for f in own if f.name not in inherited_slots)
        for f in own:
            body.pop(f.name, None)
        body.pop("__dict__", None)
        body.pop("__weakref__", None)
        metaclass: Any = type(cls)
        rebuilt = metaclass(cls.__name__, cls.__bases__, body)
        rebuilt.__qualname__ = cls.__qualname__
        cls = rebuilt
    else:
        for f in own:
            if f.default is _MISSING:
                if f.name in cls.__dict__:
                    delattr(cls, f.name)
            else:
                setattr(cls, f.name, f.default)

    methods = _methods(cls, all_fields, frozen=frozen, slotted=slots)
    hash_method = methods.pop("_hash")
    for name, method in methods.items():
        if name not in cls.__dict__:
            if callable(method):
                method.__qualname__ = f"{cls.__qualname__}.{name}"
            setattr(cls, name, method)
    if "__hash__" not in cls.__dict__ or cls.__dict__["__hash__"] is None:
        # dataclasses' rule for eq=True: frozen hashes its fields, mutable is unhashable; a
        # class body's own __hash__ is kept (`__eq__` in a body sets __hash__ = None: replaced).
        cls.__hash__ = hash_method if frozen else None  # type: ignore[assignment]
    type.__setattr__(cls, "__record_fields__", all_fields)
    return cls


def _methods(
    cls: type, all_fields: tuple[Field, ...], *, frozen: bool, slotted: bool
) -> dict[str, Any]:
    """The generated methods. Only ``__init__`` is compiled (``exec`` costs about 20 us a
    function, the bulk of a class's set-up); the rest are closures over the field names, with
    :func:`operator.attrgetter` reading the fields in C."""
    names = tuple(f.name for f in all_fields)
    compared = [f.name for f in all_fields if f.compare]
    shown = tuple(f.name for f in all_fields if f.repr)
    env: dict[str, Any] = {"_MISSING": _MISSING, "_set": object.__setattr__}
    params, lines = [], []
    for f in all_fields:
        value = f.name
        if f.default_factory is not None:
            env[f"_factory_{f.name}"] = f.default_factory
            params.append(f"{f.name}=_MISSING")
            value = f"_factory_{f.name}() if {f.name} is _MISSING else {f.name}"
        elif f.default is not _MISSING:
            env[f"_default_{f.name}"] = f.default
            params.append(f"{f.name}=_default_{f.name}")
        else:
            params.append(f.name)
        lines.append(
            f"  _set(self, {f.name!r}, {value})" if frozen else f"  self.{f.name} = {value}"
        )
    source = "\n".join([f"def __init__(self, {', '.join(params)}):", *(lines or ["  pass"])])
    exec(source, env)  # noqa: S102 - generated from field names only
    init = env["__init__"]
    init.__module__ = cls.__module__

    key: Callable[[Any], Any]  # a tuple of the compared fields
    if len(compared) > 1:
        key = attrgetter(*compared)
    else:
        get = attrgetter(compared[0]) if compared else None

        def one_or_none(obj: Any) -> tuple[Any, ...]:
            return (get(obj),) if get is not None else ()

        key = one_or_none

    def __repr__(self: Any) -> str:
        parts = ", ".join(f"{name}={getattr(self, name)!r}" for name in shown)
        return f"{self.__class__.__qualname__}({parts})"

    def __eq__(self: Any, other: object) -> bool:
        if other.__class__ is self.__class__:
            return bool(key(self) == key(other))
        return NotImplemented

    def _hash(self: Any) -> int:
        return hash(key(self))

    methods: dict[str, Any] = {
        "__init__": init,
        "__repr__": __repr__,
        "__eq__": __eq__,
        "_hash": _hash,
    }
    if frozen:

        def __setattr__(self: Any, name: str, value: Any) -> None:
            raise FrozenInstanceError(f"cannot assign to field {name!r}")

        def __delattr__(self: Any, name: str) -> None:
            raise FrozenInstanceError(f"cannot delete field {name!r}")

        methods["__setattr__"] = __setattr__
        methods["__delattr__"] = __delattr__
        if slotted:  # object's default pickling would assign through __setattr__
            values = attrgetter(*names) if len(names) > 1 else key

            def __getstate__(self: Any) -> Any:
                return values(self)

            def __setstate__(self: Any, state: Any) -> None:
                for name, value in zip(names, state, strict=True):
                    object.__setattr__(self, name, value)

            methods["__getstate__"] = __getstate__
            methods["__setstate__"] = __setstate__
    methods["__match_args__"] = names
    return methods
