"""The JSON report's schema (JSON Schema 2020-12), the contract for scripts.

Stable: fields are only ever added, in a new schema_version when a change
could break a reader. docs/report-json.md explains each field and carries
this schema verbatim; a test keeps the two equal.
"""

from __future__ import annotations

from typing import Any

SCHEMA_VERSION = 1

_TIMESTAMP = {"type": "string", "format": "date-time"}
_MAYBE_TIMESTAMP = {"type": ["string", "null"], "format": "date-time"}
_COUNT = {"type": "integer", "minimum": 0}
_MAYBE_COUNT = {"type": ["integer", "null"], "minimum": 0}
_KINDS = ["reply", "sent", "share", "intro", "feedback", "meeting", "promotion", "note"]
_SUPPORT_KINDS = ["share", "intro", "feedback", "meeting", "promotion"]
_STRINGS = {"type": "array", "items": {"type": "string"}}


def _object(properties: dict[str, Any]) -> dict[str, Any]:
    """Every property required (nullable ones say so), and no others."""
    return {
        "type": "object",
        "properties": properties,
        "required": list(properties),
        "additionalProperties": False,
    }


NEXT_STEP = _object(
    {
        "kind": {
            "enum": [
                "answer",
                "review_draft",
                "feedback",
                "share_event",
                "introduce",
                "meet",
                "check_in",
            ]
        },
        "text": {"type": "string"},
        "event_id": {"type": ["string", "null"]},
        "event_title": {"type": ["string", "null"]},
        "event_start": _MAYBE_TIMESTAMP,
        "partner_id": {"type": ["string", "null"]},
        "partner_name": {"type": ["string", "null"]},
        "shared_tags": _STRINGS,
        "draft_id": {"type": ["integer", "null"]},
        "about": {"type": ["string", "null"]},
        "about_at": _MAYBE_TIMESTAMP,
    }
)

CONTACT = _object(
    {
        "rank": {"type": "integer", "minimum": 1},
        "id": {"type": "string"},
        "name": {"type": "string"},
        "circle": {"type": "string"},
        "why": {"type": "array", "items": {"enum": ["learn", "contribute", "connect"]}},
        "tags": _STRINGS,
        "cadence_days": {"type": "integer", "minimum": 1},
        "last_touch": _MAYBE_TIMESTAMP,
        "last_touch_kind": {"enum": [*_KINDS, None]},
        "last_support": _MAYBE_TIMESTAMP,
        "last_support_kind": {"enum": [*_SUPPORT_KINDS, None]},
        "days_since_touch": _MAYBE_COUNT,
        "days_since_support": _MAYBE_COUNT,
        "overdue": {"type": ["number", "null"], "minimum": 0},
        "past_cadence": {"type": "boolean"},
        "next_step": {"anyOf": [{"type": "null"}, {"$ref": "#/$defs/next_step"}]},
    }
)

INTRO = _object(
    {
        "id": {"type": "integer"},
        "contact_a": {"type": "string"},
        "contact_b": {"type": "string"},
        "asked_at": _TIMESTAMP,
        "days_waiting": _COUNT,
        "stale": {"type": "boolean"},
        "needs_decision": {"type": "boolean"},
    }
)

HEALTH = _object(
    {
        "promotion": _object(
            {
                "others": _COUNT,
                "own": _COUNT,
                "ratio": {"type": ["number", "null"], "minimum": 0},
                "target": {"type": "number"},
                "meets_target": {"type": "boolean"},
            }
        ),
        "focus": _object(
            {
                "size": _COUNT,
                "min": _COUNT,
                "max": _COUNT,
                "within_guideline": {"type": "boolean"},
            }
        ),
        "contacts_supported": _COUNT,
        "replies_received": _COUNT,
        "drafts_waiting": _COUNT,
        "intros_waiting": _object(
            {
                "count": _COUNT,
                "needs_decision": _COUNT,
                "timeout_days": {"type": "integer", "minimum": 1},
                "intros": {"type": "array", "items": {"$ref": "#/$defs/intro"}},
            }
        ),
    }
)

REPORT_SCHEMA: dict[str, Any] = {
    "$schema": "https://json-schema.org/draft/2020-12/schema",
    "title": "outreach report",
    **_object(
        {
            "schema_version": {"const": SCHEMA_VERSION},
            "as_of": _TIMESTAMP,
            "time_zone": {"type": "string"},
            "period": _object({"days": {"type": "integer", "minimum": 1}, "since": _TIMESTAMP}),
            "filters": _object(
                {
                    "circle": {"type": ["string", "null"]},
                    "overdue_only": {"type": "boolean"},
                    "limit": {"type": ["integer", "null"], "minimum": 1},
                }
            ),
            "contacts_total": _COUNT,
            "health": HEALTH,
            "contacts": {"type": "array", "items": {"$ref": "#/$defs/contact"}},
        }
    ),
    "$defs": {"contact": CONTACT, "next_step": NEXT_STEP, "intro": INTRO},
}
