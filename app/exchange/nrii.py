"""The national platform's records (NRII 重大科研基础设施和大型科研仪器国家网络管理平台): ONE mapping table.

Each row says which national field a value goes to, where it comes from here, which values the national
platform accepts and how it is derived. The exports, the import, the completeness check and docs/NRII.md
(`flask nrii doc`; a test fails when the file is out of date) all read these tables, so a change of the
national specification is a change here.
"""
from dataclasses import dataclass
from decimal import Decimal

from models.instrument import NRII_WORDS
from models.timeutil import local

SHANGHAI = "上海市"
# Our instrument status → the national 运行状态 (正常/偶有故障/经常故障/待修/待报废).
NATIONAL_STATUS = {"active": "正常", "maintenance": "待修", "retired": "待报废"}
SERVICE_WAYS = {"self_operated": "占用", "assisted": "技术", "training": "技术", "order": "委托"}
SERVICE_TYPES = {"external": "130", "internal": "120"}
OTHER_DIRECTION = "138"  # 研发 135 / 技术开发 136 / 教学 137 / 其他 138: we do not ask what a service was for
COMMENTS = {5: "非常满意", 4: "满意", 3: "一般", 2: "不满意", 1: "很不满意"}


@dataclass(frozen=True)
class Field:
    national: str  # the national field ("address.county" is the county of the address object)
    title: str  # the national template's column title
    ours: str  # what it is called here (model attribute, API path or source)
    allowed: str  # the values or format the national platform accepts
    derived: str  # how the value is made
    get: object  # (source, context) -> the national value ("" when missing)
    required: bool = True
    words: dict | None = None  # our code → national word, for enumerations (the import reads it backwards)


def _text(attr):
    return lambda i, _ctx: getattr(i, attr) or ""


def _word(attr):
    return lambda i, _ctx: NRII_WORDS[attr].get(getattr(i, attr), "")


def _day(value):
    return value.isoformat() if value else ""


def _hour(instant):
    return local(instant).strftime("%Y-%m-%d %H") if instant else ""


def _amount(value):
    return f"{Decimal(value):.2f}" if value is not None else ""


def _words(attr, national_values):
    return "、".join(national_values) if national_values else "/".join(NRII_WORDS[attr].values())


