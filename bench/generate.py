"""A city-scale dataset, deterministic by seed, written by bulk inserts (SQLite or PostgreSQL).

    python -m bench.generate --database sqlite:///instance/bench.sqlite3 --scale 1.0 --seed 7

At scale 1.0: 18 reporting units (the migration's), 300 institutions, 10,000 instruments,
30,000 enterprises (one user each), 1,000,000 bookings over three years (two years and nine months
behind today, three months ahead) in the states such a history has, 100,000 service orders with
their items and instrument time, reviews, maintenance/calibration/internal-use closures, pilots
and their tables, and a year of nightly usage snapshots. Counts scale linearly with --scale
(institutions and instruments too), so 0.1 is a district-sized platform.

Rows go in through SQLAlchemy Core executemany in batches, with ids assigned here so that
bookings, their holds and reviews link without round trips; sequences are moved past them at the
end. Bookings never overlap on an instrument (two slots a weekday, one booking per slot), so the
PostgreSQL exclusion constraint holds for the active ones. Audit records and notifications are not
generated: no page the benchmarks read depends on them.
"""
import argparse
import math
import random
import time
from datetime import UTC, datetime, timedelta
from decimal import Decimal

import sqlalchemy as sa

from app.demo.catalog import CERTIFIER, INSTRUMENTS
from models import db
from models.instrument import PG_FILL_BIGRAMS, Category
from models.reference import DISTRICTS, INDUSTRIES
from models.timeutil import at_local, local_today

from .bulk import Writer, uscc, weighted

FULL = {"institutions": 300, "instruments": 10_000, "enterprises": 30_000, "bookings": 1_000_000,
        "orders": 100_000}
PASSWORD = "bench12345"
YEARS_BACK_DAYS = 1005  # with 90 days ahead: three years of bookings
AHEAD_DAYS = 90
SLOTS = ((9, 0, 3), (13, 30, 4))  # (hour, minute, longest hours) of the morning and afternoon slot
PAST_STATES = [("completed", 86), ("no_show", 3), ("cancelled", 7), ("rejected", 2), ("expired", 2)]
FUTURE_STATES = [("confirmed", 62), ("pending", 28), ("cancelled", 10)]
ORDER_OPEN = ["submitted", "quoted", "accepted", "sample_received", "testing", "report_issued"]
INSTITUTION_WORDS = ["计量测试", "检验检测", "质量技术", "材料测试", "电子电器检测", "环境可靠性", "精密测量", "分析测试"]
ENTERPRISE_WORDS = ["精密机械", "新材料", "电子科技", "智能装备", "生物医药", "汽车零部件", "光电", "化工", "食品",
                    "纺织", "医疗器械", "新能源", "集成电路", "仪器仪表", "环保科技"]
SURNAMES = "王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗"


def counts(scale):
    return {k: max(2, round(v * scale)) for k, v in FULL.items()}


