"""Dossiers to and from plain JSON-able dicts: what the counter's store keeps and the sync sends on."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date, datetime
from typing import Any

from app.core.clock import from_iso, to_iso
from app.core.dossier import (
    Channel,
    Citizen,
    Component,
    ComponentFile,
    DocForm,
    Dossier,
    Fee,
    Pause,
    Status,
    Statutory,
    Step,
)


def _time(value: datetime | None) -> str | None:
    return to_iso(value) if value is not None else None


def _parse_time(value: Any) -> datetime | None:
    return from_iso(str(value)) if value else None


def dossier_to_dict(d: Dossier) -> dict[str, Any]:
    c = d.citizen
    return {
        "code": d.code,
        "revision": d.revision,
        "status": int(d.status),
        "procedure": {"code": d.procedure_code, "name": d.procedure_name, "field": d.field_code},
        "citizen": {
            "id_number": c.id_number,
            "name": c.name,
            "birth_date": c.birth_date.isoformat() if c.birth_date else None,
            "sex": c.sex,
            "address": c.address,
            "phone": c.phone,
        },
        "components": [
            {
                "name": x.name,
                "form": str(x.form),
                "count": x.count,
                "required": x.required,
                "received": x.received,
                "files": [_file_to_dict(f) for f in x.files],
            }
            for x in d.components
        ],
        "fees": [{"name": f.name, "amount_vnd": f.amount_vnd, "when": f.when} for f in d.fees],
        "received_at": to_iso(d.received_at),
        "due_at": _time(d.due_at),
        "statutory": {"value": d.statutory.value, "unit": d.statutory.unit},
        "clerk": d.clerk,
        "counter": d.counter,
        "channel": int(d.channel),
        "summary": d.summary,
        "note": d.note,
        "outside_area": d.outside_area,
        "sets": d.sets,
        "ticket": d.ticket,
        "steps": [
            {"at": to_iso(s.at), "status": int(s.status), "actor": s.actor, "content": s.content, "detail": s.detail}
            for s in d.steps
        ],
        "pauses": [{"start": to_iso(p.start), "end": _time(p.end), "reason": p.reason} for p in d.pauses],
        "calendar_version": d.calendar_version,
        "collected_by": d.collected_by,
        "returned_at": _time(d.returned_at),
        "lookup_key": d.lookup_key,  # to the counter's store and the centre's mirror only, never the province
    }


def dossier_from_dict(data: Mapping[str, Any]) -> Dossier:
    c = data["citizen"]
    proc = data["procedure"]
    received_at = from_iso(str(data["received_at"]))
    return Dossier(
        code=str(data["code"]),
        revision=int(data["revision"]),
        status=Status(int(data["status"])),
        procedure_code=str(proc["code"]),
        procedure_name=str(proc["name"]),
        field_code=str(proc.get("field", "")),
        citizen=Citizen(
            id_number=str(c["id_number"]),
            name=str(c["name"]),
            birth_date=date.fromisoformat(c["birth_date"]) if c.get("birth_date") else None,
            sex=str(c.get("sex", "")),
            address=str(c.get("address", "")),
            phone=str(c.get("phone", "")),
        ),
        components=tuple(
            Component(
                name=str(x["name"]),
                form=DocForm(x.get("form", "original")),
                count=int(x.get("count", 1)),
                required=bool(x.get("required", True)),
                received=bool(x.get("received", True)),
                files=tuple(_file_from_dict(f) for f in x.get("files", ())),
            )
            for x in data.get("components", ())
        ),
        fees=tuple(Fee(str(f["name"]), int(f["amount_vnd"]), int(f.get("when", 1))) for f in data.get("fees", ())),
        received_at=received_at,
        due_at=_parse_time(data.get("due_at")),
        statutory=Statutory(float(data["statutory"]["value"]), str(data["statutory"]["unit"])),
        clerk=str(data.get("clerk", "")),
        counter=int(data["counter"]) if data.get("counter") is not None else None,
        channel=Channel(int(data.get("channel", 1))),
        summary=str(data.get("summary", "")),
        note=str(data.get("note", "")),
        outside_area=bool(data.get("outside_area", False)),
        sets=int(data.get("sets", 1)),
        ticket=str(data.get("ticket", "")),
        steps=tuple(
            Step(
                from_iso(str(s["at"])),
                Status(int(s["status"])),
                str(s["actor"]),
                str(s["content"]),
                str(s.get("detail", "")),
            )
            for s in data.get("steps", ())
        ),
        pauses=tuple(
            Pause(from_iso(str(p["start"])), _parse_time(p.get("end")), str(p.get("reason", "")))
            for p in data.get("pauses", ())
        ),
        calendar_version=str(data.get("calendar_version", "")),
        collected_by=str(data.get("collected_by", "")),
        returned_at=_parse_time(data.get("returned_at")),
        lookup_key=str(data.get("lookup_key") or ""),  # absent on dossiers saved before keys
    )


def _file_to_dict(f: ComponentFile) -> dict[str, Any]:
    out: dict[str, Any] = {"path": f.path, "sha256": f.sha256, "pages": f.pages, "reused": f.reused}
    if f.signed:  # only signed files carry these: records written before signing existed read the same
        out.update(signed_by=f.signed_by, certified_copy=f.certified_copy)
    return out


def _file_from_dict(f: Mapping[str, Any]) -> ComponentFile:
    return ComponentFile(
        str(f["path"]), str(f["sha256"]), int(f["pages"]), bool(f.get("reused", False)),
        signed_by=str(f.get("signed_by", "")), certified_copy=bool(f.get("certified_copy", False)),
    )  # fmt: skip
