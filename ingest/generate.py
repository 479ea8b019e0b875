"""Synthetic CreditGraph input files with planted ground truth.

``generate(out_dir, entities, seed)`` writes every input file of ``docs/formats.md``
(``businesses`` ... ``licences``, CSV or Parquet, exactly the documented columns)
and ``ground_truth.json``, which is *not* an input file: it says what was planted so that
ingest, detection jobs and benchmarks can be scored. The same seed gives byte-identical
files (one ``numpy.random.Generator``; no wall clock, no hash-ordered sets).

Everything is vectorised (numpy for numbers, pyarrow compute for strings): 1M businesses
take about 70 s of CPU and 3 GiB (orders and waybills are built and written in chunks of
a million rows). Only per-group work (holding trees, rings) loops in Python, over groups,
not over rows of the big files.

Ratios (``n`` = ``entities`` = businesses)
------------------------------------------
=====================  ==============================================================
businesses             ``n``; 2% foreign (``HK:`` ``VG:`` ``KY:`` ``SG:`` ``US-DE:``)
people                 ``1.3 n``; ~1% passport, ~0.3% ``other`` id types
roles                  ~``2.8 n``: one legal representative in force per domestic
                       business (8% with an earlier, ended one), directors (25% of
                       businesses), supervisors (60%), managers (35%), declared actual
                       controllers (~4%), registration agents (hub members + 2%)
shareholdings          ~``2.1 n``: natural persons, holding trees (10% of businesses,
                       depth <= 4 below the root), offshore and domestic minority
                       stakes, cross-holdings (``n/5000`` pairs), cycles (``n/20000``, >= 1)
stores                 ``0.6 n`` + reopened and repeat-infringer stores
brands                 ``n/100`` (>= 5)
accounts               ``2 n`` + fake ring accounts
orders                 ``10 n`` normal + brushing rings with camouflage
waybills               one per order for 95% of orders
listings               ~``0.11 n``; violations ~``0.035 n``
infringement_reports   1-3 per (counterfeit store, brand) + 20% false reports
licences               ~``0.3 n``: by the industry in the business name (food and tea
                       sellers ~90% a food operation licence, media publication, internet
                       ICP ...); about 70% in force, the rest lapsed, revoked or suspended
                       (most of a revoked or cancelled business's); a quarter of those in
                       force with the expired licence they renewed; shells hold none
=====================  ==============================================================

Planted structures: shell clusters (``max(3, n/400)``, 3-30 members each, registered within
30 days at one address, sharing phones, e-mails and legal representatives); legitimate hubs
that must *not* be taken for clusters (registration-agent addresses with 20-800 tenants,
agent phones, a platform customer-service phone, registration agents); reopened stores;
counterfeit stores and repeat infringers; brushing rings (``max(2, n/2000)``, see
:class:`BrushingParams`); the same address written two ways; optionally bad rows.

Conventions the ingest side relies on
-------------------------------------
* Orders on ``tmall`` are placed by ``taobao:`` accounts (one Alibaba buyer account); on every
  other platform the account and the store share the platform prefix.
* Ended roles/holdings end the day before their successor starts, so shares in force on any
  one date sum to <= 1 per business; summed over all rows (history included) they may not.
* Foreign businesses have no status, region, roles or holders of their own.
* ``complainant`` of an infringement report is the brand owner's business or person id.
* Parquet files hold the same string dates/timestamps as the CSV files.
* Phones appear as mobiles, ``0571-87654321`` landlines, ``+86 138...`` (variants) and
  platform service numbers (``95188``); e-mails are plain.
* ``licences`` is written last (after every other file's random draws), so a seed gives the
  same other files as before licences existed; 30% of lapsed licences are still recorded
  ``valid`` (their ``expires`` has passed).
* ``bad_rows`` rows are *extra* rows; ``row`` is the 0-based data row (CSV line = row + 2).

``ground_truth.json`` keys: ``shell_clusters`` (lists of business ids), ``hub_addresses``,
``hub_phones``, ``platform_service_phones``, ``registration_agents`` (person ids): the
legitimate sharing; ``address_variants`` and ``phone_variants`` ([canonical, as written]);
``holding_groups``, ``ownership_cycles``, ``cross_holdings`` (business ids);
``reopened_stores`` and ``reopened_via_legal_representative`` ([old, new] store ids);
``counterfeit_stores`` ({store_id, brand_id}); ``repeat_infringers`` ({operator_type,
operator_id, stores}); ``false_reports`` (report ids); ``brushing_rings`` ({platform,
accounts, stores}); ``bad_rows`` ({file, row, field, kind, value}); and the run's
parameters (``seed``, ``entities``, ``format``, ``noise``, ``bad_rows_rate``,
``brushing_params``, ``schema_version``).
"""

from __future__ import annotations

import itertools
import json
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from dataclasses import asdict, dataclass, field
from pathlib import Path
from types import MappingProxyType
from typing import Any, Literal

import numpy as np
import numpy.typing as npt
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.csv as pa_csv
import pyarrow.parquet as pq

__all__ = [
    "COLUMNS",
    "INPUT_FILES",
    "BrushingParams",
    "GenerationSummary",
    "generate",
]

IntArr = npt.NDArray[np.int64]
FloatArr = npt.NDArray[np.float64]
BoolArr = npt.NDArray[np.bool_]

COLUMNS: Mapping[str, tuple[str, ...]] = MappingProxyType(
    {
        "businesses": (
            "business_id",
            "name",
            "status",
            "established",
            "registered_capital",
            "region",
            "address",
            "phone",
            "email",
        ),
        "people": ("person_id", "name", "id_type", "region", "phone", "email"),
        "roles": ("person_id", "business_id", "role", "since", "until"),
        "shareholdings": ("holder_type", "holder_id", "business_id", "share", "since", "until"),
        "stores": (
            "store_id",
            "name",
            "operator_type",
            "operator_id",
            "opened",
            "status",
            "region",
            "ship_from_address",
            "phone",
        ),
        "brands": ("brand_id", "name", "owner_type", "owner_id"),
        "accounts": ("account_id", "created", "phone"),
        "waybills": (
            "waybill_id",
            "weight_kg",
            "shipped",
            "delivered",
            "receiver_address",
            "receiver_phone",
        ),
        "orders": ("order_id", "account_id", "store_id", "placed", "amount", "waybill_id"),
        "listings": (
            "listing_id",
            "subject_type",
            "subject_id",
            "list_type",
            "authority",
            "decided",
            "expires",
            "removed",
            "removal_reason",
            "legal_basis",
            "region",
        ),
        "violations": (
            "violation_id",
            "subject_type",
            "subject_id",
            "kind",
            "authority",
            "decided",
            "case_no",
            "penalty",
            "amount",
            "legal_basis",
            "region",
        ),
        "infringement_reports": (
            "report_id",
            "store_id",
            "brand_id",
            "complainant",
            "status",
            "filed",
            "evidence",
        ),
        "licences": (
            "business_id",
            "licence_type",
            "licence_no",
            "authority",
            "issued",
            "expires",
            "status",
        ),
    }
)
"""Columns of every input file, in the order of docs/formats.md (which is the load order)."""

INPUT_FILES: tuple[str, ...] = tuple(COLUMNS)

# ---------------------------------------------------------------------------------------------
# Parameters and result
# ---------------------------------------------------------------------------------------------

Camouflage = Literal["none", "random", "popular", "mixed"]


@dataclass(frozen=True)
class BrushingParams:
    """How brushing rings (刷单团伙) are planted; vary these in benchmarks.

    ``density``: probability that a fake account orders from a boosted store in one wave.
    ``camouflage``: where the fake accounts' cover orders go (FRAUDAR's random / biased
    camouflage: uniformly random stores, or the platform's most popular stores, or both).
    ``camouflage_level``: cover orders per ring order, per fake account (Poisson mean).
    """

    rings: int | None = None
    accounts: tuple[int, int] = (10, 60)
    stores: tuple[int, int] = (2, 6)
    waves: tuple[int, int] = (2, 5)
    window_hours: float = 48.0
    density: float = 0.8
    empty_parcel: float = 0.7
    receivers: tuple[int, int] = (1, 4)
    camouflage: Camouflage = "mixed"
    camouflage_level: float = 1.0

    def __post_init__(self) -> None:
        for name in ("accounts", "stores", "waves", "receivers"):
            low, high = getattr(self, name)
            if not 1 <= low <= high:
                raise ValueError(f"BrushingParams.{name}={low, high}: need 1 <= low <= high")
        for name in ("density", "empty_parcel"):
            if not 0.0 <= getattr(self, name) <= 1.0:
                raise ValueError(f"BrushingParams.{name} must lie in [0, 1]")
        if self.camouflage_level < 0 or self.window_hours <= 0:
            raise ValueError("BrushingParams: camouflage_level >= 0 and window_hours > 0")
        if self.camouflage not in ("none", "random", "popular", "mixed"):
            raise ValueError(f"BrushingParams.camouflage={self.camouflage!r} is unknown")


@dataclass(frozen=True)
class GenerationSummary:
    """What ``generate`` wrote: one path and row count per input file, and the ground truth."""

    out_dir: Path
    fmt: str
    files: Mapping[str, Path]
    rows: Mapping[str, int]
    ground_truth: Path
    extra: Mapping[str, int] = field(default_factory=lambda: MappingProxyType({}))


# ---------------------------------------------------------------------------------------------
# Reference data
# ---------------------------------------------------------------------------------------------

# city prefix (4 digits) -> (province, city, short name, telephone area code)
_CITIES: dict[str, tuple[str, str, str, str]] = {
    "3301": ("浙江省", "杭州市", "杭州", "0571"),
    "3302": ("浙江省", "宁波市", "宁波", "0574"),
    "3303": ("浙江省", "温州市", "温州", "0577"),
    "3304": ("浙江省", "嘉兴市", "嘉兴", "0573"),
    "3305": ("浙江省", "湖州市", "湖州", "0572"),
    "3306": ("浙江省", "绍兴市", "绍兴", "0575"),
    "3307": ("浙江省", "金华市", "金华", "0579"),
    "3308": ("浙江省", "衢州市", "衢州", "0570"),
    "3309": ("浙江省", "舟山市", "舟山", "0580"),
    "3310": ("浙江省", "台州市", "台州", "0576"),
    "3311": ("浙江省", "丽水市", "丽水", "0578"),
    "3101": ("上海市", "上海市", "上海", "021"),
    "1101": ("北京市", "北京市", "北京", "010"),
    "3205": ("江苏省", "苏州市", "苏州", "0512"),
    "4401": ("广东省", "广州市", "广州", "020"),
    "4403": ("广东省", "深圳市", "深圳", "0755"),
    "3502": ("福建省", "厦门市", "厦门", "0592"),
}

# Current county-level divisions: (code, district, weight). Businesses, stores, addresses.
_COUNTIES: tuple[tuple[str, str, float], ...] = (
    ("330102", "上城区", 4),
    ("330105", "拱墅区", 4),
    ("330106", "西湖区", 5),
    ("330108", "滨江区", 5),
    ("330109", "萧山区", 5),
    ("330110", "余杭区", 8),
    ("330111", "富阳区", 2),
    ("330182", "建德市", 1),
    ("330203", "海曙区", 3),
    ("330205", "江北区", 2),
    ("330206", "北仑区", 2),
    ("330212", "鄞州区", 4),
    ("330282", "慈溪市", 2),
    ("330302", "鹿城区", 3),
    ("330303", "龙湾区", 2),
    ("330381", "瑞安市", 2),
    ("330382", "乐清市", 2),
    ("330402", "南湖区", 2),
    ("330411", "秀洲区", 1),
    ("330481", "海宁市", 2),
    ("330483", "桐乡市", 2),
    ("330502", "吴兴区", 2),
    ("330503", "南浔区", 1),
    ("330521", "德清县", 1),
    ("330602", "越城区", 2),
    ("330603", "柯桥区", 3),
    ("330681", "诸暨市", 2),
    ("330702", "婺城区", 2),
    ("330782", "义乌市", 8),
    ("330783", "东阳市", 2),
    ("330784", "永康市", 2),
    ("330802", "柯城区", 1),
    ("330881", "江山市", 1),
    ("330902", "定海区", 1),
    ("330903", "普陀区", 1),
    ("331002", "椒江区", 1),
    ("331003", "黄岩区", 1),
    ("331081", "温岭市", 2),
    ("331102", "莲都区", 1),
    ("331121", "青田县", 1),
    ("310101", "黄浦区", 1),
    ("310115", "浦东新区", 2),
    ("110105", "朝阳区", 1),
    ("320505", "虎丘区", 1),
    ("440106", "天河区", 1),
    ("440305", "南山区", 1),
    ("350203", "思明区", 1),
)

# Resident-id region codes with the birth years python-stdnum accepts for them
# (GB/T 2260 as of that year). 0 = open.
_RIC_CODES: tuple[tuple[str, int, int], ...] = (
    ("330102", 1983, 0),
    ("330105", 1983, 0),
    ("330106", 1983, 0),
    ("330108", 1996, 0),
    ("330110", 2001, 0),
    ("330122", 0, 0),
    ("330127", 0, 0),
    ("330121", 0, 1987),
    ("330123", 0, 1994),
    ("330124", 0, 1996),
    ("330125", 0, 1994),
    ("330126", 0, 1992),
    ("330181", 1989, 2001),
    ("330182", 1992, 0),
    ("330120", 0, 1983),
    ("330203", 1983, 0),
    ("330205", 1983, 0),
    ("330211", 1985, 0),
    ("330225", 1983, 0),
    ("330226", 1983, 0),
    ("330227", 1983, 2002),
    ("330281", 1989, 0),
    ("330282", 1989, 0),
    ("330220", 0, 1983),
    ("330302", 1984, 0),
    ("330303", 1984, 0),
    ("330324", 1981, 0),
    ("330326", 1981, 0),
    ("330327", 1981, 0),
    ("330328", 1981, 0),
    ("330381", 1989, 0),
    ("330382", 1993, 0),
    ("330320", 0, 1983),
    ("330402", 1983, 0),
    ("330411", 1983, 0),
    ("330421", 1983, 0),
    ("330424", 1983, 0),
    ("330481", 1989, 0),
    ("330521", 1983, 0),
    ("330522", 1983, 0),
    ("330523", 1983, 0),
    ("330602", 1983, 0),
    ("330621", 1983, 2013),
    ("330624", 1983, 0),
    ("330681", 1989, 0),
    ("330702", 1985, 0),
    ("330723", 1985, 0),
    ("330726", 1985, 0),
    ("330782", 1989, 0),
    ("330783", 1989, 0),
    ("330784", 1992, 0),
    ("330802", 1985, 0),
    ("330822", 1985, 0),
    ("330824", 1985, 0),
    ("330881", 1989, 0),
    ("330902", 1987, 0),
    ("330903", 1987, 0),
    ("331002", 1994, 0),
    ("331003", 1994, 0),
    ("331022", 1994, 0),
    ("331081", 1994, 0),
    ("331102", 2000, 0),
    ("331121", 2000, 0),
    ("310101", 0, 0),
    ("310104", 0, 0),
    ("310105", 0, 0),
    ("310106", 0, 0),
    ("310110", 0, 0),
    ("110101", 0, 0),
    ("110105", 0, 0),
    ("440305", 1983, 0),
    ("350203", 1983, 0),
)