INSTRUMENT_FIELDS = [
    Field("cname", "仪器名称", "name", "≤ 100 字", "as entered", _text("name")),
    Field("ename", "英文名称", "name_en", "≤ 200 characters", "as entered", _text("name_en"), required=False),
    Field("innerId", "所在单位内部编码", "internal_code", "unique per institution", "as entered", _text("internal_code")),
    Field("insCode", "所属单位代码", "institution.uscc", "统一社会信用代码, 18 characters",
          "the institution's USCC", lambda i, _c: i.institution.uscc or ""),
    Field("instrBelongsType", "归属类型", "nrii.ownership_type", _words("ownership_type", None), "chosen per instrument",
          _word("ownership_type"), words=NRII_WORDS["ownership_type"]),
    Field("instrCategory", "仪器分类", "category_code", "6-digit code of the national scheme", "our category code",
          _text("category_code")),
    Field("instrSource", "仪器来源", "nrii.acquisition", _words("acquisition", None), "chosen per instrument",
          _word("acquisition"), words=NRII_WORDS["acquisition"]),
    Field("instrSupervise", "海关监管", "nrii.customs_supervised", "是/否", "是 when ticked, else 否",
          lambda i, _c: "是" if i.customs_supervised else "否", words={True: "是", False: "否"}),
    Field("worth", "原值（万元）", "original_value_wan", "decimal, 2 places", "as entered",
          lambda i, _c: _amount(i.original_value_wan)),
    Field("nation", "产地国别", "country_of_origin", "country name", "as entered", _text("country_of_origin")),
    Field("manufacturer", "生产制造商", "manufacturer", "text", "as entered", _text("manufacturer")),
    Field("beginDate", "启用日期", "commissioned_on", "YYYY-MM-DD", "as entered", lambda i, _c: _day(i.commissioned_on)),
    Field("type", "通用/专用", "nrii.usage_type", _words("usage_type", None), "chosen per instrument",
          _word("usage_type"), words=NRII_WORDS["usage_type"]),
    Field("instrVersion", "规格型号", "model", "text", "as entered", _text("model")),
    Field("technical", "主要技术指标", "specs", "≤ 500 字", "as entered", _text("specs")),
    Field("function", "主要功能", "functions", "≤ 300 字", "as entered", _text("functions")),
    Field("subject", "学科领域", "nrii.subject_area", "text (GB/T 13745 discipline)", "as entered",
          _text("subject_area")),
    Field("serviceContent", "服务内容", "service_content", "≤ 200 字", "as entered", _text("service_content")),
    Field("achievement", "主要成果", "nrii.achievements", "≤ 500 字", "as entered", _text("achievements"),
          required=False),
    Field("status", "运行状态", "status", "正常/偶有故障/经常故障/待修/待报废",
          "active → 正常, maintenance → 待修, retired → 待报废", lambda i, _c: NATIONAL_STATUS[i.status],
          words=NATIONAL_STATUS),
    Field("requirement", "对外开放共享规定", "sharing_rules", "≤ 500 字", "as entered", _text("sharing_rules")),
    Field("fee", "收费标准", "hourly_rate", "text", "“<hourly rate> 元/小时”, and the SME rate when discounted",
          lambda i, _c: _fee(i)),
    Field("serviceUrl", "服务网址", "nrii.service_url", "http(s) URL",
          "as entered, else this platform's page of the instrument", lambda i, c: i.service_url or c.page_url(i)),
    Field("address.province", "省", "—", "province", "always 上海市", lambda _i, _c: SHANGHAI),
    Field("address.city", "市", "—", "city", "always 上海市", lambda _i, _c: SHANGHAI),
    Field("address.county", "区（县）", "institution.district", "district name", "the institution's reporting unit",
          lambda i, _c: i.institution.district.name if i.institution.district else ""),
    Field("address.street", "详细地址", "location", "text", "the instrument's location, else the institution's address",
          lambda i, _c: i.location or i.institution.address or ""),
    Field("contact", "联系人", "contact.name", "text", "as entered", _text("contact_name")),
    Field("phone", "联系电话", "contact.phone", "text", "as entered", _text("contact_phone")),
    Field("email", "电子邮箱", "contact.email", "e-mail address", "as entered", _text("contact_email")),
    Field("postcode", "邮编", "nrii.postcode", "6 digits", "as entered", _text("postcode")),
    Field("shareMode", "共享模式", "nrii.share_mode", "内部/外部/不共享",
          "chosen per instrument: 外部共享 → 外部, 内部共享 → 内部", lambda i, _c: SHARE_WORDS.get(i.share_mode, ""),
          words={"external": "外部", "internal": "内部", "none": "不共享"}),
    Field("runMachine", "年运行机时", "statistics: effective_hours", "hours a year, 1 decimal",
          "有效工作机时 of the year from the statistics (the dashboards' figure)", lambda i, c: c.hours(i)[0]),
    Field("serviceMachine", "年对外服务机时", "statistics: external_hours", "hours a year, 1 decimal",
          "对外服务机时 of the year from the statistics (the dashboards' figure)", lambda i, c: c.hours(i)[1]),
    Field("funds", "资金来源", "nrii.funding_source", "中央/地方/自有", "chosen per instrument", _word("funding_source"),
          words=NRII_WORDS["funding_source"]),
]
SHARE_WORDS = {"external": "外部", "internal": "内部", "none": "不共享"}


def _fee(instrument):
    fee = f"{instrument.hourly_rate:.2f} 元/小时"
    if instrument.sme_discount_percent:
        fee += f"（中小企业 {instrument.sme_hourly_rate:.2f} 元/小时）"
    return fee


