"""What ingesting ``docs/sample`` must give, tallied by hand from the CSV files.

Each figure is derived from the rows in the comment beside it, not copied from a run, so a
change in how a file is read (a dropped phone, a duplicated address) shows up here.
"""

from __future__ import annotations

__all__ = ["SAMPLE_NODES", "SAMPLE_RELATIONSHIPS"]

SAMPLE_NODES: dict[str, int] = {
    "Business": 5,  # businesses.csv: 5 rows (4 mainland USCCs and HK:1234567)
    "Person": 4,  # people.csv: 4 rows
    "Store": 4,  # stores.csv: 4 rows
    "Brand": 1,  # brands.csv: XC
    # 文三路90号5楼 (two businesses, one written in full-width digits, and taobao:100234's
    # ship-from), 文一西路969号3幢201室 (two businesses and pinduoduo:880001's ship-from),
    # and the two waybill receivers (莫干山路1号, 天童南路8号).
    "Address": 4,
    # 0571-88001234, 13800138000 (businesses, 李强), 13900139000 (张伟), and the two
    # buyers' 13700000001 and 13700000002 (accounts and waybill receivers).
    "Phone": 5,
    "Email": 1,  # info@xingchen.example.cn
    "Account": 2,
    "Order": 2,
    "Waybill": 2,
    "Listing": 2,
    "Violation": 1,
    "InfringementReport": 1,
    "Licence": 5,  # licences.csv: 5 rows, 5 distinct numbers
}

SAMPLE_RELATIONSHIPS: dict[str, int] = {
    "SHAREHOLDER_OF": 6,  # shareholdings.csv: 6 rows
    "LEGAL_REPRESENTATIVE_OF": 4,  # roles.csv: 4 legal_representative rows
    "DIRECTOR_OF": 1,  # 王芳
    "ACTUAL_CONTROLLER_OF": 1,  # 陈大文
    "OPERATES": 4,  # one per store (three businesses' stores, 李强's own)
    "REGISTERED_AT": 4,  # the 4 businesses with an address (HK:1234567 has none)
    "SHIPS_FROM": 2,  # taobao:100234 and pinduoduo:880001
    # businesses 4 + people 2 (张伟, 李强) + store 1 (taobao:100234) + accounts 2 +
    # waybill receivers 2
    "HAS_PHONE": 11,
    "HAS_EMAIL": 1,
    "OWNS_BRAND": 1,
    "PLACED": 2,
    "AT_STORE": 2,
    "SHIPPED_BY": 2,
    "DELIVERED_TO": 2,
    "LISTED": 2,
    "PENALISED": 1,
    "REPORTS": 1,
    "CONCERNS": 1,
    "HOLDS_LICENCE": 5,
}
