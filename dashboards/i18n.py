"""Russian and English UI text. The language lives in the session (st.session_state['ui_lang']), default Russian."""

from __future__ import annotations

import datetime as dt
from typing import Any

LANGS = ("ru", "en")

TEXT: dict[str, tuple[str, str]] = {
    # shell
    "app_title": ("MRM: аналитика рекламы", "MRM: advertising analytics"),
    "login_title": ("Вход", "Sign in"),
    "login": ("Логин", "Login"),
    "password": ("Пароль", "Password"),
    "sign_in": ("Войти", "Sign in"),
    "sign_in_oidc": ("Войти через SSO", "Sign in with SSO"),
    "logout": ("Выйти", "Sign out"),
    "language": ("Язык", "Language"),
    "client": ("Клиент", "Client"),
    "period": ("Период", "Period"),
    "preset": ("Быстрый выбор периода", "Quick period"),
    "preset_yesterday": ("Вчера", "Yesterday"),
    "preset_last_7": ("Последние 7 дней", "Last 7 days"),
    "preset_last_30": ("Последние 30 дней", "Last 30 days"),
    "preset_this_month": ("Этот месяц", "This month"),
    "preset_last_month": ("Прошлый месяц", "Last month"),
    "preset_custom": ("Свой период", "Custom range"),
    "period_is": ("Период: {range}", "Period: {range}"),
    "compared_with": ("Сравнение с: {range}", "Compared with: {range}"),
    "complete_days_only": ("Периоды заканчиваются вчера: сегодняшние данные ещё неполные",
                           "Periods end yesterday: today's numbers are still incomplete"),
    "signed_in_as": ("Вы вошли как {login} ({role})", "Signed in as {login} ({role})"),
    "no_clients": ("Нет доступных клиентов", "No clients available"),
    "no_data": ("Нет данных за выбранный период", "No data for the selected period"),
    "error": ("Ошибка: {msg}", "Error: {msg}"),
    "denied": ("Доступ запрещён: {msg}", "Access denied: {msg}"),
    "provisional_note": ("Дни, отмеченные как предварительные, ещё могут измениться ({n} дн.)",
                         "Days marked provisional may still change ({n} days)"),
    "read_only": ("Только просмотр", "Read only"),
    # pages
    "page_overview": ("Обзор", "Overview"),
    "page_campaigns": ("Кампании", "Campaigns"),
    "page_channels": ("Каналы", "Channels"),
    "page_plan_fact": ("План/факт", "Plan vs Fact"),
    "page_reach": ("Охват и частота", "Reach & Frequency"),
    "page_insights": ("Инсайты", "Insights"),
    "page_reports": ("Отчёты", "Reports"),
    "page_assistant": ("Ассистент", "Assistant"),
    "page_media_plans": ("Медиапланы", "Media plans"),
    "page_data_health": ("Состояние данных", "Data health"),
    # metrics
    "impressions": ("Показы", "Impressions"),
    "clicks": ("Клики", "Clicks"),
    "spend_net": ("Расход без НДС", "Spend (net)"),
    "spend_gross": ("Расход с НДС", "Spend (gross)"),
    "conversions": ("Конверсии", "Conversions"),
    "conversions_value": ("Доход", "Revenue"),
    "sessions": ("Визиты", "Sessions"),
    "ctr": ("CTR", "CTR"),
    "cpc": ("CPC", "CPC"),
    "cpm": ("CPM", "CPM"),
    "cpa": ("CPA", "CPA"),
    "cr": ("CR", "CR"),
    "romi": ("ROMI", "ROMI"),
    "drr": ("ДРР", "ACoS"),
    "not_applicable": ("н/п", "n/a"),
    "no_revenue": ("Не применимо: доход не отслеживается (нет ценности целей или электронной коммерции)",
                   "Not applicable: no revenue is tracked (no goal values or e-commerce)"),
    "no_goals": ("Не применимо: конверсии не отслеживаются (цели не настроены)",
                 "Not applicable: no conversions are tracked (goals are not configured)"),
    "not_shown_because": ("Не показаны: {metrics}. {reason}", "Not shown: {metrics}. {reason}"),
    "date_day": ("Дата", "Date"),
    "platform": ("Платформа", "Platform"),
    "channel": ("Канал", "Channel"),
    "campaign": ("Кампания", "Campaign"),
    "campaign_name": ("Название кампании", "Campaign name"),
    "is_provisional": ("Предварительно", "Provisional"),
    "vs_previous": ("к предыдущему периоду", "vs previous period"),
    "daily_spend": ("Расход по дням", "Daily spend"),
    "top_campaigns": ("Кампании с наибольшим расходом", "Top campaigns by spend"),
    # campaigns
    "platforms": ("Платформы", "Platforms"),
    "search": ("Поиск по названию или ID", "Search by name or ID"),
    "open_campaign": ("Открыть кампанию", "Open campaign"),
    "ads_of": ("Объявления кампании {name}", "Ads of campaign {name}"),
    "download_csv": ("Скачать CSV", "Download CSV"),
    "download_xlsx": ("Скачать XLSX", "Download XLSX"),
    "metric": ("Показатель", "Metric"),
    "ad": ("Объявление", "Ad"),
    # plan vs fact
    "plan": ("Медиаплан", "Media plan"),
    "version": ("Версия", "Version"),
    "pacing": ("Темп освоения", "Pacing"),
    "planned": ("План (накопленно)", "Planned (cumulative)"),
    "actual": ("Факт (накопленно)", "Actual (cumulative)"),
    "forecast": ("Прогноз на конец флайта", "Forecast at end of flight"),
    "status": ("Статус", "Status"),
    "no_plans": ("Для клиента нет медиапланов с фактом", "No media plans with actuals for this client"),
    "status_on_track": ("в графике", "on track"),
    "status_under": ("недорасход", "under"),
    "status_over": ("перерасход", "over"),
    "status_future": ("впереди", "future"),
    "status_not_planned": ("не запланировано", "not planned"),
    # reach
    "reach": ("Охват", "Reach"),
    "frequency": ("Частота", "Frequency"),
    "dedup_reach": ("Уникальный охват (без дублей между платформами)", "Deduplicated reach (across platforms)"),
    "sum_of_platforms": ("Сумма охватов платформ (с дублями)", "Sum of platform reaches (with duplicates)"),
    "overlap": ("Пересечение аудиторий", "Audience overlap"),
    "freq_dist": ("Распределение частоты", "Frequency distribution"),
    "reported_reach": ("Охват по данным платформ", "Platform-reported reach"),
    "reported_reach_note": (
        "Другая мера, чем уникальный охват выше: платформа считает людей, видевших рекламу, с начала объявления "
        "или отчётного окна; охват выше — посетители сайта из Метрики. Их нельзя сравнивать и складывать.",
        "A different measure from the deduplicated reach above: the platform counts people who saw the ad since "
        "the ad's start or the report's window; the reach above counts site visitors (Metrika). Do not compare or "
        "add them."),
    "measured_window": ("Окно измерения", "Measured window"),
    "freq_windows": ("Точное распределение частоты есть по календарным месяцам; показаны месяцы периода: {windows}",
                     "The exact frequency distribution exists per calendar month; shown for the period's months: "
                     "{windows}"),
    "measured_by": ("Источник", "Measured by"),
    "window_start": ("Начало окна", "Window start"),
    "window_end": ("Конец окна", "Window end"),
    "avg_frequency": ("Средняя частота", "Average frequency"),
    "contacts": ("Контакты", "Contacts"),
    "calculators": ("Калькуляторы охвата", "Reach calculators"),
    "model": ("Модель", "Model"),
    "grp": ("GRP", "GRP"),
    "r_max": ("Максимальный охват, доля", "Maximum reach, share"),
    "k_param": ("Коэффициент k", "Coefficient k"),
    "reach_result": ("Охват 1+ ({model}): {value}", "Reach 1+ ({model}): {value}"),
    "sainsbury_inputs": ("Охваты каналов, доли через запятую", "Channel reaches, shares separated by commas"),
    "target_reach": ("Целевой охват, доля", "Target reach, share"),
    "grp_needed": ("Нужно GRP ({model}): {value}", "GRP needed ({model}): {value}"),
    # insights / reports / assistant
    "as_of": ("На дату", "As of"),
    "generate_insights": ("Найти инсайты", "Detect insights"),
    "evidence": ("как посчитано", "evidence"),
    "no_insights": ("Инсайтов на эту дату нет", "No insights for this date"),
    "report_lang": ("Язык отчёта", "Report language"),
    "include_vat": ("С НДС", "Include VAT"),
    "vat_default_net": ("Как и во всём приложении, суммы по умолчанию без НДС; включите, чтобы отчёт был с НДС",
                        "As everywhere in the app, amounts are net of VAT by default; switch on for a report with VAT"),
    "build_report": ("Сформировать отчёт", "Build report"),
    "download_pdf": ("Скачать PDF", "Download PDF"),
    "send_report": ("Отправить клиенту", "Send to client"),
    "sent_to": ("Отправлено: {to}", "Sent to: {to}"),
    "report_ready": ("Отчёт готов ({narrator})", "Report ready ({narrator})"),
    "no_report": ("Отчёт за период ещё не сформирован", "No report built for this period yet"),
    "ask_placeholder": ("Спросите об отчётах и документах", "Ask about reports and documents"),
    "sources": ("Источники", "Sources"),
    # assistant chat (issue 16)
    "assistant_agent": ("Кого спросить", "Ask"),
    "agent_analyst": ("Аналитик: данные клиента", "Analyst: the client's data"),
    "agent_plan": ("Советник по медиаплану", "Plan advisor"),
    "agent_project": ("Ассистент проекта", "Project assistant"),
    "agent_kb": ("База знаний", "Knowledge base"),
    "threads": ("Диалоги", "Conversations"),
    "thread_new": ("Новый диалог", "New conversation"),
    "thread_delete": ("Удалить диалог", "Delete conversation"),
    "thread_deleted": ("Диалог удалён", "Conversation deleted"),
    "ask_agent_placeholder": ("Например: «расход VK за прошлую неделю», затем «а по Директу?»",
                              "For example: “VK spend last week”, then “and on Direct?”"),
    "numbers_sources": ("Числа и их источники", "Numbers and their sources"),
    "feedback_up": ("Полезно", "Helpful"),
    "feedback_down": ("Не то", "Not helpful"),
    "feedback_comment": ("Комментарий к ответу", "Comment on the answer"),
    "feedback_thanks": ("Спасибо, отзыв сохранён", "Thank you, feedback saved"),
    # projects (issue 16)
    "page_projects": ("Проекты", "Projects"),
    "project": ("Проект", "Project"),
    "projects_none": ("Проектов пока нет: опишите бриф ассистенту проекта на странице «Ассистент».",
                      "No projects yet: give the project assistant a brief on the Assistant page."),
    "project_tasks": ("Задачи и RACI", "Tasks and RACI"),
    "project_team": ("Команда", "Team"),
    "project_artifacts": ("Связанные планы, отчёты и документы", "Linked plans, reports and documents"),
    "project_status": ("Статус проекта", "Project status"),
    "task": ("Задача", "Task"),
    "task_status": ("Статус задачи", "Task status"),
    "due_date": ("Срок", "Due date"),
    "save": ("Сохранить", "Save"),
    "member_login": ("Логин участника", "Member login"),
    "member_role": ("Роль", "Role"),
    "add_member": ("Добавить в команду", "Add to the team"),
    "saved": ("Сохранено", "Saved"),
    # media plans
    "upload_plan": ("Загрузите медиаплан (xlsx, xls, csv)", "Upload a media plan (xlsx, xls, csv)"),
    "detected_mapping": ("Найденное сопоставление колонок", "Detected column mapping"),
    "fix_mapping": ("Исправьте поле, если нужно (пусто — не импортировать)",
                    "Fix a field if needed (empty = do not import)"),
    "validation": ("Проверка", "Validation"),
    "errors_warnings": ("Ошибок: {e}, предупреждений: {w}, строк плана: {n}",
                        "Errors: {e}, warnings: {w}, plan lines: {n}"),
    "import_plan": ("Импортировать", "Import"),
    "imported": ("Импортирован план {plan}, версия {version}", "Imported plan {plan}, version {version}"),
    "versions": ("Версии планов", "Plan versions"),
    "refresh_running": ("Обновляем план/факт для этого клиента…", "Updating Plan vs Fact for this client…"),
    "refresh_step_dagster": ("Импорт отмечен в Dagster (app/media_plans)", "Import recorded in Dagster (app/media_plans)"),
    "refresh_step_dbt": ("Пересобираем модели медиаплана (dbt)…", "Rebuilding the media-plan models (dbt)…"),
    "refresh_step_check": ("Проверяем витрину план/факт…", "Checking the Plan vs Fact mart…"),
    "refresh_done": ("План/факт обновлён: {rows} строк плана за {seconds} с",
                     "Plan vs Fact updated: {rows} plan rows in {seconds} s"),
    "refresh_not_dbt": ("Приложение читает не витрины dbt (MRM_MARTS_DB): пересборка не нужна",
                        "The app does not read dbt's marts (MRM_MARTS_DB): no rebuild needed"),
    "cannot_import": ("Импортировать планы могут только PM и аккаунт-менеджеры",
                      "Only PMs and account managers can import plans"),
    # display names of ids the warehouse stores (platforms, channels, load statuses) and of raw columns
    "platform_yandex_direct": ("Яндекс Директ", "Yandex Direct"),
    "platform_yandex_metrika": ("Яндекс Метрика", "Yandex Metrika"),
    "platform_vk_ads": ("VK Реклама", "VK Ads"),
    "platform_garpun": ("Гарпун", "Garpun"),
    "platform_mytarget": ("myTarget", "myTarget"),
    "platform_google_ads": ("Google Ads", "Google Ads"),
    "platform_all": ("Все платформы", "All platforms"),
    "load_ok": ("успешно", "ok"),
    "load_failed": ("ошибка", "failed"),
    "load_running": ("идёт", "running"),
    "account_id": ("Аккаунт", "Account"),
    "campaign_id": ("ID кампании", "Campaign ID"),
    "ad_group_id": ("Группа объявлений", "Ad group"),
    "ad_id": ("ID объявления", "Ad ID"),
    "report": ("Отчёт", "Report"),
    "date_from": ("С", "From"),
    "date_to": ("По", "To"),
    "rows": ("Строк", "Rows"),
    "started_at": ("Начало", "Started"),
    "duration_s": ("Длительность, с", "Duration, s"),
    "error_text": ("Ошибка", "Error"),
    "last_day": ("Последний день", "Last day"),
    "last_final_day": ("Последний окончательный день", "Last final day"),
    "provisional_days": ("Предварительных дней", "Provisional days"),
    # plan editor (issue 15)
    "page_plan_editor": ("Редактор плана", "Plan editor"),
    "pe_plan": ("План", "Plan"),
    "pe_new_plan": ("— новый план —", "— new plan —"),
    "pe_plan_id": ("Код плана (латиница, цифры, - _)", "Plan id (letters, digits, - _)"),
    "pe_plan_name": ("Название плана", "Plan name"),
    "pe_version": ("Версия", "Version"),
    "pe_universe": ("Размер ЦА (универсум), чел.", "Target audience size (universe), people"),
    "pe_lines": ("Строки плана", "Plan lines"),
    "pe_total_budget": ("Бюджет без НДС", "Budget (net)"),
    "pe_total_impressions": ("Показы", "Impressions"),
    "pe_total_grp": ("GRP", "GRP"),
    "pe_combined_reach": ("Совокупный охват 1+", "Combined reach 1+"),
    "pe_note": ("Комментарий к версии", "Version note"),
    "pe_save": ("Сохранить как новую версию", "Save as a new version"),
    "pe_saved": ("Сохранена версия {version}", "Saved version {version}"),
    "pe_approval": ("Согласование", "Approval"),
    "pe_status_is": ("Статус: {status}", "Status: {status}"),
    "pe_comment": ("Комментарий к шагу", "Comment on this step"),
    "pe_to_submitted": ("Отправить на согласование", "Submit for approval"),
    "pe_to_approved": ("Согласовать", "Approve"),
    "pe_to_rejected": ("Отклонить", "Reject"),
    "pe_to_active": ("Запустить", "Make active"),
    "pe_to_completed": ("Завершить", "Complete"),
    "pe_to_draft": ("Вернуть в черновик", "Back to draft"),
    "pe_diff": ("Сравнение версий", "Compare versions"),
    "pe_diff_old": ("Было", "From"),
    "pe_diff_new": ("Стало", "To"),
    "pe_no_changes": ("Версии совпадают", "The versions are the same"),
    "pe_optimizer": ("Оптимизация бюджета", "Budget optimizer"),
    "pe_opt_none": ("Нет строк с бюджетом, ценой и охватом для оптимизации",
                    "No lines with a budget, a price and a reach to optimise"),
    "pe_opt_budget": ("Общий бюджет", "Total budget"),
    "pe_opt_result": ("Рекомендованный охват 1+: {best} (сейчас {now})", "Recommended reach 1+: {best} (now {now})"),
    "pe_opt_current": ("Сейчас", "Current"),
    "pe_opt_recommended": ("Рекомендация", "Recommended"),
    "pe_opt_apply": ("Применить как новый черновик", "Apply as a new draft"),
    "pe_opt_note": ("Бюджет распределён оптимизатором", "Budget split by the optimizer"),
    "pe_links": ("Связи строк с кампаниями", "Line ↔ campaign links"),
    "pe_not_linked": ("не связана", "not linked"),
    "pe_linked_to": ("Связана с", "Linked to"),
    "pe_suggested": ("Подсказки", "Suggestions"),
    "pe_link_line": ("Строка", "Line"),
    "pe_link_campaign": ("Кампания", "Campaign"),
    "pe_link": ("Связать", "Link"),
    "pe_unlink": ("Отвязать", "Unlink"),
    "pe_linked": ("Строка {line} связана с {campaign}", "Line {line} linked to {campaign}"),
    "pe_unlinked": ("Строка {line} отвязана", "Line {line} unlinked"),
    # data health
    "freshness": ("Свежесть данных", "Freshness"),
    "last_loads": ("Последние загрузки", "Last loads"),
    "failed_loads": ("Неудачные загрузки", "Failed loads"),
    "failed_checks": ("Непройденные проверки dbt", "Failed dbt checks"),
    "all_ok": ("Проблем не найдено", "No problems found"),
}