SERVICE_FIELDS = [
    Field("innerId", "仪器内部编码", "instrument.internal_code", "the instrument record's innerId", "as entered",
          lambda s, _c: s.instrument.internal_code or ""),
    Field("recordInnerId", "服务记录编号", "booking / order / training id", "unique",
          "B<booking id>, O<order id>, T<training session id>-<trained enterprise id>", lambda s, _c: s.record_id),
    Field("amounts", "服务金额（元）", "charge / price / quote", "decimal, 2 places",
          "booking: its charge, else its price; order: its quote; training: 0.00", lambda s, _c: _amount(s.fee)),
    Field("serviceTime", "服务开始时间", "actual start", "YYYY-MM-DD HH",
          "booking: actual start; order: sample received; training: session start", lambda s, _c: _hour(s.start)),
    Field("endTime", "服务结束时间", "actual end", "YYYY-MM-DD HH",
          "booking: actual end; order: completed; training: session end", lambda s, _c: _hour(s.end)),
    Field("serviceAmount", "服务量", "hours / samples", "hours (2 decimals) or samples",
          "booking and training: hours; order: samples (sample quantity)", lambda s, _c: s.amount),
    Field("serviceContent", "服务内容", "purpose / order title", "text",
          "booking: its purpose, else the instrument's service content; order: title and test items; training: 上机培训",
          lambda s, _c: s.content),
    Field("serviceWay", "服务方式", "booking.service_mode", "占用/技术/委托",
          "self-operated → 占用; assisted and training → 技术; orders → 委托", lambda s, _c: SERVICE_WAYS[s.way],
          words=SERVICE_WAYS),
    Field("serviceType", "服务对象类型", "applicant's organisation", "130 external / 120 internal",
          "120 when the applicant is the institution itself, else 130",
          lambda s, _c: SERVICE_TYPES["internal" if s.applicant_org_id == s.instrument.institution_id else "external"]),
    Field("serviceDirection", "服务方向", "—", "135 研发 / 136 技术开发 / 137 教学 / 138 其他",
          "always 138 (the platform does not ask what a service was for)", lambda _s, _c: OTHER_DIRECTION),
    Field("applicant", "申请人", "user.name", "text", "the user who booked / ordered / trained, by name else e-mail",
          lambda s, _c: s.applicant.name or s.applicant.email),
    Field("applicantPhone", "申请人电话", "user.phone", "text", "the user's phone, else the organisation's",
          lambda s, _c: s.applicant.phone or s.applicant_org.contact_phone or "", required=False),
    Field("applicantEmail", "申请人邮箱", "user.email", "e-mail address", "the user's e-mail",
          lambda s, _c: s.applicant.email),
    Field("applicantUnit", "申请单位", "organisation.name", "text", "the applicant's organisation",
          lambda s, _c: s.applicant_org.name),
    Field("comment", "服务评价", "review.score", "非常满意/满意/一般/不满意/很不满意",
          "the review's five levels (5 → 非常满意 … 1 → 很不满意); empty without a review",
          lambda s, _c: COMMENTS.get(s.score, ""), required=False),
]


def record(fields, source, context):
    """One national record as a dict; "address.county" becomes {"address": {"county": ...}}."""
    out = {}
    for field in fields:
        target, *rest = field.national.split(".")
        value = field.get(source, context)
        if rest:
            out.setdefault(target, {})[rest[0]] = value
        else:
            out[target] = value
    return out


def flat(fields, source, context):
    """The same record as one spreadsheet row, in the table's column order."""
    return [field.get(source, context) for field in fields]


def missing(instrument, context):
    """The national fields an instrument still lacks (required and empty)."""
    return [f.national for f in INSTRUMENT_FIELDS if f.required and f.get(instrument, context) in ("", None)]


def markdown():
    """docs/NRII.md, rendered from the tables above."""
    lines = ["# The national record (NRII)", "",
             "Generated from `app/exchange/nrii.py` by `flask nrii doc`; do not edit by hand (a test compares).", "",
             "Institutions report their large instruments and every service to the national platform for large",
             "research instruments (重大科研基础设施和大型科研仪器国家网络管理平台) and its Shanghai sub-platform.",
             "Exports: `GET /api/v1/exchange/nrii/instruments.json|.xlsx?institution_id=&year=`,",
             "`GET /api/v1/exchange/nrii/service-records.json|.xlsx?institution_id=&from=&to=`; the check:",
             "`GET /api/v1/exchange/nrii/check?institution_id=`; import: `POST /api/v1/exchange/nrii/instruments/import`.",
             "A required field that is empty is listed by the check and by the console's completeness badge.", ""]
    for title, fields in (("Instrument record", INSTRUMENT_FIELDS), ("Service record", SERVICE_FIELDS)):
        lines += [f"## {title}", "", "| national field | title | ours | allowed values | derived | required |",
                  "| --- | --- | --- | --- | --- | --- |"]
        lines += [f"| `{f.national}` | {f.title} | `{f.ours}` | {f.allowed} | {f.derived} | "
                  f"{'yes' if f.required else 'no'} |" for f in fields]
        lines.append("")
    return "\n".join(lines)
