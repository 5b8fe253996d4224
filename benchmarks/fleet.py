"""The fleet workload shared by the benchmarks: many keys, each holding a few rentals with a few SMS.

Everything is made the way a client and a test would make it: rentals through the provider calls,
SMS through the control API (``POST /_mock/sms``). ``get(path, params)`` returns the parsed JSON of a
provider GET, so the same builder serves a live server (requests) and an in-process app (test client).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from sms_rent_mock.mock_server.client import MockControl

Get = Callable[[str, dict[str, Any]], Any]
SMS_TEXT = "Your code: {code}. Do not share it."
SERVER_SETTINGS = {"start_balance": "1000000000", "max_concurrent": "10000", "activation_delay": "0"}


def onlinesim_fleet(get: Get, control: MockControl, *, keys: int, rentals: int = 2,
                    sms: int = 3) -> dict[str, list[int]]:
    """``keys`` OnlineSim keys x ``rentals`` rentals (Russia, 30 days) with ``sms`` SMS each: key -> tzids."""
    control.set_stock("onlinesim", "RU", keys * rentals + 100, period=30)
    held: dict[str, list[int]] = {}
    for k in range(keys):
        key = f"fleet{k:04d}"
        for _ in range(rentals):
            item = get("/api/rent/getRentNum.php", {"apikey": key, "country": 7, "days": 30,
                                                    "extension": "false"})["item"]
            held.setdefault(key, []).append(int(item["tzid"]))
            for n in range(sms):
                reply = control.deliver_sms(f"7{item['number']}", SMS_TEXT.format(code=100000 + n), sender="Telegram")
                assert reply["delivered"], reply
    return held


def onlinesim_urls(held: dict[str, list[int]]) -> list[str]:
    """Per key: the list, each rental alone, the balance (4 URLs a key with 2 rentals)."""
    urls: list[str] = []
    for key, tzids in held.items():
        urls.append(f"/api/rent/getRentState.php?apikey={key}")
        urls.extend(f"/api/rent/getRentState.php?apikey={key}&tzid={t}" for t in tzids)
        urls.append(f"/api/getBalance.php?apikey={key}")
    return urls


def smspva_fleet(get: Get, control: MockControl, *, keys: int, rentals: int = 2, sms: int = 3) -> dict[str, list[int]]:
    """The same for SMSPVA: orders created and activated (the server runs with ``activation_delay=0``)."""
    control.set_stock("smspva", "RU", keys * rentals + 100, service="opt1")
    held: dict[str, list[int]] = {}
    for k in range(keys):
        key = f"pva{k:04d}"
        for _ in range(rentals):
            data = get("/api/rent.php", {"method": "create", "apikey": key, "country": "RU", "service": "opt1",
                                         "dtype": "week", "dcount": 1})["data"]
            held.setdefault(key, []).append(int(data["id"]))
            assert get("/api/rent.php", {"method": "activate", "apikey": key, "id": data["id"]})["status"] == 1
            for n in range(sms):
                reply = control.deliver_sms(f"{data['ccode'].lstrip('+')}{data['pnumber']}",
                                            SMS_TEXT.format(code=200000 + n), sender="Telegram", service="opt1")
                assert reply["delivered"], reply
    return held


def smspva_urls(held: dict[str, list[int]]) -> list[str]:
    """Per key: its orders, then the SMS of each order."""
    urls: list[str] = []
    for key, ids in held.items():
        urls.append(f"/api/rent.php?method=orders&apikey={key}")
        urls.extend(f"/api/rent.php?method=sms&apikey={key}&id={i}" for i in ids)
    return urls
