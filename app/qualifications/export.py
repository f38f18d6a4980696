"""An instrument's qualification list as .xlsx, read back by openpyxl in the tests.

Column headers and words stay Chinese in every language: they name the file's columns, as the
catalog's export does.
"""
import io

from models.timeutil import local

from ..stats.table import neutralise

HEADERS = ["姓名", "邮箱", "单位", "资格级别", "状态", "授予时间", "有效期至", "最近自主上机", "原因"]
LEVEL_WORDS = {"assisted": "人员指导下上机", "independent": "独立上机"}
STATUS_WORDS = {"active": "有效", "lapsed": "长期未用已失效", "expired": "已过期", "revoked": "已撤销"}


def _when(instant):
    return local(instant).strftime("%Y-%m-%d %H:%M") if instant else ""


def workbook(instrument, qualifications, now):
    from openpyxl import Workbook
    from openpyxl.styles import Font

    book = Workbook()
    sheet = book.active
    sheet.title = "上机资格"
    sheet.append([f"{instrument.name}（{instrument.internal_code or instrument.id}）上机资格名单"])
    sheet.append(HEADERS)
    for cell in sheet[2]:
        cell.font = Font(bold=True)
    for q in qualifications:
        user = q.user
        sheet.append([neutralise(v) for v in (
            user.name, user.email, user.organization.name if user.organization else "", LEVEL_WORDS[q.level],
            STATUS_WORDS[q.status_on(now)], _when(q.granted_at), q.expires_on.isoformat() if q.expires_on else "",
            _when(q.last_used_at), q.status_reason)])
    for column, width in zip("ABCDEFGHI", (10, 26, 30, 14, 14, 18, 12, 18, 30), strict=True):
        sheet.column_dimensions[column].width = width
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()
