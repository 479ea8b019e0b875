"""Vocabularies the generated world is written in, and its calendar.

Cities and counties, surnames and given names, trade words and industries, roads, parks and
estates, platforms and their buyer accounts, carriers, mobile prefixes and mail domains; days
are counted from the epoch (:func:`day_of`), ``TODAY`` is the day the data describes and
orders fall between ``ORDER_START`` and ``ORDER_END``."""

from __future__ import annotations

import numpy as np

__all__ = [
    "ACCOUNT_PLATFORMS",
    "ACCOUNT_PREFIX",
    "BUYER_PLATFORM",
    "CARRIERS",
    "CARRIER_WEIGHT",
    "CITIES",
    "COMPANY_SUFFIX",
    "COMPOUND_SURNAMES",
    "COUNTIES",
    "DAY",
    "EPOCH",
    "ESTATES",
    "GIVEN",
    "HOUR",
    "INDUSTRIES",
    "MAIL_DOMAINS",
    "MOBILE_PREFIXES",
    "ORDER_END",
    "ORDER_START",
    "PARKS",
    "PLATFORMS",
    "PLATFORM_LAUNCH",
    "PLATFORM_SERVICE_PHONES",
    "PLATFORM_WEIGHT",
    "ROADS",
    "SURNAMES",
    "TODAY",
    "TRADE",
    "day_of",
]


# city prefix (4 digits) -> (province, city, short name, telephone area code)
CITIES: dict[str, tuple[str, str, str, str]] = {
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
COUNTIES: tuple[tuple[str, str, float], ...] = (
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

SURNAMES = (
    "王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗郑梁谢宋唐许韩冯邓曹彭曾肖田董袁潘于蒋蔡余杜叶程"
    "苏魏吕丁任沈姚卢姜崔钟谭陆汪范金石廖贾夏韦付方白邹孟熊秦邱江尹薛闫段雷侯龙史陶黎贺顾毛郝"
    "龚邵万钱严覃武戴莫孔向汤"
)
COMPOUND_SURNAMES = ("欧阳", "诸葛", "上官", "司马")
GIVEN = (
    "伟芳娜秀英敏静丽强磊军洋勇艳杰娟涛明超兰霞平刚桂华建国文辉玲鹏飞宇浩婷雪琳晨欣怡佳俊子涵"
    "梓轩博睿思雨萱嘉晓东海波宁斌峰志红梅亮颖慧倩楠凯鑫帆琪瑶萍健林斌彬晶颖昊然逸航诗"
)
TRADE = (
    "星辰恒瑞鑫盛华泰锦宏达源嘉禾正信诚天润丰创新美优品汇通博远方卓越智云联德安康乐和悦顺兴旺"
    "荣昌隆祥福金银玉蓝海山川林森湖光明阳春秋晨曦雅致尚臻宝富利佳益众合力宇宙欧迪凯琪朗峰图腾"
)
INDUSTRIES = (
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
COMPANY_SUFFIX = ("有限公司", "有限公司", "有限公司", "有限责任公司", "股份有限公司")
ROADS = (
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
PARKS = ("科技园", "创业园", "电商园", "产业园", "孵化器", "众创空间")
ESTATES = ("花园", "家园", "小区", "公寓", "新村", "名苑", "雅苑", "府")

PLATFORMS = ("taobao", "tmall", "jd", "pinduoduo", "douyin")
PLATFORM_WEIGHT = (0.34, 0.14, 0.14, 0.22, 0.16)
PLATFORM_LAUNCH = (2003, 2012, 2010, 2015, 2020)
BUYER_PLATFORM = ("taobao", "taobao", "jd", "pinduoduo", "douyin")  # tmall buyers are taobao
ACCOUNT_PLATFORMS = ("taobao", "jd", "pinduoduo", "douyin")
ACCOUNT_PREFIX = ("tb", "jd_", "pdd", "dy")
PLATFORM_SERVICE_PHONES = ("95188", "4006561155", "4008205555", "95017")
CARRIERS = ("SF", "YTO", "ZTO", "STO", "YD", "JDL", "EMS")
CARRIER_WEIGHT = (0.12, 0.2, 0.24, 0.14, 0.16, 0.08, 0.06)
MOBILE_PREFIXES = (
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
MAIL_DOMAINS = ("qq.com", "163.com", "126.com", "sina.com", "aliyun.com", "foxmail.com")

EPOCH = np.datetime64("1970-01-01", "D")
DAY = 86_400  # seconds
HOUR = 3_600


def day_of(iso: str) -> int:
    """Days since the epoch of an ISO date."""
    return int((np.datetime64(iso, "D") - EPOCH).astype(np.int64))


TODAY = day_of("2025-06-30")

ORDER_START = day_of("2023-01-01")
ORDER_END = day_of("2025-06-01")
