"""Joint-punishment rules as data: measures, list types and propagation rules.

A rules file (YAML) says which measures a listing triggers on the listed entity and which
relationships carry measures on to other entities. Nothing propagates unless a rule says
so, and every rule has a hop limit no greater than :data:`MAX_HOPS`: a file that would
propagate without limit is refused. Files are validated on load; every problem is reported
with the file and the key (``list_types[judgment_defaulter].propagation[0].max_hops``).
"""

from __future__ import annotations

from collections.abc import Mapping
from enum import StrEnum
from functools import cache
from pathlib import Path
from typing import Annotated, Any, Literal

import yaml
from pydantic import BaseModel, ConfigDict, Field, ValidationError

from graph.errors import RuleError
from graph.schema import REL_BY_TYPE

__all__ = [
    "DEFAULT_RULES_PATH",
    "MAX_HOPS",
    "Condition",
    "EdgeTime",
    "ListType",
    "Measure",
    "PropagationRule",
    "Reach",
    "Role",
    "RuleSet",
    "Step",
    "SubjectKind",
    "default_rules",
    "load_rules",
    "parse_rules",
]

#: No rule may follow more relationships than this from the listed entity.
MAX_HOPS = 4

DEFAULT_RULES_PATH = Path(__file__).resolve().parent / "default_rules.yaml"


class SubjectKind(StrEnum):
    """What a measure can bind: a business, a natural person or an online store."""

    BUSINESS = "business"
    PERSON = "person"
    STORE = "store"

    @property
    def label(self) -> str:
        """The graph label of entities of this kind."""
        return {"business": "Business", "person": "Person", "store": "Store"}[self.value]

    @classmethod
    def of_label(cls, label: str) -> SubjectKind | None:
        """The kind of a graph label, None for labels no measure can bind."""
        return {"Business": cls.BUSINESS, "Person": cls.PERSON, "Store": cls.STORE}.get(label)


class EdgeTime(StrEnum):
    """Which edges along a path count, in time.

    ``in_force``: every edge must be in force; the restriction holds only while they all
    are (valid time is the intersection). ``at_decision``: every edge must have been in
    force on the listing's decision date (the legal representative *when listed*), and the
    restriction then lasts as long as the listing. ``any``: edge dates are ignored.
    """

    IN_FORCE = "in_force"
    AT_DECISION = "at_decision"
    ANY = "any"


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class Measure(_Strict):
    """A punitive or supervisory measure, with its legal basis and who carries it out."""

    id: str = Field(pattern=r"^[a-z][a-z0-9_]*$")
    name_zh: str = Field(min_length=1)
    name_en: str = Field(min_length=1)
    legal_basis: tuple[str, ...] = Field(min_length=1)
    implementing_body: str = Field(min_length=1)
    binds: tuple[SubjectKind, ...] = Field(min_length=1)


class Role(_Strict):
    """A role an entity holds towards a listed one, read from one relationship type."""

    name_zh: str = Field(min_length=1)
    name_en: str = Field(min_length=1)
    rel_type: str
    #: ``in``: the role holder is the relationship's source (a person -> the business);
    #: ``out``: it is the target (the business -> its store).
    direction: Literal["in", "out"]


class Condition(_Strict):
    """A test on an edge property; an edge without the property fails (except ``!=``)."""

    prop: str = Field(min_length=1)
    op: Literal[">=", ">", "<=", "<", "==", "!="]
    value: float | bool | str

    def holds(self, value: Any) -> bool:
        """Whether an edge whose property is ``value`` passes."""
        if value is None or (isinstance(value, float) and value != value):
            return self.op == "!="
        ops = {
            ">=": lambda a, b: a >= b,
            ">": lambda a, b: a > b,
            "<=": lambda a, b: a <= b,
            "<": lambda a, b: a < b,
            "==": lambda a, b: a == b,
            "!=": lambda a, b: a != b,
        }
        try:
            return bool(ops[self.op](value, self.value))
        except TypeError:
            return False


