"""Walk-in customers: staff find an enterprise by its USCC, or register it on the spot."""
import sqlalchemy as sa
from flask_babel import lazy_gettext as _l

from models import Organization, audit, db
from models.errors import ValidationError
from models.uscc import normalize_uscc, uscc_error


def enterprise_for_walk_in(data, now):
    """The enterprise with this USCC; created (without accounts) when staff give its details."""
    uscc = normalize_uscc(data.get("uscc"))
    problem = uscc_error(uscc)
    if problem:
        raise ValidationError(fields={"uscc": problem})
    found = db.session.scalar(sa.select(Organization).where(Organization.uscc == uscc))
    if found is not None:
        if found.kind != "enterprise":
            raise ValidationError(fields={"uscc": _l("该代码属于非企业单位，不能作为预约企业。")})
        return found
    missing = {name: _l("首次登记该企业时请填写此项。") for name in ("enterprise_name", "district_code", "industry", "size")
               if not data.get(name)}
    if missing:
        raise ValidationError(_l("平台上还没有该企业，请补充企业名称、所在区、行业和规模后再登记。"), fields=missing)
    org = Organization(kind="enterprise", name=data["enterprise_name"], uscc=uscc, district_code=data["district_code"],
                       industry=data["industry"], size=data["size"], created_at=now, updated_at=now)
    db.session.add(org)
    db.session.flush()
    audit.record(org, "registered_by_staff", at=now)
    return org
