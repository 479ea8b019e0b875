"""How entities, relationships and paths are written for people, in Chinese and English.

Every surface (the CLI, the API's explanations, the console) takes its words from here, so
a relationship reads the same wherever it is shown:

- :data:`LABEL_WORDS` and :data:`REL_WORDS` name every label and relationship type of
  :mod:`graph.schema` in both languages (a test holds them complete);
- :func:`display_name` is what a person reads for a node (its name; a nameless person by
  the masked id number, never the hashed uid), :func:`entity_text` looks it up by uid;
- :func:`path_text` writes a chain of entities joined by relationships, with the validity
  period of each link and no relationship ids;
- :func:`vocabulary` is the same words as data, for the console's JavaScript.

Example
-------
>>> rel_word("SHAREHOLDER_OF", "zh")
'股东'
>>> entity_text("biz:a", {"biz:a": "甲公司"})
'甲公司'
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import date
from typing import Literal

from graph.model import Node

__all__ = [
    "LABEL_WORDS",
    "REASONS",
    "REL_WORDS",
    "Lang",
    "Link",
    "display_name",
    "entity_text",
    "label_word",
    "node_name",
    "path_text",
    "reason_text",
    "rel_word",
    "vocabulary",
]

Lang = Literal["zh", "en"]

#: Node labels as a person reads them: (中文, English).
LABEL_WORDS: dict[str, tuple[str, str]] = {
    "Business": ("企业", "Business"),
    "Person": ("自然人", "Person"),
    "Store": ("网店", "Store"),
    "Address": ("地址", "Address"),
    "Phone": ("电话", "Phone"),
    "Email": ("邮箱", "E-mail"),
    "Brand": ("品牌", "Brand"),
    "Account": ("买家账号", "Account"),
    "Order": ("订单", "Order"),
    "Waybill": ("运单", "Waybill"),
    "Listing": ("名单", "Listing"),
    "Violation": ("违法记录", "Violation"),
    "InfringementReport": ("侵权投诉", "Infringement report"),
    "ShellCluster": ("疑似空壳集群", "Shell cluster"),
    "BrushingRing": ("疑似刷单团伙", "Brushing ring"),
    "Restriction": ("限制措施", "Restriction"),
    "Licence": ("许可证", "Licence"),
    "AllianceMember": ("联盟成员", "Alliance member"),
    "ChangeEvent": ("变更事件", "Change event"),
    "FeedHead": ("变更序号", "Feed head"),
    "PropagationRun": ("惩戒批量写入", "Propagation run"),
    "LinkExclusion": ("排除的关联关系", "Excluded link"),
}

#: Relationship types as a person reads them, in the edge's direction: (中文, English).
REL_WORDS: dict[str, tuple[str, str]] = {
    "SHAREHOLDER_OF": ("股东", "shareholder of"),
    "LEGAL_REPRESENTATIVE_OF": ("法定代表人", "legal representative of"),
    "DIRECTOR_OF": ("董事", "director of"),
    "SUPERVISOR_OF": ("监事", "supervisor of"),
    "MANAGER_OF": ("经理", "manager of"),
    "ACTUAL_CONTROLLER_OF": ("实际控制人", "actual controller of"),
    "REGISTRATION_AGENT_OF": ("登记代理人", "registration agent of"),
    "OPERATES": ("经营", "operates"),
    "REGISTERED_AT": ("注册地址", "registered at"),
    "HAS_ADDRESS": ("地址", "has address"),
    "SHIPS_FROM": ("发货地址", "ships from"),
    "HAS_PHONE": ("电话", "has phone"),
    "HAS_EMAIL": ("邮箱", "has e-mail"),
    "OWNS_BRAND": ("拥有品牌", "owns brand"),
    "PLACED": ("下单", "placed"),
    "AT_STORE": ("所在店铺", "at store"),
    "SHIPPED_BY": ("运单", "shipped by"),
    "DELIVERED_TO": ("收货地址", "delivered to"),
    "LISTED": ("列入名单", "listed"),
    "PENALISED": ("行政处罚", "penalised"),
    "REPORTS": ("投诉", "reports"),
    "CONCERNS": ("涉及品牌", "concerns"),
    "MEMBER_OF": ("成员", "member of"),
    "RESTRICTS": ("限制", "restricts"),
    "DERIVED_FROM": ("源自名单", "derived from"),
    "ACTS_FOR": ("代理品牌", "acts for"),
    "HOLDS_LICENCE": ("持有许可证", "holds licence"),
}


def _pick(pair: tuple[str, str], lang: Lang) -> str:
    return pair[0] if lang == "zh" else pair[1]


def label_word(label: str, lang: Lang = "zh") -> str:
    """A node label in words; the label itself when it has none."""
    pair = LABEL_WORDS.get(label)
    return _pick(pair, lang) if pair else label


def rel_word(rel_type: str, lang: Lang = "zh") -> str:
    """A relationship type in words; the type itself (lower case in English) when it has none."""
    pair = REL_WORDS.get(rel_type)
    if pair:
        return _pick(pair, lang)
    return rel_type if lang == "zh" else rel_type.lower()


#: Properties that name a node, in order of preference (an address's text, a phone's number).
_NAME_PROPS = ("name", "text", "number", "address", "list_type")


def node_name(node: Node) -> str:
    """What a node is called: its name, an address's text, a phone's number; "" if nothing."""
    for prop in _NAME_PROPS:
        value = node.get(prop)
        if value not in (None, ""):
            return str(value)
    return ""


def display_name(node: Node) -> str:
    """What a person reads for a node: its name; a nameless person by the masked id number
    (never the hashed uid); else the uid."""
    name = node_name(node)
    if name:
        return name
    masked = node.get("id_masked")
    if node.label == "Person" and masked:
        return f"{label_word('Person')} {masked}"
    return node.uid


def entity_text(uid: str, names: Mapping[str, str]) -> str:
    """One entity: its display name when known (see :func:`display_name`), else the uid."""
    return names.get(uid) or uid


@dataclass(frozen=True, slots=True)
class Link:
    """One step of a path as it is written.

    ``forward`` is True when the relationship points from the step's first entity to its
    second; ``word`` overrides the relationship's word (a rule's role name, for example)
    when it is read against its direction.
    """

    rel_type: str
    rid: str
    forward: bool
    since: date | None = None
    until: date | None = None
    word_zh: str | None = None
    word_en: str | None = None


def _period(link: Link, lang: Lang) -> str:
    since = link.since.isoformat() if link.since else None
    until = link.until.isoformat() if link.until else None
    if lang == "zh":
        if since and until:
            return f"（{since} 至 {until}）"
        if since:
            return f"（{since} 起）"
        return f"（至 {until}）" if until else ""
    if since and until:
        return f" ({since} to {until})"
    if since:
        return f" (since {since})"
    return f" (until {until})" if until else ""


def path_text(
    nodes: Sequence[str], links: Sequence[Link], names: Mapping[str, str], lang: Lang
) -> str:
    """A chain ``A ←word (since …)— B —word→ C`` in one language, names only.

    ``nodes`` has one more element than ``links``; ``names`` maps uids to display names
    (:func:`display_name`). Relationship ids stay out of the text (the caller keeps them
    as data beside it).
    """
    if len(nodes) != len(links) + 1:
        raise ValueError("a path has one more node than links")
    out = [entity_text(nodes[0], names)]
    for link, node in zip(links, nodes[1:], strict=True):
        word = link.word_zh if lang == "zh" else link.word_en
        word = (word or rel_word(link.rel_type, lang)) + _period(link, lang)
        out.append(f" —{word}→ " if link.forward else f" ←{word}— ")
        out.append(entity_text(node, names))
    return "".join(out)


#: Reasons by code: (中文, English) templates filled with the finding's parameters.
REASONS: dict[str, tuple[str, str]] = {
    "formation_agent": (
        "代理人 {agent} 在 {address} 代理设立 {n} 家企业，其中 {burst} 家在 {window} 天内设立",
        "{n} companies formed by agent {agent} at {address}, {burst} of them within {window} days",
    ),
    "registered_office": (
        "{n} 家企业登记在同一地址 {address}，其中 {burst} 家在 {window} 天内设立",
        "{n} companies registered at {address}, {burst} of them within {window} days",
    ),
    # Brushing scores (algorithms/brushing/scores.py): what made an account or store suspicious.
    "brushing_account_light": (
        "{orders} 笔订单中有 {n} 笔包裹重量不足 {grams} 克",
        "{n} of its {orders} orders shipped a parcel under {grams} g",
    ),
    "brushing_account_fast": (
        "{orders} 笔订单中有 {n} 笔运单在发货后 {hours} 小时内即签收",
        "{n} of its {orders} orders had a waybill delivered within {hours} hours of shipping",
    ),
    "brushing_account_receiver": (
        "{n} 笔订单寄往多个账号共用的收货地址或电话（最多 {accounts} 个账号共用一处）",
        "{n} of its orders went to a receiver address or phone that several accounts use "
        "(up to {accounts} accounts on one)",
    ),
    "brushing_account_lockstep": (
        "与 {partners} 个账号两次以上在同一店铺、同一 {minutes} 分钟内下单",
        "it ordered in step with {partners} other accounts (same store, same {minutes}-minute "
        "window, at least twice)",
    ),
    "brushing_account_mean_suspicion": (
        "其 {orders} 笔订单平均带有 {share} 的刷单迹象",
        "its {orders} orders show {share} of the brushing tells on average",
    ),
    "brushing_account_store_suspicion": (
        "其所购店铺的其他订单平均带有 {share} 的刷单迹象",
        "the other orders at the stores it buys from show {share} of the brushing tells on average",
    ),
    "brushing_account_ring": (
        "属于一个 {accounts} 个账号的疑似刷单团伙（团伙评分 {score}）",
        "it belongs to a suspected brushing ring of {accounts} accounts (ring score {score})",
    ),
    "brushing_account_unfair": (
        "评价公正度仅 {fairness}（REV2，{n} 条评价）",
        "its ratings' fairness is {fairness} (REV2, {n} ratings)",
    ),
    "brushing_account_quick_reviews": (
        "{n} 条评价在签收后 {hours} 小时内写下",
        "it wrote {n} reviews within {hours} hours of delivery",
    ),
    "brushing_store_suspicious_orders": (
        "{orders} 笔订单合计带有相当于 {suspicion} 笔订单的刷单迹象",
        "its {orders} orders carry as many brushing tells as {suspicion} fully suspicious orders",
    ),
    "brushing_store_suspect_buyers": (
        "{buyers} 个可疑账号下单 {n} 笔（共 {orders} 笔订单）",
        "{buyers} suspicious accounts placed {n} of its {orders} orders",
    ),
    "brushing_store_ring": (
        "被疑似刷单团伙刷单（团伙评分 {score}）",
        "a suspected brushing ring boosts it (ring score {score})",
    ),
    "brushing_store_suspect_praise": (
        "{n} 条 4-5 星好评来自可疑账号",
        "{n} of its 4- and 5-star ratings came from suspicious accounts",
    ),
}


#: Proportionate confirmation (algorithms/propagation/proportion.py, api/approvals.py).
REASONS.update(
    {
        "approval_limit_rules": (
            "{list_zh}的规则：一次决定限制超过 {limit} 个主体，须由另一名执法人员批准",
            "rules of the {list_en}: an action restricting more than {limit} subjects needs "
            "a second officer's approval",
        ),
        "approval_limit_settings": (
            "服务器设置：一次决定限制超过 {limit} 个主体，须由另一名执法人员批准",
            "server setting: an action restricting more than {limit} subjects needs a second "
            "officer's approval",
        ),
        "approval_needed": (
            "本次决定将限制 {subjects} 个主体，超过 {limit} 个：须另一名执法人员批准后才执行",
            "this action would restrict {subjects} subjects, more than {limit}: it takes "
            "effect only when a second officer approves it",
        ),
        "reach_stores_only": (
            "{list_zh}：违法行为发生在 {stores} 家网店，列入的是这些网店；其经营者经由网店受限，"
            "经营者的其他网店不受波及（规则文件 reach.other_stores）",
            "{list_en}: the violation was found at {stores} stores, so those stores are listed; "
            "their operators are reached through them, their other stores are not "
            "(rules file reach.other_stores)",
        ),
        "reach_operators": (
            "{list_zh}：列入 {operators} 个网店经营者，规则波及其经营的全部网店"
            "（规则文件 reach.other_stores）",
            "{list_en}: {operators} store operators are listed and the rules reach every store "
            "they run (rules file reach.other_stores)",
        ),
        "shell_no_measures": (
            "确认空壳企业群只记录认定结论，不施加任何惩戒措施；列入其成员须另行作出列入决定",
            "confirming a shell cluster records the finding and imposes no measure; listing "
            "its members is a separate listing decision",
        ),
        "dismiss_no_measures": (
            "驳回不施加任何惩戒措施",
            "a dismissal imposes no measure",
        ),
    }
)


def reason_text(code: str, params: Mapping[str, object], lang: Lang = "zh") -> str:
    """A structured reason written out; the code and its parameters when it has no words."""
    pair = REASONS.get(code)
    if pair is None:
        return f"{code} {dict(params)}"
    return _pick(pair, lang).format(**params)


def vocabulary() -> dict[str, dict[str, list[str]]]:
    """The label and relationship words as data (the console loads them)."""
    return {
        "labels": {k: list(v) for k, v in LABEL_WORDS.items()},
        "relationships": {k: list(v) for k, v in REL_WORDS.items()},
    }