_SURNAMES = (
    "王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗郑梁谢宋唐许韩冯邓曹彭曾肖田董袁潘于蒋蔡余杜叶程"
    "苏魏吕丁任沈姚卢姜崔钟谭陆汪范金石廖贾夏韦付方白邹孟熊秦邱江尹薛闫段雷侯龙史陶黎贺顾毛郝"
    "龚邵万钱严覃武戴莫孔向汤"
)
_COMPOUND_SURNAMES = ("欧阳", "诸葛", "上官", "司马")
_GIVEN = (
    "伟芳娜秀英敏静丽强磊军洋勇艳杰娟涛明超兰霞平刚桂华建国文辉玲鹏飞宇浩婷雪琳晨欣怡佳俊子涵"
    "梓轩博睿思雨萱嘉晓东海波宁斌峰志红梅亮颖慧倩楠凯鑫帆琪瑶萍健林斌彬晶颖昊然逸航诗"
)
_TRADE = (
    "星辰恒瑞鑫盛华泰锦宏达源嘉禾正信诚天润丰创新美优品汇通博远方卓越智云联德安康乐和悦顺兴旺"
    "荣昌隆祥福金银玉蓝海山川林森湖光明阳春秋晨曦雅致尚臻宝富利佳益众合力宇宙欧迪凯琪朗峰图腾"
)
_INDUSTRIES = (
    "贸易",
    "科技",
    "电子商务",
    "网络科技",
    "服饰",
    "食品",
    "化妆品",
    "电子",
    "家居用品",
    "母婴用品",
    "进出口",
    "信息技术",
    "文化传媒",
    "供应链管理",
    "日用品",
    "箱包",
    "鞋业",
    "五金",
    "玩具",
    "茶业",
)
_COMPANY_SUFFIX = ("有限公司", "有限公司", "有限公司", "有限责任公司", "股份有限公司")
_ROADS = (
    "文一西路",
    "文二路",
    "文三路",
    "学院路",
    "教工路",
    "莫干山路",
    "延安路",
    "解放路",
    "中山路",
    "人民路",
    "建设路",
    "江南大道",
    "滨盛路",
    "古墩路",
    "天目山路",
    "余杭塘路",
    "良睦路",
    "五常大道",
    "机场路",
    "钱江路",
    "新华路",
    "环城北路",
    "凤起路",
    "体育场路",
    "庆春路",
    "湖墅南路",
    "丰潭路",
    "紫金港路",
    "宾王路",
    "稠州北路",
    "福田路",
    "世纪大道",
    "科技路",
    "创业路",
    "工业路",
    "商城大道",
    "振兴路",
    "开发大道",
    "望江路",
    "解放东路",
)
_PARKS = ("科技园", "创业园", "电商园", "产业园", "孵化器", "众创空间")
_ESTATES = ("花园", "家园", "小区", "公寓", "新村", "名苑", "雅苑", "府")
_STORE_SUFFIX: dict[str, tuple[str, ...]] = {
    "taobao": ("小铺", "的店", "精品店", "家居馆", "百货", "优选"),
    "tmall": ("旗舰店", "官方旗舰店", "专卖店", "专营店"),
    "jd": ("旗舰店", "官方旗舰店", "专营店", "京东自营专区"),
    "pinduoduo": ("百货", "专营店", "优品", "工厂店", "好物"),
    "douyin": ("的小店", "官方店", "直播间", "好物"),
}
_PLATFORMS = ("taobao", "tmall", "jd", "pinduoduo", "douyin")
_PLATFORM_WEIGHT = (0.34, 0.14, 0.14, 0.22, 0.16)
_PLATFORM_LAUNCH = (2003, 2012, 2010, 2015, 2020)
_BUYER_PLATFORM = ("taobao", "taobao", "jd", "pinduoduo", "douyin")  # tmall buyers are taobao
_ACCOUNT_PLATFORMS = ("taobao", "jd", "pinduoduo", "douyin")
_ACCOUNT_PREFIX = ("tb", "jd_", "pdd", "dy")
_PLATFORM_SERVICE_PHONES = ("95188", "4006561155", "4008205555", "95017")
_CARRIERS = ("SF", "YTO", "ZTO", "STO", "YD", "JDL", "EMS")
_CARRIER_WEIGHT = (0.12, 0.2, 0.24, 0.14, 0.16, 0.08, 0.06)
_MOBILE_PREFIXES = (
    130,
    131,
    132,
    133,
    134,
    135,
    136,
    137,
    138,
    139,
    150,
    151,
    152,
    153,
    155,
    156,
    157,
    158,
    159,
    166,
    177,
    180,
    181,
    182,
    183,
    185,
    186,
    187,
    188,
    189,
    198,
    199,
)
_MAIL_DOMAINS = ("qq.com", "163.com", "126.com", "sina.com", "aliyun.com", "foxmail.com")
_FOREIGN: tuple[tuple[str, int, str], ...] = (
    ("HK", 7, "Limited"),
    ("VG", 7, "Ltd."),
    ("KY", 6, "Holdings"),
    ("SG", 9, "Pte. Ltd."),
    ("US-DE", 7, "Inc."),
)
_FOREIGN_WORDS = (
    "Star",
    "Ocean",
    "Golden",
    "Pacific",
    "Dragon",
    "Harbour",
    "Summit",
    "Bright",
    "Jade",
    "Eastern",
    "Silver",
    "Crown",
    "Lotus",
    "Phoenix",
    "Crystal",
    "Great",
    "Union",
    "Prime",
)
_FOREIGN_KINDS = ("Holdings", "Investment", "Capital", "Trading", "International", "Group")
_USCC_ALPHABET = "0123456789ABCDEFGHJKLMNPQRTUWXY"
_USCC_WEIGHTS = np.array(
    [1, 3, 9, 27, 19, 26, 16, 17, 20, 29, 25, 13, 8, 24, 10, 30, 28], dtype=np.int64
)
_ORG_WEIGHTS = np.array([3, 7, 9, 10, 5, 8, 4, 2], dtype=np.int64)
_RIC_WEIGHTS = np.array([pow(2, 17 - i, 11) for i in range(17)], dtype=np.int64)

_BIZ_STATUS = ("active", "abnormal", "revoked", "cancelled")
_ROLE_KINDS = (
    "legal_representative",
    "director",
    "supervisor",
    "manager",
    "actual_controller",
    "registration_agent",
)

_EPOCH = np.datetime64("1970-01-01", "D")
_DAY = 86_400


def _day(iso: str) -> int:
    return int((np.datetime64(iso, "D") - _EPOCH).astype(np.int64))


_TODAY = _day("2025-06-30")
_CHUNK = 1_000_000  # rows of orders/waybills built and written at a time
_ORDER_START = _day("2023-01-01")
_ORDER_END = _day("2025-06-01")

_LIST_BASIS: dict[str, tuple[str, ...]] = {
    "abnormal_operation": (
        "《企业经营异常名录管理暂行办法》第四条第（一）项",
        "《企业经营异常名录管理暂行办法》第四条第（四）项",
        "《企业信息公示暂行条例》第十七条",
    ),
    "serious_dishonesty": tuple(
        f"《市场监督管理严重违法失信名单管理办法》第{a}条"
        for a in ("二", "五", "六", "七", "八", "九", "十", "十一")
    ),
    "judgment_defaulter": tuple(
        f"《最高人民法院关于公布失信被执行人名单信息的若干规定》第一条第（{i}）项"
        for i in ("一", "二", "三", "四", "五", "六")
    ),
    "online_serious_violation": (
        "《网络交易监督管理办法》第十四条",
        "《中华人民共和国电子商务法》第十七条",
        "《中华人民共和国电子商务法》第八十五条",
    ),
    "repeat_ip_infringer": (
        "《中华人民共和国商标法》第六十条",
        "《中华人民共和国电子商务法》第四十二条",
        "《浙江省电子商务条例》第三十五条",
    ),
}
_VIOLATION_KINDS: tuple[tuple[str, str, str, float], ...] = (
    # kind, legal basis, penalty, weight
    ("false_advertising", "《中华人民共和国反不正当竞争法》第二十条", "罚款", 3),
    ("counterfeit_goods", "《中华人民共和国商标法》第六十条第二款", "没收侵权商品、罚款", 2),
    ("fake_transactions", "《中华人民共和国电子商务法》第十七条、第八十五条", "罚款", 1),
    ("unlicensed_operation", "《无证无照经营查处办法》第十三条", "警告", 1),
    ("price_violation", "《中华人民共和国价格法》第三十九条", "罚款", 1),
    ("product_quality", "《中华人民共和国产品质量法》第五十条", "没收违法所得、罚款", 2),
    ("consumer_rights", "《中华人民共和国消费者权益保护法》第五十六条", "警告、罚款", 2),
    ("unfair_competition", "《中华人民共和国反不正当竞争法》第十二条", "责令改正、罚款", 1),
)

# Licence types (graph.licences: code, usual term in years) and, per industry of the business
# name, the chance of holding each: food and tea sellers need a food operation licence, media
# a publication licence, internet companies an ICP licence; a few traders deal in drugs or
# medical devices. Shell-cluster members hold none.
_LICENCE_TYPES: tuple[tuple[str, int], ...] = (
    ("food_operation", 5),
    ("food_production", 5),
    ("drug_operation", 5),
    ("medical_device_operation", 5),
    ("publication_operation", 6),
    ("icp", 5),
)
_LICENCE_NEED: dict[str, dict[str, float]] = {
    "食品": {"food_operation": 0.9, "food_production": 0.3},
    "茶业": {"food_operation": 0.85, "food_production": 0.2},
    "母婴用品": {"food_operation": 0.5, "medical_device_operation": 0.1},
    "贸易": {"food_operation": 0.15, "drug_operation": 0.01, "medical_device_operation": 0.03},
    "电子商务": {"food_operation": 0.2, "medical_device_operation": 0.03, "icp": 0.2},
    "进出口": {"food_operation": 0.1, "drug_operation": 0.01},
    "日用品": {"food_operation": 0.1, "medical_device_operation": 0.05},
    "供应链管理": {"food_operation": 0.1},
    "化妆品": {"medical_device_operation": 0.02},
    "文化传媒": {"publication_operation": 0.6, "icp": 0.2},
    "网络科技": {"icp": 0.4},
    "信息技术": {"icp": 0.35},
    "科技": {"medical_device_operation": 0.02, "icp": 0.15},
}
_LICENCE_STATUS = ("valid", "suspended", "revoked", "expired")
# outcome per business status (active, abnormal, revoked, cancelled):
# in force, lapsed (not renewed), revoked, suspended
_LICENCE_OUTCOME = (
    (0.84, 0.10, 0.04, 0.02),
    (0.50, 0.30, 0.15, 0.05),
    (0.00, 0.30, 0.70, 0.00),
    (0.00, 0.85, 0.15, 0.00),
)
_PROVINCE_ABBR = {
    "浙江省": "浙",
    "上海市": "沪",
    "北京市": "京",
    "江苏省": "苏",
    "广东省": "粤",
    "福建省": "闽",
}


# ---------------------------------------------------------------------------------------------
# Small vectorised helpers
# ---------------------------------------------------------------------------------------------


def _arr(values: Any, type: pa.DataType | None = None, mask: Any = None) -> pa.Array:
    """``pa.array`` that never returns a ChunkedArray (it does for large bytes arrays)."""
    out = pa.array(values, type=type, mask=mask)
    return out.combine_chunks() if isinstance(out, pa.ChunkedArray) else out


def _s(values: Sequence[str]) -> pa.Array:
    return _arr(list(values), type=pa.string())


def _take(vocab: pa.Array, idx: npt.ArrayLike) -> pa.Array:
    return vocab.take(_arr(np.asarray(idx, dtype=np.int64)))


def _cat(*parts: Any) -> pa.Array:
    return pc.binary_join_element_wise(*parts, "")


def _num(x: npt.ArrayLike, width: int = 0) -> pa.Array:
    out = _arr(np.asarray(x, dtype=np.int64)).cast(pa.string())
    return pc.utf8_lpad(out, width, "0") if width else out


def _date(days: npt.ArrayLike) -> pa.Array:
    arr = _arr(np.asarray(days, dtype=np.int32), type=pa.int32())
    return arr.cast(pa.date32()).cast(pa.string())


def _ts(secs: npt.ArrayLike) -> pa.Array:
    arr = _arr(np.asarray(secs, dtype=np.int64).astype("datetime64[s]"))
    return pc.replace_substring(arr.cast(pa.string()), " ", "T", max_replacements=1)


def _where(keep: npt.ArrayLike, arr: pa.Array, other: Any = None) -> pa.Array:
    if other is None:
        other = pa.scalar(None, type=arr.type)
    return pc.if_else(_arr(np.asarray(keep, dtype=bool)), arr, other)


def _nulls(n: int) -> pa.Array:
    return pa.nulls(n, type=pa.string())


def _const(n: int, value: str) -> pa.Array:
    return _arr(np.full(n, value, dtype=object), type=pa.string())


def _floats(x: npt.ArrayLike, keep: npt.ArrayLike | None = None) -> pa.Array:
    vals = np.asarray(x, dtype=np.float64)
    if keep is None:
        return _arr(vals, type=pa.float64())
    return _arr(vals, type=pa.float64(), mask=~np.asarray(keep, dtype=bool))


def _later_dups(keys: npt.NDArray[Any]) -> BoolArr:
    """Mark every occurrence of a key except its first (in index order)."""
    order = np.argsort(keys, kind="stable")
    sorted_keys = keys[order]
    dup = np.zeros(len(keys), dtype=bool)
    dup[order[1:]] = sorted_keys[1:] == sorted_keys[:-1]
    return dup


def _list(arr: pa.Array, idx: npt.ArrayLike) -> list[str]:
    return [str(v) for v in _take(arr, idx).to_pylist()]


class _Unique:
    """Hands out integers never handed out before (phones, id serials, shop numbers)."""

    def __init__(self, rng: np.random.Generator, draw: Callable[[int], IntArr]) -> None:
        self._rng = rng
        self._draw = draw
        self._chunks: list[IntArr] = []  # sorted; searched, never merged (merging re-sorts)

    def take(self, k: int) -> IntArr:
        out = self._draw(k).astype(np.int64)
        todo = np.arange(k)
        while len(todo):
            bad = np.zeros(k, dtype=bool)
            bad[todo] = self._seen(out[todo])
            bad |= _later_dups(out)
            todo = np.flatnonzero(bad)
            out[todo] = self._draw(len(todo))
        if k:
            self._chunks.append(np.sort(out))
        return out

    def _seen(self, values: IntArr) -> BoolArr:
        seen = np.zeros(len(values), dtype=bool)
        for chunk in self._chunks:
            pos = np.minimum(np.searchsorted(chunk, values), len(chunk) - 1)
            seen |= chunk[pos] == values
        return seen


def _weights(w: npt.ArrayLike) -> FloatArr:
    arr: FloatArr = np.asarray(w, dtype=np.float64)
    out: FloatArr = arr / arr.sum()
    return out


def _group_sizes(rng: np.random.Generator, k: int, low: int, high: int, p: float) -> IntArr:
    """k group sizes in [low, high], geometric above low (small groups are common)."""
    return np.minimum(low - 1 + rng.geometric(p, k), high).astype(np.int64)


def _fullwidth(text: str) -> str:
    return "".join(chr(ord(c) + 0xFEE0) if c.isdigit() else c for c in text)


def _variant(text: str, kind: int) -> str:
    """The same address written another way; ingest must normalise it back to ``text``."""
    if kind == 0:
        return _fullwidth(text)
    if kind == 1 and "(" in text:
        return text.replace("(", "（").replace(")", "）")
    # spaces between province/city/district/street and an ideographic space before the number
    out = text.replace("省", "省 ").replace("市", "市 ", 1).replace("区", "区  ", 1)
    return out if out != text else f" {text}　"


# ---------------------------------------------------------------------------------------------
# The generator
# ---------------------------------------------------------------------------------------------