class Step(_Strict):
    """One kind of relationship a rule may follow: by role, or by type and direction."""

    role: str | None = None
    rel_type: str | None = None
    direction: Literal["in", "out"] | None = None
    where: tuple[Condition, ...] = ()


class PropagationRule(_Strict):
    """How measures travel from a listed entity to others, and which measures do."""

    id: str = Field(pattern=r"^[a-z][a-z0-9_.]*$")
    description_zh: str = ""
    description_en: str = ""
    follow: tuple[Step, ...] = Field(min_length=1)
    #: Relationships followed from the listed entity; required: nothing propagates unbounded.
    max_hops: Annotated[int, Field(ge=1)]
    min_hops: Annotated[int, Field(ge=1)] = 1
    edge_time: EdgeTime = EdgeTime.IN_FORCE
    targets: tuple[SubjectKind, ...] = Field(min_length=1)
    measures: tuple[str, ...] = Field(min_length=1)
    legal_basis: tuple[str, ...] = Field(min_length=1)


class Reach(_Strict):
    """How far one list type's measures may reach before a person must look (过罚相当).

    ``other_stores``: whether a violation found at particular stores reaches the other
    stores of their operator. False: a confirmation that names stores (a brushing ring's
    boosted stores) lists those stores, not their operator, and a rule whose path runs from
    a listed store through its operator to stores (``store_operator`` then
    ``operated_store``) is not applied to a listed store.
    ``approval_above``: subjects one action may restrict before a second officer must
    approve it (the stricter of this and ``Settings.approval_above`` applies).
    ``legal_basis``: why the limits are what they are; shown with every preview.
    """

    other_stores: bool = True
    approval_above: Annotated[int, Field(ge=1)] | None = None
    legal_basis: tuple[str, ...] = ()


class ListType(_Strict):
    """A credit list, the measures it puts on the listed entity and its propagation rules."""

    id: str = Field(pattern=r"^[a-z][a-z0-9_]*$")
    name_zh: str = Field(min_length=1)
    name_en: str = Field(min_length=1)
    legal_basis: tuple[str, ...] = Field(min_length=1)
    subjects: tuple[SubjectKind, ...] = Field(min_length=1)
    measures: tuple[str, ...] = ()
    propagation: tuple[PropagationRule, ...] = ()
    #: Limits on reach (absent: every rule applies, the settings' approval threshold).
    reach: Reach = Field(default_factory=Reach)


