"""Objections (异议) through the API on the sample data: officers file, review and decide;
a platform files only for its own stores and sees only what it filed."""

from __future__ import annotations

from typing import Any

from tests.integration.test_api import Api, api, assert_problem  # noqa: F401  (the fixture)

TAOBAO_STORE = "store:taobao:100234"
JD_STORE = "store:jd:55501"


def _file(api: Api, headers: dict[str, str], **body: Any) -> Any:
    payload = {
        "target_kind": "listing",
        "target": "listing:ZJ-2024-0002",
        "subject": TAOBAO_STORE,
        "grounds": "处罚决定已被行政复议撤销",
        **body,
    }
    return api.client.post("/v1/objections", json=payload, headers=headers)


def test_an_officer_reviews_and_upholds_a_listing_objection_which_removes_the_listing(
    api: Api,
) -> None:
    filed = _file(api, api.officer)
    assert filed.status_code == 201, filed.text
    oid = filed.json()["id"]
    assert filed.json()["status"] == "filed"
    assert filed.json()["open"] is True
    review = api.client.post(
        f"/v1/objections/{oid}/decision",
        json={"outcome": "under_review", "officer": "李明"},
        headers=api.officer,
    )
    assert review.json()["status"] == "under_review", review.text
    no_reason = api.client.post(
        f"/v1/objections/{oid}/decision",
        json={"outcome": "upheld", "officer": "王芳"},
        headers=api.officer,
    )
    assert assert_problem(no_reason, 422)["detail"].endswith("written reason")
    decided = api.client.post(
        f"/v1/objections/{oid}/decision",
        json={"outcome": "upheld", "officer": "王芳", "reason": "复议决定书 2025-03"},
        headers=api.officer,
    )
    assert decided.status_code == 200, decided.text
    out = decided.json()
    assert (out["status"], out["decided_by"], out["open"]) == ("upheld", "王芳", False)
    assert out["propagation"]["lifted"] > 0
    assert out["decision"] >= 1
    logged = api.client.get("/v1/decisions", headers=api.officer)
    assert logged.status_code == 200, logged.text
    entry = next(e for e in logged.json() if e["seq"] == out["decision"])
    assert entry["kind"] == "objection.decided"
    assert entry["data"]["reason"] == "复议决定书 2025-03"


def test_a_platform_files_for_its_own_store_and_sees_only_its_own(api: Api) -> None:
    mine = _file(api, api.platform)
    assert mine.status_code == 201, mine.text
    assert_problem(_file(api, api.platform, subject=JD_STORE), 403)
    assert_problem(_file(api, api.platform, subject="biz:91330106MA2AAAAA28"), 403)
    theirs = _file(api, api.other_platform, subject=JD_STORE)
    assert theirs.status_code == 201, theirs.text
    listed = api.client.get("/v1/objections", headers=api.platform).json()
    assert [o["id"] for o in listed] == [mine.json()["id"]]
    assert_problem(
        api.client.get(f"/v1/objections/{theirs.json()['id']}", headers=api.platform), 404
    )
    everything = api.client.get("/v1/objections", headers=api.officer).json()
    assert len(everything) == 2
    assert_problem(
        api.client.post(
            f"/v1/objections/{mine.json()['id']}/decision",
            json={"outcome": "rejected", "officer": "x", "reason": "y"},
            headers=api.platform,
        ),
        403,
    )


def test_an_objection_about_an_unknown_subject_is_refused(api: Api) -> None:
    assert_problem(_file(api, api.officer, subject="biz:nope"), 404)
    assert_problem(_file(api, api.officer, target_kind="person"), 422)


def _explained(api: Api, uid: str) -> dict[str, Any]:
    answer = api.client.get(f"/v1/entities/{uid}/restrictions", headers=api.officer)
    assert answer.status_code == 200, answer.text
    body: dict[str, Any] = answer.json()
    return body


