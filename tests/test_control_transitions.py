"""Every state transition of both providers, reached through control calls and provider calls alone:
no test waits in real time (the clock is frozen and moved by ``/_mock/clock``)."""

from __future__ import annotations

from .control_helpers import DAY, HOUR, KEY, MINUTE, START, Mock, m

__all__ = ["m"]


def _sms(m: Mock, number: str, text: str = "Your code: 24680", **extra: str) -> dict[str, object]:
    answer: dict[str, object] = m.control.deliver_sms(number, text, **extra)
    return answer


# -- OnlineSim ----------------------------------------------------------------------------------------

def test_onlinesim_unconfirmed_to_confirmed_by_the_first_sms(m: Mock) -> None:
    item = m.rent_osim(days=7)
    assert (item["status"], item["checked"], item["time"]) == (0, False, 20)
    m.control.advance(5 * MINUTE)
    assert m.osim_item(item["tzid"])["time"] == 15  # type: ignore[index]
    _sms(m, "7" + item["number"])
    confirmed = m.osim_item(item["tzid"])
    assert confirmed is not None and (confirmed["status"], confirmed["checked"]) == (1, True)
    assert confirmed["days"] == 6 and confirmed["hours"] == 7 * 24 - 1  # the countdown is now the rental's


def test_onlinesim_unconfirmed_to_closed_and_refunded_when_the_guard_window_ends(m: Mock) -> None:
    item = m.rent_osim(days=7)
    m.control.advance(20 * MINUTE - 1)
    assert m.osim_item(item["tzid"]) is not None
    m.control.advance(1)
    assert m.osim_item(item["tzid"]) is None
    assert m.control.account(KEY)["ledger"][0]["kind"] == "refund"
    assert m.osim("getBalance")["balance"] == 1000


def test_onlinesim_confirmed_rental_counts_down_and_extends(m: Mock) -> None:
    item = m.rent_osim(days=1, extension="false")
    _sms(m, "7" + item["number"])
    m.control.advance(20 * HOUR)
    assert m.osim_item(item["tzid"])["hours"] == 4  # type: ignore[index]
    extended = m.osim("extendRentState", tzid=item["tzid"], days=7)["item"]
    assert (extended["rent"], extended["days"], extended["hours"]) == (8, 7, 7 * 24 + 4)


def test_onlinesim_auto_renewal_at_expiry_when_the_balance_allows(m: Mock) -> None:
    item = m.rent_osim(days=1)
    _sms(m, "7" + item["number"])
    m.control.advance(DAY)
    renewed = m.osim_item(item["tzid"])
    assert renewed is not None and renewed["rent"] == 31 and renewed["days"] == 30
    assert m.control.account(KEY)["ledger"][0]["memo"] == "auto-renew 30 days"


def test_onlinesim_expiry_without_renewal_when_the_balance_is_short(m: Mock) -> None:
    item = m.rent_osim(days=1)
    _sms(m, "7" + item["number"])
    m.control.put_account(KEY, balance=0)
    m.control.advance(DAY)
    assert m.osim_item(item["tzid"]) is None
    assert m.osim("extendRentState", tzid=item["tzid"], days=1) == {"response": "LIFICYCLE_NUM_EXPIRED"}


def test_onlinesim_expiry_without_extension(m: Mock) -> None:
    item = m.rent_osim(days=1, extension="0")
    _sms(m, "7" + item["number"])
    m.control.set_time(START + DAY - 1)
    assert m.osim_item(item["tzid"])["time"] == 0  # type: ignore[index]
    m.control.advance(1)
    assert m.osim("getRentState")["list"] == []
    assert not _sms(m, "7" + item["number"])["delivered"]


def test_onlinesim_close_is_final(m: Mock) -> None:
    item = m.rent_osim()
    _sms(m, "7" + item["number"])
    assert m.osim("closeRentNum", tzid=item["tzid"]) == {"response": 1, "tzid": item["tzid"]}
    assert m.osim_item(item["tzid"]) is None
    assert m.osim("closeRentNum", tzid=item["tzid"]) == {"response": "NO_COMPLETE_TZID"}


def test_onlinesim_port_reload_becomes_available_again_after_its_cooldown(m: Mock) -> None:
    item = m.rent_osim()
    assert item["reload"] == 0
    assert m.osim("portReload", tzid=item["tzid"]) == {"response": 1}
    assert m.osim_item(item["tzid"])["reload"] == 10  # type: ignore[index]  # minutes to wait
    m.control.advance(10 * MINUTE)
    _sms(m, "7" + item["number"])  # keep it past the guard window
    assert m.osim_item(item["tzid"])["reload"] == 0  # type: ignore[index]
    assert m.osim("portReload", tzid=item["tzid"]) == {"response": 1}


def test_onlinesim_frozen_port_and_unfreeze(m: Mock) -> None:
    item = m.rent_osim()
    m.control.patch_rental(item["tzid"], frozen=True)
    assert m.osim_item(item["tzid"])["freeze"] is True  # type: ignore[index]
    assert m.osim("portUnFreeze", tzid=item["tzid"]) == {"response": 1}
    assert m.osim_item(item["tzid"])["freeze"] is False  # type: ignore[index]