class City:
    def __init__(self, connection, scale, seed, now, password_hash):
        self.rng = random.Random(seed)
        self.n = counts(scale)
        self.now = now
        self.today = local_today(now)
        self.out = Writer(connection)
        self.connection = connection
        self.password_hash = password_hash
        self.categories = [c for c, in connection.execute(sa.select(Category.code).where(
            Category.parent_code.is_not(None)))]
        self.ids = {"organizations": 0, "users": 0}

    def next_id(self, table):
        self.ids[table] = self.ids.get(table, 0) + 1
        return self.ids[table]

    # Organisations and people --------------------------------------------------------------
    def organization(self, **row):
        row.setdefault("id", self.next_id("organizations"))
        row.setdefault("created_at", self.now)
        row.setdefault("updated_at", self.now)
        self.out.add("organizations", row)
        return row["id"]

    def user(self, email, role, organization_id, name):
        uid = self.next_id("users")
        self.out.add("users", dict(id=uid, email=email, password_hash=self.password_hash, role=role, name=name,
                                   organization_id=organization_id, locale="zh_CN", active=True,
                                   created_at=self.now, updated_at=self.now))
        return uid

    def people(self):
        rng = self.rng
        codes = [code for code, _name, _label in DISTRICTS]
        city = self.organization(kind="bureau", name="上海市市场监督管理局", uscc=uscc(rng, "11"), approved=True)
        self.user("city@bench.local", "city", city, "市局统计员")
        for code, name, _label in DISTRICTS:
            bureau = self.organization(kind="bureau", name=f"{name}市场监督管理局", uscc=uscc(rng, "11"),
                                       district_code=code, approved=True)
            self.user(f"d{code.lower()}@bench.local", "district", bureau, f"{name}统计员")
        self.institutions, self.staff, self.district_of, self.institution_names = [], {}, {}, {}
        for i in range(self.n["institutions"]):
            code = codes[i % len(codes)]
            name = f"上海{rng.choice(INSTITUTION_WORDS)}技术研究院第{i + 1}分院"
            org = self.organization(kind="institution", name=name, uscc=uscc(rng, "12"), district_code=code,
                                    approved=True, approved_at=self.now, address=f"上海市{i + 1}号路{i % 97}号",
                                    cma_no=f"23{i:010d}", contact_name=rng.choice(SURNAMES) + "工",
                                    contact_phone=f"021-5{i:07d}", contact_email=f"inst{i}@bench.local")
            self.institutions.append(org)
            self.district_of[org] = code
            self.institution_names[org] = name
            self.staff[org] = self.user(f"inst{i}@bench.local", "institution", org, rng.choice(SURNAMES) + "工")
        self.out.flush()
        self.enterprises, self.enterprise_user = [], {}
        industries = [code for code, _label in INDUSTRIES]
        for i in range(self.n["enterprises"]):
            org = self.organization(
                kind="enterprise", name=f"上海{rng.choice(ENTERPRISE_WORDS)}有限公司{i + 1}号", uscc=uscc(rng, "91"),
                district_code=rng.choice(codes), industry=rng.choices(industries, [1, 1, 60] + [2] * 17)[0],
                size=rng.choice(["medium", "small", "small", "micro", "micro"]), approved=True)
            self.enterprises.append(org)
            self.enterprise_user[org] = self.user(f"ent{i}@bench.local", "enterprise", org,
                                                  rng.choice(SURNAMES) + "经理")
        self.out.flush()

    # Catalog --------------------------------------------------------------------------------
    def _places(self):
        """The names search_text holds beside the record's own texts (models/instrument.py _places)."""
        categories = {code: (name, parent) for code, name, parent in self.connection.execute(sa.select(
            Category.code, Category.name, Category.parent_code))}
        districts = {code: name for code, name, _label in DISTRICTS}

        def places(category, org):
            name, parent = categories[category]
            return [name, categories[parent][0] if parent else "", self.institution_names[org],
                    districts.get(self.district_of[org], "")]
        return places

    def catalog(self):
        rng = self.rng
        places = self._places()
        for n, org in enumerate(self.institutions):
            if n % 3 == 0:  # a third keep their own week; the rest use the platform default
                for day in range(1, 6):
                    for start, end in ((510, 720), (780, 1050)):
                        self.out.add("opening_hours", dict(institution_id=org, weekday=day, start_minute=start,
                                                           end_minute=end))
        self.instruments = []
        weights = [rng.lognormvariate(0, 1) for _ in self.institutions]
        owners = rng.choices(self.institutions, weights, k=self.n["instruments"])
        for i, org in enumerate(owners):
            (_k, _c, name, name_en, model, maker, country, value, category, specs, functions, span, accuracy, rate,
             discount, modes, _extra) = rng.choice(INSTRUMENTS)
            category = category if rng.random() < 0.7 else rng.choice(self.categories)
            status = rng.choices(["active", "maintenance", "retired"], [92, 5, 3])[0]
            valid = self.today + timedelta(days=rng.randint(-60, 365))
            parts = (name, name_en, f"{model}-{i % 50}", maker, functions, specs, *places(category, org))
            text = " ".join(p for p in parts if p).lower()
            row = dict(
                id=i + 1, institution_id=org, name=name, name_en=name_en, internal_code=f"B-{i:05d}",
                model=f"{model}-{i % 50}", manufacturer=maker, country_of_origin=country,
                original_value_wan=Decimal(value), commissioned_on=self.today - timedelta(days=rng.randint(400, 4000)),
                category_code=category, location=f"{3 + i % 7}号楼 {100 + i % 400}室", specs=specs,
                functions=functions, service_content="按预约提供设备使用与技术指导", sharing_rules="使用前须参加安全培训",
                measurement_range=span, accuracy=accuracy, traceability="calibration", certificate_no=f"JZ-{i:06d}",
                certified_on=valid - timedelta(days=365), calibration_valid_until=valid, certifying_body=CERTIFIER,
                offers_self_operated="self_operated" in modes, offers_assisted="assisted" in modes,
                offers_test_by_proxy="test_by_proxy" in modes,
                offers_outsourced_testing="outsourced_testing" in modes,
                hourly_rate=Decimal(rate), sme_discount_percent=Decimal(discount), slot_minutes=30, min_minutes=30,
                max_minutes=480, lead_minutes=60, max_advance_days=90, buffer_minutes=0,
                requires_approval=rng.random() < 0.3, max_future_bookings_per_org=5, cancel_free_hours=24,
                # The load's enterprise users book self-operated time as NEMO's qualified users do; the
                # generator grants no qualifications, so the rule is off for the generated fleet.
                requires_qualification=False,
                open_on_holidays=False, custom_hours=False, status=status, search_text=text,
                # On the platform for two years: open hours count only from an instrument's creation.
                created_at=self.now - timedelta(days=730), updated_at=self.now)
            self.instruments.append((row["id"], org, Decimal(rate), Decimal(discount), status))
            self.out.add("instruments", row)
        self.out.flush()

    def closures(self):
        """Saturdays: monthly-ish maintenance, a yearly calibration, some internal use."""
        rng = self.rng
        first = self.today - timedelta(days=YEARS_BACK_DAYS)
        saturdays = [first + timedelta(days=d) for d in range(YEARS_BACK_DAYS + AHEAD_DAYS)
                     if (first + timedelta(days=d)).isoweekday() == 6]
        for instrument_id, org, *_rest in self.instruments:
            for day in rng.sample(saturdays, 12):
                kind = rng.choices(["maintenance", "calibration", "internal_use"], [5, 2, 5])[0]
                self.out.add("closures", dict(
                    instrument_id=instrument_id, start_at=at_local(day) + timedelta(hours=9),
                    end_at=at_local(day) + timedelta(hours=rng.choice((12, 17))), kind=kind,
                    reason={"maintenance": "例行维护", "calibration": "年度校准", "internal_use": "内部科研使用"}[kind],
                    created_by_id=self.staff[org], created_at=self.now))
        self.out.flush()

    # Bookings ------------------------------------------------------------------------------
    def bookings(self):
        rng = self.rng
        first = self.today - timedelta(days=YEARS_BACK_DAYS)
        weekdays = [first + timedelta(days=d) for d in range(YEARS_BACK_DAYS + AHEAD_DAYS)
                    if (first + timedelta(days=d)).isoweekday() <= 5]
        slots = len(weekdays) * len(SLOTS)
        usable = [row for row in self.instruments if row[4] != "retired"]
        weights = [rng.paretovariate(1.6) for _ in usable]
        total = sum(weights)
        wanted = self.n["bookings"]
        per_instrument = [min(slots, max(1, math.floor(wanted * w / total))) for w in weights]
        short = wanted - sum(per_instrument)
        for index in range(len(usable)):  # hand out what the floor and the cap left over
            if short <= 0:
                break
            extra = min(short, slots - per_instrument[index])
            per_instrument[index] += extra
            short -= extra
        booking_id = 0
        self.completed = []  # (booking id, enterprise, institution, end) for reviews
        enterprise_weights = [rng.paretovariate(1.2) for _ in self.enterprises]
        for (instrument_id, org, rate, discount, _status), count in zip(usable, per_instrument, strict=True):
            chosen = sorted(rng.sample(range(slots), count))
            customers = rng.choices(self.enterprises, enterprise_weights, k=count)
            for slot, customer in zip(chosen, customers, strict=True):
                booking_id += 1
                day = weekdays[slot // len(SLOTS)]
                hour, minute, longest = SLOTS[slot % len(SLOTS)]
                start = at_local(day) + timedelta(hours=hour, minutes=minute)
                end = start + timedelta(hours=rng.randint(1, longest))
                self._booking(booking_id, instrument_id, org, customer, start, end, rate, discount)
        self.out.flush()
        self.booking_count = booking_id

    def _booking(self, booking_id, instrument_id, institution, customer, start, end, rate, discount):
        rng = self.rng
        past = end <= self.now
        status = weighted(rng, PAST_STATES if past else FUTURE_STATES, 1)[0]
        if not past and start <= self.now:
            status = "checked_in"
        hours = Decimal((end - start).total_seconds() / 3600)
        price = (rate * hours * (100 - discount) / 100).quantize(Decimal("0.01"))
        created = start - timedelta(days=rng.randint(1, 20), hours=rng.randint(0, 10))
        row = dict(id=booking_id, instrument_id=instrument_id, organization_id=customer,
                   created_by_id=self.enterprise_user[customer], occupancy_id=booking_id, start_at=start, end_at=end,
                   status=status, purpose="样品检测", service_mode="self_operated", staff_booked=False,
                   price_amount=price, sequence=0, version=1, created_at=min(created, self.now), updated_at=self.now)
        if status in ("completed", "checked_in"):
            row["actual_start"] = start + timedelta(minutes=rng.randint(-5, 10))
        if status == "completed":
            row["actual_end"] = end + timedelta(minutes=rng.randint(-20, 10))
            row["charge_amount"] = price
            self.completed.append((booking_id, customer, institution, end))
        active = status in ("pending", "confirmed", "checked_in")
        self.out.add("occupancies", dict(id=booking_id, instrument_id=instrument_id, kind="booking", start_at=start,
                                         end_at=end, blocks_until=end, active=active, created_at=row["created_at"]))
        self.out.add("bookings", row)

    # Orders ---------------------------------------------------------------------------------
    def orders(self):
        rng = self.rng
        first = self.now - timedelta(days=YEARS_BACK_DAYS)
        span = (self.now - first).total_seconds()
        by_institution = {}
        for instrument_id, org, _rate, _discount, status in self.instruments:
            if status != "retired":
                by_institution.setdefault(org, []).append(instrument_id)
        institutions = list(by_institution)
        weights = [len(by_institution[o]) for o in institutions]
        self.reported = []
        evenings = set()
        occupancy_id = self.booking_count
        for order_id in range(1, self.n["orders"] + 1):
            institution = rng.choices(institutions, weights)[0]
            customer = rng.choice(self.enterprises)
            created = first + timedelta(seconds=rng.random() * span)
            age = (self.now - created).days
            status = "completed" if age > 30 or rng.random() < 0.5 else rng.choice(ORDER_OPEN)
            instrument_id = rng.choice(by_institution[institution])
            row = dict(id=order_id, kind=rng.choice(["test_by_proxy", "test_by_proxy", "outsourced_testing"]),
                       organization_id=customer, institution_id=institution, instrument_id=instrument_id,
                       created_by_id=self.enterprise_user[customer], title=rng.choice(
                           ["盐雾试验", "材料成分分析", "尺寸检测", "环境可靠性试验", "电磁兼容预测试"]),
                       sample_name="样品", sample_quantity=rng.randint(1, 6), sample_unit="件",
                       sample_disposal="return", status=status, version=1, created_at=created, updated_at=created)
            steps = ORDER_OPEN.index(status) if status in ORDER_OPEN else len(ORDER_OPEN)
            at = created
            if steps >= 1:
                at += timedelta(days=1)
                row.update(quote_amount=Decimal(rng.randint(5, 60) * 100), quote_turnaround_days=7,
                           quote_valid_until=(at + timedelta(days=14)).date(), quoted_at=at)
            if steps >= 3:
                at += timedelta(days=2)
                row.update(sample_no=f"YP-{order_id:07d}", sample_received_at=at)
            if steps >= 4:
                at += timedelta(hours=20)
                row["testing_started_at"] = at
            if steps >= 5:
                at += timedelta(days=rng.randint(2, 9))
                row.update(report_no=f"BG-{order_id:07d}", report_issued_at=min(at, self.now))
                self.reported.append((order_id, customer, institution, min(at, self.now)))
            if steps >= 6:
                row["completed_at"] = min(at + timedelta(days=1), self.now)
            self.out.add("service_orders", row)
            for position in range(1, rng.randint(1, 3) + 1):
                self.out.add("order_items", dict(order_id=order_id, position=position, name="按标准检测",
                                                 standard="GB/T 2423.1-2008"))
            if steps >= 5 and rng.random() < 0.4:  # instrument time logged in the evening of the test day
                day = (row["testing_started_at"]).date()
                if (instrument_id, day) not in evenings:
                    evenings.add((instrument_id, day))
                    occupancy_id += 1
                    start = datetime(day.year, day.month, day.day, 10, 30, tzinfo=UTC)  # 18:30 in Shanghai
                    self.out.add("occupancies", dict(
                        id=occupancy_id, instrument_id=instrument_id, kind="order_work", start_at=start,
                        end_at=start + timedelta(hours=rng.randint(1, 3)),
                        blocks_until=start + timedelta(hours=3), active=True, created_at=start, order_id=order_id,
                        logged_by_id=self.staff[institution], note="检测"))
        self.out.flush()

    def reviews(self):
        rng = self.rng
        for booking_id, customer, institution, end in self.completed:
            if rng.random() < 0.12:
                self.out.add("reviews", dict(booking_id=booking_id, organization_id=customer,
                                             institution_id=institution, created_by_id=self.enterprise_user[customer],
                                             score=rng.choices([5, 4, 3, 2, 1], [55, 30, 10, 3, 2])[0], comment="",
                                             created_at=min(end + timedelta(days=1), self.now)))
        for order_id, customer, institution, issued in self.reported:
            if rng.random() < 0.4:
                self.out.add("reviews", dict(order_id=order_id, organization_id=customer, institution_id=institution,
                                             created_by_id=self.enterprise_user[customer],
                                             score=rng.choices([5, 4, 3], [65, 30, 5])[0], comment="",
                                             created_at=min(issued + timedelta(days=2), self.now)))
        self.out.flush()

    def pilots(self):
        rng = self.rng
        pilot_id = 0
        for year in (self.today.year - 2, self.today.year - 1, self.today.year):
            for code, name, _label in DISTRICTS:
                members = [o for o in self.institutions if self.district_of[o] == code]
                if not members:
                    continue
                for k in range(2):
                    pilot_id += 1
                    self.out.add("pilots", dict(
                        id=pilot_id, year=year, district_code=code, name=f"{name}质量基础设施一站式服务试点{k + 1}",
                        basic_info="依托区内技术机构开放大型仪器，面向中小企业提供一站式服务。",
                        funds_wan=Decimal(rng.randint(50, 300)), expert_person_times=rng.randint(10, 80),
                        main_content="分时租赁（仪器共享）、代检代测、实验外包", main_industries="制造业",
                        pass_rate_improvement="重点产品抽检合格率提升 2 个百分点",
                        profit_increase_wan=Decimal(rng.randint(200, 2000)), new_jobs=rng.randint(5, 80),
                        quality_effect="帮助企业建立质量控制点", other_effects="带动企业技改投资",
                        created_at=self.now, updated_at=self.now))
                    for member in rng.sample(members, min(3, len(members))):
                        self.out.add("pilot_institutions", dict(pilot_id=pilot_id, institution_id=member))
                status = "accepted" if year < self.today.year else rng.choice(["draft", "submitted", "returned"])
                self.out.add("pilot_tables", dict(year=year, district_code=code, status=status, version=1,
                                                  submitted_at=None if status == "draft" else self.now))
        self.out.flush()


def generate(connection, scale=1.0, seed=7, now=None, password_hash=None, log=print):
    """Fill an empty, migrated database; returns the row counts written."""
    from app.auth.services import hash_password

    now = now or datetime.now(UTC).replace(microsecond=0)
    city = City(connection, scale, seed, now, password_hash or hash_password(PASSWORD))
    for step in ("people", "catalog", "closures", "bookings", "orders", "reviews", "pilots"):
        started = time.perf_counter()
        getattr(city, step)()
        log(f"  {step:<10} {time.perf_counter() - started:6.1f} s")
    city.out.reset_sequences()
    if connection.dialect.name == "postgresql":  # what the ORM event does row by row
        connection.execute(sa.text(PG_FILL_BIGRAMS))
    names = ("organizations", "users", "instruments", "closures", "bookings", "occupancies", "service_orders",
             "order_items", "reviews", "pilots")
    return {name: connection.execute(sa.select(sa.func.count()).select_from(db.metadata.tables[name])).scalar()
            for name in names}


def snapshots(app, now, days=365, log=print):
    """A year of nightly snapshots, as the scheduler would have left them (the trend charts read these)."""
    from app.stats import snapshot

    with app.app_context():
        today = local_today(now)
        started = time.perf_counter()
        snapshot.backfill(today - timedelta(days=days), today - timedelta(days=1), now)
        db.session.commit()
        log(f"  snapshots  {time.perf_counter() - started:6.1f} s ({days} days)")


def build(url, scale=1.0, seed=7, log=print, with_snapshots=True):
    """Reset the database at `url`, migrate it, generate; returns (app, counts, seconds)."""
    from flask_migrate import upgrade

    from app import create_app

    from .common import reset_database

    reset_database(url)
    app = create_app("config.Config", SQLALCHEMY_DATABASE_URI=url, RATELIMIT_ENABLED=False)
    started = time.perf_counter()
    with app.app_context():
        upgrade()
        now = datetime.now(UTC).replace(microsecond=0)
        with db.engine.begin() as connection:
            counts_written = generate(connection, scale, seed, now, log=log)
        if db.engine.dialect.name == "postgresql":
            with db.engine.connect().execution_options(isolation_level="AUTOCOMMIT") as connection:
                connection.execute(sa.text("VACUUM ANALYZE"))
        else:
            with db.engine.begin() as connection:
                connection.execute(sa.text("ANALYZE"))
    if with_snapshots:
        snapshots(app, now, log=log)
    return app, counts_written, time.perf_counter() - started


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--database", default="sqlite:///instance/bench.sqlite3")
    parser.add_argument("--scale", type=float, default=1.0)
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--no-snapshots", action="store_true")
    args = parser.parse_args()
    print(f"generating scale {args.scale} into {args.database}")
    _app, written, seconds = build(args.database, args.scale, args.seed, with_snapshots=not args.no_snapshots)
    for name, value in written.items():
        print(f"  {name:<15} {value:>10,}")
    print(f"done in {seconds:.0f} s")


if __name__ == "__main__":
    main()