def test_an_open_link_objection_marks_the_restrictions_over_that_link_disputed(api: Api) -> None:
    # 星辰 (…AAAAA15) is listed; the subsidiary …AAAAA28 is restricted over the shareholding.
    subsidiary = "biz:91330106MA2AAAAA28"
    before = _explained(api, subsidiary)
    assert before["restricted"] is True
    assert before["disputed"] is False
    derived = next(e for e in before["explanation"] if e["paths"] and e["paths"][0]["rids"])
    rid = derived["paths"][0]["rids"][0]
    filed = _file(
        api,
        api.officer,
        target_kind="link",
        target=rid,
        subject=subsidiary,
        grounds="that shareholding ended in 2021",
    ).json()
    during = _explained(api, subsidiary)
    assert during["restricted"] is True  # still in force while under review
    assert during["disputed"] is True
    marked = [e for e in during["explanation"] if e["disputed_by"]]
    assert all(filed["id"] in e["disputed_by"] for e in marked)
    assert {(e["measure"], e["listing_uid"]) for e in marked} == {
        (e["measure"], e["listing_uid"])
        for e in during["explanation"]
        if any(rid in p["rids"] for p in e["paths"])
    }
    api.client.post(
        f"/v1/objections/{filed['id']}/decision",
        json={"outcome": "rejected", "officer": "王芳", "reason": "股权登记显示持股 60%"},
        headers=api.officer,
    )
    after = _explained(api, subsidiary)
    assert after["disputed"] is False
    assert after["measures"] == before["measures"]


def _measures(api: Api) -> list[dict[str, Any]]:
    one = api.client.get("/v1/restrictions/business/91330106MA2AAAAA28", headers=api.platform)
    assert one.status_code == 200, one.text
    batch = api.client.post(
        "/v1/restrictions/batch",
        json={"items": [{"kind": "business", "id": "91330106MA2AAAAA28"}]},
        headers=api.platform,
    )
    assert batch.status_code == 200, batch.text
    assert batch.json()["items"][0]["measures"] == one.json()["measures"]
    found: list[dict[str, Any]] = one.json()["measures"]
    return found


def _feed(api: Api, since: int) -> list[dict[str, Any]]:
    page = api.client.get(f"/v1/changes?since={since}&limit=1000", headers=api.platform)
    assert page.status_code == 200, page.text
    items: list[dict[str, Any]] = page.json()["items"]
    return items


def test_platforms_see_a_disputed_restriction_in_force_in_checks_and_the_feed(
    api: Api,
) -> None:
    target = "listing:ZJ-2024-0002"
    before = _measures(api)
    assert any(m["listing_uid"] == target for m in before)
    assert not any(m["disputed"] for m in before)
    head = max((e["seq"] for e in _feed(api, 0)), default=0)

    oid = _file(api, api.officer, subject="biz:91330106MA2AAAAA28").json()["id"]

    during = _measures(api)
    assert [m["measure"] for m in during] == [m["measure"] for m in before]  # still in force
    assert {(m["listing_uid"] == target, m["disputed"]) for m in during} <= {
        (True, True),
        (False, False),
    }
    assert all(m["objections"] == [oid] for m in during if m["listing_uid"] == target)
    filed = _feed(api, head)
    assert filed
    assert {(e["kind"], e["objection"], e["listing_uid"]) for e in filed} == {
        ("disputed", oid, target)
    }
    assert "biz:91330106MA2AAAAA28" in {e["subject_ref"] for e in filed}

    decided = api.client.post(
        f"/v1/objections/{oid}/decision",
        json={"outcome": "rejected", "officer": "王芳", "reason": "处罚决定有效"},
        headers=api.officer,
    )
    assert decided.status_code == 200, decided.text
    after = _measures(api)
    assert [m["measure"] for m in after] == [m["measure"] for m in before]
    assert not any(m["disputed"] for m in after)
    closed = _feed(api, filed[-1]["seq"])
    assert {(e["kind"], e["objection"], e["reason"]) for e in closed} == {
        ("dispute_closed", oid, f"objection {oid} rejected")
    }
    assert len(closed) == len(filed)


def test_an_upheld_objection_against_one_restriction_lifts_it_and_nothing_else(
    api: Api,
) -> None:
    from algorithms.propagation import service

    subsidiary = "biz:91330106MA2AAAAA28"  # restricted over 星辰's shareholding
    records = service.status(api.state.store, subsidiary).restrictions
    objected = next(r for r in records if not r.rule_id.endswith(".self"))
    before = {
        (e["measure"], e["listing_uid"], e["rule_id"])
        for e in _explained(api, subsidiary)["explanation"]
    }
    filed = _file(
        api,
        api.officer,
        target_kind="restriction",
        target=objected.uid,
        subject=subsidiary,
        grounds="该措施不应适用于本公司",
    ).json()
    decided = api.client.post(
        f"/v1/objections/{filed['id']}/decision",
        json={"outcome": "upheld", "officer": "王芳", "reason": "复核：该规则不适用"},
        headers=api.officer,
    )
    assert decided.status_code == 200, decided.text
    assert decided.json()["propagation"]["lifted"] == 1
    after = {
        (e["measure"], e["listing_uid"], e["rule_id"])
        for e in _explained(api, subsidiary)["explanation"]
    }
    assert after == before - {(objected.measure, objected.listing_uid, objected.rule_id)}
