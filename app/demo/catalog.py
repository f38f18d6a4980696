"""Demo instruments: realistic records across categories in both demo institutions.

Every instrument requires an operator qualification for self-operated use except the two load-and-run
chambers (salt spray, UV ageing), which a newly registered SME may book at once.
"""
from datetime import timedelta
from decimal import Decimal

import sqlalchemy as sa

from models import db
from models.instrument import Instrument, OpeningHours
from models.timeutil import local_today

from .accounts import organization

CERTIFIER = "上海市计量测试技术研究院"
# (institution, code, name, name_en, model, manufacturer, country, value 万元, category,
#  specs, functions, range, accuracy, rate 元/h, SME %, modes, extra)
INSTRUMENTS = [
    ("lab", "PJ-001", "电感耦合等离子体发射光谱仪", "ICP Optical Emission Spectrometer", "5110 ICP-OES", "Agilent",
     "美国", "85.00", "010100", "波长范围 167–785 nm；同时测定 70 余种元素；检出限 ppb 级",
     "金属材料、环境水样、食品中多元素定量分析", "167–785 nm", "RSD ≤ 1.5%", 600, 20,
     ["self_operated", "assisted", "test_by_proxy"], {}),
    ("lab", "PJ-002", "原子吸收光谱仪", "Atomic Absorption Spectrometer", "PinAAcle 900T", "PerkinElmer", "美国",
     "45.00", "010100", "火焰/石墨炉双原子化器；背景校正：塞曼", "重金属铅、镉、铬等痕量元素检测",
     "190–900 nm", "铜特征浓度 ≤ 0.04 mg/L", 300, 20, ["self_operated", "test_by_proxy"], {}),
    ("lab", "PJ-003", "傅里叶变换红外光谱仪", "FTIR Spectrometer", "Nicolet iS50", "Thermo Fisher", "美国", "60.00",
     "010100", "光谱范围 7800–350 cm⁻¹；分辨率 0.09 cm⁻¹；配 ATR 附件", "高分子材料、涂层成分鉴定与失效分析",
     "7800–350 cm⁻¹", "波数准确度 0.01 cm⁻¹", 350, 20, ["self_operated", "assisted", "test_by_proxy"], {}),
    ("lab", "PJ-004", "气相色谱-质谱联用仪", "Gas Chromatograph–Mass Spectrometer", "GCMS-QP2020 NX", "岛津",
     "日本", "120.00", "010300", "质量范围 m/z 1.5–1090；EI 源；自动进样器", "挥发性有机物、邻苯二甲酸酯、农残筛查",
     "m/z 1.5–1090", "质量准确度 ±0.1 u", 800, 15, ["assisted", "test_by_proxy"], {}),
    ("lab", "PJ-005", "高效液相色谱仪", "High-Performance Liquid Chromatograph", "Arc HPLC", "Waters", "美国",
     "40.00", "010200", "四元梯度泵；二极管阵列检测器；柱温 4–90 ℃", "添加剂、药物成分及杂质定量分析",
     "流速 0.01–5 mL/min", "流速精度 ±1%", 400, 20, ["self_operated", "assisted", "test_by_proxy"], {}),
    ("lab", "PJ-006", "场发射扫描电子显微镜", "Field Emission Scanning Electron Microscope", "Sigma 300", "ZEISS",
     "德国", "350.00", "010400", "分辨率 1.2 nm@15 kV；放大倍数 10–1,000,000×；配能谱仪", "表面形貌观察、断口与失效分析、微区成分",
     "10–1,000,000×", "分辨率 1.2 nm", 900, 15, ["assisted", "test_by_proxy"], {"requires_approval": True}),
    ("lab", "PJ-007", "波长色散 X 射线荧光光谱仪", "Wavelength Dispersive XRF Spectrometer", "S8 TIGER", "Bruker",
     "德国", "210.00", "010500", "元素范围 Be–U；4 kW 光管；真空/氦气光路", "合金、矿石、水泥成分快速无损分析",
     "Be–U", "重复性 RSD ≤ 0.05%", 700, 15, ["assisted", "test_by_proxy"], {}),
    ("lab", "PJ-008", "三坐标测量机", "Coordinate Measuring Machine", "GLOBAL S 9.12.8", "Hexagon", "瑞典", "180.00",
     "030100", "行程 900×1200×800 mm；MPE_E = 1.5+L/333 μm；扫描测头", "箱体、模具、精密零件几何尺寸与形位公差检测",
     "900×1200×800 mm", "MPE_E 1.5+L/333 μm", 500, 25, ["self_operated", "assisted", "test_by_proxy"],
     {"slot_minutes": 60, "min_minutes": 60}),
    ("lab", "PJ-009", "激光干涉仪", "Laser Interferometer", "XL-80", "Renishaw", "英国", "35.00", "030100",
     "线性测量精度 ±0.5 ppm；测量距离 80 m", "机床定位精度、直线度检测与补偿", "0–80 m", "±0.5 ppm", 300, 20,
     ["assisted", "test_by_proxy"], {}),
    ("lab", "PJ-010", "电子万能材料试验机", "Universal Testing Machine", "5985 (250 kN)", "Instron", "美国", "95.00",
     "020100", "最大试验力 250 kN；力值精度 ±0.5%；配高低温环境箱", "金属、塑料、复合材料拉伸、压缩、弯曲试验",
     "0.5 kN–250 kN", "0.5 级", 450, 20, ["self_operated", "assisted", "test_by_proxy"], {}),
    ("lab", "PJ-011", "多功能校准器", "Multifunction Calibrator", "5730A", "Fluke", "美国", "55.00", "030400",
     "直流电压 0–1100 V；24 h 稳定度 3.5 ppm", "数字多用表、电能表等电学仪表检定校准", "0–1100 V / 0–20 A",
     "3.5 ppm", 250, 20, ["assisted", "test_by_proxy"], {}),
    ("lab", "PJ-012", "恒温油槽", "Temperature Calibration Bath", "7380", "Fluke", "美国", "12.00", "030200",
     "温度范围 −80–110 ℃；均匀度 ±0.005 ℃", "温度计、温度传感器比对校准", "−80–110 ℃", "±0.005 ℃", 150, 30,
     ["self_operated", "assisted"], {}),
    ("lab", "PJ-013", "活塞式压力计", "Piston Gauge (Deadweight Tester)", "PG7601", "Fluke", "美国", "68.00", "030300",
     "测量范围 0.05–7 MPa；不确定度 15 ppm", "压力表、压力变送器检定校准", "0.05–7 MPa", "15 ppm", 280, 20,
     ["assisted", "test_by_proxy"], {}),
    ("lab", "PJ-014", "矢量网络分析仪", "Vector Network Analyzer", "E5080B", "Keysight", "美国", "110.00", "040200",
     "频率 9 kHz–20 GHz；动态范围 140 dB", "天线、滤波器、射频器件 S 参数测试", "9 kHz–20 GHz", "动态范围 140 dB",
     600, 20, ["self_operated", "assisted"], {}),
    ("lab", "PJ-015", "电磁兼容抗扰度测试系统", "EMC Immunity Test System", "NSG 3060", "Teseq", "瑞士", "150.00",
     "040300", "浪涌 6.6 kV；电快速瞬变 5.5 kV；符合 IEC 61000-4 系列", "电子电器产品 EMC 抗扰度预测试与认证测试",
     "浪涌 0.2–6.6 kV", "±10%", 800, 15, ["assisted", "test_by_proxy"], {}),
    ("lab", "PJ-016", "信号与频谱分析仪", "Signal and Spectrum Analyzer", "FSW26", "Rohde & Schwarz", "德国",
     "130.00", "040200", "频率 2 Hz–26.5 GHz；分析带宽 160 MHz", "无线产品射频指标、杂散与调制质量测试",
     "2 Hz–26.5 GHz", "±0.3 dB", 500, 20, ["self_operated", "assisted"], {}),
    ("lab", "PJ-017", "铯原子频率标准", "Caesium Frequency Standard", "5071A", "Microchip", "美国", "160.00", "030500",
     "准确度 5×10⁻¹³；长期稳定度 1×10⁻¹⁴", "时间频率量值传递、频率计检定", "5 MHz / 10 MHz", "5×10⁻¹³", 400, 20,
     ["assisted"], {"status": "maintenance"}),
    ("lab", "PJ-018", "数字超声波探伤仪", "Ultrasonic Flaw Detector", "EPOCH 650", "Evident (Olympus)", "日本",
     "15.00", "110100", "频带 0.2–26.5 MHz；符合 EN 12668-1", "焊缝、锻件内部缺陷无损检测", "0.2–26.5 MHz",
     "水平线性 ≤ 1%", 200, 30, ["self_operated", "assisted", "test_by_proxy"], {}),
    ("lab2", "MJ-001", "盐雾试验箱", "Salt Spray Test Chamber", "Q-FOG CCT1100", "Q-Lab", "美国", "28.00", "120100",
     "容积 1100 L；中性/酸性盐雾及循环腐蚀；符合 GB/T 10125、ISO 9227", "金属镀层、涂层耐腐蚀性能试验",
     "35±2 ℃", "沉降量 1–2 mL/80 cm²·h", 120, 25, ["self_operated", "test_by_proxy", "outsourced_testing"],
     {"slot_minutes": 60, "min_minutes": 60, "max_minutes": 1440, "requires_approval": False, "hours": "24x7",
      "requires_qualification": False}),
    ("lab2", "MJ-002", "高低温湿热试验箱", "Temperature and Humidity Chamber", "PL-3KPH", "ESPEC", "日本", "35.00",
     "120100", "温度 −40–150 ℃；湿度 20–98 %RH；容积 408 L", "电子产品、汽车零部件环境适应性试验",
     "−40–150 ℃ / 20–98 %RH", "温度波动 ±0.3 ℃", 150, 25, ["self_operated", "test_by_proxy", "outsourced_testing"],
     {"slot_minutes": 60, "min_minutes": 60, "max_minutes": 1440, "requires_approval": False, "hours": "24x7"}),
    ("lab2", "MJ-003", "快速温变试验箱", "Rapid Temperature Change Chamber", "ClimeEvent C/340/70/15", "Weiss Technik",
     "德国", "60.00", "120100", "温变速率 15 K/min；温度 −70–180 ℃", "元器件、PCBA 温度循环与热冲击试验",
     "−70–180 ℃", "±0.5 ℃", 200, 20, ["self_operated", "test_by_proxy", "outsourced_testing"],
     {"slot_minutes": 60, "min_minutes": 60, "max_minutes": 1440}),
    ("lab2", "MJ-004", "电动振动试验系统", "Electrodynamic Vibration Test System", "DC-3000-36", "苏州苏试", "中国",
     "85.00", "120100", "额定推力 30 kN；频率 5–2700 Hz；正弦/随机/冲击", "运输包装、车载电子振动与冲击试验",
     "5–2700 Hz", "加速度 ±5%", 350, 20, ["assisted", "test_by_proxy", "outsourced_testing"], {}),
    ("lab2", "MJ-005", "紫外老化试验箱", "UV Accelerated Weathering Tester", "QUV/spray", "Q-Lab", "美国", "18.00",
     "120100", "UVA-340/UVB-313 灯管；冷凝与喷淋", "涂料、塑料、橡胶耐候性加速老化", "辐照度 0.35–1.55 W/m²",
     "±0.02 W/m²", 100, 30, ["self_operated", "test_by_proxy"], {"slot_minutes": 60, "min_minutes": 60,
                                                                    "max_minutes": 1440, "requires_approval": False,
                                                                    "requires_qualification": False}),
    ("lab2", "MJ-006", "火花直读光谱仪", "Spark Optical Emission Spectrometer", "SPECTROMAXx", "SPECTRO", "德国",
     "75.00", "010100", "基体 Fe/Al/Cu/Ni 等；分析时间 < 30 s", "钢铁、有色金属牌号鉴定与成分分析", "C 0.001–4.5%",
     "符合 GB/T 4336", 350, 20, ["self_operated", "assisted", "test_by_proxy"], {}),
    ("lab2", "MJ-007", "显微共聚焦拉曼光谱仪", "Confocal Raman Spectrometer", "LabRAM HR Evolution", "HORIBA",
     "法国", "140.00", "010100", "激光 532/785 nm；光谱分辨率 0.3 cm⁻¹", "材料物相、应力、碳材料与微塑料鉴定",
     "50–4000 cm⁻¹", "0.3 cm⁻¹", 600, 20, ["assisted", "test_by_proxy"], {"requires_approval": True}),
    ("lab2", "MJ-008", "差示扫描量热仪", "Differential Scanning Calorimeter", "DSC 214 Polyma", "NETZSCH", "德国",
     "30.00", "010600", "温度 −170–600 ℃；灵敏度 < 1 μW", "高分子熔点、玻璃化转变、氧化诱导期", "−170–600 ℃",
     "焓值 ±1%", 250, 20, ["self_operated", "test_by_proxy"], {}),
    ("lab2", "MJ-009", "热重分析仪", "Thermogravimetric Analyzer", "TGA 5500", "TA Instruments", "美国", "42.00",
     "010600", "温度 室温–1200 ℃；天平灵敏度 0.1 μg", "材料热稳定性、组分与灰分测定", "室温–1200 ℃", "±0.1 μg",
     250, 20, ["self_operated", "test_by_proxy"], {}),
    ("lab2", "MJ-010", "影像测量仪", "Vision Measuring System", "QV Apex 404", "三丰 Mitutoyo", "日本", "55.00",
     "030100", "行程 400×400×250 mm；E = 1.5+3L/1000 μm", "冲压件、注塑件二维尺寸快速测量", "400×400×250 mm",
     "E 1.5+3L/1000 μm", 300, 25, ["self_operated", "assisted"], {}),
    ("lab2", "MJ-011", "三坐标测量机", "Coordinate Measuring Machine", "CONTURA 7/10/6", "ZEISS", "德国", "150.00",
     "030100", "行程 700×1000×600 mm；MPE_E = 1.8+L/300 μm", "汽车零部件、模具尺寸与形位公差检测",
     "700×1000×600 mm", "MPE_E 1.8+L/300 μm", 450, 25, ["self_operated", "assisted", "test_by_proxy"],
     {"valid_days": 20, "slot_minutes": 60, "min_minutes": 60}),
    ("lab2", "MJ-012", "倒置金相显微镜", "Inverted Metallurgical Microscope", "GX53", "Evident (Olympus)", "日本",
     "25.00", "020200", "放大倍数 50–1000×；明暗场、偏光、DIC", "金相组织、晶粒度、夹杂物评级", "50–1000×",
     "—", 150, 30, ["self_operated", "test_by_proxy"], {}),
    ("lab2", "MJ-013", "洛氏硬度计", "Rockwell Hardness Tester", "RH2150", "Wilson", "美国", "12.00", "020100",
     "洛氏/表面洛氏全标尺；自动加卸载", "热处理件、金属材料硬度检测", "20–100 HRC", "±0.5 HRC", 100, 30,
     ["self_operated", "test_by_proxy"], {}),
    ("lab2", "MJ-014", "激光粒度分析仪", "Laser Diffraction Particle Size Analyzer", "Mastersizer 3000", "Malvern",
     "英国", "48.00", "020300", "粒径 0.01–3500 μm；干湿法进样", "粉末、浆料粒度分布测定", "0.01–3500 μm",
     "±0.6%", 300, 20, ["self_operated", "test_by_proxy"], {"valid_days": -10}),
    ("lab2", "MJ-015", "X 射线衍射仪", "X-ray Diffractometer", "SmartLab 9kW", "Rigaku", "日本", "230.00", "010500",
     "9 kW 转靶；测角仪精度 0.0001°", "物相定性定量、晶粒尺寸、残余应力分析", "2θ −3–160°", "0.0001°", 700, 15,
     ["assisted", "test_by_proxy", "outsourced_testing"], {"requires_approval": True}),
    ("lab2", "MJ-016", "高频红外碳硫分析仪", "Carbon/Sulfur Analyzer", "CS844", "LECO", "美国", "38.00", "010700",
     "碳 0.6 ppm–6%；硫 0.6 ppm–0.4%", "钢铁、有色金属碳硫含量测定", "C 0.6 ppm–6%", "RSD ≤ 0.5%", 200, 25,
     ["self_operated", "test_by_proxy"], {}),
]

