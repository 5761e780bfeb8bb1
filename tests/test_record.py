"""kmech._record behaves as dataclasses does for what kmech uses, side by side with the real one."""

from __future__ import annotations

import copy
import dataclasses
import pickle
import subprocess
import sys
from typing import ClassVar, Generic, TypeVar

import pytest

from kmech._record import FrozenInstanceError, field, fields, record, replace

_T = TypeVar("_T")


@record(frozen=True, slots=True)
class Point:
    x: int
    y: int = 0
    LIMIT: ClassVar[int] = 10

    def __str__(self) -> str:
        return f"{self.x},{self.y}"


@dataclasses.dataclass(frozen=True, slots=True)
class RealPoint:
    x: int
    y: int = 0


@record(slots=True)
class Bag:
    name: str
    items: list[str] = field(default_factory=list)
    token: str | None = field(default=None, repr=False, compare=False)


@record(frozen=True, slots=True)
class Box(Generic[_T]):
    value: _T


@record(frozen=True)
class Plain:
    a: int
    b: str = "b"


@record(frozen=True, slots=True)
class Point3(Point):
    z: int = 0


def test_frozen_slotted_record_matches_dataclass() -> None:
    p, real = Point(1, 2), RealPoint(1, 2)
    assert repr(p) == repr(real).replace("RealPoint", "Point") == "Point(x=1, y=2)"
    assert str(p) == "1,2"  # the class body's own method is kept
    assert p == Point(x=1, y=2) and p != Point(1) and p != (1, 2)
    assert hash(p) == hash(Point(1, 2)) == hash((1, 2))
    assert Point.__match_args__ == RealPoint.__match_args__ == ("x", "y")
    assert Point.LIMIT == 10 and [f.name for f in fields(p)] == ["x", "y"]
    assert not hasattr(p, "__dict__") and Point.__slots__ == ("x", "y")
    with pytest.raises(FrozenInstanceError, match="cannot assign to field 'x'"):
        p.x = 3  # type: ignore[misc]
    with pytest.raises(AttributeError):
        del p.y  # type: ignore[misc]
    assert pickle.loads(pickle.dumps(p)) == p
    assert copy.deepcopy(p) == p and copy.copy(p) == p
    assert replace(p, y=5) == Point(1, 5)
    match p:
        case Point(x, y):
            assert (x, y) == (1, 2)


def test_mutable_record_defaults_factories_and_hidden_fields() -> None:
    a, b = Bag("a"), Bag("a")
    a.items.append("x")
    assert b.items == [] and a.items == ["x"]  # one list per instance
    assert repr(Bag("n", ["i"], token="secret")) == "Bag(name='n', items=['i'])"
    assert Bag("n", token="one") == Bag("n", token="two")  # compare=False
    with pytest.raises(TypeError, match="unhashable"):
        hash(a)
    a.name = "renamed"
    assert a.name == "renamed"


def test_generic_plain_and_inherited_records() -> None:
    assert Box(3) == Box[int](3) and repr(Box("v")) == "Box(value='v')"
    plain = Plain(1)
    assert plain.b == "b" and Plain.b == "b" and hasattr(plain, "__dict__")
    assert Point3(1, 2, 3) == Point3(1, 2, 3) != Point(1, 2)
    assert repr(Point3(1, z=4)) == "Point3(x=1, y=0, z=4)"
    assert Point3.__match_args__ == ("x", "y", "z")


def test_declaration_errors_as_in_dataclasses() -> None:
    with pytest.raises(TypeError, match="non-default argument 'b' follows default argument"):

        @record()
        class Bad:
            a: int = 1
            b: int

    with pytest.raises(ValueError, match="mutable default"):

        @record()
        class Shared:
            a: list[int] = []  # noqa: RUF012


def test_record_does_not_import_dataclasses() -> None:
    code = (
        "import sys, kmech._record; print('dataclasses' in sys.modules, 'inspect' in sys.modules)"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.split() == ["False", "False"]
