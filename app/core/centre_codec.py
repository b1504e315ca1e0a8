"""Centre configuration to and from plain JSON-able dicts (what the store and the admin API keep)."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import time
from typing import Any

from app.core.catalog import PriorityCategory
from app.core.centre import Centre, CounterConfig, IssueWindow, QueuePolicy, RetiredGroup, ServiceGroup


def centre_to_dict(centre: Centre) -> dict[str, Any]:
    return {
        "name": centre.name,
        "commune": centre.commune,
        "unit_code": centre.unit_code,
        "policy": {
            "call_count_max": centre.policy.call_count_max,
            "fairness_cap": centre.policy.fairness_cap,
            "wait_target_s": centre.policy.wait_target_s,
        },
        "groups": [
            {
                "code": g.code,
                "name": g.name,
                "prefix": g.prefix,
                "fields": list(g.fields),
                "number_start": g.number_start,
                "number_end": g.number_end,
                "daily_cap": g.daily_cap,
                "windows": [[w.start.strftime("%H:%M"), w.end.strftime("%H:%M")] for w in g.windows],
                "default_service_s": g.default_service_s,
            }
            for g in centre.groups
        ],
        "counters": [{"id": c.id, "name": c.name, "groups": dict(c.groups)} for c in centre.counters],
        "priority_categories": [{"code": p.code, "name": p.name} for p in centre.priority_categories],
        "retired_groups": [
            {"code": r.code, "name": r.name, "prefix": r.prefix, "fields": list(r.fields)}
            for r in centre.retired_groups
        ],
    }


def centre_from_dict(data: Mapping[str, Any]) -> Centre:
    policy = data.get("policy") or {}
    groups = tuple(
        ServiceGroup(
            code=str(g["code"]),
            name=str(g["name"]),
            prefix=str(g["prefix"]),
            fields=tuple(g.get("fields") or ()),
            number_start=int(g.get("number_start", 1)),
            number_end=int(g.get("number_end", 999)),
            daily_cap=None if g.get("daily_cap") is None else int(g["daily_cap"]),
            windows=tuple(IssueWindow(time.fromisoformat(a), time.fromisoformat(b)) for a, b in g.get("windows") or ()),
            default_service_s=float(g.get("default_service_s", 300.0)),
        )
        for g in data["groups"]
    )
    counters = tuple(
        CounterConfig(
            id=int(c["id"]),
            name=str(c["name"]),
            groups={str(k): int(v) for k, v in c["groups"].items()},
        )
        for c in data["counters"]
    )
    return Centre(
        name=str(data["name"]),
        unit_code=str(data["unit_code"]),
        groups=groups,
        counters=counters,
        priority_categories=tuple(
            PriorityCategory(code=str(p["code"]), name=str(p["name"])) for p in data.get("priority_categories") or ()
        ),
        policy=QueuePolicy(
            call_count_max=int(policy.get("call_count_max", 3)),
            fairness_cap=int(policy.get("fairness_cap", 3)),
            wait_target_s=float(policy.get("wait_target_s", 1800)),
        ),
        commune=str(data.get("commune") or ""),  # absent in folders seeded before the commune was asked for
        retired_groups=tuple(  # absent before removed groups were remembered
            RetiredGroup(
                code=str(r["code"]),
                name=str(r["name"]),
                prefix=str(r.get("prefix") or ""),
                fields=tuple(str(f) for f in r.get("fields") or ()),
            )
            for r in data.get("retired_groups") or ()
        ),
    )