WEEK = {
    "lab": [(d, 510, 720) for d in range(1, 6)] + [(d, 780, 1050) for d in range(1, 6)],
    "lab2": [(d, 540, 1080) for d in range(1, 6)] + [(6, 540, 720)],
}


def _hours(org_id, week):
    existing = db.session.scalar(sa.select(sa.func.count(OpeningHours.id)).where(OpeningHours.institution_id == org_id))
    if not existing:
        for day, start, end in week:
            db.session.add(OpeningHours(institution_id=org_id, weekday=day, start_minute=start, end_minute=end))


SUBJECTS = {"01": "分析化学", "02": "材料科学", "03": "计量学", "04": "电子、通信与自动控制技术", "11": "无损检测",
            "12": "环境与可靠性工程"}
POSTCODES = {"lab": "201203", "lab2": "201100"}


def _national_record(org_key, category, index):
    """The national record's fields (NRII); every fifth instrument leaves its funding source open, so the
    console's completeness badge has something to show."""
    return dict(ownership_type="single", acquisition="purchased", usage_type="general",
                subject_area=SUBJECTS.get(category[:2], ""), share_mode="external", postcode=POSTCODES[org_key],
                funding_source="" if index % 5 == 4 else ("local" if org_key == "lab" else "own"))


def load(now):
    today = local_today(now)
    for key, week in WEEK.items():
        _hours(organization(key).id, week)
    created = 0
    for index, row in enumerate(INSTRUMENTS):
        (org_key, code, name, name_en, model, maker, country, value, category, specs, functions, span, accuracy,
         rate, discount, modes, extra) = row
        org = organization(org_key)
        if db.session.scalar(sa.select(Instrument.id).where(Instrument.institution_id == org.id,
                                                            Instrument.internal_code == code)):
            continue
        valid_days = extra.get("valid_days", 240 + (index * 37) % 300)
        instrument = Instrument(
            institution_id=org.id, internal_code=code, name=name, name_en=name_en, model=model,
            manufacturer=maker, country_of_origin=country, original_value_wan=Decimal(value),
            commissioned_on=today - timedelta(days=400 + index * 97), category_code=category,
            location=f"{org.address} {3 + index % 5}号楼 {100 + index}室", specs=specs, functions=functions,
            service_content="按预约时段提供设备使用与技术指导；可按委托出具检测报告。",
            sharing_rules="使用前须参加安全培训并签署仪器使用承诺书；自带样品须提前说明成分与危险性。",
            measurement_range=span, accuracy=accuracy,
            traceability="verification" if category.startswith("03") else "calibration",
            certificate_no=f"JZ{today.year}-{1000 + index * 17}", certifying_body=CERTIFIER,
            certified_on=today + timedelta(days=valid_days - 365),
            calibration_valid_until=today + timedelta(days=valid_days),
            hourly_rate=Decimal(rate), sme_discount_percent=Decimal(discount),
            contact_name=org.contact_name, contact_phone=org.contact_phone, contact_email=org.contact_email,
            status=extra.get("status", "active"), requires_approval=extra.get("requires_approval", index % 3 == 0),
            slot_minutes=extra.get("slot_minutes", 30), min_minutes=extra.get("min_minutes", 30),
            max_minutes=extra.get("max_minutes", 480), lead_minutes=60, max_advance_days=60,
            buffer_minutes=15 if category.startswith("01") else 0, max_future_bookings_per_org=5,
            cancel_free_hours=24, requires_qualification=extra.get("requires_qualification", True),
            # On the platform since before the demo's history: open hours count only from creation.
            created_at=now - timedelta(days=400), updated_at=now, **_national_record(org_key, category, index),
        )
        instrument.service_modes = modes
        if extra.get("hours") == "24x7":
            instrument.custom_hours = True
            instrument.open_on_holidays = True
        db.session.add(instrument)
        db.session.flush()
        if instrument.custom_hours:
            for day in range(1, 8):
                db.session.add(OpeningHours(instrument_id=instrument.id, weekday=day, start_minute=0, end_minute=1440))
        created += 1
    return {"instruments": len(INSTRUMENTS)}