class _Gen:
    """One generation run: the RNG, the id allocators, the entity arrays, the ground truth."""

    def __init__(self, entities: int, seed: int, noise: float, brushing: BrushingParams) -> None:
        self.n = entities
        self.rng = np.random.default_rng(seed)
        self.noise = noise
        self.brushing = brushing
        self.truth: dict[str, Any] = {}
        self.variants: dict[str, str] = {}  # variant -> canonical
        self.phone_variants: dict[str, str] = {}
        rng = self.rng
        prefixes = np.array(_MOBILE_PREFIXES, dtype=np.int64)
        self.mobiles = _Unique(
            rng,
            lambda k: (
                prefixes[rng.integers(0, len(prefixes), k)] * 10**8 + rng.integers(0, 10**8, k)
            ),
        )
        self.landlines = _Unique(rng, lambda k: rng.integers(80_000_000, 90_000_000, k))
        self.mail_ids = _Unique(rng, lambda k: rng.integers(10**5, 10**10, k))
        self.serials = _Unique(rng, lambda k: rng.integers(0, 10**9, k))
        # 10**8 < 31**6: an organisation-code body (8 digits, or MA + 6 characters) is unique
        self.org_serials = _Unique(rng, lambda k: rng.integers(0, 10**8, k))
        self.county_code = _s([c for c, _, _ in _COUNTIES])
        self.county_w = _weights([w for _, _, w in _COUNTIES])
        cities = [_CITIES[c[:4]] for c, _, _ in _COUNTIES]
        self.county_city_short = _s([c[2] for c in cities])
        self.county_area = _s([c[3] for c in cities])
        self.county_prefix = _s(
            [
                (p if p == city else p + city) + d
                for (p, city, _, _), (_, d, _) in zip(cities, _COUNTIES, strict=True)
            ]
        )
        self.county_city_code = _s([c[:4] + "00" for c, _, _ in _COUNTIES])
        self.county_bureau = _s(
            [
                (d if d.endswith("市") else city + d) + "市场监督管理局"
                for (_, city, _, _), (_, d, _) in zip(cities, _COUNTIES, strict=True)
            ]
        )
        self.county_city_bureau = _s([c[1] + "市场监督管理局" for c in cities])
        self.county_court = _s(
            [
                (d if d.endswith("市") else city + d) + "人民法院"
                for (_, city, _, _), (_, d, _) in zip(cities, _COUNTIES, strict=True)
            ]
        )
        self.county_city_court = _s([c[1] + "中级人民法院" for c in cities])

    # -- strings ---------------------------------------------------------------------------

    def counties(self, k: int) -> IntArr:
        return self.rng.choice(len(_COUNTIES), size=k, p=self.county_w).astype(np.int64)

    def phones(self, k: int, county: IntArr | None = None, landline: float = 0.0) -> pa.Array:
        """k unique phone numbers; a share written as landlines of the county's area code."""
        mob = _num(self.mobiles.take(k))
        if landline <= 0 or county is None:
            return mob
        land = _cat(_take(self.county_area, county), "-", _num(self.landlines.take(k)))
        return _where(self.rng.random(k) < landline, land, mob)

    def emails(self, k: int) -> pa.Array:
        ids = self.mail_ids.take(k)
        dom = _take(_s(_MAIL_DOMAINS), self.rng.integers(0, len(_MAIL_DOMAINS), k))
        user = _where(
            self.rng.random(k) < 0.5,
            _num(ids),
            _cat(
                _take(_s(["zj", "shop", "biz", "kf", "hz"]), self.rng.integers(0, 5, k)),
                _num(ids % 10**7),
            ),
        )
        return _cat(user, "@", dom)

    def trade_names(self, k: int) -> tuple[IntArr, IntArr]:
        v = len(_TRADE)
        return self.rng.integers(0, v, k), self.rng.integers(0, v, k)

    def trade_str(self, t1: IntArr, t2: IntArr) -> pa.Array:
        chars = _s(list(_TRADE))
        return _cat(_take(chars, t1), _take(chars, t2))

    def person_names(self, k: int) -> pa.Array:
        rng = self.rng
        ns = len(_SURNAMES)
        sw = _weights(1.0 / np.arange(1, ns + 1) ** 0.8)
        surname = _take(_s(list(_SURNAMES)), rng.choice(ns, size=k, p=sw))
        compound = rng.random(k) < 0.004
        surname = _where(
            compound,
            _take(_s(_COMPOUND_SURNAMES), rng.integers(0, len(_COMPOUND_SURNAMES), k)),
            surname,
        )
        given = _s(list(_GIVEN))
        g1 = _take(given, rng.integers(0, len(_GIVEN), k))
        g2 = _take(given, rng.integers(0, len(_GIVEN), k))
        two = rng.random(k) < 0.7
        return _cat(surname, g1, _where(two, g2, ""))

    def office_addresses(self, county: IntArr, park: float = 0.15) -> pa.Array:
        """浙江省杭州市余杭区文一西路969号3幢201室, sometimes with a (XX园区) part."""
        rng = self.rng
        k = len(county)
        road = _take(_s(_ROADS), rng.integers(0, len(_ROADS), k))
        no = _num(rng.integers(1, 1500, k))
        bldg = _where(rng.random(k) < 0.6, _cat(_num(rng.integers(1, 25, k)), "幢"), "")
        floor = rng.integers(1, 28, k)
        room = _cat(_num(floor * 100 + rng.integers(1, 30, k)), "室")
        parks = _cat(
            "(",
            self.trade_str(*self.trade_names(k)),
            _take(_s(_PARKS), rng.integers(0, len(_PARKS), k)),
            ")",
        )
        parkpart = _where(rng.random(k) < park, parks, "")
        return _cat(_take(self.county_prefix, county), road, no, "号", parkpart, bldg, room)

    def home_addresses(self, county: IntArr) -> pa.Array:
        rng = self.rng
        k = len(county)
        road = _take(_s(_ROADS), rng.integers(0, len(_ROADS), k))
        estate = _cat(
            self.trade_str(*self.trade_names(k)),
            _take(_s(_ESTATES), rng.integers(0, len(_ESTATES), k)),
        )
        return _cat(
            _take(self.county_prefix, county),
            road,
            _num(rng.integers(1, 999, k)),
            "号",
            estate,
            _num(rng.integers(1, 40, k)),
            "幢",
            _num(rng.integers(1, 6, k)),
            "单元",
            _num(rng.integers(1, 33, k) * 100 + rng.integers(1, 5, k)),
            "室",
        )

    def add_variant(self, canonical: str, kind: int | None = None) -> str:
        k = int(self.rng.integers(0, 3)) if kind is None else kind
        v = _variant(canonical, k)
        if v == canonical:
            v = _variant(canonical, 0)
        if v != canonical:
            self.variants[v] = canonical
        return v

    def variant_column(self, col: pa.Array, rows: IntArr) -> pa.Array:
        """Rewrite col[rows] in a variant spelling (ground truth keeps the pair)."""
        if len(rows) == 0:
            return col
        values = col.to_numpy(zero_copy_only=False).astype(object)
        for r in rows:
            if values[r] is not None:
                values[r] = self.add_variant(str(values[r]))
        return _arr(values, type=pa.string())

    # -- ids ---------------------------------------------------------------------------------

    def usccs(self, county: IntArr, established: IntArr) -> pa.Array:
        """GB 32100-2015 codes: 9 (registration authority) 1 (enterprise), county code,
        organisation code (GB 11714: 8 characters + check; ``MA...`` for registrations after
        the 2015 reform), check character."""
        k = len(county)
        serial = self.org_serials.take(k)
        codes = np.array([c for c, _, _ in _COUNTIES], dtype="S6")[county]
        chars = np.zeros((k, 18), dtype=np.uint8)
        chars[:, 0] = ord("9")
        chars[:, 1] = ord("1")
        chars[:, 2:8] = codes.view(np.uint8).reshape(k, 6)
        # organisation code body
        new = established >= _day("2015-10-01")
        digits = serial % 10**8
        for i in range(8):
            chars[:, 8 + 7 - i] = ord("0") + (digits // 10**i) % 10
        alpha = np.frombuffer(_USCC_ALPHABET.encode(), dtype=np.uint8)
        chars[new, 8] = ord("M")
        chars[new, 9] = ord("A")
        rest = serial[new]
        for i in range(6):
            chars[new, 10 + 5 - i] = alpha[(rest // 31**i) % 31]
        value = np.zeros(256, dtype=np.int64)
        for i, ch in enumerate("0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ"):
            value[ord(ch)] = i
        total = (value[chars[:, 8:16]] * _ORG_WEIGHTS).sum(axis=1)
        check = 11 - total % 11
        chars[:, 16] = np.where(
            check == 10, ord("X"), np.where(check == 11, ord("0"), ord("0") + check % 10)
        )
        uvalue = np.zeros(256, dtype=np.int64)
        for i, ch in enumerate(_USCC_ALPHABET):
            uvalue[ord(ch)] = i
        utotal = (uvalue[chars[:, :17]] * _USCC_WEIGHTS).sum(axis=1)
        chars[:, 17] = alpha[(31 - utotal % 31) % 31]
        return _arr(chars.view("S18").ravel()).cast(pa.string())

    def rics(self, k: int) -> tuple[pa.Array, IntArr]:
        """Resident id numbers valid for python-stdnum; returns the ids and their city index."""
        rng = self.rng
        years = np.arange(1950, 2004)
        yw = _weights(np.exp(-(((years - 1980) / 14.0) ** 2)))
        codes = np.array([c for c, _, _ in _RIC_CODES])
        first = np.array([f for _, f, _ in _RIC_CODES])
        last = np.array([la if la else 9999 for _, _, la in _RIC_CODES])
        out = np.zeros((k, 18), dtype=np.uint8)
        keys = np.zeros(k, dtype=np.int64)
        code_of = np.zeros(k, dtype=np.int64)
        todo = np.arange(k)
        while len(todo):
            m = len(todo)
            year = rng.choice(years, size=m, p=yw)
            code_idx = np.zeros(m, dtype=np.int64)
            for y in np.unique(year):
                ok = np.flatnonzero((first <= y) & (last >= y))
                sel = year == y
                code_idx[sel] = ok[rng.integers(0, len(ok), int(sel.sum()))]
            jan1 = (year - 1970).astype("datetime64[Y]").astype("datetime64[D]")
            dec31 = (year - 1969).astype("datetime64[Y]").astype("datetime64[D]") - 1
            day = np.minimum(jan1 + rng.integers(0, 365, m), dec31)
            month = day.astype("datetime64[M]")
            mm = month.astype(np.int64) % 12 + 1
            dd = (day - month.astype("datetime64[D]")).astype(np.int64) + 1
            seq = rng.integers(0, 1000, m)
            code_of[todo] = code_idx
            keys[todo] = (code_idx * 40_000 + (day - _EPOCH).astype(np.int64) + 10_000) * 1000 + seq
            block = np.zeros((m, 17), dtype=np.uint8)
            block[:, :6] = codes.astype("S6")[code_idx].view(np.uint8).reshape(m, 6)
            for pos, (val, width) in enumerate(((year, 4), (mm, 2), (dd, 2), (seq, 3))):
                start = 6 + sum((4, 2, 2, 3)[:pos])
                for i in range(width):
                    block[:, start + width - 1 - i] = ord("0") + (val // 10**i) % 10
            out[todo, :17] = block
            todo = np.flatnonzero(_later_dups(keys))
        digits = out[:, :17].astype(np.int64) - ord("0")
        check = (12 - (digits * _RIC_WEIGHTS).sum(axis=1) % 11) % 11
        out[:, 17] = np.where(check == 10, ord("X"), ord("0") + check)
        ids = _arr(out.view("S18").ravel()).cast(pa.string())
        city_of = {c: i for i, c in enumerate(_CITIES)}
        city = np.array([city_of.get(c[:4], 0) for c in codes.tolist()], dtype=np.int64)
        return ids, city[code_of]

    def pick_counties_in_city(self, city: IntArr) -> IntArr:
        """A current county (index into _COUNTIES) in each given city (index into _CITIES)."""
        city_keys = list(_CITIES)
        by_city: dict[int, list[int]] = {}
        for i, (c, _, _) in enumerate(_COUNTIES):
            by_city.setdefault(city_keys.index(c[:4]), []).append(i)
        out = np.zeros(len(city), dtype=np.int64)
        for ci, members in by_city.items():
            sel = city == ci
            out[sel] = np.array(members)[self.rng.integers(0, len(members), int(sel.sum()))]
        return out


# ---------------------------------------------------------------------------------------------
# Entities
# ---------------------------------------------------------------------------------------------


@dataclass
class _Biz:
    ids: pa.Array
    county: IntArr  # -1 for foreign
    est: IntArr
    status: IntArr  # index into _BIZ_STATUS, -1 foreign
    capital: FloatArr
    address: pa.Array
    phone: pa.Array
    email: pa.Array
    t1: IntArr
    t2: IntArr
    names: pa.Array
    domestic: int
    cluster_of: IntArr  # cluster index or -1
    hub_of: IntArr  # hub index or -1
    agent_of: IntArr  # registration agent (person idx) or -1
    industry: IntArr  # index into _INDUSTRIES, -1 foreign


@dataclass
class _People:
    ids: pa.Array
    county: IntArr
    phone: pa.Array
    ordinary: IntArr  # indices eligible as holders, reps, operators
    serial: IntArr  # serial entrepreneurs (picked far more often)
    agents: IntArr


def _businesses(g: _Gen, people_count: int) -> tuple[_Biz, dict[str, Any]]:
    rng, n = g.rng, g.n
    n_for = max(1, round(0.02 * n))
    nd = n - n_for
    county = g.counties(nd)
    u = rng.random(nd)
    est = (_day("1995-01-01") + (_day("2025-03-31") - _day("1995-01-01")) * u**0.6).astype(np.int64)
    status = rng.choice(4, size=nd, p=[0.85, 0.06, 0.04, 0.05]).astype(np.int64)
    capital = rng.choice(
        np.array([1e5, 3e5, 5e5, 1e6, 2e6, 3e6, 5e6, 1e7, 5e7, 1e8]),
        size=nd,
        p=_weights([10, 8, 14, 22, 10, 8, 12, 9, 5, 2]),
    )

    # shell clusters ---------------------------------------------------------------------------
    perm = rng.permutation(nd)
    n_clusters = max(3, round(n / 400))
    sizes = _group_sizes(rng, n_clusters, 3, 30, 0.18)
    while sizes.sum() > 0.25 * nd:  # tiny runs: keep clusters a minority
        sizes = np.maximum(3, sizes // 2)
    cluster_members = perm[: sizes.sum()]
    cluster_of = np.full(n, -1, dtype=np.int64)
    cluster_of[cluster_members] = np.repeat(np.arange(n_clusters), sizes)
    c_start = rng.integers(_day("2017-01-01"), _day("2025-01-01"), n_clusters)
    c_county = g.counties(n_clusters)
    est[cluster_members] = c_start[cluster_of[cluster_members]] + rng.integers(
        0, 30, len(cluster_members)
    )
    county[cluster_members] = c_county[cluster_of[cluster_members]]
    status[cluster_members] = rng.choice(4, size=len(cluster_members), p=[0.45, 0.4, 0.08, 0.07])
    capital[cluster_members] = rng.choice(np.array([1e6, 5e6, 1e7]), len(cluster_members))

    # registration-agent hubs (legitimate sharing) ------------------------------------------
    n_hubs = max(2, round(n / 20000))
    hub_size = int(np.clip(0.02 * n, 20, 800) * (1 + 2 * g.noise))
    hub_size = max(1, min(hub_size, (nd - len(cluster_members)) // (2 * n_hubs)))
    hub_members = perm[len(cluster_members) : len(cluster_members) + n_hubs * hub_size]
    hub_of = np.full(n, -1, dtype=np.int64)
    hub_of[hub_members] = np.repeat(np.arange(n_hubs), hub_size)
    hub_county = rng.choice(
        np.flatnonzero(np.char.startswith(np.array([c for c, _, _ in _COUNTIES]), "3301")), n_hubs
    )
    county[hub_members] = hub_county[hub_of[hub_members]]
    est[hub_members] = rng.integers(_day("2016-01-01"), _day("2025-03-31"), len(hub_members))

    # names: city + trade name + industry + suffix, unique
    ni, ns, nv = len(_INDUSTRIES), len(_COMPANY_SUFFIX), len(_TRADE)
    t1, t2 = g.trade_names(nd)
    ind = rng.integers(0, ni, nd)
    suf = rng.integers(0, ns, nd)
    todo = np.arange(nd)
    while len(todo):
        t1[todo], t2[todo] = g.trade_names(len(todo))
        ind[todo] = rng.integers(0, ni, len(todo))
        key = ((county * nv + t1) * nv + t2) * ni + ind
        todo = np.flatnonzero(_later_dups(key))
    name = _cat(
        _take(g.county_city_short, county),
        g.trade_str(t1, t2),
        _take(_s(_INDUSTRIES), ind),
        _take(_s(_COMPANY_SUFFIX), suf),
    )
    ids = g.usccs(county, est)
    address = g.office_addresses(county)
    phone = g.phones(nd, county, landline=0.4)
    phone = _where(rng.random(nd) < 0.88, phone)
    email = _where(rng.random(nd) < 0.45, g.emails(nd))

    # clusters share an address, 1-3 phones, 1-2 e-mails -----------------------------------
    c_addr = g.office_addresses(c_county, park=0.3)
    members = cluster_members
    cm = cluster_of[members]
    addr_np = address.to_numpy(zero_copy_only=False).astype(object)
    c_addr_np = c_addr.to_numpy(zero_copy_only=False).astype(object)
    addr_np[members] = c_addr_np[cm]
    c_phones = g.phones(3 * n_clusters).to_numpy(zero_copy_only=False).astype(object)
    c_mails = g.emails(2 * n_clusters).to_numpy(zero_copy_only=False).astype(object)
    n_ph = rng.integers(1, 4, n_clusters)
    n_ml = rng.integers(1, 3, n_clusters)
    ph_pick = cm * 3 + rng.integers(0, 3, len(members)) % n_ph[cm]
    ml_pick = cm * 2 + rng.integers(0, 2, len(members)) % n_ml[cm]
    phone_np = phone.to_numpy(zero_copy_only=False).astype(object)
    email_np = email.to_numpy(zero_copy_only=False).astype(object)
    keep_ph = rng.random(len(members)) >= g.noise
    keep_ml = rng.random(len(members)) >= max(g.noise, 0.3)
    phone_np[members] = np.where(keep_ph, c_phones[ph_pick], None)
    email_np[members] = np.where(keep_ml, c_mails[ml_pick], None)
    # some members write the shared address or phone another way
    for r in members[rng.random(len(members)) < 0.2]:
        addr_np[r] = g.add_variant(str(addr_np[r]))
    for r in members[rng.random(len(members)) < 0.1]:
        if phone_np[r] is not None and "-" not in str(phone_np[r]):
            written = "+86 " + str(phone_np[r])
            g.phone_variants[written] = str(phone_np[r])
            phone_np[r] = written

    # hubs: one address, an agent phone used by a third of the tenants ----------------------
    hub_addr = _cat(
        _take(g.county_prefix, hub_county),
        _take(_s(_ROADS), rng.integers(0, len(_ROADS), n_hubs)),
        _num(rng.integers(1, 2000, n_hubs)),
        "号",
        _num(rng.integers(1, 12, n_hubs)),
        "幢",
        _take(_s(["(集群注册)", "(商务秘书地址)", "(住所托管)"]), rng.integers(0, 3, n_hubs)),
    ).to_pylist()
    n_hub_phones = n_hubs * (1 + round(2 * g.noise))
    hub_phones = g.phones(n_hub_phones, np.tile(hub_county, n_hub_phones // n_hubs), 1.0)
    hub_phones_l = [str(p) for p in hub_phones.to_pylist()]
    hm = hub_members
    addr_np[hm] = np.array(hub_addr, dtype=object)[hub_of[hm]]
    use_hub_phone = rng.random(len(hm)) < 0.3 + 0.3 * g.noise
    hub_phone_pick = hub_of[hm] + n_hubs * rng.integers(0, n_hub_phones // n_hubs, len(hm))
    phone_np[hm] = np.where(
        use_hub_phone, np.array(hub_phones_l, dtype=object)[hub_phone_pick], phone_np[hm]
    )

    # foreign offshore holders ---------------------------------------------------------------
    fj = rng.integers(0, len(_FOREIGN), n_for)
    # registry numbers: a unique 6-digit head, padded to the jurisdiction's width
    head = _Unique(rng, lambda k: rng.integers(10**5, 10**6, k)).take(n_for)
    width = np.array([w for _, w, _ in _FOREIGN])[fj]
    fser = head * 10 ** (width - 6) + rng.integers(0, 1000, n_for) % 10 ** (width - 6)
    fid = [
        f"{_FOREIGN[j][0]}:{int(s) % 10 ** _FOREIGN[j][1]:0{_FOREIGN[j][1]}d}"
        for j, s in zip(fj.tolist(), fser.tolist(), strict=True)
    ]
    w = _FOREIGN_WORDS
    fname = [
        f"{w[a]} {w[b]} {_FOREIGN_KINDS[c]} {_FOREIGN[j][2]}"
        for a, b, c, j in zip(
            rng.integers(0, len(w), n_for).tolist(),
            rng.integers(0, len(w), n_for).tolist(),
            rng.integers(0, len(_FOREIGN_KINDS), n_for).tolist(),
            fj.tolist(),
            strict=True,
        )
    ]
    f_est = rng.integers(_day("1990-01-01"), _day("2020-01-01"), n_for)

    all_ids = pa.concat_arrays([ids, _s(fid)])
    if len(pc.unique(all_ids)) != n:  # foreign ids drawn from distinct serials: never
        raise AssertionError("duplicate business ids")
    biz = _Biz(
        ids=all_ids,
        county=np.concatenate([county, np.full(n_for, -1)]),
        est=np.concatenate([est, f_est]),
        status=np.concatenate([status, np.full(n_for, -1)]),
        capital=np.concatenate([capital, np.full(n_for, np.nan)]),
        address=pa.concat_arrays([_arr(addr_np, type=pa.string()), _nulls(n_for)]),
        phone=pa.concat_arrays([_arr(phone_np, type=pa.string()), _nulls(n_for)]),
        email=pa.concat_arrays([_arr(email_np, type=pa.string()), _nulls(n_for)]),
        t1=np.concatenate([t1, np.zeros(n_for, dtype=np.int64)]),
        t2=np.concatenate([t2, np.zeros(n_for, dtype=np.int64)]),
        names=pa.concat_arrays([name, _s(fname)]),
        domestic=nd,
        cluster_of=cluster_of,
        hub_of=hub_of,
        agent_of=np.full(n, -1, dtype=np.int64),
        industry=np.concatenate([ind, np.full(n_for, -1)]),
    )
    n_agents = max(3, round(n / 2000))
    agents = np.arange(people_count - n_agents, people_count)  # last people are agents
    hub_agents = agents[rng.integers(0, n_agents, (n_hubs, 3))]
    biz.agent_of[hm] = hub_agents[hub_of[hm], rng.integers(0, 3, len(hm))]
    extra = rng.random(nd) < 0.02
    extra &= biz.agent_of[:nd] < 0
    biz.agent_of[:nd][extra] = agents[rng.integers(0, n_agents, int(extra.sum()))]
    clusters = [_list(all_ids, members[cm == c]) for c in range(n_clusters)]
    info = {
        "shell_clusters": clusters,
        "hub_addresses": hub_addr,
        "hub_phones": hub_phones_l,
        "registration_agents_idx": agents,
    }
    return biz, info


def _people(g: _Gen, count: int) -> tuple[_People, dict[str, pa.Array]]:
    rng = g.rng
    ids, city = g.rics(count)
    county = g.pick_counties_in_city(city)
    id_type = np.zeros(count, dtype=np.int64)  # 0 ric, 1 passport, 2 other
    n_agents = max(3, round(g.n / 2000))
    body = np.arange(count - n_agents)
    kind = rng.random(len(body))
    passport = body[kind < 0.01]
    other = body[(kind >= 0.01) & (kind < 0.013)]
    id_type[passport] = 1
    id_type[other] = 2
    ids_np = ids.to_numpy(zero_copy_only=False).astype(object)
    pser = _Unique(rng, lambda k: rng.integers(0, 10**8, k)).take(len(passport) + len(other))
    letters = np.array(list("EGPK"))[rng.integers(0, 4, len(passport))]
    ids_np[passport] = [f"{a}{int(s) % 10**8:08d}" for a, s in zip(letters, pser, strict=False)]
    ids_np[other] = [f"H{int(s) % 10**8:08d}" for s in pser[len(passport) :]]
    names = g.person_names(count).to_numpy(zero_copy_only=False).astype(object)
    w = _FOREIGN_WORDS
    foreign_names = rng.random(len(passport)) < 0.5
    first = ("John", "Mary", "David", "Linda", "Kenji", "Anna", "Peter", "Grace", "Tom", "Wei")
    names[passport[foreign_names]] = [
        f"{first[a]} {w[b]}"
        for a, b in zip(
            rng.integers(0, len(first), int(foreign_names.sum())).tolist(),
            rng.integers(0, len(w), int(foreign_names.sum())).tolist(),
            strict=True,
        )
    ]
    region = _take(g.county_code, county)
    region = _where(id_type != 1, region)
    phone = _where(rng.random(count) < 0.75, g.phones(count))
    email = _where(rng.random(count) < 0.3, g.emails(count))
    ids = _arr(ids_np, type=pa.string())
    ordinary = body[id_type[body] != 2]
    serial = rng.choice(ordinary, size=max(1, len(ordinary) // 30), replace=False)
    people = _People(
        ids=ids,
        county=county,
        phone=phone,
        ordinary=ordinary,
        serial=serial,
        agents=np.arange(count - n_agents, count),
    )
    cols = {
        "person_id": ids,
        "name": _arr(names, type=pa.string()),
        "id_type": _take(_s(["ric", "passport", "other"]), id_type),
        "region": region,
        "phone": phone,
        "email": email,
    }
    return people, cols


def _pick_people(g: _Gen, p: _People, k: int) -> IntArr:
    """Holders, directors ...: mostly ordinary people, a quarter from serial entrepreneurs."""
    rng = g.rng
    out = p.ordinary[rng.integers(0, len(p.ordinary), k)]
    ser = rng.random(k) < 0.25
    out[ser] = p.serial[rng.integers(0, len(p.serial), int(ser.sum()))]
    return out


# ---------------------------------------------------------------------------------------------
# Ownership and roles
# ---------------------------------------------------------------------------------------------


@dataclass
class _Edges:
    holder_type: list[IntArr] = field(default_factory=list)  # 0 person, 1 business
    holder: list[IntArr] = field(default_factory=list)
    target: list[IntArr] = field(default_factory=list)
    bp: list[IntArr] = field(default_factory=list)  # basis points
    since: list[IntArr] = field(default_factory=list)
    until: list[IntArr] = field(default_factory=list)  # -1 = in force

    def add(
        self,
        htype: int,
        holder: IntArr,
        target: IntArr,
        bp: IntArr,
        since: IntArr,
        until: IntArr | None = None,
    ) -> None:
        k = len(holder)
        self.holder_type.append(np.full(k, htype, dtype=np.int64))
        self.holder.append(np.asarray(holder, dtype=np.int64))
        self.target.append(np.asarray(target, dtype=np.int64))
        self.bp.append(np.asarray(bp, dtype=np.int64))
        self.since.append(np.minimum(np.asarray(since, dtype=np.int64), _TODAY - 1))
        self.until.append(
            np.full(k, -1, dtype=np.int64) if until is None else np.asarray(until, np.int64)
        )

    def cat(self, name: str) -> IntArr:
        parts: list[IntArr] = getattr(self, name)
        return np.concatenate(parts) if parts else np.empty(0, dtype=np.int64)


def _ownership(
    g: _Gen, biz: _Biz, people: _People, cluster_reps: IntArr
) -> tuple[_Edges, IntArr, dict[str, Any]]:
    """Shareholdings; returns the edges, the legal representative per business, truth."""
    rng, n, nd = g.rng, g.n, biz.domestic
    edges = _Edges()
    est = biz.est
    general = np.flatnonzero((biz.cluster_of[:nd] < 0) & (biz.hub_of[:nd] < 0))
    pool = rng.permutation(general)
    foreign = np.arange(nd, n)
    biz_bp = np.zeros(n, dtype=np.int64)

    # holding trees: 10% of general businesses, depth <= 4 below the root
    target_members = int(0.10 * len(pool))
    groups: list[IntArr] = []
    used = 0
    roots: list[int] = []
    parent_l: list[int] = []
    child_l: list[int] = []
    while used + 2 <= target_members:
        size = int(min(2 + rng.geometric(0.3) - 1, 15, target_members - used))
        if size < 2:
            break
        members = pool[used : used + size]
        used += size
        # the root is the oldest; a child is never older than its parent
        members = members[np.argsort(est[members], kind="stable")]
        depth = [0]
        for j in range(1, size):
            par = j - 1 if rng.random() < 0.45 else int(rng.integers(0, j))
            if depth[par] >= 4:
                par = int(rng.integers(0, j))
            if depth[par] >= 4:
                par = 0
            depth.append(depth[par] + 1)
            parent_l.append(int(members[par]))
            child_l.append(int(members[j]))
        groups.append(members)
        roots.append(int(members[0]))
    par_a = np.array(parent_l, dtype=np.int64)
    ch_a = np.array(child_l, dtype=np.int64)
    k = len(ch_a)
    majority = rng.random(k) < 0.7
    bp = np.where(
        majority,
        np.where(rng.random(k) < 0.4, 10_000, rng.integers(5100, 10_000, k)),
        rng.integers(2000, 5000, k),
    )
    edges.add(1, par_a, ch_a, bp, np.maximum(est[par_a], est[ch_a]))
    biz_bp[ch_a] += bp

    roots_a = np.array(roots, dtype=np.int64)
    offshore_top = roots_a[rng.random(len(roots_a)) < 0.3]
    fholder = foreign[rng.integers(0, len(foreign), len(offshore_top))]
    bp = rng.integers(5100, 10_001, len(offshore_top))
    edges.add(1, fholder, offshore_top, bp, np.maximum(est[fholder], est[offshore_top]))
    biz_bp[offshore_top] += bp

    # minority stakes, cross-holdings and cycles on businesses outside the trees
    rest = pool[used:]
    n_off = min(len(foreign) * 2, len(rest) // 10)
    n_dom = min(round(0.02 * nd), len(rest) // 10)
    n_cross = max(1, round(n / 5000))
    n_cyc = max(1, round(n / 20000))
    cyc_len = rng.integers(3, 5, n_cyc)
    cur = 0
    off_t = rest[cur : cur + n_off]
    cur += n_off
    off_h = foreign[rng.integers(0, len(foreign), len(off_t))]
    bp = rng.integers(500, 3000, len(off_t))
    edges.add(1, off_h, off_t, bp, np.maximum(est[off_h], est[off_t]))
    biz_bp[off_t] += bp
    dom_t = rest[cur : cur + n_dom]
    cur += n_dom
    dom_h = general[rng.integers(0, len(general), len(dom_t))]
    ok = dom_h != dom_t
    dom_h, dom_t = dom_h[ok], dom_t[ok]
    bp = rng.integers(500, 3000, len(dom_t))
    edges.add(1, dom_h, dom_t, bp, np.maximum(est[dom_h], est[dom_t]))
    biz_bp[dom_t] += bp
    cross = rest[cur : cur + 2 * n_cross].reshape(-1, 2)
    cur += 2 * n_cross
    for a, b in ((cross[:, 0], cross[:, 1]), (cross[:, 1], cross[:, 0])):
        bp = rng.integers(1000, 3000, len(a))
        edges.add(1, a, b, bp, np.maximum(est[a], est[b]) + rng.integers(30, 900, len(a)))
        biz_bp[b] += bp
    cycles: list[IntArr] = []
    for length in cyc_len.tolist():
        ring = rest[cur : cur + length]
        cur += length
        nxt = np.roll(ring, -1)
        bp = rng.integers(1500, 3500, length)
        edges.add(1, ring, nxt, bp, np.maximum(est[ring], est[nxt]) + rng.integers(30, 900, length))
        biz_bp[nxt] += bp
        cycles.append(ring)

    # natural persons take what businesses do not hold ----------------------------------------
    dom = np.arange(nd)
    rem = 10_000 - biz_bp[:nd]
    unalloc = rng.random(nd) < 0.05
    rem = np.where(unalloc, np.maximum(0, rem - rng.integers(100, 1000, nd)), rem)
    kcount = rng.choice(np.arange(1, 6), size=nd, p=[0.45, 0.3, 0.15, 0.07, 0.03])
    in_cluster = biz.cluster_of[:nd] >= 0
    kcount[in_cluster] = rng.integers(1, 3, int(in_cluster.sum()))
    kcount = np.where(rem > 0, kcount, 0)
    rows_b = np.repeat(dom, kcount)
    first = np.zeros(len(rows_b), dtype=bool)
    starts = np.cumsum(kcount) - kcount
    first[starts[kcount > 0]] = True
    holder = _pick_people(g, people, len(rows_b))
    cl = biz.cluster_of[rows_b]
    clm = cl >= 0
    holder[clm] = cluster_reps[cl[clm], rng.integers(0, 3, int(clm.sum()))]
    # merge a person drawn twice for one business
    key = rows_b * (len(people.ids) + 1) + holder
    keep = ~_later_dups(key)
    wts = rng.exponential(1.0, len(rows_b)) * keep
    tot = np.bincount(rows_b, weights=wts, minlength=nd)
    bp = np.floor(wts / np.where(tot[rows_b] > 0, tot[rows_b], 1) * rem[rows_b]).astype(np.int64)
    short = rem - np.bincount(rows_b, weights=bp, minlength=nd).astype(np.int64)
    bp[starts[kcount > 0]] += short[kcount > 0]
    sel = keep & (bp > 0)
    rows_b, holder, bp, first = rows_b[sel], holder[sel], bp[sel], first[sel]
    since = est[rows_b].copy()
    # 5% transferred: an earlier holder until the day before the current one came in
    moved = np.flatnonzero(rng.random(len(rows_b)) < 0.05)
    moved = moved[est[rows_b[moved]] < _TODAY - 60]
    d = (
        est[rows_b[moved]]
        + (rng.random(len(moved)) * (_TODAY - 30 - est[rows_b[moved]])).astype(np.int64)
        + 30
    )
    old = _pick_people(g, people, len(moved))
    edges.add(0, old, rows_b[moved], bp[moved], est[rows_b[moved]], d - 1)
    since[moved] = d
    edges.add(0, holder, rows_b, bp, since)

    # legal representative: the first person holder for three quarters, else someone else
    rep = np.full(n, -1, dtype=np.int64)
    first_holder = np.full(nd, -1, dtype=np.int64)
    first_holder[rows_b[first]] = holder[first]
    rep[:nd] = _pick_people(g, people, nd)
    use_holder = (first_holder >= 0) & (rng.random(nd) < 0.75)
    rep[:nd][use_holder] = first_holder[use_holder]
    cm = np.flatnonzero(in_cluster)
    rep[cm] = cluster_reps[biz.cluster_of[cm], rng.integers(0, 3, len(cm))]

    ctrl_pairs: list[tuple[int, int]] = []
    for members in groups:
        top = int(first_holder[members[0]]) if members[0] < nd else -1
        if top < 0:
            continue
        for m in members[1:]:
            if rng.random() < 0.5:
                ctrl_pairs.append((top, int(m)))
    truth = {
        "ownership_cycles": [_list(biz.ids, c) for c in cycles],
        "cross_holdings": [_list(biz.ids, pair) for pair in cross],
        "holding_groups": [_list(biz.ids, m) for m in groups],
        "controllers": ctrl_pairs,
        "first_holder": first_holder,
    }
    return edges, rep, truth


def _roles(
    g: _Gen,
    biz: _Biz,
    people: _People,
    rep: IntArr,
    controllers: list[tuple[int, int]],
    first_holder: IntArr,
) -> dict[str, pa.Array]:
    rng, nd = g.rng, biz.domestic
    est = biz.est
    persons: list[IntArr] = []
    bizs: list[IntArr] = []
    kinds: list[IntArr] = []
    since: list[IntArr] = []
    until: list[IntArr] = []

    def add(p: IntArr, b: IntArr, kind: int, s: IntArr, u: IntArr | None = None) -> None:
        persons.append(p)
        bizs.append(b)
        kinds.append(np.full(len(p), kind, dtype=np.int64))
        since.append(s)
        until.append(np.full(len(p), -1, dtype=np.int64) if u is None else u)

    dom = np.arange(nd)
    rep_since = est[:nd].copy()
    changed = np.flatnonzero(
        (rng.random(nd) < 0.08) & (biz.cluster_of[:nd] < 0) & (est[:nd] < _TODAY - 90)
    )
    d = (
        est[changed]
        + 30
        + (rng.random(len(changed)) * (_TODAY - 60 - est[changed])).astype(np.int64)
    )
    add(_pick_people(g, people, len(changed)), changed, 0, est[changed], d - 1)
    rep_since[changed] = d
    add(rep[:nd], dom, 0, rep_since)

    def board(frac: float, kind: int, low: int, high: int) -> None:
        chosen = dom[rng.random(nd) < frac]
        cnt = rng.integers(low, high + 1, len(chosen))
        b = np.repeat(chosen, cnt)
        p = _pick_people(g, people, len(b))
        s = est[b] + rng.integers(0, 400, len(b))
        ended = rng.random(len(b)) < 0.1
        u = np.where(ended, s + rng.integers(100, 2000, len(b)), -1)
        u = np.where(u >= _TODAY, -1, u)
        s = np.minimum(s, _TODAY - 1)
        add(p, b, kind, s, u)

    board(0.25, 1, 1, 5)
    board(0.60, 2, 1, 1)
    mgr = dom[rng.random(nd) < 0.35]
    same = rng.random(len(mgr)) < 0.5
    mp = _pick_people(g, people, len(mgr))
    mp[same] = rep[mgr[same]]
    add(mp, mgr, 3, est[mgr])
    if controllers:
        ca = np.array(controllers, dtype=np.int64)
        add(ca[:, 0], ca[:, 1], 4, est[ca[:, 1]] + rng.integers(0, 200, len(ca)))
    solo = dom[(rng.random(nd) < 0.01) & (first_holder >= 0)]
    add(first_holder[solo], solo, 4, est[solo])
    ag = np.flatnonzero(biz.agent_of >= 0)
    add(biz.agent_of[ag], ag, 5, est[ag] - rng.integers(1, 20, len(ag)), est[ag] + 30)

    p = np.concatenate(persons)
    b = np.concatenate(bizs)
    k = np.concatenate(kinds)
    s = np.concatenate(since)
    u = np.concatenate(until)
    # one row per (person, business, role, since): a person drawn twice as director is one
    key = (b * 8 + k) * (len(people.ids) + 1) + p
    keep = ~(_later_dups(key) & (k != 0))
    p, b, k, s, u = p[keep], b[keep], k[keep], s[keep], u[keep]
    return {
        "person_id": _take(people.ids, p),
        "business_id": _take(biz.ids, b),
        "role": _take(_s(_ROLE_KINDS), k),
        "since": _date(s),
        "until": _where(u >= 0, _date(np.maximum(u, 0))),
    }


# ---------------------------------------------------------------------------------------------
# Stores, brands, counterfeits
# ---------------------------------------------------------------------------------------------


@dataclass
class _Stores:
    platform: IntArr
    op_type: IntArr  # 0 business, 1 person
    operator: IntArr
    opened: IntArr
    status: IntArr  # 0 open 1 closed 2 suspended
    t1: IntArr
    t2: IntArr
    suffix: IntArr
    region: pa.Array
    ship_from: pa.Array
    phone: pa.Array
    ids: pa.Array = field(default_factory=lambda: _s([]))


def _stores(g: _Gen, biz: _Biz, people: _People, rep: IntArr) -> tuple[_Stores, dict[str, Any]]:
    rng, nd = g.rng, biz.domestic
    s0 = max(20, round(0.6 * g.n))
    platform = rng.choice(len(_PLATFORMS), size=s0, p=_PLATFORM_WEIGHT).astype(np.int64)
    business_only = (platform == 1) | (platform == 2)
    op_type = np.where(business_only | (rng.random(s0) < 0.6), 0, 1).astype(np.int64)
    eligible = np.flatnonzero(
        (biz.status[:nd] <= 1)
        & ((biz.cluster_of[:nd] < 0) | (rng.random(nd) < 0.03))
        & (biz.est[:nd] < _day("2024-06-01"))
    )
    ew = (rng.pareto(1.2, len(eligible)) + 1.0) ** 1.5
    ew /= ew.sum()
    operator = np.where(
        op_type == 0,
        rng.choice(eligible, size=s0, p=ew),
        people.ordinary[rng.integers(0, len(people.ordinary), s0)],
    )

    def opened_for(plat: IntArr, otype: IntArr, op: IntArr) -> IntArr:
        launch = np.array([_day(f"{y}-01-01") for y in _PLATFORM_LAUNCH])[plat]
        low = np.maximum(launch, np.where(otype == 0, biz.est[np.where(otype == 0, op, 0)], 0))
        low = np.maximum(low, _day("2008-01-01"))
        high = _day("2024-12-31")
        out: IntArr = np.minimum(
            low + (rng.random(len(plat)) ** 0.7 * np.maximum(high - low, 1)), high
        ).astype(np.int64)
        return out

    opened = opened_for(platform, op_type, operator)
    status = rng.choice(3, size=s0, p=[0.85, 0.1, 0.05]).astype(np.int64)
    suffix = rng.integers(0, 4, s0)
    t1, t2 = g.trade_names(s0)
    from_biz = (op_type == 0) & (rng.random(s0) < 0.6)
    t1 = np.where(from_biz, biz.t1[np.where(op_type == 0, operator, 0)], t1)
    t2 = np.where(from_biz, biz.t2[np.where(op_type == 0, operator, 0)], t2)

    def place(otype: IntArr, op: IntArr) -> tuple[IntArr, pa.Array, pa.Array, pa.Array]:
        k = len(op)
        bidx = np.where(otype == 0, op, 0)
        pidx = np.where(otype == 1, op, 0)
        county = np.where(otype == 0, biz.county[bidx], people.county[pidx])
        county = np.where(county < 0, 0, county)
        own = g.office_addresses(county) if k else _s([])
        ship = _where((otype == 0) & (rng.random(k) < 0.7), _take(biz.address, bidx), own)
        ship = pc.coalesce(ship, own)
        ph = g.phones(k, county, 0.2)
        ph = _where(otype == 0, pc.coalesce(_take(biz.phone, bidx), ph), ph)
        ph = _where(otype == 1, pc.coalesce(_take(people.phone, pidx), ph), ph)
        service = rng.random(k) < 0.08 + 0.05 * g.noise
        ph = _where(
            ~service,
            ph,
            _take(_s(_PLATFORM_SERVICE_PHONES), rng.integers(0, len(_PLATFORM_SERVICE_PHONES), k)),
        )
        return county, _take(g.county_code, county), ship, ph

    _, region, ship, phone = place(op_type, operator)
    st = _Stores(platform, op_type, operator, opened, status, t1, t2, suffix, region, ship, phone)

    # repeat infringers: operators that run 2-4 counterfeit stores -------------------------------
    n_rep = max(2, round(0.003 * s0))
    r_type = (rng.random(n_rep) < 0.5).astype(np.int64)
    r_op = np.where(
        r_type == 0,
        rng.choice(eligible, size=n_rep),
        people.ordinary[rng.integers(0, len(people.ordinary), n_rep)],
    )
    cnt = rng.integers(2, 5, n_rep)
    a_type = np.repeat(r_type, cnt)
    a_op = np.repeat(r_op, cnt)
    a_plat = np.where(
        a_type == 0,
        rng.choice(len(_PLATFORMS), size=len(a_op), p=_PLATFORM_WEIGHT),
        np.array([0, 3, 4])[rng.integers(0, 3, len(a_op))],
    )
    n_s0 = s0
    _append_stores(
        g,
        st,
        a_plat,
        a_type,
        a_op,
        opened_for(a_plat, a_type, a_op),
        rng.choice(3, size=len(a_op), p=[0.5, 0.3, 0.2]),
        place,
    )
    repeat_new = np.arange(n_s0, n_s0 + len(a_op))

    # reopened: a closed store comes back under a new name, same operator or same legal rep ----
    closed = np.flatnonzero(st.status[:n_s0] == 1)
    n_re = min(len(closed), max(2, round(0.015 * s0)))
    old = rng.choice(closed, size=n_re, replace=False) if n_re else closed[:0]
    o_type = st.op_type[old]
    via_rep = (o_type == 0) & (rng.random(n_re) < 0.25)
    new_op = st.operator[old].copy()
    fresh = rng.choice(eligible, size=int(via_rep.sum()))
    new_op[via_rep] = fresh
    rep[fresh] = rep[st.operator[old[via_rep]]]
    via_rep &= new_op != st.operator[old]
    new_plat = st.platform[old].copy()
    switch = rng.random(n_re) < 0.3
    alt = np.where(
        o_type == 0, rng.integers(0, 5, n_re), np.array([0, 3, 4])[rng.integers(0, 3, n_re)]
    )
    new_plat[switch] = alt[switch]
    new_open = np.minimum(st.opened[old] + rng.integers(60, 900, n_re), _day("2025-03-31"))
    base = len(st.platform)
    _append_stores(g, st, new_plat, o_type, new_op, new_open, np.zeros(n_re, dtype=np.int64), place)
    new = np.arange(base, base + n_re)
    # a new name: never the old trade name again
    same_name = (st.t1[new] == st.t1[old]) & (st.t2[new] == st.t2[old])
    st.t1[new[same_name]] = (st.t1[old[same_name]] + 1) % len(_TRADE)
    ship_np = st.ship_from.to_numpy(zero_copy_only=False).astype(object)
    phone_np = st.phone.to_numpy(zero_copy_only=False).astype(object)
    same_ship = rng.random(n_re)
    ship_np[new[same_ship < 0.6]] = ship_np[old[same_ship < 0.6]]
    for o, nw in zip(
        old[(same_ship >= 0.6) & (same_ship < 0.8)],
        new[(same_ship >= 0.6) & (same_ship < 0.8)],
        strict=True,
    ):
        ship_np[nw] = g.add_variant(str(ship_np[o]))
    same_phone = rng.random(n_re) < 0.7
    phone_np[new[same_phone]] = phone_np[old[same_phone]]
    st.ship_from = _arr(ship_np, type=pa.string())
    st.phone = _arr(phone_np, type=pa.string())
    # a few ship-from addresses written another way than the operator's registered address
    total = len(st.platform)
    var_rows = np.flatnonzero(rng.random(total) < 0.02)
    st.ship_from = g.variant_column(st.ship_from, var_rows)

    # store ids -----------------------------------------------------------------------------
    shop = g.serials.take(total) % 10**9 + 10**8
    st.ids = _cat(_take(_s(_PLATFORMS), st.platform), ":", _num(shop))

    # counterfeits ------------------------------------------------------------------------------
    single = rng.choice(n_s0, size=min(n_s0, max(3, round(0.01 * s0))), replace=False)
    cf_reopen = rng.random(n_re) < 0.3
    cf_stores = np.unique(np.concatenate([repeat_new, single, old[cf_reopen], new[cf_reopen]]))
    info = {
        "reopened": (old, new, via_rep),
        "counterfeit": cf_stores,
        "cf_pairs": (old[cf_reopen], new[cf_reopen]),
        "repeat_groups": np.repeat(np.arange(n_rep), cnt),
        "repeat_new": repeat_new,
    }
    susp = cf_stores[rng.random(len(cf_stores)) < 0.3]
    st.status[susp] = 2
    return st, info


def _append_stores(
    g: _Gen,
    st: _Stores,
    plat: IntArr,
    otype: IntArr,
    op: IntArr,
    opened: IntArr,
    status: IntArr,
    place: Callable[[IntArr, IntArr], tuple[IntArr, pa.Array, pa.Array, pa.Array]],
) -> None:
    k = len(op)
    t1, t2 = g.trade_names(k)
    _, region, ship, phone = place(otype, op)
    st.platform = np.concatenate([st.platform, plat])
    st.op_type = np.concatenate([st.op_type, otype])
    st.operator = np.concatenate([st.operator, op])
    st.opened = np.concatenate([st.opened, opened])
    st.status = np.concatenate([st.status, status])
    st.t1 = np.concatenate([st.t1, t1])
    st.t2 = np.concatenate([st.t2, t2])
    st.suffix = np.concatenate([st.suffix, g.rng.integers(0, 4, k)])
    st.region = pa.concat_arrays([st.region, region])
    st.ship_from = pa.concat_arrays([st.ship_from, ship])
    st.phone = pa.concat_arrays([st.phone, phone])


def _store_table(g: _Gen, st: _Stores, biz: _Biz, people: _People) -> dict[str, pa.Array]:
    suffix_idx = st.platform * 4 + st.suffix
    suffixes = _s(
        [_STORE_SUFFIX[p][i % len(_STORE_SUFFIX[p])] for p in _PLATFORMS for i in range(4)]
    )
    name = _cat(g.trade_str(st.t1, st.t2), _take(suffixes, suffix_idx))
    op_id = _where(
        st.op_type == 0,
        _take(biz.ids, np.where(st.op_type == 0, st.operator, 0)),
        _take(people.ids, np.where(st.op_type == 1, st.operator, 0)),
    )
    return {
        "store_id": st.ids,
        "name": name,
        "operator_type": _take(_s(["business", "person"]), st.op_type),
        "operator_id": op_id,
        "opened": _date(st.opened),
        "status": _take(_s(["open", "closed", "suspended"]), st.status),
        "region": st.region,
        "ship_from_address": st.ship_from,
        "phone": st.phone,
    }


def _brands(g: _Gen, biz: _Biz, people: _People) -> tuple[dict[str, pa.Array], IntArr, IntArr]:
    rng, nd = g.rng, biz.domestic
    nb = max(5, round(g.n / 100))
    owner_type = (rng.random(nb) < 0.05).astype(np.int64)
    big = np.flatnonzero(
        (biz.status[:nd] == 0) & (biz.cluster_of[:nd] < 0) & (biz.capital[:nd] >= 1e6)
    )
    owner = np.where(
        owner_type == 0,
        rng.choice(big, size=nb),
        people.ordinary[rng.integers(0, len(people.ordinary), nb)],
    )
    syl = (
        "Lu",
        "mi",
        "ko",
        "Va",
        "ra",
        "Ne",
        "xo",
        "Ti",
        "an",
        "Bo",
        "le",
        "Zen",
        "Ka",
        "ro",
        "Su",
    )
    latin = rng.random(nb) < 0.4
    a, b, c = (rng.integers(0, len(syl), nb) for _ in range(3))
    names = g.trade_str(*g.trade_names(nb)).to_numpy(zero_copy_only=False).astype(object)
    names[latin] = [
        f"{syl[x].capitalize()}{syl[y].lower()}{syl[z].lower()}"
        for x, y, z in zip(a[latin], b[latin], c[latin], strict=True)
    ]
    brand_no = _Unique(rng, lambda k: rng.integers(10**7, 10**8, k)).take(nb)
    brand_id = _cat("TM", _num(brand_no))
    owner_id = _where(
        owner_type == 0,
        _take(biz.ids, np.where(owner_type == 0, owner, 0)),
        _take(people.ids, np.where(owner_type == 1, owner, 0)),
    )
    cols = {
        "brand_id": brand_id,
        "name": _arr(names, type=pa.string()),
        "owner_type": _take(_s(["business", "person"]), owner_type),
        "owner_id": owner_id,
    }
    return cols, owner_type, owner


# ---------------------------------------------------------------------------------------------
# Accounts, orders, waybills, brushing rings
# ---------------------------------------------------------------------------------------------


def _commerce(g: _Gen, st: _Stores, out: _Output) -> tuple[list[dict[str, Any]], IntArr]:
    """Write accounts, waybills and orders; return the planted rings and the boosted stores."""
    rng, n = g.rng, g.n
    bp_params = g.brushing
    n_acc = 2 * n
    acc_plat = rng.choice(4, size=n_acc, p=_weights([0.45, 0.18, 0.22, 0.15])).astype(np.int64)
    acc_created = rng.integers(_day("2010-01-01"), _day("2024-12-31"), n_acc)
    launch = np.array(
        [_day("2003-05-10"), _day("2004-01-01"), _day("2015-09-01"), _day("2018-01-01")]
    )
    acc_created = np.maximum(acc_created, launch[acc_plat] + rng.integers(0, 700, n_acc))
    acc_county = g.counties(n_acc)
    n_homes = max(10, int(0.8 * n_acc))
    homes = g.home_addresses(acc_county[:n_homes])
    acc_home = np.concatenate([np.arange(n_homes), rng.integers(0, n_homes, n_acc - n_homes)])
    acc_phone = g.phones(n_acc)
    acc_has_phone = rng.random(n_acc) < 0.85

    store_buyer = np.array([_ACCOUNT_PLATFORMS.index(_BUYER_PLATFORM[p]) for p in range(5)])[
        st.platform
    ]
    n_st = len(st.platform)
    pop = 1.0 / (rng.permutation(n_st) + 1.0) ** 1.1
    pop = pop * np.where(st.status == 0, 1.0, 0.3)
    act = rng.lognormal(0.0, 1.0, n_acc)

    n_ord = 10 * n
    o_acc_l: list[IntArr] = []
    o_st_l: list[IntArr] = []
    for bpi in range(4):
        accs = np.flatnonzero(acc_plat == bpi)
        sts = np.flatnonzero(store_buyer == bpi)
        if not len(accs) or not len(sts):
            continue
        k = round(n_ord * len(accs) / n_acc)
        o_acc_l.append(rng.choice(accs, size=k, p=act[accs] / act[accs].sum()))
        o_st_l.append(rng.choice(sts, size=k, p=pop[sts] / pop[sts].sum()))
    o_acc = np.concatenate(o_acc_l)
    o_st = np.concatenate(o_st_l)
    k = len(o_acc)
    placed = rng.integers(_ORDER_START * _DAY, _ORDER_END * _DAY, k)
    floor_ = np.maximum(st.opened[o_st], acc_created[o_acc]) * _DAY + rng.integers(
        3600, 40 * _DAY, k
    )
    placed = np.maximum(placed, floor_)
    amount = np.round(rng.lognormal(np.log(80), 1.0, k), 2)
    recv = acc_home[o_acc]
    other = rng.random(k) < 0.1
    recv[other] = rng.integers(0, n_homes, int(other.sum()))
    weight = np.round(np.maximum(rng.lognormal(np.log(0.9), 0.8, k), 0.05), 3)
    light = rng.random(k) < 0.005  # cards, documents: light but genuine
    weight[light] = np.round(rng.uniform(0.01, 0.049, int(light.sum())), 3)
    ship_delay = rng.integers(2 * 3600, 72 * 3600, k)
    deliver_delay = rng.integers(18 * 3600, 5 * _DAY, k)
    kind = np.zeros(k, dtype=np.int64)  # 0 normal, 1 ring, 2 camouflage
    # receiver phone: index into [account phones..., ring phones...]; -1 = none
    recv_phone = o_acc.copy()

    # brushing rings ----------------------------------------------------------------------------
    n_rings = bp_params.rings if bp_params.rings is not None else max(2, round(n / 2000))
    max_recv = bp_params.receivers[1]
    ring_addr_l = [str(a) for a in g.home_addresses(g.counties(n_rings * max_recv)).to_pylist()]
    ring_phone_l = [str(p) for p in g.phones(n_rings * max_recv).to_pylist()]
    order_rank = np.argsort(-pop, kind="stable")
    by_plat: dict[int, tuple[IntArr, IntArr]] = {}
    for plat in range(len(_PLATFORMS)):
        cand = np.flatnonzero((st.platform == plat) & (st.status == 0))
        low = cand[pop[cand] <= np.quantile(pop[cand], 0.8)] if len(cand) else cand
        by_plat[plat] = (cand, low if len(low) >= bp_params.stores[0] else cand)
    top_by_buyer: dict[int, IntArr] = {}
    all_by_buyer: dict[int, IntArr] = {}
    for bpi in range(len(_ACCOUNT_PLATFORMS)):
        plat_st = np.flatnonzero(store_buyer == bpi)
        ranked = order_rank[store_buyer[order_rank] == bpi]
        all_by_buyer[bpi] = plat_st
        top_by_buyer[bpi] = ranked[: max(5, len(plat_st) // 100)]

    rings: list[dict[str, Any]] = []
    boosted_all: list[IntArr] = []
    ring_acc_plat: list[IntArr] = []
    ring_acc_created: list[IntArr] = []
    r_acc_l: list[IntArr] = []
    r_st_l: list[IntArr] = []
    r_t_l: list[IntArr] = []
    r_recv_l: list[IntArr] = []
    r_phone_l: list[IntArr] = []
    r_kind_l: list[IntArr] = []
    extra_homes: list[str] = []
    extra_phones: list[str] = []
    next_acc = n_acc
    for r in range(n_rings):
        plat = int(rng.choice(len(_PLATFORMS), p=_PLATFORM_WEIGHT))
        bpi = _ACCOUNT_PLATFORMS.index(_BUYER_PLATFORM[plat])
        cand, low_pop = by_plat[plat]
        if len(cand) < bp_params.stores[0]:
            continue
        ns = int(rng.integers(bp_params.stores[0], bp_params.stores[1] + 1))
        boosted = rng.choice(low_pop, size=min(ns, len(low_pop)), replace=False)
        na = int(rng.integers(bp_params.accounts[0], bp_params.accounts[1] + 1))
        accs = np.arange(next_acc, next_acc + na)
        next_acc += na
        t_first = max(_ORDER_START, int(st.opened[boosted].max()) + 7) * _DAY
        t0 = int(rng.integers(t_first, max(t_first + _DAY, (_ORDER_END - 30) * _DAY)))
        # fake accounts are registered in one batch shortly before the first wave
        created = t0 // _DAY - int(rng.integers(3, 30)) + rng.integers(0, 3, na)
        ring_acc_plat.append(np.full(na, bpi, dtype=np.int64))
        ring_acc_created.append(created)
        nrecv = int(rng.integers(bp_params.receivers[0], max_recv + 1))
        recv_ids: list[int] = []
        for j in range(nrecv):
            addr = ring_addr_l[r * max_recv + j]
            if j and rng.random() < 0.2:  # the same drop address, written another way
                addr = g.add_variant(ring_addr_l[r * max_recv + j - 1])
            extra_homes.append(addr)
            extra_phones.append(ring_phone_l[r * max_recv + j])
            recv_ids.append(len(extra_homes) - 1)
        recv_a = np.array(recv_ids, dtype=np.int64)
        waves = int(rng.integers(bp_params.waves[0], bp_params.waves[1] + 1))
        ring_count = np.zeros(na, dtype=np.int64)
        grid_a = np.repeat(accs, len(boosted))
        grid_s = np.tile(boosted, na)
        start = t0
        for _ in range(waves):
            hit = rng.random(len(grid_a)) < bp_params.density
            m = int(hit.sum())
            slot = recv_a[rng.integers(0, nrecv, m)]
            r_acc_l.append(grid_a[hit])
            r_st_l.append(grid_s[hit])
            r_t_l.append(start + (rng.random(m) * bp_params.window_hours * 3600).astype(np.int64))
            r_recv_l.append(n_homes + slot)
            r_phone_l.append(-2 - slot)
            r_kind_l.append(np.ones(m, dtype=np.int64))
            ring_count += np.bincount(grid_a[hit] - accs[0], minlength=na)
            start += int(rng.integers(5, 40)) * _DAY
        if bp_params.camouflage != "none" and bp_params.camouflage_level > 0:
            ca = np.repeat(accs, rng.poisson(bp_params.camouflage_level * ring_count))
            m = len(ca)
            rnd = all_by_buyer[bpi][rng.integers(0, len(all_by_buyer[bpi]), m)]
            top = top_by_buyer[bpi]
            popular = top[rng.integers(0, len(top), m)]
            if bp_params.camouflage == "random":
                cs = rnd
            elif bp_params.camouflage == "popular":
                cs = popular
            else:
                cs = np.where(rng.random(m) < 0.5, rnd, popular)
            lo = np.maximum(st.opened[cs], created[ca - accs[0]]) * _DAY + 3600
            lo = np.maximum(lo, t0 - 20 * _DAY)
            r_acc_l.append(ca)
            r_st_l.append(cs)
            r_t_l.append(lo + (rng.random(m) * 90 * _DAY).astype(np.int64))
            r_recv_l.append(rng.integers(0, n_homes, m))
            r_phone_l.append(ca)
            r_kind_l.append(np.full(m, 2, dtype=np.int64))
        boosted_all.append(boosted)
        rings.append({"platform": _PLATFORMS[plat], "accounts": accs, "stores": boosted})

    n_fake = next_acc - n_acc
    acc_plat_all = np.concatenate([acc_plat, *ring_acc_plat])
    acc_created_all = np.concatenate([acc_created, *ring_acc_created])
    acc_phone_all = pa.concat_arrays(
        [_where(acc_has_phone, acc_phone), _where(rng.random(n_fake) < 0.6, g.phones(n_fake))]
    )
    handles = g.serials.take(len(acc_plat_all)) + 10**9
    acc_ids = _cat(
        _take(_s(_ACCOUNT_PLATFORMS), acc_plat_all),
        ":",
        _take(_s(_ACCOUNT_PREFIX), acc_plat_all),
        _num(handles),
    )
    all_homes = pa.concat_arrays([homes, _s(extra_homes)])
    phone_tab = pa.concat_arrays([acc_phone_all, _s(extra_phones)])

    if r_acc_l:
        r_acc = np.concatenate(r_acc_l)
        r_kind = np.concatenate(r_kind_l)
        m = len(r_acc)
        ring_order = r_kind == 1
        empty = ring_order & (rng.random(m) < bp_params.empty_parcel)
        rw = np.round(np.maximum(rng.lognormal(np.log(0.9), 0.8, m), 0.05), 3)
        rw[empty] = np.round(rng.uniform(0.005, 0.045, int(empty.sum())), 3)
        o_acc = np.concatenate([o_acc, r_acc])
        o_st = np.concatenate([o_st, *r_st_l])
        placed = np.concatenate([placed, *r_t_l])
        amount = np.concatenate([amount, np.round(rng.lognormal(np.log(60), 0.7, m), 2)])
        recv = np.concatenate([recv, *r_recv_l])
        r_phone = np.concatenate(r_phone_l)
        recv_phone = np.concatenate(
            [recv_phone, np.where(r_phone <= -2, len(acc_plat_all) + (-2 - r_phone), r_phone)]
        )
        weight = np.concatenate([weight, rw])
        ship_delay = np.concatenate(
            [
                ship_delay,
                np.where(
                    ring_order,
                    rng.integers(1800, 6 * 3600, m),
                    rng.integers(2 * 3600, 72 * 3600, m),
                ),
            ]
        )
        # empty parcels "arrive" within hours, wherever they go
        deliver_delay = np.concatenate(
            [
                deliver_delay,
                np.where(
                    empty, rng.integers(3600, 8 * 3600, m), rng.integers(18 * 3600, 5 * _DAY, m)
                ),
            ]
        )
        kind = np.concatenate([kind, r_kind])

    accounts = {
        "account_id": acc_ids,
        "created": _date(acc_created_all),
        "phone": acc_phone_all,
    }
    out.emit("accounts", [_table("accounts", accounts)])
    del accounts, acc_phone_all, acc_created_all

    # one order of rows for both files: by time; order and waybill numbers grow with time
    k = len(o_acc)
    by_time = np.argsort(placed, kind="stable")
    o_acc = o_acc[by_time].astype(np.int32)
    o_st = o_st[by_time].astype(np.int32)
    placed = placed[by_time]
    amount = amount[by_time]
    recv = recv[by_time].astype(np.int32)
    recv_phone = recv_phone[by_time].astype(np.int32)
    weight = weight[by_time]
    shipped = placed + ship_delay[by_time]
    delivered = shipped + deliver_delay[by_time]
    kind = kind[by_time].astype(np.int8)
    del by_time, ship_delay, deliver_delay
    has_wb = (rng.random(k) < 0.95) | (kind == 1)
    in_transit = (rng.random(k) < 0.02) & (kind == 0)
    carrier = rng.choice(len(_CARRIERS), size=k, p=_weights(_CARRIER_WEIGHT)).astype(np.int8)
    o_plat = st.platform[o_st].astype(np.int8)
    order_no = np.zeros(k, dtype=np.int64)
    for p in range(len(_PLATFORMS)):
        sel = o_plat == p
        order_no[sel] = 10**15 * (p + 1) + np.cumsum(rng.integers(1, 40, int(sel.sum())))
    wb_no = np.zeros(k, dtype=np.int64)
    for c in range(len(_CARRIERS)):
        sel = (carrier == c) & has_wb
        wb_no[sel] = 7 * 10**11 + c * 10**10 + np.cumsum(rng.integers(1, 30, int(sel.sum())))
    platforms, carriers = _s(_PLATFORMS), _s(_CARRIERS)

    def waybill_ids(sl: slice) -> pa.Array:
        return _cat(_take(carriers, carrier[sl]), ":", _num(wb_no[sl]))

    def waybill_chunks() -> Iterator[pa.Table]:
        for a in range(0, k, _CHUNK):
            sl = slice(a, min(a + _CHUNK, k))
            rows = np.flatnonzero(has_wb[sl]) + a
            yield _table(
                "waybills",
                {
                    "waybill_id": waybill_ids(sl).filter(_arr(has_wb[sl])),
                    "weight_kg": _floats(weight[rows]),
                    "shipped": _ts(shipped[rows]),
                    "delivered": _where(~in_transit[rows], _ts(delivered[rows])),
                    "receiver_address": _take(all_homes, recv[rows]),
                    "receiver_phone": _take(phone_tab, recv_phone[rows]),
                },
            )

    def order_chunks() -> Iterator[pa.Table]:
        for a in range(0, k, _CHUNK):
            sl = slice(a, min(a + _CHUNK, k))
            yield _table(
                "orders",
                {
                    "order_id": _cat(_take(platforms, o_plat[sl]), ":", _num(order_no[sl])),
                    "account_id": _take(acc_ids, o_acc[sl]),
                    "store_id": _take(st.ids, o_st[sl]),
                    "placed": _ts(placed[sl]),
                    "amount": _floats(amount[sl]),
                    "waybill_id": _where(has_wb[sl], waybill_ids(sl)),
                },
            )

    out.emit("waybills", waybill_chunks(), total=int(has_wb.sum()))
    out.emit("orders", order_chunks(), total=k)
    truth_rings = [
        {
            "platform": ring["platform"],
            "accounts": _list(acc_ids, ring["accounts"]),
            "stores": _list(st.ids, ring["stores"]),
        }
        for ring in rings
    ]
    boosted_idx = np.unique(np.concatenate(boosted_all)) if boosted_all else np.empty(0, np.int64)
    return truth_rings, boosted_idx


# ---------------------------------------------------------------------------------------------
# Listings, violations, infringement reports
# ---------------------------------------------------------------------------------------------


@dataclass
class _Subjects:
    """Accumulates subject rows of listings or violations."""

    stype: list[IntArr] = field(default_factory=list)  # 0 business 1 person 2 store
    sidx: list[IntArr] = field(default_factory=list)
    kind: list[IntArr] = field(default_factory=list)
    decided: list[IntArr] = field(default_factory=list)
    county: list[IntArr] = field(default_factory=list)

    def add(self, stype: int, idx: IntArr, kind: int, decided: IntArr, county: IntArr) -> None:
        k = len(idx)
        self.stype.append(np.full(k, stype, dtype=np.int64))
        self.sidx.append(np.asarray(idx, dtype=np.int64))
        self.kind.append(np.full(k, kind, dtype=np.int64))
        self.decided.append(np.minimum(np.asarray(decided, dtype=np.int64), _TODAY - 1))
        self.county.append(np.where(np.asarray(county) < 0, 0, county).astype(np.int64))

    def cat(self, name: str) -> IntArr:
        return np.concatenate(getattr(self, name))


_LIST_TYPES = (
    "serious_dishonesty",
    "abnormal_operation",
    "judgment_defaulter",
    "online_serious_violation",
    "repeat_ip_infringer",
)


def _subject_ids(stype: IntArr, sidx: IntArr, biz: _Biz, people: _People, st: _Stores) -> pa.Array:
    out = _take(biz.ids, np.where(stype == 0, sidx, 0))
    out = _where(stype == 1, _take(people.ids, np.where(stype == 1, sidx, 0)), out)
    return _where(stype == 2, _take(st.ids, np.where(stype == 2, sidx, 0)), out)


def _listings(
    g: _Gen,
    biz: _Biz,
    people: _People,
    st: _Stores,
    rep: IntArr,
    repeat_ops: list[tuple[int, int]],
    bad_stores: IntArr,
) -> dict[str, pa.Array]:
    rng, nd = g.rng, biz.domestic
    sub = _Subjects()
    est = biz.est
    dom = np.arange(nd)

    def after(e: IntArr) -> IntArr:
        return e + (rng.random(len(e)) * np.maximum(_TODAY - 10 - e, 1)).astype(np.int64)

    abn = dom[biz.status[:nd] == 1]
    sub.add(0, abn, 1, after(est[abn] + 365), biz.county[abn])
    repaired = dom[(biz.status[:nd] == 0) & (rng.random(nd) < 0.02)]
    sub.add(0, repaired, 1, after(est[repaired] + 365), biz.county[repaired])
    serious = dom[(rng.random(nd) < 0.004) | ((biz.status[:nd] == 1) & (rng.random(nd) < 0.1))]
    sub.add(0, serious, 0, after(est[serious] + 400), biz.county[serious])
    jd_b = dom[rng.random(nd) < 0.005]
    sub.add(0, jd_b, 2, after(est[jd_b] + 300), biz.county[jd_b])
    jd_p = np.concatenate(
        [
            rep[jd_b[rng.random(len(jd_b)) < 0.5]],
            people.ordinary[rng.random(len(people.ordinary)) < 0.002],
        ]
    )
    sub.add(1, jd_p, 2, rng.integers(_day("2015-01-01"), _TODAY, len(jd_p)), people.county[jd_p])
    online = bad_stores[rng.random(len(bad_stores)) < 0.3]
    sub.add(2, online, 3, after(st.opened[online] + 30), _store_county(g, st, online))
    o_biz = st.operator[online][st.op_type[online] == 0]
    sub.add(
        0,
        o_biz,
        3,
        after(np.maximum(est[o_biz], st.opened[online][st.op_type[online] == 0])),
        biz.county[o_biz],
    )
    if repeat_ops:
        ro = np.array(repeat_ops, dtype=np.int64)
        ro = ro[rng.random(len(ro)) < 0.6]
        rb = ro[ro[:, 0] == 0, 1]
        rp = ro[ro[:, 0] == 1, 1]
        sub.add(0, rb, 4, after(np.maximum(est[rb], _day("2019-01-01"))), biz.county[rb])
        sub.add(1, rp, 4, rng.integers(_day("2019-01-01"), _TODAY, len(rp)), people.county[rp])

    stype, sidx, kind = sub.cat("stype"), sub.cat("sidx"), sub.cat("kind")
    decided, county = sub.cat("decided"), sub.cat("county")
    k = len(sidx)
    expires = np.full(k, -1, dtype=np.int64)
    ser = kind == 0
    expires[ser] = decided[ser] + 3 * 365
    jd = (kind == 2) & (rng.random(k) < 0.5)
    expires[jd] = decided[jd] + 2 * 365
    other = ((kind == 3) | (kind == 4)) & (rng.random(k) < 0.7)
    expires[other] = decided[other] + 3 * 365
    removed = np.full(k, -1, dtype=np.int64)
    reason = np.full(k, -1, dtype=np.int64)  # 0 credit_repair 1 objection_upheld 2 expired
    lapsed = (expires >= 0) & (expires < _TODAY) & (rng.random(k) < 0.6)
    removed[lapsed] = expires[lapsed]
    reason[lapsed] = 2
    repair = (~lapsed) & (rng.random(k) < 0.15) & (decided < _TODAY - 200)
    subject_status = np.where(stype == 0, biz.status[np.where(stype == 0, sidx, 0)], -1)
    repair |= (kind == 1) & (subject_status == 0)
    repair &= ~((kind == 1) & (subject_status == 1))  # still abnormal: still listed
    removed[repair] = (
        decided[repair]
        + (rng.random(int(repair.sum())) * np.maximum(_TODAY - 1 - decided[repair] - 90, 1)).astype(
            np.int64
        )
        + 90
    )
    reason[repair] = 0
    objection = repair & (rng.random(k) < 0.15)
    removed[objection] = decided[objection] + rng.integers(10, 60, int(objection.sum()))
    reason[objection] = 1
    removed = np.where(removed >= _TODAY, _TODAY - 1, removed)
    # the authority: county bureau for abnormal operation, court for defaulters, else city
    city_level = (kind == 0) | (kind == 3) | (kind == 4) | ((kind == 2) & (rng.random(k) < 0.4))
    authority = _take(g.county_bureau, county)
    authority = _where(city_level, _take(g.county_city_bureau, county), authority)
    court = _where(city_level, _take(g.county_city_court, county), _take(g.county_court, county))
    authority = _where(kind == 2, court, authority)
    region = _where(city_level, _take(g.county_city_code, county), _take(g.county_code, county))
    basis_flat = [b for t in _LIST_TYPES for b in _LIST_BASIS[t]]
    basis_start = np.cumsum([0] + [len(_LIST_BASIS[t]) for t in _LIST_TYPES])[:-1]
    basis_len = np.array([len(_LIST_BASIS[t]) for t in _LIST_TYPES])
    basis = basis_start[kind] + rng.integers(0, 1000, k) % basis_len[kind]
    year = (
        np.asarray(decided, dtype="datetime64[D]").astype("datetime64[Y]").astype(np.int64) + 1970
    )
    prefix = _s(["YZSX", "JYYC", "SXBZX", "WLYZ", "ZSCQ"])
    order = rng.permutation(k)
    lid = _cat(_take(prefix, kind), "-", _num(year), "-", _num(np.argsort(order) + 1, 7))
    return {
        "listing_id": lid,
        "subject_type": _take(_s(["business", "person", "store"]), stype),
        "subject_id": _subject_ids(stype, sidx, biz, people, st),
        "list_type": _take(_s(_LIST_TYPES), kind),
        "authority": authority,
        "decided": _date(decided),
        "expires": _where(expires >= 0, _date(np.maximum(expires, 0))),
        "removed": _where(removed >= 0, _date(np.maximum(removed, 0))),
        "removal_reason": _where(
            reason >= 0,
            _take(_s(["credit_repair", "objection_upheld", "expired"]), np.maximum(reason, 0)),
        ),
        "legal_basis": _take(_s(basis_flat), basis),
        "region": region,
    }


def _store_county(g: _Gen, st: _Stores, idx: IntArr) -> IntArr:
    codes = [c for c, _, _ in _COUNTIES]
    pos = {c: i for i, c in enumerate(codes)}
    return np.array(
        [pos.get(str(r), 0) for r in st.region.take(_arr(idx)).to_pylist()], dtype=np.int64
    )


def _violations(
    g: _Gen, biz: _Biz, people: _People, st: _Stores, bad_stores: IntArr, boosted: IntArr
) -> dict[str, pa.Array]:
    rng, nd = g.rng, biz.domestic
    sub = _Subjects()
    dom = np.arange(nd)
    est = biz.est
    kw = _weights([w for *_, w in _VIOLATION_KINDS])
    rb = dom[rng.random(nd) < 0.025]
    kinds_b = rng.choice(len(_VIOLATION_KINDS), size=len(rb), p=kw)
    dec_b = est[rb] + (rng.random(len(rb)) * np.maximum(_TODAY - est[rb] - 10, 1)).astype(np.int64)
    for kd in range(len(_VIOLATION_KINDS)):
        sel = kinds_b == kd
        sub.add(0, rb[sel], kd, dec_b[sel], biz.county[rb[sel]])
    cf = bad_stores[rng.random(len(bad_stores)) < 0.5]
    sub.add(2, cf, 1, st.opened[cf] + rng.integers(30, 700, len(cf)), _store_county(g, st, cf))
    bs = boosted[rng.random(len(boosted)) < 0.3]
    sub.add(
        2,
        bs,
        2,
        np.maximum(st.opened[bs], _ORDER_START) + rng.integers(60, 700, len(bs)),
        _store_county(g, st, bs),
    )
    ps = np.flatnonzero((st.op_type == 1) & (rng.random(len(st.op_type)) < 0.01))
    sub.add(
        1,
        st.operator[ps],
        0,
        st.opened[ps] + rng.integers(30, 900, len(ps)),
        people.county[st.operator[ps]],
    )
    stype, sidx, kind = sub.cat("stype"), sub.cat("sidx"), sub.cat("kind")
    decided, county = sub.cat("decided"), sub.cat("county")
    k = len(sidx)
    year = (
        np.asarray(decided, dtype="datetime64[D]").astype("datetime64[Y]").astype(np.int64) + 1970
    )
    seq = rng.integers(1, 3000, k)
    case_no = _cat(
        _take(g.county_city_short, county), "市监处罚〔", _num(year), "〕", _num(seq), "号"
    )
    penalty = _take(_s([p for _, _, p, _ in _VIOLATION_KINDS]), kind)
    warn_only = np.array([p == "警告" for _, _, p, _ in _VIOLATION_KINDS])[kind]
    amount = np.round(
        rng.choice([2e3, 5e3, 1e4, 3e4, 5e4, 1e5, 2e5, 5e5], size=k) * rng.uniform(0.5, 2, k), -2
    )
    order = rng.permutation(k)
    return {
        "violation_id": _cat("CF-", _num(year), "-", _num(np.argsort(order) + 1, 7)),
        "subject_type": _take(_s(["business", "person", "store"]), stype),
        "subject_id": _subject_ids(stype, sidx, biz, people, st),
        "kind": _take(_s([kd for kd, *_ in _VIOLATION_KINDS]), kind),
        "authority": _take(g.county_bureau, county),
        "decided": _date(decided),
        "case_no": case_no,
        "penalty": penalty,
        "amount": _floats(amount, ~warn_only),
        "legal_basis": _take(_s([b for _, b, _, _ in _VIOLATION_KINDS]), kind),
        "region": _take(g.county_code, county),
    }


def _reports(
    g: _Gen,
    st: _Stores,
    cf_store: IntArr,
    cf_brand: IntArr,
    brand_ids: pa.Array,
    brand_owner_ids: pa.Array,
) -> tuple[dict[str, pa.Array], list[str]]:
    rng = g.rng
    cnt = rng.integers(1, 4, len(cf_store))
    s = np.repeat(cf_store, cnt)
    b = np.repeat(cf_brand, cnt)
    status = rng.choice(
        4, size=len(s), p=[0.1, 0.7, 0.1, 0.1]
    )  # pending confirmed rejected countered
    n_false = max(1, round(0.2 * len(s)))
    innocent = np.setdiff1d(np.arange(len(st.platform)), cf_store)
    fs = rng.choice(innocent, size=n_false)
    fb = rng.integers(0, len(brand_ids), n_false)
    fstat = rng.choice(4, size=n_false, p=[0.2, 0.0, 0.45, 0.35])
    s = np.concatenate([s, fs])
    b = np.concatenate([b, fb])
    status = np.concatenate([status, fstat])
    false_mask = np.concatenate([np.zeros(len(s) - n_false, bool), np.ones(n_false, bool)])
    k = len(s)
    filed = np.minimum(
        np.maximum(st.opened[s], _day("2019-01-01")) + rng.integers(20, 900, k), _TODAY - 1
    )
    order = np.argsort(filed, kind="stable")
    s, b, status, filed, false_mask = (
        s[order],
        b[order],
        status[order],
        filed[order],
        false_mask[order],
    )
    year = np.asarray(filed, dtype="datetime64[D]").astype("datetime64[Y]").astype(np.int64) + 1970
    rid = _cat("IPR-", _num(year), "-", _num(np.arange(1, k + 1), 7))
    evidence = _cat(
        _take(
            _s(["鉴定报告 JD", "公证书 GZ", "测试购买 TB", "截图存证 SS"]), rng.integers(0, 4, k)
        ),
        _num(year),
        "-",
        _num(rng.integers(0, 10**6, k), 6),
    )
    cols = {
        "report_id": rid,
        "store_id": _take(st.ids, s),
        "brand_id": _take(brand_ids, b),
        "complainant": _take(brand_owner_ids, b),
        "status": _take(_s(["pending", "confirmed", "rejected", "countered"]), status),
        "filed": _date(filed),
        "evidence": evidence,
    }
    return cols, [str(x) for x in rid.filter(_arr(false_mask)).to_pylist()]


def _licences(g: _Gen, biz: _Biz) -> dict[str, pa.Array]:
    """Licences of domestic businesses by industry; renewals, lapses, revocations."""
    rng, nd = g.rng, biz.domestic
    codes = [c for c, _ in _LICENCE_TYPES]
    need = np.zeros((len(_INDUSTRIES), len(codes)))
    for industry, chances in _LICENCE_NEED.items():
        for code, chance in chances.items():
            need[_INDUSTRIES.index(industry), codes.index(code)] = chance
    holds = rng.random((nd, len(codes))) < need[biz.industry[:nd]]
    holds[biz.cluster_of[:nd] >= 0] = False
    b, t = np.nonzero(holds)
    b, t = b.astype(np.int64), t.astype(np.int64)
    k = len(b)
    term = (np.array([y for _, y in _LICENCE_TYPES]) * 36525 // 100)[t] - 1  # days
    est = biz.est[b]
    outcome = np.zeros(k, dtype=np.int64)
    for biz_status, weights in enumerate(_LICENCE_OUTCOME):
        sel = np.flatnonzero(biz.status[b] == biz_status)
        outcome[sel] = rng.choice(4, size=len(sel), p=weights)
    # lapsed: expired before today, if the business is old enough; else in force
    lapse_hi = _TODAY - term - 1
    outcome[(outcome == 1) & (lapse_hi < est)] = 0
    lo = np.where(outcome == 1, est, np.maximum(est, _TODAY - term + 1))
    hi = np.where(outcome == 1, lapse_hi, _TODAY - 1)
    issued = lo + (rng.random(k) * np.maximum(hi - lo, 0)).astype(np.int64)
    expires = issued + term
    status = np.select(
        [outcome == 2, outcome == 3, (outcome == 1) & (rng.random(k) < 0.7)], [2, 1, 3], 0
    )  # 30% of lapsed licences are still recorded valid: the check date tells
    # a quarter of licences in force were renewed: the expired predecessor is on record too
    renewed = np.flatnonzero((outcome == 0) & (issued - term - 1 >= est) & (rng.random(k) < 0.25))
    b = np.concatenate([b, b[renewed]])
    t = np.concatenate([t, t[renewed]])
    expires = np.concatenate([expires, issued[renewed] - 1])
    issued = np.concatenate([issued, issued[renewed] - term[renewed] - 1])
    status = np.concatenate([status, np.full(len(renewed), 3)])
    # numbers: a serial unique within the type, in a format like the type's real ones
    order = np.argsort(t, kind="stable")
    b, t, issued, expires, status = b[order], t[order], issued[order], expires[order], status[order]
    county = biz.county[b]
    cities = [_CITIES[c[:4]] for c, _, _ in _COUNTIES]
    abbr = _s([_PROVINCE_ABBR[c[0]] for c in cities])
    city_short = g.county_city_short
    area = _s([c[3].removeprefix("0") for c in cities])
    year = _num(
        np.asarray(issued, dtype="datetime64[D]").astype("datetime64[Y]").astype(np.int64) + 1970
    )
    serial = np.zeros(len(b), dtype=np.int64)
    for i in range(len(codes)):
        sel = np.flatnonzero(t == i)
        serial[sel] = rng.permutation(len(sel)) + 1
    w = len(str(len(b)))  # wide enough for every serial
    ser4, ser6 = _num(serial, max(4, w)), _num(serial, max(6, w))
    digit = _num(rng.integers(0, 10, len(b)))
    cc = _take(g.county_code, county)
    pa_abbr, pa_city = _take(abbr, county), _take(city_short, county)
    numbers = [
        _cat("JY1", cc, ser6, digit),
        _cat("SC1", _num(rng.integers(1, 32, len(b)), 2), cc, ser4, digit),
        _cat(pa_abbr, "AA", _take(area, county), ser4),
        _cat(pa_abbr, pa_city, "药监械经营许", year, ser4, "号"),
        _cat("新出发", pa_city, "字第", ser4, "号"),
        _cat(pa_abbr, "B2-", year, ser4),
    ]
    province = _s([c[0] for c in cities])
    authorities = [
        _take(g.county_bureau, county),
        _take(g.county_city_bureau, county),
        _cat(_take(province, county), "药品监督管理局"),
        _take(g.county_city_bureau, county),
        _cat(_take(_s([c[1] for c in cities]), county), "文化广电旅游局"),
        _cat(_take(province, county), "通信管理局"),
    ]
    bounds = np.searchsorted(t, np.arange(len(codes) + 1))
    pick = [(int(bounds[i]), int(bounds[i + 1] - bounds[i])) for i in range(len(codes))]
    return {
        "business_id": _take(biz.ids, b),
        "licence_type": _take(_s(codes), t),
        "licence_no": pa.concat_arrays([numbers[i].slice(a, m) for i, (a, m) in enumerate(pick)]),
        "authority": pa.concat_arrays(
            [authorities[i].slice(a, m) for i, (a, m) in enumerate(pick)]
        ),
        "issued": _date(issued),
        "expires": _date(expires),
        "status": _take(_s(_LICENCE_STATUS), status),
    }


# ---------------------------------------------------------------------------------------------
# Bad rows, writing, entry point
# ---------------------------------------------------------------------------------------------

_BAD_DATES = ("2023-02-30", "2023/13/01", "昨天", "20231301", "2021-00-10")

# Each maker turns k valid template rows into k rows that are invalid in one field only.
_BadMaker = Callable[["_Gen", dict[str, pa.Array], int], None]


def _bad_business(g: _Gen, cols: dict[str, pa.Array], k: int) -> None:
    good = g.usccs(g.counties(k), np.full(k, _day("2020-01-01"))).to_pylist()
    shift = g.rng.integers(1, 31, k)
    cols["business_id"] = _s(
        [
            u[:-1] + _USCC_ALPHABET[(_USCC_ALPHABET.index(u[-1]) + int(d)) % 31]
            for u, d in zip(good, shift.tolist(), strict=True)
        ]
    )


def _bad_person(g: _Gen, cols: dict[str, pa.Array], k: int) -> None:
    ids, _ = g.rics(k)
    checks = "0123456789X"
    cols["person_id"] = _s(
        [v[:-1] + checks[(checks.index(v[-1]) + 1) % 11] for v in ids.to_pylist()]
    )
    cols["id_type"] = _const(k, "ric")


def _bad_share(g: _Gen, cols: dict[str, pa.Array], k: int) -> None:
    cols["share"] = _arr(np.full(k, 1.7))
    cols["until"] = _nulls(k)


def _bad_role(g: _Gen, cols: dict[str, pa.Array], k: int) -> None:
    cols["business_id"] = g.usccs(g.counties(k), np.full(k, _day("2021-06-01")))


def _bad_licence(g: _Gen, cols: dict[str, pa.Array], k: int) -> None:
    cols["business_id"] = g.usccs(g.counties(k), np.full(k, _day("2022-03-01")))


def _bad_store(g: _Gen, cols: dict[str, pa.Array], k: int) -> None:
    cols["store_id"] = _cat("taobao:", _num(g.serials.take(k) % 10**9 + 2 * 10**9))
    cols["operator_type"] = _const(k, "business")
    cols["operator_id"] = g.usccs(g.counties(k), np.full(k, _day("2022-06-01")))


def _bad_order(g: _Gen, cols: dict[str, pa.Array], k: int) -> None:
    cols["order_id"] = _cat("taobao:", _num(9 * 10**17 + g.serials.take(k)))
    cols["store_id"] = _cat("taobao:", _num(g.serials.take(k) % 10**9 + 3 * 10**9))
    cols["waybill_id"] = _nulls(k)


def _bad_decided(id_col: str, prefix: str) -> _BadMaker:
    def make(g: _Gen, cols: dict[str, pa.Array], k: int) -> None:
        cols[id_col] = _cat(prefix, _num(g.serials.take(k), 9))
        cols["decided"] = _take(_s(_BAD_DATES), g.rng.integers(0, len(_BAD_DATES), k))

    return make


def _bad_waybill(g: _Gen, cols: dict[str, pa.Array], k: int) -> None:
    cols["waybill_id"] = _cat("ZTO:", _num(9 * 10**13 + g.serials.take(k)))
    bad = _s(["2024-13-01T25:00:00", "2024-02-30T10:00:00", "not shipped"])
    cols["shipped"] = _take(bad, g.rng.integers(0, 3, k))


_BAD_ROWS: dict[str, tuple[str, str, _BadMaker]] = {
    # file: (field, kind, maker)
    "businesses": ("business_id", "bad_check_character", _bad_business),
    "people": ("person_id", "bad_check_digit", _bad_person),
    "shareholdings": ("share", "share_out_of_range", _bad_share),
    "roles": ("business_id", "unknown_business", _bad_role),
    "stores": ("operator_id", "unknown_business", _bad_store),
    "orders": ("store_id", "unknown_store", _bad_order),
    "listings": ("decided", "unparseable_date", _bad_decided("listing_id", "BAD-")),
    "violations": ("decided", "unparseable_date", _bad_decided("violation_id", "BADCF-")),
    "waybills": ("shipped", "unparseable_timestamp", _bad_waybill),
    "licences": ("business_id", "unknown_business", _bad_licence),
}


class _Output:
    """Writes each file as it is produced (chunk by chunk), slipping in the bad rows."""

    def __init__(self, g: _Gen, out_dir: Path, fmt: str, bad_rate: float) -> None:
        self.g = g
        self.out_dir = out_dir
        self.fmt = fmt
        self.bad_rate = bad_rate
        self.files: dict[str, Path] = {}
        self.rows: dict[str, int] = {}
        self.bad: list[dict[str, Any]] = []

    def emit(
        self,
        name: str,
        chunks: Iterable[pa.Table],
        total: int | None = None,
        shuffle: bool = False,
    ) -> None:
        """Write ``name`` from its chunks (``total`` valid rows; default: one chunk).

        ``shuffle`` permutes a one-chunk file so that planted groups are not contiguous.
        """
        rng = self.g.rng
        parts = iter(chunks)
        first = next(parts)
        if shuffle:
            first = first.take(_arr(rng.permutation(first.num_rows)))
        if tuple(first.column_names) != COLUMNS[name]:
            raise AssertionError(f"{name}: columns {first.column_names} != {COLUMNS[name]}")
        total = first.num_rows if total is None else total
        schema = first.schema
        path = self.out_dir / f"{name}.{self.fmt}"
        writer: Any
        if self.fmt == "csv":
            options = pa_csv.WriteOptions(quoting_style="needed")
            writer = pa_csv.CSVWriter(path, schema, write_options=options)
        else:
            writer = pq.ParquetWriter(path, schema)
        bad = self._bad_rows(name, first, total)
        # the i-th bad row goes just before valid row ins[i] (ins is non-decreasing)
        ins = np.empty(0, dtype=np.int64)
        if bad is not None:
            nb = bad.num_rows
            pos = np.sort(rng.choice(total + nb, size=nb, replace=False))
            ins = pos - np.arange(nb)
        done = used = written = 0  # valid rows read, bad rows placed, rows written
        with writer:
            for part in itertools.chain([first], parts):
                chunk = part.cast(schema)
                upto = int(np.searchsorted(ins, done + chunk.num_rows, side="left"))
                done += chunk.num_rows
                if bad is not None and upto > used:
                    chunk = self._merge(
                        name, chunk, bad, ins[used:upto] - (done - part.num_rows), used, written
                    )
                    used = upto
                writer.write_table(chunk)
                written += chunk.num_rows
            if bad is not None and used < bad.num_rows:  # bad rows after the last valid one
                tail = self._merge(name, bad.slice(0, 0), bad, ins[used:] - done, used, written)
                writer.write_table(tail)
                written += tail.num_rows
        self.files[name] = path
        self.rows[name] = written

    def _bad_rows(self, name: str, template: pa.Table, total: int) -> pa.Table | None:
        if self.bad_rate <= 0 or name not in _BAD_ROWS:
            return None
        k = max(1, round(self.bad_rate * total))
        rows = template.take(_arr(self.g.rng.integers(0, template.num_rows, k)))
        cols = {c: rows.column(c).combine_chunks() for c in rows.column_names}
        _BAD_ROWS[name][2](self.g, cols, k)
        return pa.table(cols).cast(template.schema)

    def _merge(
        self, name: str, chunk: pa.Table, bad: pa.Table, before: IntArr, lo: int, written: int
    ) -> pa.Table:
        """Put bad rows lo, lo+1 ... before the chunk's valid rows ``before`` (local)."""
        field_, kind, _ = _BAD_ROWS[name]
        m, nb = chunk.num_rows, len(before)
        local = before + np.arange(nb)  # positions inside the merged chunk
        is_bad = np.zeros(m + nb, dtype=bool)
        is_bad[local] = True
        idx = np.empty(m + nb, dtype=np.int64)
        idx[~is_bad] = np.arange(m)
        idx[is_bad] = m + np.arange(nb)
        merged = pa.concat_tables([chunk, bad.slice(lo, nb)]).take(_arr(idx))
        values = bad.column(field_).slice(lo, nb).to_pylist()
        self.bad.extend(
            {"file": name, "row": written + int(p), "field": field_, "kind": kind, "value": v}
            for p, v in zip(local.tolist(), values, strict=True)
        )
        return merged


def _table(name: str, cols: Mapping[str, pa.Array]) -> pa.Table:
    if tuple(cols) != COLUMNS[name]:
        raise AssertionError(f"{name}: built {tuple(cols)}, documented {COLUMNS[name]}")
    return pa.table({c: cols[c] for c in COLUMNS[name]})


def generate(
    out_dir: Path,
    entities: int,
    seed: int,
    *,
    fmt: Literal["csv", "parquet"] = "csv",
    noise: float = 0.0,
    bad_rows: float = 0.0,
    brushing: BrushingParams | None = None,
) -> GenerationSummary:
    """Write a synthetic input directory with ``entities`` businesses and its ground truth.

    Parameters
    ----------
    out_dir
        Created if absent; input files of the chosen format are overwritten.
    entities
        Number of businesses (>= 100); every other file scales with it (module docstring).
    seed
        Seed of the one ``numpy.random.Generator``: same seed, same bytes.
    fmt
        ``"csv"`` (UTF-8) or ``"parquet"``.
    noise
        In [0, 1]: probability that a shell-cluster member loses its shared phone (and
        e-mail), and growth of the legitimate hubs (addresses, agent and service phones).
    bad_rows
        In [0, 1): share of extra invalid rows per file (at least one per file when > 0),
        recorded in ground truth ``bad_rows``.
    brushing
        Brushing-ring parameters; ``BrushingParams()`` when omitted.

    Returns
    -------
    GenerationSummary
        Paths and row counts (bad rows included) of every file, and the ground-truth path.

    Raises
    ------
    ValueError
        If ``entities < 100`` or ``fmt``, ``noise`` or ``bad_rows`` is out of range.

    Example
    -------
    >>> import tempfile
    >>> s = generate(Path(tempfile.mkdtemp()), 1000, seed=7)
    >>> s.rows["businesses"]
    1000
    """
    if entities < 100:
        raise ValueError(f"entities={entities}: need at least 100 businesses")
    if not 0.0 <= noise <= 1.0:
        raise ValueError(f"noise={noise}: must lie in [0, 1]")
    if not 0.0 <= bad_rows < 1.0:
        raise ValueError(f"bad_rows={bad_rows}: must lie in [0, 1)")
    if fmt not in ("csv", "parquet"):
        raise ValueError(f"fmt={fmt!r}: csv or parquet")
    params = brushing or BrushingParams()
    out_dir = Path(out_dir)
    out_dir.mkdir(parents=True, exist_ok=True)
    g = _Gen(entities, seed, noise, params)
    out = _Output(g, out_dir, fmt, bad_rows)
    rng = g.rng
    n_people = round(1.3 * entities)

    biz, binfo = _businesses(g, n_people)
    people, people_cols = _people(g, n_people)
    # cluster nominees: 1-3 people who represent and hold every member of their cluster
    n_clusters = len(binfo["shell_clusters"])
    cluster_reps = _pick_people(g, people, n_clusters * 3).reshape(n_clusters, 3)
    nrep = rng.integers(1, 4, n_clusters)
    for j in (1, 2):
        cluster_reps[:, j] = np.where(nrep > j, cluster_reps[:, j], cluster_reps[:, 0])
    edges, rep, otruth = _ownership(g, biz, people, cluster_reps)
    st, sinfo = _stores(g, biz, people, rep)  # may hand a legal representative on
    roles = _roles(g, biz, people, rep, otruth["controllers"], otruth["first_holder"])

    business_cols = {
        "business_id": biz.ids,
        "name": biz.names,
        "status": _where(biz.status >= 0, _take(_s(_BIZ_STATUS), np.maximum(biz.status, 0))),
        "established": _date(biz.est),
        "registered_capital": _floats(biz.capital, biz.status >= 0),
        "region": _where(biz.county >= 0, _take(g.county_code, np.maximum(biz.county, 0))),
        "address": biz.address,
        "phone": biz.phone,
        "email": biz.email,
    }
    out.emit("businesses", [_table("businesses", business_cols)], shuffle=True)
    out.emit("people", [_table("people", people_cols)], shuffle=True)
    out.emit("roles", [_table("roles", roles)], shuffle=True)
    del business_cols, people_cols, roles
    htype, holder, target = edges.cat("holder_type"), edges.cat("holder"), edges.cat("target")
    until = edges.cat("until")
    holdings = {
        "holder_type": _take(_s(["person", "business"]), htype),
        "holder_id": _where(
            htype == 0,
            _take(people.ids, np.where(htype == 0, holder, 0)),
            _take(biz.ids, np.where(htype == 1, holder, 0)),
        ),
        "business_id": _take(biz.ids, target),
        "share": _floats(edges.cat("bp") / 10_000),
        "since": _date(edges.cat("since")),
        "until": _where(until >= 0, _date(np.maximum(until, 0))),
    }
    out.emit("shareholdings", [_table("shareholdings", holdings)], shuffle=True)
    del holdings, edges
    out.emit("stores", [_table("stores", _store_table(g, st, biz, people))], shuffle=True)
    brand_cols, _, _ = _brands(g, biz, people)
    out.emit("brands", [_table("brands", brand_cols)])

    # counterfeit (store, brand) pairs: famous brands are copied most
    nb = len(brand_cols["brand_id"])
    cf = sinfo["counterfeit"]
    two = rng.random(len(cf)) < 0.25
    cf_store = np.concatenate([cf, cf[two]])
    cf_brand = rng.choice(nb, size=len(cf_store), p=_weights(1.0 / np.arange(1, nb + 1)))
    # the two stores of a reopened counterfeit pair copy the same brand
    old_cf, new_cf = sinfo["cf_pairs"]
    pos = {int(s): i for i, s in enumerate(cf_store[: len(cf)])}
    for o, nw in zip(old_cf.tolist(), new_cf.tolist(), strict=True):
        cf_brand[pos[nw]] = cf_brand[pos[o]]
    keep = ~_later_dups(cf_store * nb + cf_brand)
    cf_store, cf_brand = cf_store[keep], cf_brand[keep]
    report_cols, false_reports = _reports(
        g, st, cf_store, cf_brand, brand_cols["brand_id"], brand_cols["owner_id"]
    )

    rings, boosted_idx = _commerce(g, st, out)

    by_op: dict[tuple[int, int], list[int]] = {}
    for s in cf.tolist():
        by_op.setdefault((int(st.op_type[s]), int(st.operator[s])), []).append(s)
    repeat_ops = sorted(op for op, stores in by_op.items() if len(stores) >= 2)
    listings = _listings(g, biz, people, st, rep, repeat_ops, cf)
    out.emit("listings", [_table("listings", listings)], shuffle=True)
    violations = _violations(g, biz, people, st, cf, boosted_idx)
    out.emit("violations", [_table("violations", violations)], shuffle=True)
    out.emit("infringement_reports", [_table("infringement_reports", report_cols)])
    # last, so that adding licences left every other file of a seed as it was
    out.emit("licences", [_table("licences", _licences(g, biz))], shuffle=True)

    def op_id(t: int, i: int) -> str:
        return str((biz.ids if t == 0 else people.ids)[i].as_py())

    old, new, via_rep = sinfo["reopened"]
    sid = [str(x) for x in st.ids.to_pylist()]
    bid = [str(x) for x in brand_cols["brand_id"].to_pylist()]
    truth: dict[str, Any] = {
        "schema_version": 1,
        "seed": seed,
        "entities": entities,
        "format": fmt,
        "noise": noise,
        "bad_rows_rate": bad_rows,
        "brushing_params": asdict(params),
        "shell_clusters": binfo["shell_clusters"],
        "hub_addresses": binfo["hub_addresses"],
        "hub_phones": binfo["hub_phones"],
        "platform_service_phones": list(_PLATFORM_SERVICE_PHONES),
        "registration_agents": _list(people.ids, binfo["registration_agents_idx"]),
        "address_variants": sorted([c, v] for v, c in g.variants.items()),
        "phone_variants": sorted([c, v] for v, c in g.phone_variants.items()),
        "holding_groups": otruth["holding_groups"],
        "ownership_cycles": otruth["ownership_cycles"],
        "cross_holdings": otruth["cross_holdings"],
        "reopened_stores": [[sid[o], sid[w]] for o, w in zip(old, new, strict=True)],
        "reopened_via_legal_representative": [
            [sid[o], sid[w]] for o, w, v in zip(old, new, via_rep, strict=True) if v
        ],
        "counterfeit_stores": [
            {"store_id": sid[s], "brand_id": bid[b]}
            for s, b in zip(cf_store.tolist(), cf_brand.tolist(), strict=True)
        ],
        "repeat_infringers": [
            {
                "operator_type": ("business", "person")[t],
                "operator_id": op_id(t, i),
                "stores": [sid[s] for s in by_op[(t, i)]],
            }
            for t, i in repeat_ops
        ],
        "false_reports": false_reports,
        "brushing_rings": rings,
        "bad_rows": sorted(out.bad, key=lambda b: (INPUT_FILES.index(b["file"]), b["row"])),
    }
    gt = out_dir / "ground_truth.json"
    gt.write_text(json.dumps(truth, ensure_ascii=False, indent=1), encoding="utf-8")
    return GenerationSummary(
        out_dir=out_dir,
        fmt=fmt,
        files=MappingProxyType({name: out.files[name] for name in INPUT_FILES}),
        rows=MappingProxyType({name: out.rows[name] for name in INPUT_FILES}),
        ground_truth=gt,
        extra=MappingProxyType(
            {
                "shell_clusters": len(truth["shell_clusters"]),
                "brushing_rings": len(rings),
                "counterfeit_stores": len(truth["counterfeit_stores"]),
                "bad_rows": len(out.bad),
            }
        ),
    )
