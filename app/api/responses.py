"""JSON Schemas of the answers the contract (shared/API.md) pins down, named in `@operation(response=…)`.
Schemathesis holds every response of these operations to them (tests/fuzz); responses may carry more fields."""
from models.booking import STATES
from models.instrument import BOOKING_MODES
from models.user import ROLES

NULLABLE_STRING = {"type": ["string", "null"]}
ID = {"type": "integer", "minimum": 1}
PARTY = {"type": "object", "required": ["id", "name"], "properties": {"id": ID, "name": {"type": "string"}}}
MONEY = {"type": ["object", "null"], "required": ["amount", "currency"],
         "properties": {"amount": {"type": "string", "pattern": r"^\d+\.\d{2}$"}, "currency": {"const": "CNY"}}}


def listing(item):
    return {"type": "object", "required": ["items"], "properties": {"items": {"type": "array", "items": item}}}


DISTRICTS = listing({"type": "object", "required": ["code", "name"],
                     "properties": {"code": {"type": "string"}, "name": {"type": "string"}}})
CATEGORIES = listing({"type": "object", "required": ["code", "name", "parent_code"],
                      "properties": {"code": {"type": "string"}, "name": {"type": "string"},
                                     "parent_code": NULLABLE_STRING}})
USER = {"type": "object", "required": ["id", "email", "role", "organization"], "properties": {
    "id": ID, "email": {"type": "string"}, "role": {"enum": list(ROLES)},
    "organization": {"type": ["object", "null"], "required": ["id", "name", "kind"],
                     "properties": {"id": ID, "name": {"type": "string"}, "kind": {"type": "string"}}}}}
TOKEN = {"type": "object", "required": ["token", "expires_at", "user"],
         "properties": {"token": {"type": "string"}, "expires_at": {"type": "string"}, "user": USER}}
BOOKING = {"type": "object", "required": [
    "id", "instrument_id", "instrument_name", "organization", "start", "end", "status", "purpose", "service_mode",
    "price", "actual_start", "actual_end", "late_cancellation"], "properties": {
    "id": ID, "instrument_id": ID, "instrument_name": {"type": "string"}, "organization": PARTY,
    "start": {"type": "string"}, "end": {"type": "string"},
    "status": {"enum": list(STATES)},
    "purpose": {"type": "string"}, "service_mode": {"enum": list(BOOKING_MODES)}, "price": MONEY,
    "actual_start": NULLABLE_STRING, "actual_end": NULLABLE_STRING, "late_cancellation": {"type": "boolean"}}}
AVAILABILITY = {"type": "object", "required": ["instrument_id", "from", "to", "free", "busy"], "properties": {
    "instrument_id": ID, "from": {"type": "string"}, "to": {"type": "string"},
    "free": {"type": "array", "items": {"type": "object", "required": ["start", "end"]}},
    "busy": {"type": "array", "items": {"type": "object", "required": ["start", "end", "kind"], "properties": {
        "kind": {"type": "string"}}}}}}