class RuleSet(_Strict):
    """A validated rules file."""

    version: str = Field(min_length=1)
    description: str = ""
    #: The legal texts the file cites (YAML anchors make the citations below consistent).
    legal_bases: tuple[str, ...] = ()
    roles: Mapping[str, Role] = Field(default_factory=dict)
    measures: tuple[Measure, ...] = Field(min_length=1)
    list_types: tuple[ListType, ...] = Field(min_length=1)

    # -- lookups -------------------------------------------------------------------------
    @property
    def measure_by_id(self) -> dict[str, Measure]:
        """Measures by id."""
        return {m.id: m for m in self.measures}

    @property
    def list_type_by_id(self) -> dict[str, ListType]:
        """List types by id."""
        return {lt.id: lt for lt in self.list_types}

    @property
    def rule_by_id(self) -> dict[str, PropagationRule]:
        """Propagation rules by id, over every list type."""
        return {r.id: r for lt in self.list_types for r in lt.propagation}

    def resolve(self, step: Step) -> tuple[str, str]:
        """The relationship type and direction a (validated) step follows."""
        if step.role is not None:
            role = self.roles[step.role]
            return role.rel_type, role.direction
        assert step.rel_type is not None
        assert step.direction is not None
        return step.rel_type, step.direction

    def role_of(self, rel_type: str, direction: str) -> Role | None:
        """The role named for following ``rel_type`` in ``direction``, if any."""
        for role in self.roles.values():
            if role.rel_type == rel_type and role.direction == direction:
                return role
        return None

    def reaches_other_stores(self, rule: PropagationRule) -> bool:
        """Whether ``rule`` runs from a listed store through its operator to stores."""
        if SubjectKind.STORE not in rule.targets or len(rule.follow) < 2:
            return False
        first = self.resolve(rule.follow[0])
        later = {self.resolve(step) for step in rule.follow[1:]}
        return first == ("OPERATES", "in") and ("OPERATES", "out") in later

    def applies(self, list_type: ListType, rule: PropagationRule, kind: SubjectKind | None) -> bool:
        """Whether ``rule`` propagates from a listed subject of ``kind`` (the reach limits)."""
        return not (
            kind is SubjectKind.STORE
            and not list_type.reach.other_stores
            and self.reaches_other_stores(rule)
        )

    def max_hops_of(self, list_type: str) -> int:
        """The longest reach of any rule of one list type (0 when it has none)."""
        lt = self.list_type_by_id.get(list_type)
        return max((r.max_hops for r in lt.propagation), default=0) if lt else 0

    @property
    def rel_types(self) -> tuple[str, ...]:
        """Every relationship type some rule follows, sorted."""
        return tuple(
            sorted(
                {
                    self.resolve(step)[0]
                    for lt in self.list_types
                    for rule in lt.propagation
                    for step in rule.follow
                }
            )
        )

    def edge_props(self) -> tuple[str, ...]:
        """Edge properties the rules read (dates always, plus those named in conditions)."""
        names = {"since", "until"}
        for lt in self.list_types:
            for rule in lt.propagation:
                for step in rule.follow:
                    names.update(c.prop for c in step.where)
        return tuple(sorted(names))


# -- loading -------------------------------------------------------------------------------
def _key(loc: tuple[int | str, ...], data: Any) -> str:
    """A pydantic error location as a readable key, naming list items by their id."""
    parts: list[str] = []
    node = data
    for item in loc:
        if isinstance(item, int):
            child = node[item] if isinstance(node, list) and item < len(node) else None
            ident = child.get("id") if isinstance(child, dict) else None
            parts.append(f"[{ident}]" if ident else f"[{item}]")
            node = child
        else:
            parts.append(f".{item}" if parts else str(item))
            node = node.get(item) if isinstance(node, dict) else None
    return "".join(parts) or "(top level)"


def _cross_check(rules: RuleSet) -> list[str]:
    """Problems a field-by-field check cannot see, each as ``key: message``."""
    problems: list[str] = []
    measures = rules.measure_by_id
    seen_measures: set[str] = set()
    for m in rules.measures:
        if m.id in seen_measures:
            problems.append(f"measures[{m.id}].id: duplicate measure id")
        seen_measures.add(m.id)
    for name, role in rules.roles.items():
        if role.rel_type not in REL_BY_TYPE:
            problems.append(f"roles.{name}.rel_type: unknown relationship type {role.rel_type!r}")
    seen_lists: set[str] = set()
    seen_rules: set[str] = set()
    for lt in rules.list_types:
        where = f"list_types[{lt.id}]"
        if lt.id in seen_lists:
            problems.append(f"{where}.id: duplicate list type id")
        seen_lists.add(lt.id)
        if (
            lt.reach.approval_above is not None or not lt.reach.other_stores
        ) and not lt.reach.legal_basis:
            problems.append(f"{where}.reach.legal_basis: a reach limit must cite its legal basis")
        for measure_id in lt.measures:
            measure = measures.get(measure_id)
            if measure is None:
                problems.append(f"{where}.measures: unknown measure {measure_id!r}")
            elif not set(measure.binds) & set(lt.subjects):
                problems.append(
                    f"{where}.measures: {measure_id!r} binds {[b.value for b in measure.binds]},"
                    f" none of the list's subjects {[s.value for s in lt.subjects]}"
                )
        for rule in lt.propagation:
            at = f"{where}.propagation[{rule.id}]"
            if rule.id in seen_rules:
                problems.append(f"{at}.id: duplicate rule id")
            seen_rules.add(rule.id)
            if rule.max_hops > MAX_HOPS:
                problems.append(
                    f"{at}.max_hops: {rule.max_hops} exceeds the limit of {MAX_HOPS}:"
                    " the rule would propagate without practical bound"
                )
            if rule.min_hops > rule.max_hops:
                problems.append(f"{at}.min_hops: {rule.min_hops} is above max_hops {rule.max_hops}")
            if not rule.id.startswith(f"{lt.id}."):
                problems.append(f"{at}.id: a rule id must start with its list type ({lt.id}.)")
            for j, step in enumerate(rule.follow):
                problems.extend(_check_step(rules, step, f"{at}.follow[{j}]"))
            for measure_id in rule.measures:
                measure = measures.get(measure_id)
                if measure is None:
                    problems.append(f"{at}.measures: unknown measure {measure_id!r}")
                elif not set(measure.binds) & set(rule.targets):
                    problems.append(
                        f"{at}.measures: {measure_id!r} binds none of the rule's targets"
                        f" {[t.value for t in rule.targets]}"
                    )
    return problems


