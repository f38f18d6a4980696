"""Reference lists of the domain: reporting units, industries, enterprise sizes.

Labels are lazy so they show in the reader's language; the Chinese text is the msgid.
"""
from flask_babel import lazy_gettext as _l

# The 16 districts (GB/T 2260) and the two reporting units that are not districts.
DISTRICTS = [
    ("310101", "黄浦区", _l("黄浦区")),
    ("310104", "徐汇区", _l("徐汇区")),
    ("310105", "长宁区", _l("长宁区")),
    ("310106", "静安区", _l("静安区")),
    ("310107", "普陀区", _l("普陀区")),
    ("310109", "虹口区", _l("虹口区")),
    ("310110", "杨浦区", _l("杨浦区")),
    ("310112", "闵行区", _l("闵行区")),
    ("310113", "宝山区", _l("宝山区")),
    ("310114", "嘉定区", _l("嘉定区")),
    ("310115", "浦东新区", _l("浦东新区")),
    ("310116", "金山区", _l("金山区")),
    ("310117", "松江区", _l("松江区")),
    ("310118", "青浦区", _l("青浦区")),
    ("310120", "奉贤区", _l("奉贤区")),
    ("310151", "崇明区", _l("崇明区")),
    ("LG", "临港新片区", _l("临港新片区")),
    ("JC", "市局机场分局", _l("市局机场分局")),
]
DISTRICT_LABELS = {code: label for code, _name, label in DISTRICTS}
DEFAULT_ENTERPRISE_TARGET = 60
CITY_ENTERPRISE_TARGET = 1000
CITY_PILOT_TARGET = 10

# GB/T 4754-2017 sections.
INDUSTRIES = [
    ("A", _l("农、林、牧、渔业")),
    ("B", _l("采矿业")),
    ("C", _l("制造业")),
    ("D", _l("电力、热力、燃气及水生产和供应业")),
    ("E", _l("建筑业")),
    ("F", _l("批发和零售业")),
    ("G", _l("交通运输、仓储和邮政业")),
    ("H", _l("住宿和餐饮业")),
    ("I", _l("信息传输、软件和信息技术服务业")),
    ("J", _l("金融业")),
    ("K", _l("房地产业")),
    ("L", _l("租赁和商务服务业")),
    ("M", _l("科学研究和技术服务业")),
    ("N", _l("水利、环境和公共设施管理业")),
    ("O", _l("居民服务、修理和其他服务业")),
    ("P", _l("教育")),
    ("Q", _l("卫生和社会工作")),
    ("R", _l("文化、体育和娱乐业")),
    ("S", _l("公共管理、社会保障和社会组织")),
    ("T", _l("国际组织")),
]
INDUSTRY_LABELS = dict(INDUSTRIES)

ENTERPRISE_SIZES = [
    ("large", _l("大型")),
    ("medium", _l("中型")),
    ("small", _l("小型")),
    ("micro", _l("微型")),
]
SIZE_LABELS = dict(ENTERPRISE_SIZES)
# The API also accepts the Chinese words the national forms use.
SIZE_ALIASES = {"大型": "large", "中型": "medium", "小型": "small", "微型": "micro"}
