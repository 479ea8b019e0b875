"""Proportionate confirmation (过罚相当): what an action would impose, before it does.

Every action that imposes restrictions (a ring confirmation, a listing added, a shell
cluster confirmed) is first described, without writing, as an :class:`ActionPreview`:

1. **Listings.** The action's planned listings (a ring's boosted stores or their
   operators, as the list type's ``reach.other_stores`` says; the one new listing).
2. **Effect.** For each, :func:`~algorithms.propagation.service.preview_listing` compares
   what the engine derives over the listing's bounded neighbourhood with what is on record.
3. **Per rule.** Imposed restrictions are grouped by the rule that carries them (the
   listing's own measures under ``<list type>.self``): the rule's description, each
   measure by name with its count, the number of subjects, and the first subjects by
   name (:func:`graph.render.display_name`; never a hashed uid).
4. **Limit.** The approval threshold is the stricter of the server's
   (``Settings.approval_above``) and the ``reach.approval_above`` of every list type the
   action lists on; the preview says which applied and its legal basis. Above it the
   action needs a second officer (:attr:`ActionPreview.needs_approval`).

Notes are structured codes with parameters, written out in Chinese and English by
:func:`graph.render.reason_text`.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from typing import Any

from pydantic import BaseModel, ConfigDict, Field

from algorithms.propagation import service
from algorithms.propagation.engine import Listing, Restriction
from algorithms.propagation.rules import RuleSet, default_rules
from graph.render import display_name, label_word, reason_text
from graph.store import GraphStore

__all__ = [
    "DEFAULT_APPROVAL_ABOVE",
    "MAX_NAMES",
    "ActionPreview",
    "ApprovalLimit",
    "MeasureCount",
    "Note",
    "RulePreview",
    "SubjectName",
    "approval_limit",
    "counts",
    "empty_preview",
    "note",
    "preview_listings",
]

#: Subjects one action may restrict before a second officer must approve (the settings'
#: default; ``CREDGRAPH_APPROVAL_ABOVE`` changes it).
DEFAULT_APPROVAL_ABOVE = 50
#: Subjects named per rule (the counts are always complete).
MAX_NAMES = 200


class _Model(BaseModel):
    model_config = ConfigDict(frozen=True)


class Note(_Model):
    """A remark on the action: a code, its parameters, and the words for both languages."""

    code: str
    params: dict[str, Any] = Field(default_factory=dict)
    zh: str
    en: str


def note(code: str, **params: Any) -> Note:
    """A :class:`Note` written out from its code (:data:`graph.render.REASONS`)."""
    return Note(
        code=code,
        params=params,
        zh=reason_text(code, params, "zh"),
        en=reason_text(code, params, "en"),
    )


class SubjectName(_Model):
    """A subject as a person reads it: its name and what kind of entity it is."""

    name: str
    kind_zh: str
    kind_en: str


class MeasureCount(_Model):
    """One measure a rule would impose, by name, and on how many subjects."""

    measure: str
    name_zh: str
    name_en: str
    subjects: int


class RulePreview(_Model):
    """What one rule would impose in this action."""

    rule_id: str
    list_type: str
    list_name_zh: str
    list_name_en: str
    description_zh: str
    description_en: str
    legal_basis: tuple[str, ...]
    subjects: int
    restrictions: int
    measures: tuple[MeasureCount, ...]
    names: tuple[SubjectName, ...] = Field(description="The first subjects, by name")


class ApprovalLimit(_Model):
    """The threshold that applied and where it comes from."""

    threshold: int
    source: str = Field(description="rules (a list type's reach) or settings")
    list_type: str | None = None
    legal_basis: tuple[str, ...] = ()
    zh: str
    en: str


class ActionPreview(_Model):
    """What an action would impose, written nowhere yet."""

    action: str
    listings: int
    subjects: int = Field(description="Distinct subjects the action would restrict")
    restrictions: int
    lifted: int = 0
    rules: tuple[RulePreview, ...]
    limit: ApprovalLimit
    needs_approval: bool
    notes: tuple[Note, ...] = ()


def approval_limit(
    rules: RuleSet, list_types: Iterable[str], default: int = DEFAULT_APPROVAL_ABOVE
) -> ApprovalLimit:
    """The stricter of ``default`` and the ``reach.approval_above`` of ``list_types``."""
    best: tuple[int, str | None] = (default, None)
    for candidate in sorted(set(list_types)):
        lt = rules.list_type_by_id.get(candidate)
        limit = None if lt is None else lt.reach.approval_above
        if limit is not None and limit <= best[0]:  # a tie names the rules and their basis
            best = (limit, candidate)
    threshold, type_id = best
    if type_id is None:
        n = note("approval_limit_settings", limit=threshold)
        return ApprovalLimit(threshold=threshold, source="settings", zh=n.zh, en=n.en)
    lt = rules.list_type_by_id[type_id]
    n = note("approval_limit_rules", limit=threshold, list_zh=lt.name_zh, list_en=lt.name_en)
    return ApprovalLimit(
        threshold=threshold,
        source="rules",
        list_type=type_id,
        legal_basis=lt.reach.legal_basis,
        zh=n.zh,
        en=n.en,
    )


def _names(store: GraphStore, uids: Sequence[str]) -> dict[str, SubjectName]:
    out: dict[str, SubjectName] = {}
    for node in store.get_nodes(list(uids)) if uids else []:
        out[node.uid] = SubjectName(
            name=display_name(node),
            kind_zh=label_word(node.label, "zh"),
            kind_en=label_word(node.label, "en"),
        )
    return out


def _rule_words(rules: RuleSet, rule_id: str, list_type: str) -> tuple[str, str, tuple[str, ...]]:
    rule = rules.rule_by_id.get(rule_id)
    if rule is not None:
        return rule.description_zh, rule.description_en, rule.legal_basis
    lt = rules.list_type_by_id.get(list_type)
    zh = f"被列入{lt.name_zh}的主体本身" if lt else list_type
    en = f"the subject put on the {lt.name_en}" if lt else list_type
    return zh, en, lt.legal_basis if lt else ()


def _per_rule(
    store: GraphStore, rules: RuleSet, imposed: Sequence[Restriction]
) -> tuple[RulePreview, ...]:
    by_rule: dict[str, list[Restriction]] = {}
    for r in imposed:
        by_rule.setdefault(r.rule_id, []).append(r)
    shown: dict[str, list[str]] = {}
    for rule_id, rows in by_rule.items():
        shown[rule_id] = sorted({r.subject_uid for r in rows})[:MAX_NAMES]
    names = _names(store, sorted({u for uids in shown.values() for u in uids}))
    measures = rules.measure_by_id
    lists = rules.list_type_by_id
    out = []
    # the listing's own measures first, then the rules in the file's order
    order = {r.id: i for i, r in enumerate(rules.rule_by_id.values())}
    for rule_id in sorted(by_rule, key=lambda k: (not k.endswith(".self"), order.get(k, 0), k)):
        rows = by_rule[rule_id]
        list_type = rows[0].list_type
        zh, en, basis = _rule_words(rules, rule_id, list_type)
        per_measure: dict[str, set[str]] = {}
        for r in rows:
            per_measure.setdefault(r.measure_id, set()).add(r.subject_uid)
        lt = lists.get(list_type)
        out.append(
            RulePreview(
                rule_id=rule_id,
                list_type=list_type,
                list_name_zh=lt.name_zh if lt else list_type,
                list_name_en=lt.name_en if lt else list_type,
                description_zh=zh,
                description_en=en,
                legal_basis=basis,
                subjects=len({r.subject_uid for r in rows}),
                restrictions=len(rows),
                measures=tuple(
                    MeasureCount(
                        measure=m,
                        name_zh=measures[m].name_zh if m in measures else m,
                        name_en=measures[m].name_en if m in measures else m,
                        subjects=len(subjects),
                    )
                    for m, subjects in sorted(per_measure.items())
                ),
                names=tuple(names[u] for u in shown[rule_id] if u in names),
            )
        )
    return tuple(out)


def preview_listings(
    store: GraphStore,
    listings: Sequence[Listing],
    rules: RuleSet | None = None,
    *,
    action: str,
    approval_above: int = DEFAULT_APPROVAL_ABOVE,
    notes: Iterable[Note] = (),
) -> ActionPreview:
    """What recording ``listings`` would impose, per rule, by name; writes nothing.

    Parameters
    ----------
    store : GraphStore
    listings : sequence of Listing
        The listings the action would record (not yet on record).
    rules : RuleSet, optional
        The rules (default: the shipped file).
    action : str
        What the action is (``ring.confirm``, ``listing.add``), kept in the preview.
    approval_above : int
        The server's threshold (``Settings.approval_above``); a list type's own reach
        limit applies where it is stricter.
    notes : iterable of Note
        Remarks the caller adds (how the action's reach was limited).

    Returns
    -------
    ActionPreview
        ``needs_approval`` when the distinct subjects exceed the threshold that applied.
    """
    rules = rules or default_rules()
    imposed: list[Restriction] = []
    lifted = 0
    for listing in listings:
        change = service.preview_listing(store, listing, rules)
        imposed.extend(change.imposed)
        lifted += len(change.lifted)
    subjects = len({r.subject_uid for r in imposed})
    limit = approval_limit(rules, (lst.list_type for lst in listings), approval_above)
    needs = subjects > limit.threshold
    extra = list(notes)
    if needs:
        extra.append(note("approval_needed", subjects=subjects, limit=limit.threshold))
    return ActionPreview(
        action=action,
        listings=len(listings),
        subjects=subjects,
        restrictions=len(imposed),
        lifted=lifted,
        rules=_per_rule(store, rules, imposed),
        limit=limit,
        needs_approval=needs,
        notes=tuple(extra),
    )


def empty_preview(
    action: str, rules: RuleSet | None = None, *, approval_above: int, notes: Iterable[Note] = ()
) -> ActionPreview:
    """The preview of an action that imposes nothing (a shell cluster confirmed)."""
    return ActionPreview(
        action=action,
        listings=0,
        subjects=0,
        restrictions=0,
        rules=(),
        limit=approval_limit(rules or default_rules(), (), approval_above),
        needs_approval=False,
        notes=tuple(notes),
    )


def counts(preview: ActionPreview) -> Mapping[str, int]:
    """The figures the decision log keeps for a preview."""
    return {
        "listings": preview.listings,
        "subjects": preview.subjects,
        "restrictions": preview.restrictions,
        "threshold": preview.limit.threshold,
    }