def _check_step(rules: RuleSet, step: Step, at: str) -> list[str]:
    problems: list[str] = []
    if step.role is not None:
        if step.rel_type is not None or step.direction is not None:
            problems.append(f"{at}: give either role or rel_type + direction, not both")
        if step.role not in rules.roles:
            problems.append(f"{at}.role: unknown role {step.role!r}")
            return problems
        rel_type = rules.roles[step.role].rel_type
    else:
        if step.rel_type is None or step.direction is None:
            problems.append(f"{at}: a step needs a role, or a rel_type and a direction")
            return problems
        rel_type = step.rel_type
    spec = REL_BY_TYPE.get(rel_type)
    if spec is None:
        problems.append(f"{at}.rel_type: unknown relationship type {rel_type!r}")
        return problems
    props = {p.name for p in spec.all_props}
    for k, cond in enumerate(step.where):
        if cond.prop not in props:
            problems.append(f"{at}.where[{k}].prop: {rel_type} has no property {cond.prop!r}")
    return problems


def parse_rules(data: Any, *, source: str = "<rules>") -> RuleSet:
    """Validate already-parsed YAML data as a rule set.

    Parameters
    ----------
    data : Any
        The document, as ``yaml.safe_load`` returns it.
    source : str
        The file name errors should mention.

    Returns
    -------
    RuleSet

    Raises
    ------
    RuleError
        Naming ``source`` and every offending key.

    Examples
    --------
    >>> parse_rules({"version": "1"}, source="x.yaml")  # doctest: +ELLIPSIS
    Traceback (most recent call last):
    ...
    graph.errors.RuleError: x.yaml: ...
    """
    if not isinstance(data, dict):
        raise RuleError(f"{source}: (top level): a rules file must be a mapping")
    try:
        rules = RuleSet.model_validate(data)
    except ValidationError as exc:
        lines = [f"{_key(tuple(err['loc']), data)}: {err['msg']}" for err in exc.errors()]
        raise RuleError(f"{source}: " + "; ".join(lines)) from exc
    problems = _cross_check(rules)
    if problems:
        raise RuleError(f"{source}: " + "; ".join(problems))
    return rules


def load_rules(path: str | Path) -> RuleSet:
    """Read and validate a rules file (YAML); RuleError names the file and the key."""
    path = Path(path)
    try:
        text = path.read_text(encoding="utf-8")
    except OSError as exc:
        raise RuleError(f"{path}: cannot read the rules file: {exc}") from exc
    try:
        data = yaml.safe_load(text)
    except yaml.YAMLError as exc:
        raise RuleError(f"{path}: not valid YAML: {exc}") from exc
    return parse_rules(data, source=str(path))


@cache
def default_rules() -> RuleSet:
    """The shipped rules file (``default_rules.yaml``)."""
    return load_rules(DEFAULT_RULES_PATH)
