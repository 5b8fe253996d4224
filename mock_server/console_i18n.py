"""The sandbox console's words in English, Russian and Arabic.

The Arabic wording of the provider's own rental page (the seed's strings) is kept verbatim where the
console shows the same thing, so a user who knows the real page recognises it. ``{n}``/``{t}``/``{d}``
are filled in by the page's JavaScript.
"""

from __future__ import annotations

from collections.abc import Iterable

LANGUAGES = ("en", "ru", "ar")
RTL = frozenset({"ar"})

# key: (English, Russian, Arabic)
_STRINGS: dict[str, tuple[str, str, str]] = {
    "title": ("Sandbox console", "Консоль песочницы", "وحدة تحكم بيئة الاختبار"),
    "language": ("Language", "Язык", "اللغة"),
    "account": ("Account", "Аккаунт", "الحساب"),
    "apikey": ("API key", "API-ключ", "مفتاح API"),
    "use_key": ("Use / create", "Выбрать / создать", "استخدام / إنشاء"),
    "balance": ("Balance", "Баланс", "الرصيد"),
    "ledger": ("Ledger", "Журнал операций", "سجل العمليات"),
    "order_form": ("Rent a number", "Аренда номера", "استئجار رقم"),
    "provider": ("Provider", "Провайдер", "المزود"),
    "country": ("Choose country", "Выберите страну", "اختر البلد"),
    "period": ("Choose rental period", "Выберите срок аренды", "اختر فترة الإيجار"),
    "service": ("Service", "Сервис", "الخدمة"),
    "week": ("week(s)", "нед.", "أسبوع"),
    "month": ("month(s)", "мес.", "شهر"),
    "days": ("days", "дн.", "أيام"),
    "available": ("Available numbers: {n} pcs", "Доступно номеров: {n} шт.", "الأرقام المتاحة: {n} pcs"),
    "total_cost": ("Total cost: {t} USD", "Итоговая стоимость: {t} USD", "التكلفة الكلية:{t} USD"),
    "total": ("Total", "Итого", "المجموع"),
    "rent": ("Rent", "Арендовать", "استئجار"),
    "no_service": ("Didn't find the service you need? Write to our support and we will add it today.",
                   "Не нашли нужный сервис? Напишите в поддержку, и мы добавим его сегодня.",
                   "لم تجد الخدمة التي تحتاجها؟ اكتب إلى دعمنا وسنضيفها اليوم"),
    "refresh_note": ("Data refreshes automatically every 30 seconds. Date and time follow your browser's time zone.",
                     "Данные обновляются автоматически каждые 30 секунд. Дата и время — по часовому поясу браузера.",
                     "تحديث البيانات تلقائيا كل 30 ثانية. التاريخ والوقت حسب منطقة زمنية متصفحك."),
    "orders": ("Orders", "Заказы", "الطلبات"),
    "status": ("Status", "Статус", "الحالة"),
    "phone": ("Phone number", "Номер телефона", "رقم الهاتف"),
    "expires": ("Expires at", "Истекает", "ينتهي في"),
    "actions": ("Actions", "Действия", "الإجراءات"),
    "no_orders": ("No orders", "Нет заказов", "لا توجد طلبات"),
    "activate": ("Activate", "Активировать", "تفعيل"),
    "prolong": ("Prolong", "Продлить", "تمديد"),
    "extend": ("Extend", "Продлить", "تمديد"),
    "port_reload": ("Port reload", "Перезагрузить порт", "إعادة تشغيل المنفذ"),
    "close": ("Close", "Закрыть", "إغلاق"),
    "delete": ("Delete", "Удалить", "حذف"),
    "sms": ("SMS", "SMS", "الرسائل"),
    "add_service": ("Rent an additional service", "Арендовать дополнительный сервис", "استئجار خدمة إضافية"),
    "prolong_reason": ("You can prolong the number only if fewer than 7 days remain before the expiry date",
                       "Продлить номер можно, только если до окончания аренды осталось меньше 7 дней",
                       "يمكنك تمديد الرقم فقط إذا كان قبل تاريخ الانتهاء أقل من 7 أيام"),
    "max_term": ("Maximum guaranteed rental period - 90 days.", "Максимальный гарантированный срок аренды — 90 дней.",
                 "أقصى فترة كفالة للإيجار - 90 يوما."),
    "state_0": ("Not active", "Не активен", "غير نشط"),
    "state_1": ("Online", "Онлайн", "نشط"),
    "state_2": ("Activating", "Активируется", "جار التفعيل"),
    "state_-1": ("Not in the system", "Нет в системе", "الرقم غير موجود في النظام"),
    "os_0": ("Awaiting the first SMS", "Ожидает первое SMS", "في انتظار أول رسالة"),
    "os_1": ("Confirmed", "Подтверждён", "مؤكد"),
    "sms_order": ("SMS that came to the number", "SMS, пришедшие на номер", "الرسائل التي وصلت إلى الرقم"),
    "sms_other": ("SMS for other services", "SMS для других сервисов", "رسائل لخدمات أخرى"),
    "no_sms": ("No SMS yet", "SMS пока нет", "لا توجد رسائل بعد"),
    "send_sms": ("Send a test SMS", "Отправить тестовое SMS", "إرسال رسالة اختبار"),
    "text": ("Text", "Текст", "النص"),
    "sender": ("Sender", "Отправитель", "المرسل"),
    "send": ("Send", "Отправить", "إرسال"),
    "not_delivered": ("Not delivered: {d}", "Не доставлено: {d}", "لم يتم التسليم: {d}"),
    "sms_hint": ("First check that you activated the number before sending the SMS.",
                 "Сначала проверьте, что номер активирован до отправки SMS.",
                 "أولا، تحقق من أنك تفعيل رقم الهاتف قبل إرسال رسالة قصيرة."),
    "archive": ("Archive", "Архив", "الأرشيف"),
    "begin": ("Begin", "Начало", "البداية"),
    "closed": ("Closed", "Закрыт", "مغلق"),
    "action": ("Action", "Действие", "الإجراء"),
    "restore": ("Restore", "Восстановить", "استعادة"),
    "restore_quote": ("Restore for {t} USD ({d} overdue days + 30 prepaid days)?",
                      "Восстановить за {t} USD ({d} дн. просрочки + 30 оплаченных дней)?",
                      "استعادة مقابل {t} USD ({d} أيام متأخرة + 30 يوما مدفوعة مقدما)؟"),
    "restore_cost": ("Restore cost = cost of overdue days (without discount) + 30 days of rent paid in advance",
                     "Стоимость восстановления = стоимость просроченных дней (без скидки) + 30 дней аренды вперёд",
                     "تكلفة استعادة الإيجار = تكلفة الأيام المتأخرة (بدون خصم) + دفع مقدما لمدة 30 يوم من الإيجار"),
    "confirm": ("Confirm", "Подтвердить", "تأكيد"),
    "cancel": ("Cancel", "Отмена", "إلغاء"),
    "no_records": ("No matching records found", "Записей не найдено", "لم يتم العثور على سجلات مطابقة"),
    "page": ("Page {n}", "Страница {n}", "الصفحة {n}"),
    "prev": ("Previous", "Назад", "السابق"),
    "next": ("Next", "Вперёд", "التالي"),
    "sandbox": ("Sandbox", "Песочница", "بيئة الاختبار"),
    "clock": ("Clock", "Часы", "الساعة"),
    "now": ("Now", "Сейчас", "الآن"),
    "mode": ("Mode", "Режим", "الوضع"),
    "plus_hour": ("+1 hour", "+1 час", "+1 ساعة"),
    "plus_day": ("+1 day", "+1 день", "+1 يوم"),
    "plus_week": ("+7 days", "+7 дней", "+7 أيام"),
    "freeze": ("Freeze", "Заморозить", "تجميد"),
    "resume": ("Resume", "Запустить", "استئناف"),
    "stock": ("Stock", "Остатки", "المخزون"),
    "operator": ("Operator", "Оператор", "المشغل"),
    "count": ("Count", "Количество", "العدد"),
    "set": ("Set", "Установить", "تعيين"),
    "faults": ("Fault rules", "Правила сбоев", "قواعد الأعطال"),
    "method": ("Method", "Метод", "الطريقة"),
    "error_code": ("Error", "Ошибка", "الخطأ"),
    "times": ("Times", "Раз", "مرات"),
    "add": ("Add", "Добавить", "إضافة"),
    "remove": ("Remove", "Удалить", "إزالة"),
    "no_faults": ("No fault rules", "Правил нет", "لا توجد قواعد"),
    "journal": ("Request journal", "Журнал запросов", "سجل الطلبات"),
    "outcome": ("Outcome", "Результат", "النتيجة"),
    "at": ("At", "Время", "الوقت"),
    "error": ("Error: {d}", "Ошибка: {d}", "خطأ: {d}"),
    "no_control": ("The control API is off (serve --no-control): the sandbox panel is unavailable.",
                   "API управления выключен (serve --no-control): панель песочницы недоступна.",
                   "واجهة التحكم معطلة (serve --no-control): لوحة بيئة الاختبار غير متاحة."),
}


def strings(lang: str) -> dict[str, str]:
    """Every string of the console in ``lang`` (one of LANGUAGES)."""
    index = LANGUAGES.index(lang)
    return {key: texts[index] for key, texts in _STRINGS.items()}


def choose(requested: str | None, accepted: Iterable[str]) -> str:
    """An explicit ``?lang=`` wins; else the browser's first supported language; else English."""
    if requested in LANGUAGES:
        return requested
    for tag in accepted:
        base = tag.split("-")[0].lower()
        if base in LANGUAGES:
            return base
    return "en"