def test_onlinesim_messages_arrive_newest_first(m: Mock) -> None:
    item = m.rent_osim()
    _sms(m, "7" + item["number"], "first 1111", service="Telegram")
    m.control.advance(MINUTE)
    _sms(m, "7" + item["number"], "second 2222", service="Google")
    assert [x["code"] for x in m.osim_item(item["tzid"])["messages"]] == ["2222", "1111"]  # type: ignore[index]


def test_onlinesim_scripted_sms_arrives_by_the_clock(m: Mock) -> None:
    m.control.patch_settings(auto_sms=30)
    item = m.rent_osim()
    m.control.advance(29)
    assert m.osim_item(item["tzid"])["status"] == 0  # type: ignore[index]
    m.control.advance(1)
    message = m.osim_item(item["tzid"])["messages"][0]  # type: ignore[index]
    assert message["code"] and message["code"] in message["text"]


# -- SMSPVA -------------------------------------------------------------------------------------------

def test_smspva_offline_activating_online_offline_and_again(m: Mock) -> None:
    order = m.create_pva()
    assert m.order(order["id"])["state"] == 0  # type: ignore[index]
    m.pva("activate", id=order["id"])
    assert m.order(order["id"])["state"] == 2  # type: ignore[index]
    m.control.advance(m.world.settings.activation_delay)
    online = m.order(order["id"])
    assert online is not None and online["state"] == 1 and online["lastonline"] == m.control.clock()["now"]
    m.control.advance(m.world.settings.online_window)
    assert m.order(order["id"])["state"] == 0  # type: ignore[index]
    m.pva("activate", id=order["id"])
    assert m.order(order["id"])["state"] == 2  # type: ignore[index]


def test_smspva_number_gone_is_state_minus_one(m: Mock) -> None:
    order = m.create_pva()
    m.control.patch_rental(order["id"], gone=True)
    assert m.order(order["id"])["state"] == -1  # type: ignore[index]
    assert m.msg("activate", id=order["id"]) == "Phone number is not in the system"


def test_smspva_new_sms_flag_set_by_an_sms_and_cleared_by_reading(m: Mock) -> None:
    order = m.create_pva()
    m.pva("activate", id=order["id"])
    m.control.advance(m.world.settings.activation_delay)
    assert m.order(order["id"])["hasnewsms"] is False  # type: ignore[index]
    assert _sms(m, "7" + order["pnumber"], "Fiverr code 123456", sender="FIVERR")["delivered"]
    assert m.order(order["id"])["hasnewsms"] is True  # type: ignore[index]
    assert "Fiverr" in m.pva("sms", id=order["id"])["data"]["SmsList"][0]["text"]
    assert m.order(order["id"])["hasnewsms"] is False  # type: ignore[index]


def test_smspva_prolong_window_opens_seven_days_before_expiry(m: Mock) -> None:
    order = m.create_pva(dtype="month", dcount=1)
    assert m.order(order["id"])["canprolong"] is False  # type: ignore[index]
    m.control.set_time(order["until"] - 2 * DAY)  # "two days before expiry"
    assert m.order(order["id"])["canprolong"] is True  # type: ignore[index]
    assert m.pva("prolong", id=order["id"], dtype="week", dcount=1)["status"] == 1
    assert m.order(order["id"])["until"] == order["until"] + 7 * DAY  # type: ignore[index]


def test_smspva_expiry_archive_and_restore(m: Mock) -> None:
    order = m.create_pva()
    m.control.set_time(order["until"] + DAY)
    assert m.order(order["id"]) is None
    archived = m.pva("get_rent_history")["data"][0]
    assert archived["orderId"] == order["id"] and archived["isAvailForRestore"] is True
    quote = m.pva("restore_user_precalc", id=order["id"])["data"]
    assert (quote["outdays"], quote["prolongTo"]) == (1, 30)
    assert m.pva("restore_user", id=order["id"])["status"] == 1
    restored = m.order(order["id"])
    assert restored is not None and restored["until"] == order["until"] + 31 * DAY


def test_smspva_delete_archives_and_restore_waits_for_expiry(m: Mock) -> None:
    order = m.create_pva()
    m.pva("delete", id=order["id"])
    assert m.order(order["id"]) is None
    assert m.msg("restore_user_precalc", id=order["id"]) == "DATEDIFFINVERT"
    m.control.set_time(order["until"] + 1)
    assert m.pva("restore_user_precalc", id=order["id"])["status"] == 1


def test_smspva_scripted_sms_arrives_once_the_number_is_online(m: Mock) -> None:
    m.control.patch_settings(auto_sms=30)
    order = m.create_pva()
    m.pva("activate", id=order["id"])
    m.control.advance(m.world.settings.activation_delay + 29)
    assert m.order(order["id"])["hasnewsms"] is False  # type: ignore[index]
    m.control.advance(1)
    assert m.order(order["id"])["hasnewsms"] is True  # type: ignore[index]
    assert "Fiverr" in m.pva("sms", id=order["id"])["data"]["SmsList"][0]["text"]