MONTHS = {
    # Russian dates use the genitive month ("5 декабря"); short forms for ranges and axes.
    "ru": ("января", "февраля", "марта", "апреля", "мая", "июня", "июля", "августа", "сентября", "октября",
           "ноября", "декабря"),
    "en": ("January", "February", "March", "April", "May", "June", "July", "August", "September", "October",
           "November", "December"),
}


def fmt_date(d: dt.date, lang: str) -> str:
    """A date with the month's name in the language: '5 декабря 2026' / '5 December 2026'."""
    return f"{d.day} {MONTHS[lang][d.month - 1]} {d.year}"


def fmt_range(a: dt.date, b: dt.date, lang: str) -> str:
    """A date range, shared parts said once: '1–7 декабря 2026', '28 ноября – 4 декабря 2026'."""
    if a == b:
        return fmt_date(a, lang)
    if (a.year, a.month) == (b.year, b.month):
        return f"{a.day}–{fmt_date(b, lang)}"
    if a.year == b.year:
        return f"{a.day} {MONTHS[lang][a.month - 1]} – {fmt_date(b, lang)}"
    return f"{fmt_date(a, lang)} – {fmt_date(b, lang)}"


def display_name(kind: str, value: Any, lang: str | None = None) -> str:
    """The catalogue's name for a stored id (kind 'platform' or 'load'); an id it does not know is shown as is,
    never as `None`."""
    if value is None:
        return "—"
    key = f"{kind}_{value}"
    return t(key, lang) if key in TEXT else str(value)


def t(key: str, lang: str | None = None, **kw: Any) -> str:
    """The text for `key` in the session's language; a missing key is a bug and fails loudly."""
    if lang is None:
        import streamlit as st

        lang = st.session_state.get("ui_lang", "ru")
    ru, en = TEXT[key]
    text = ru if lang == "ru" else en
    return text.format(**kw) if kw else text
