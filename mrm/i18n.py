"""The one Russian/English text catalogue: the app, the client reports, the exports and the command line.

Every text is a pair (Russian, English) under one key; `t(key, lang)` picks one. The Streamlit app reads it
through `dashboards.i18n` (the language lives in its session); the `mrm` command line through `cli_t()`, in the
language `cli_lang()` decides: `MRM_LANG` (ru|en), else the POSIX locale (`LC_ALL`, `LC_MESSAGES`, `LANG`; a value
starting with `ru` means Russian), else English. This module imports nothing of the platform, so every layer
(the warehouse included) may use it.
"""

from __future__ import annotations

import datetime as dt
import os
from decimal import Decimal
from typing import Any, TypeVar

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
    "complete_days_only": (
        "Периоды заканчиваются вчера: сегодняшние данные ещё неполные",
        "Periods end yesterday: today's numbers are still incomplete",
    ),
    "signed_in_as": ("Вы вошли как {login} ({role})", "Signed in as {login} ({role})"),
    "no_clients": ("Нет доступных клиентов", "No clients available"),
    "no_data": ("Нет данных за выбранный период", "No data for the selected period"),
    "error": ("Ошибка: {msg}", "Error: {msg}"),
    "denied": ("Доступ запрещён: {msg}", "Access denied: {msg}"),
    "provisional_note": (
        "Дни, отмеченные как предварительные, ещё могут измениться ({n} дн.)",
        "Days marked provisional may still change ({n} days)",
    ),
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
    "no_revenue": (
        "Не применимо: доход не отслеживается (нет ценности целей или электронной коммерции)",
        "Not applicable: no revenue is tracked (no goal values or e-commerce)",
    ),
    "no_goals": (
        "Не применимо: конверсии не отслеживаются (цели не настроены)",
        "Not applicable: no conversions are tracked (goals are not configured)",
    ),
    "not_shown_because": ("Не показаны: {metrics}. {reason}", "Not shown: {metrics}. {reason}"),
    "date_day": ("Дата", "Date"),
    "platform": ("Платформа", "Platform"),
    "channel": ("Канал", "Channel"),
    "campaign": ("Кампания", "Campaign"),
    "campaign_name": ("Название кампании", "Campaign name"),
    "is_provisional": ("Предварительно", "Provisional"),
    "vs_previous": ("к предыдущему периоду", "vs previous period"),
    "daily_spend": ("Расход по дням", "Daily spend"),
    # Overview: day / week / month granularity of the spend chart
    "grain": ("Детализация", "Granularity"),
    "grain_day": ("По дням", "By day"),
    "grain_week": ("По неделям", "By week"),
    "grain_month": ("По месяцам", "By month"),
    "weekly_spend": ("Расход по неделям", "Weekly spend"),
    "monthly_spend": ("Расход по месяцам", "Monthly spend"),
    "week_from": ("Неделя с", "Week from"),
    "month_of": ("Месяц", "Month"),
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
    # campaigns drill-down, column picker, saved views, no empty cells (issue 20, part 3)
    "ad_group_name": ("Группа объявлений", "Ad group"),
    "ad_name": ("Объявление", "Ad"),
    "ad_group_key": ("ID группы", "Ad group ID"),
    "open_platform": ("Открыть платформу", "Open platform"),
    "open_ad_group": ("Открыть группу объявлений", "Open ad group"),
    "open_ad_hint": (
        "Объявления — последний уровень: вернуться можно по цепочке выше",
        "Ads are the last level: go back up with the path above",
    ),
    "groups_caption": (
        "По группам объявлений; откройте группу, чтобы увидеть её объявления",
        "By ad group; open a group to see its ads",
    ),
    "ads_of_group": ("Объявления группы {name}", "Ads of ad group {name}"),
    "campaigns_of_platform": ("Кампании: {name}", "Campaigns: {name}"),
    "campaign_level_rows": ("Без группы: визиты на уровне кампании", "No group: campaign-level sessions"),
    "unnamed": ("без названия · ID {id}", "no name · ID {id}"),
    "unnamed_help": (
        "Директ, Google Ads и Гарпун не передают названия объявлений в отчётах статистики: такие объявления "
        "показаны по ID",
        "Direct, Google Ads and Garpun send no ad names in their statistics reports: such ads are shown by ID",
    ),
    "drill_path": ("Уровень", "Level"),
    "drill_bad_link": ("Ссылка ведёт на неверный уровень: {msg}", "The link names a wrong level: {msg}"),
    "drill_nothing": (
        "На этом уровне за выбранный период нет данных: выберите другой период или вернитесь выше",
        "Nothing at this level for the selected period: choose another period or go back up",
    ),
    "columns_pick": ("Столбцы таблицы", "Table columns"),
    "columns_help": (
        "Показатели из каталога метрик; проценты и деньги — как на остальных страницах",
        "Metrics from the metric catalogue; shares and money as on the other pages",
    ),
    "compare_prev": ("Изменение к предыдущему периоду (Δ)", "Change vs the previous period (Δ)"),
    "dash_means": (
        "«—»: не вычисляется (делитель равен нулю или не с чем сравнить)",
        "“—”: cannot be computed (nothing to divide by, or nothing to compare with)",
    ),
    "views_title": ("Сохранённые виды", "Saved views"),
    "view_pick": ("Мои виды", "My views"),
    "view_name": ("Название нового вида", "Name of a new view"),
    "view_save": ("Сохранить вид", "Save view"),
    "view_apply": ("Применить вид", "Apply view"),
    "view_delete": ("Удалить вид", "Delete view"),
    "view_saved": ("Вид «{name}» сохранён", "View “{name}” saved"),
    "view_applied": ("Применён вид «{name}»", "View “{name}” applied"),
    "view_deleted": ("Вид удалён", "View deleted"),
    "views_none": ("Сохранённых видов пока нет", "No saved views yet"),
    "pick_one": ("Выберите…", "Choose…"),
    "pick_many": ("Выберите одно или несколько…", "Choose one or more…"),
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
    "status_not_linked": ("не связана с кампанией", "not linked to a campaign"),
    "total_row": ("Итого", "Total"),
    # insight severities and kinds (app, client report, e-mail)
    "severity_critical": ("критично", "critical"),
    "severity_high": ("важно", "high"),
    "severity_medium": ("средне", "medium"),
    "severity_low": ("низкая важность", "low"),
    "severity_info": ("для сведения", "info"),
    "insight_pipeline_health": ("загрузка данных", "data loads"),
    "insight_anomaly": ("аномалия", "anomaly"),
    "insight_pacing": ("темп расхода", "pacing"),
    "insight_top_mover": ("главное изменение", "top mover"),
    "insight_provisional_data": ("предварительные данные", "provisional data"),
    # reach
    "reach": ("Охват", "Reach"),
    "frequency": ("Частота", "Frequency"),
    "dedup_reach": (
        "Уникальный охват (без дублей между платформами)",
        "Deduplicated reach (across platforms)",
    ),
    "sum_of_platforms": ("Сумма охватов платформ (с дублями)", "Sum of platform reaches (with duplicates)"),
    "overlap": ("Пересечение аудиторий", "Audience overlap"),
    "freq_dist": ("Распределение частоты", "Frequency distribution"),
    "reported_reach": ("Охват по данным платформ", "Platform-reported reach"),
    "reported_reach_note": (
        "Другая мера, чем уникальный охват выше: платформа считает людей, видевших рекламу, с начала объявления "
        "или отчётного окна; охват выше — посетители сайта из Метрики. Их нельзя сравнивать и складывать.",
        "A different measure from the deduplicated reach above: the platform counts people who saw the ad since "
        "the ad's start or the report's window; the reach above counts site visitors (Metrika). Do not compare or "
        "add them.",
    ),
    "measured_window": ("Окно измерения", "Measured window"),
    "freq_windows": (
        "Точное распределение частоты есть по календарным месяцам; показаны месяцы периода: {windows}",
        "The exact frequency distribution exists per calendar month; shown for the period's months: "
        "{windows}",
    ),
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
    "vat_default_net": (
        "Как и во всём приложении, суммы по умолчанию без НДС; включите, чтобы отчёт был с НДС",
        "As everywhere in the app, amounts are net of VAT by default; switch on for a report with VAT",
    ),
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
    "agent_auto": ("Автовыбор по вопросу", "Auto: picked from the question"),
    "agent_analyst": ("Аналитик: данные клиента", "Analyst: the client's data"),
    "agent_plan": ("Советник по медиаплану", "Plan advisor"),
    "agent_project": ("Ассистент проекта", "Project assistant"),
    "agent_kb": ("База знаний", "Knowledge base"),
    "threads": ("Диалоги", "Conversations"),
    "thread_new": ("Новый диалог", "New conversation"),
    "thread_delete": ("Удалить диалог", "Delete conversation"),
    "thread_deleted": ("Диалог удалён", "Conversation deleted"),
    "ask_agent_placeholder": (
        "Например: «расход VK за прошлую неделю», затем «а по Директу?»",
        "For example: “VK spend last week”, then “and on Direct?”",
    ),
    "numbers_sources": ("Числа и их источники", "Numbers and their sources"),
    "answered_by": ("Ответил: {who}", "Answered by: {who}"),
    "assistant_plan": ("Медиаплан для советника", "Media plan for the advisor"),
    "feedback_up": ("Полезно", "Helpful"),
    "feedback_down": ("Не то", "Not helpful"),
    "feedback_comment": ("Комментарий к ответу", "Comment on the answer"),
    "feedback_thanks": ("Спасибо, отзыв сохранён", "Thank you, feedback saved"),
    # projects (issue 16)
    "page_projects": ("Проекты", "Projects"),
    "project": ("Проект", "Project"),
    "projects_none": (
        "Проектов пока нет: опишите бриф ассистенту проекта на странице «Ассистент».",
        "No projects yet: give the project assistant a brief on the Assistant page.",
    ),
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
    "fix_mapping": (
        "Исправьте поле, если нужно (пусто — не импортировать)",
        "Fix a field if needed (empty = do not import)",
    ),
    "validation": ("Проверка", "Validation"),
    "errors_warnings": (
        "Ошибок: {e}, предупреждений: {w}, строк плана: {n}",
        "Errors: {e}, warnings: {w}, plan lines: {n}",
    ),
    "import_plan": ("Импортировать", "Import"),
    "imported": ("Импортирован план {plan}, версия {version}", "Imported plan {plan}, version {version}"),
    "versions": ("Версии планов", "Plan versions"),
    "mp_kind": ("Что в файле", "What the file holds"),
    "mp_kind_plan": ("Медиаплан", "A media plan"),
    "mp_kind_history": ("Прошлые результаты (выгрузка статистики)", "Past results (a statistics export)"),
    "mp_history": ("Прошлые результаты", "Past results"),
    "mp_history_imported": (
        "Импортированы прошлые результаты: {n} строк (это не план)",
        "Imported past results: {n} lines (not a plan)",
    ),
    "mp_history_none": ("Прошлые результаты не импортировались", "No past results imported"),
    "refresh_running": ("Обновляем план/факт для этого клиента…", "Updating Plan vs Fact for this client…"),
    "refresh_step_dagster": (
        "Импорт отмечен в Dagster (app/media_plans)",
        "Import recorded in Dagster (app/media_plans)",
    ),
    "refresh_step_dbt": ("Пересобираем модели медиаплана (dbt)…", "Rebuilding the media-plan models (dbt)…"),
    "refresh_step_check": ("Проверяем витрину план/факт…", "Checking the Plan vs Fact mart…"),
    "refresh_done": (
        "План/факт обновлён: {rows} строк плана за {seconds} с",
        "Plan vs Fact updated: {rows} plan rows in {seconds} s",
    ),
    "refresh_not_dbt": (
        "Приложение читает не витрины dbt (MRM_MARTS_DB): пересборка не нужна",
        "The app does not read dbt's marts (MRM_MARTS_DB): no rebuild needed",
    ),
    "cannot_import": (
        "Импортировать планы могут только PM и аккаунт-менеджеры",
        "Only PMs and account managers can import plans",
    ),
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
    "pe_opt_none": (
        "Нет строк с бюджетом, ценой и охватом для оптимизации",
        "No lines with a budget, a price and a reach to optimise",
    ),
    "pe_opt_budget": ("Общий бюджет", "Total budget"),
    "pe_opt_result": (
        "Рекомендованный охват {k}+: {best} (сейчас {now})",
        "Recommended reach {k}+: {best} (now {now})",
    ),
    "pe_opt_k": ("Эффективная частота (охват k+)", "Effective frequency (reach k+)"),
    "pe_opt_reach_k": ("Совокупный охват {k}+", "Combined reach {k}+"),
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
    "pe_form": ("Правка строки", "Edit a line"),
    "pe_form_line": ("Строка для правки", "Line to edit"),
    "pe_form_new_line": ("— новая строка —", "— new line —"),
    "pe_f_line_id": ("Код строки", "Line id"),
    "pe_f_channel": ("Канал", "Channel"),
    "pe_f_platform": ("Площадка", "Platform"),
    "pe_f_placement": ("Размещение", "Placement"),
    "pe_f_target_audience": ("Целевая аудитория", "Target audience"),
    "pe_f_flight_start": ("Начало флайта (ГГГГ-ММ-ДД)", "Flight start (YYYY-MM-DD)"),
    "pe_f_flight_end": ("Конец флайта (ГГГГ-ММ-ДД)", "Flight end (YYYY-MM-DD)"),
    "pe_f_pricing_model": ("Модель закупки", "Buying model"),
    "pe_f_unit_price": ("Цена за единицу, {cur}", "Unit price, {cur}"),
    "pe_f_budget_net": ("Бюджет без НДС, {cur}", "Budget (net), {cur}"),
    "pe_f_planned_impressions": ("Показы (для фиксированной цены)", "Impressions (for a fixed price)"),
    "pe_f_ta_size": ("Размер ЦА строки, чел.", "Line's audience size, people"),
    "pe_f_curve_max_reach": ("Кривая: предельный охват (доля)", "Curve: maximum reach (fraction)"),
    "pe_f_curve_k": ("Кривая: k на 1 GRP", "Curve: k per GRP"),
    "pe_f_frequency_target": ("Эффективная частота", "Effective frequency"),
    "pe_f_apply": ("Применить к строке", "Apply to the line"),
    "pe_mail_subject": (
        "На согласование: медиаплан {plan}, версия {version} ({client})",
        "For approval: media plan {plan}, version {version} ({client})",
    ),
    "pe_mail_body": (
        "{by} отправил(а) медиаплан {plan}, версию {version}, клиента {client} на согласование.\n"
        "Откройте «Редактор плана», выберите план и согласуйте или отклоните версию.",
        "{by} submitted media plan {plan}, version {version}, of client {client} for approval.\n"
        "Open the Plan editor, choose the plan, and approve or reject the version.",
    ),
    "pe_mail_note": ("Комментарий: {note}", "Comment: {note}"),
    "pe_notified": ("Согласующим отправлено письмо: {who}", "Approvers e-mailed: {who}"),
    "pe_notify_failed": (
        "Не удалось отправить письмо согласующим: {who}",
        "Could not e-mail the approvers: {who}",
    ),
    # data health
    "freshness": ("Свежесть данных", "Freshness"),
    "last_loads": ("Последние загрузки", "Last loads"),
    "failed_loads": ("Неудачные загрузки", "Failed loads"),
    "failed_checks": ("Непройденные проверки dbt", "Failed dbt checks"),
    "all_ok": ("Проблем не найдено", "No problems found"),
    # workspace and delivery pages (issues 13 and 17)
    "page_clients": ("Клиенты", "Clients"),
    "page_users": ("Пользователи", "Users"),
    "page_connections": ("Подключения", "Connections"),
    "page_delivery": ("Рассылка отчётов", "Report delivery"),
    "page_alerts": ("Оповещения", "Alerts"),
    "field_error": ("Поле «{field}»: {msg}", "Field “{field}”: {msg}"),
    "no_clients_admin": (
        "Клиентов пока нет: добавьте первого на странице «Клиенты»",
        "No clients yet: add the first one on the Clients page",
    ),
    "cl_id": ("Код клиента", "Client id"),
    "cl_id_help": (
        "Латиница, цифры, _ . : @ + -; потом не меняется",
        "Letters, digits, _ . : @ + -; fixed later",
    ),
    "cl_name": ("Название", "Name"),
    "cl_legal_name": ("Юридическое название", "Legal name"),
    "cl_inn": ("ИНН", "INN (tax id)"),
    "cl_inn_help": (
        "10 или 12 цифр, проверяются контрольные цифры; можно оставить пустым",
        "10 or 12 digits, check digits verified; may be left empty",
    ),
    "cl_currency": ("Валюта", "Currency"),
    "cl_vat_mode": ("НДС", "VAT"),
    "cl_vat_included": ("с НДС", "VAT included"),
    "cl_vat_excluded": ("без НДС", "VAT excluded"),
    "cl_vat_exempt": ("не облагается (УСН)", "exempt (no VAT)"),
    "cl_commission": ("Агентская комиссия, %", "Agency commission, %"),
    "cl_language": ("Язык отчётов", "Report language"),
    "cl_timezone": ("Часовой пояс", "Time zone"),
    "cl_tz_help": (
        "Название IANA, например Europe/Moscow или Asia/Vladivostok",
        "An IANA name such as Europe/Moscow or Asia/Vladivostok",
    ),
    "cl_recipients": ("Получатели отчётов (e-mail)", "Report recipients (e-mail)"),
    "cl_recipients_help": ("Адреса через запятую", "Addresses separated by commas"),
    "cl_status": ("Статус", "Status"),
    "cl_active": ("активен", "active"),
    "cl_archived": ("в архиве", "archived"),
    "cl_none": (
        "Клиентов пока нет: добавьте первого в форме ниже",
        "No clients yet: add the first one below",
    ),
    "cl_add": ("Новый клиент", "Add a client"),
    "cl_add_button": ("Добавить клиента", "Add client"),
    "cl_added": ("Клиент {id} добавлен", "Client {id} added"),
    "cl_edit": ("Изменить клиента", "Edit a client"),
    "cl_pick": ("Клиент", "Client"),
    "cl_saved": ("Клиент {id} сохранён", "Client {id} saved"),
    "cl_archive": ("Архивировать клиента", "Archive a client"),
    "cl_archive_help": (
        "Загрузки по его кабинетам останутся в истории, новые загрузки прекратятся",
        "Its loaded data and reports stay; loads of its ad accounts stop",
    ),
    "cl_archive_confirm": ("Да, архивировать", "Yes, archive it"),
    "cl_archive_button": ("Архивировать", "Archive"),
    "cl_archived_done": (
        "Клиент {id} в архиве; остановлено кабинетов: {n}",
        "Client {id} archived; {n} account(s) stopped",
    ),
    "us_login": ("Логин", "Login"),
    "us_login_help": (
        "Обычно e-mail; латиница, цифры, _ . : @ + -",
        "Usually an e-mail; letters, digits, _ . : @ + -",
    ),
    "us_name": ("Имя", "Name"),
    "us_role": ("Роль", "Role"),
    "us_source": ("Вход", "Sign-in"),
    "us_status": ("Статус", "Status"),
    "us_active": ("активен", "active"),
    "us_suspended": ("заблокирован", "suspended"),
    "us_clients": ("Клиенты (* — все)", "Clients (* = all)"),
    "us_add": ("Новый пользователь", "Add a user"),
    "us_client_help": (
        "Только для роли «Клиент»: чьи данные он видит",
        "Only for the Client role: whose data it sees",
    ),
    "us_password_help": (
        "Не короче 8 символов; передайте пользователю лично",
        "At least 8 characters; hand it to the user in person",
    ),
    "us_add_button": ("Добавить пользователя", "Add user"),
    "us_added": ("Пользователь {login} добавлен", "User {login} added"),
    "us_manage": ("Управление пользователем", "Manage a user"),
    "us_pick": ("Пользователь", "User"),
    "us_suspend": ("Заблокировать", "Suspend"),
    "us_reactivate": ("Разблокировать", "Reactivate"),
    "us_suspended_done": (
        "{login} заблокирован и будет выведен из приложения",
        "{login} suspended and signed out",
    ),
    "us_reactivated_done": ("{login} снова может входить", "{login} can sign in again"),
    "us_new_password": ("Новый пароль", "New password"),
    "us_reset": ("Сбросить пароль", "Reset password"),
    "us_reset_done": ("Пароль {login} изменён", "Password of {login} changed"),
    "us_all_clients": ("Все клиенты", "All clients"),
    "us_assigned": ("Назначенные клиенты", "Assigned clients"),
    "us_assign": ("Сохранить назначения", "Save assignments"),
    "us_assigned_done": ("Назначения {login} сохранены", "Assignments of {login} saved"),
    "us_audit": ("Журнал аудита", "Audit log"),
    "au_action": ("Действие", "Action"),
    "au_outcome": ("Результат", "Outcome"),
    "au_at": ("Когда (UTC)", "When (UTC)"),
    "au_target": ("Объект", "Target"),
    "au_detail": ("Подробности", "Detail"),
    "au_none": ("Записей нет: измените фильтры или период", "No entries: change the filters or the period"),
    "au_count": (
        "Записей: {n} (показываются последние {limit})",
        "{n} entries (the newest {limit} are shown)",
    ),
    "cn_platform": ("Платформа", "Platform"),
    "cn_name": ("Название кабинета", "Account name"),
    "cn_status": ("Загрузки", "Loads"),
    "cn_active": ("включены", "on"),
    "cn_stopped": ("остановлены", "stopped"),
    "cn_credentials": ("Сохранённые ключи", "Stored credentials"),
    "cn_fallback": ("общий ключ из настроек", "deployment-wide key"),
    "cn_last_ok": ("Последняя успешная загрузка", "Last successful load"),
    "cn_last_error": ("Последняя ошибка", "Last error"),
    "cn_none": (
        "У клиента нет рекламных кабинетов: добавьте кабинет в форме ниже",
        "This client has no ad accounts: add one below",
    ),
    "cn_failing": (
        "{account}: последняя загрузка завершилась ошибкой — проверьте ключ доступа",
        "{account}: the last load failed — check its credentials",
    ),
    "cn_never_loaded": ("Ещё не загружались: {n} кабинет(ов)", "Never loaded yet: {n} account(s)"),
    "cn_add": ("Добавить кабинет", "Add an ad account"),
    "cn_account_help": (
        "Логин клиента Директа, номер счётчика Метрики, id клиента VK или проекта Гарпуна",
        "Direct client login, Metrika counter, VK client id or Garpun project",
    ),
    "cn_includes_vat": ("Расход в кабинете с НДС", "Spend in the account includes VAT"),
    "cn_includes_vat_help": (
        "Директ отдаёт расход с НДС, расходы в Метрике — без НДС",
        "Direct reports spend with VAT; Metrika's costs are without it",
    ),
    "cn_add_button": ("Добавить кабинет", "Add account"),
    "cn_added": ("Кабинет {account} добавлен", "Account {account} added"),
    "cn_secret_title": ("Ключи доступа", "Credentials"),
    "cn_secret_help": (
        "Ключ шифруется и после сохранения больше не показывается; без своего ключа кабинет "
        "использует общий из настроек",
        "A credential is encrypted and never shown after saving; an "
        "account without its own uses the deployment-wide one",
    ),
    "cn_account": ("Кабинет", "Account"),
    "cn_kind": ("Вид ключа", "Kind"),
    "cn_kind_token": ("OAuth-токен", "OAuth token"),
    "cn_kind_refresh_token": ("Refresh-токен", "Refresh token"),
    "cn_kind_client_id": ("Client ID приложения", "App client id"),
    "cn_kind_client_secret": ("Client secret приложения", "App client secret"),
    "cn_kind_service_account_key": ("Ключ сервисного аккаунта (JSON)", "Service-account key (JSON)"),
    "cn_secret": ("Значение", "Value"),
    "cn_secret_value_help": (
        "Вставьте значение; для удаления оставьте пустым",
        "Paste the value; leave empty to delete",
    ),
    "cn_save_secret": ("Сохранить или заменить", "Save or replace"),
    "cn_delete_secret": ("Удалить ключ", "Delete credential"),
    "cn_secret_saved": ("{kind} для {account} сохранён", "{kind} of {account} saved"),
    "cn_secret_deleted": ("{kind} для {account} удалён", "{kind} of {account} deleted"),
    "cn_secret_absent": ("{kind} для {account} не был сохранён", "{kind} of {account} was not stored"),
    # Connections: connect through OAuth, discovery, Garpun key, sync runs, token health (issue 13, sync control)
    "cn_refused": ("Не получилось: {msg}", "Refused: {msg}"),
    "cn_connected": (
        "Доступ к {platform} получен: выберите кабинеты ниже",
        "{platform} access granted: pick the accounts below",
    ),
    "cn_via_grant": ("OAuth-доступ {grant}", "OAuth grant {grant}"),
    "cn_token_status": ("Токен", "Token"),
    "cn_grant_active": ("действует", "valid"),
    "cn_grant_failed": ("не обновляется", "refresh refused"),
    "cn_grant_revoked": ("отозван", "revoked"),
    "cn_token_expires": ("Токен действует до", "Token expires"),
    "cn_last_refresh": ("Последнее обновление токена", "Last token refresh"),
    "cn_last_run": ("Последний запуск загрузки", "Last sync run"),
    "cn_rs_QUEUED": ("в очереди", "queued"),
    "cn_rs_STARTING": ("запускается", "starting"),
    "cn_rs_STARTED": ("выполняется", "running"),
    "cn_rs_SUCCESS": ("успешно", "succeeded"),
    "cn_rs_FAILURE": ("с ошибкой", "failed"),
    "cn_rs_CANCELED": ("отменён", "canceled"),
    "cn_reconnect_needed": (
        "{platform}: токен отозван или истёк, загрузки кабинетов {accounts} остановятся — подключите доступ заново",
        "{platform}: the token is revoked or expired; loads of {accounts} stop until the access is connected again",
    ),
    "cn_reconnect": ("Переподключить {platform}", "Reconnect {platform}"),
    "cn_reconnected": (
        "Доступ к {platform} подключён заново: кабинеты {accounts} снова загружаются",
        "{platform} connected again: {accounts} load with the new access",
    ),
    "cn_connect_title": ("Подключить доступ агентства", "Connect an agency's access"),
    "cn_connect_help": (
        "Откроется страница платформы: войдите аккаунтом агентства и разрешите доступ, затем выберите кабинеты клиента",
        "The platform's page opens: sign in with the agency's account and allow access, then pick the client's accounts",
    ),
    "cn_login_hint": ("Логин агентства (необязательно)", "Agency login (optional)"),
    "cn_login_hint_help": (
        "Подставляется на странице входа платформы",
        "Pre-filled on the platform's sign-in page",
    ),
    "cn_connect": ("Подключить {platform}", "Connect {platform}"),
    "cn_continue": ("Перейти на страницу {platform}", "Continue to {platform}"),
    "cn_continue_help": (
        "Ссылка одноразовая и действует 10 минут; после согласия платформа вернёт вас на эту страницу",
        "The link works once, for 10 minutes; after consent the platform brings you back to this page",
    ),
    "cn_discover_title": ("Кабинеты, доступные агентству", "Accounts the agency can see"),
    "cn_grant": ("Доступ", "Access"),
    "cn_grant_label": ("{platform} · {grant} · {who} · {at}", "{platform} · {grant} · {who} · {at}"),
    "cn_find": ("Найти кабинеты", "Find accounts"),
    "cn_found_none": ("Этому доступу не виден ни один кабинет", "This access sees no accounts"),
    "cn_found_help": (
        "Найдено кабинетов: {n}. Отметьте те, что относятся к этому клиенту",
        "{n} account(s) found. Tick the ones that belong to this client",
    ),
    "cn_found_accounts": ("Кабинеты", "Accounts"),
    "cn_already": ("уже подключён к клиенту {client}", "already connected to client {client}"),
    "cn_connect_selected": ("Подключить выбранные", "Connect selected"),
    "cn_connected_accounts": (
        "Подключено кабинетов: {n} ({accounts})",
        "{n} account(s) connected: {accounts}",
    ),
    "cn_sync_title": ("Загрузка данных", "Load data"),
    "cn_sync_help": (
        "Загрузка идёт в Dagster: сначала данные кабинетов, затем пересборка витрин клиента за эти дни",
        "Loads run in Dagster: the accounts' data first, then the client's marts are rebuilt for those days",
    ),
    "cn_sync_accounts": ("Кабинеты для загрузки", "Accounts to load"),
    "cn_backfill_from": ("Загрузить с даты", "Backfill from"),
    "cn_load_now": ("Загрузить вчерашний день", "Load now"),
    "cn_backfill": ("Загрузить с даты по вчера", "Backfill from the date"),
    "cn_sync_pick": ("Выберите хотя бы один кабинет", "Choose at least one account"),
    "cn_runs": ("Запуски загрузки", "Sync runs"),
    "cn_run_head": ("{platform}: {accounts}", "{platform}: {accounts}"),
    "cn_run_days": ("дни {first} — {last}", "days {first} to {last}"),
    "cn_run_open": ("открыть в Dagster", "open in Dagster"),
    "cn_run_progress": (
        "Статус {status}: шагов выполнено {done} из {total}",
        "Status {status}: {done} of {total} steps finished",
    ),
    "cn_run_success": ("Запуск {run} завершён успешно", "Run {run} finished successfully"),
    "cn_run_failed": ("Запуск {run} завершился с ошибкой ({status})", "Run {run} failed ({status})"),
    "cn_garpun_title": ("Garpun: ключ сервисного аккаунта", "Garpun: service-account key"),
    "cn_garpun_key": ("Файл ключа (JSON)", "Key file (JSON)"),
    "cn_garpun_account": ("Кабинет Garpun", "Garpun account"),
    "cn_garpun_upload": ("Подключить кабинет Garpun", "Connect the Garpun account"),
    "cn_garpun_no_file": ("Выберите файл ключа", "Choose the key file"),
    "cn_garpun_done": (
        "Кабинет Garpun {account} подключён (сервисный аккаунт {email})",
        "Garpun account {account} connected (service account {email})",
    ),
    "dl_schedules": ("Расписания отчётов", "Report schedules"),
    "dl_none": ("Расписаний нет: добавьте первое в форме ниже", "No schedules yet: add one below"),
    "dl_when": ("Когда", "When"),
    "dl_report_type": ("Тип отчёта", "Report type"),
    "dl_type_daily": ("Ежедневный", "Daily"),
    "dl_type_weekly": ("Еженедельный", "Weekly"),
    "dl_type_monthly": ("Ежемесячный", "Monthly"),
    "dl_type_end_of_flight": ("По окончании флайта", "End of flight"),
    "dl_layout": ("Шаблон", "Layout"),
    "dl_layout_performance": ("Эффективность", "Performance"),
    "dl_layout_analytical_notes": ("Аналитическая записка", "Analytical notes"),
    "dl_layout_channel_comparison": ("Сравнение каналов", "Channel comparison"),
    "dl_layout_plan_vs_fact": ("План/факт", "Plan vs fact"),
    "dl_local_time": ("Время (часовой пояс клиента)", "Time (client's time zone)"),
    "dl_time_help": (
        "Отчёт уходит в это время по часовому поясу клиента",
        "The report goes out at this time in the client's time zone",
    ),
    "dl_weekday": ("День недели", "Weekday"),
    "dl_weekday_help": ("Для еженедельного отчёта", "For a weekly report"),
    "dl_month_day": ("День месяца", "Day of month"),
    "dl_day_help": (
        "Для ежемесячного отчёта; 31 — последний день месяца",
        "For a monthly report; 31 means the month's last day",
    ),
    "dl_day_n": ("{n}-го числа", "on day {n}"),
    "dl_channels": ("Каналы", "Channels"),
    "dl_channel_email": ("E-mail", "E-mail"),
    "dl_channel_telegram": ("Telegram", "Telegram"),
    "dl_language": ("Язык", "Language"),
    "dl_vat": ("Суммы", "Amounts"),
    "dl_vat_net": ("без НДС", "net of VAT"),
    "dl_vat_gross": ("с НДС", "with VAT"),
    "dl_commission": ("Показывать агентскую комиссию", "Show the agency commission"),
    "dl_recipients": ("Получатели (e-mail)", "Recipients (e-mail)"),
    "dl_recipients_help": (
        "Через запятую; пусто — получатели из карточки клиента",
        "Comma-separated; empty means the client's recipients",
    ),
    "dl_client_recipients": ("из карточки клиента", "the client's recipients"),
    "dl_client_id": ("Клиент", "Client"),
    "dl_schedule_id": ("Расписание", "Schedule"),
    "dl_add": ("Новое расписание", "Add a schedule"),
    "dl_add_button": ("Добавить расписание", "Add schedule"),
    "dl_added": ("Расписание добавлено: {what}", "Schedule added: {what}"),
    "dl_pick": ("Расписание", "Schedule"),
    "dl_remove": ("Удалить расписание", "Remove schedule"),
    "dl_removed": ("Расписание {id} удалено", "Schedule {id} removed"),
    "dl_telegram": ("Чаты Telegram", "Telegram chats"),
    "dl_tg_none": (
        "Чатов нет: получите код и отправьте его боту из нужного чата",
        "No chats yet: get a code and send it to the bot from the chat",
    ),
    "dl_tg_status": ("Статус", "Status"),
    "dl_tg_pending": ("ждёт кода", "waiting for the code"),
    "dl_tg_linked": ("подключён", "linked"),
    "dl_tg_broken": ("не работает", "broken"),
    "dl_tg_chat": ("Чат", "Chat"),
    "dl_tg_expires": ("Код действует до (UTC)", "Code valid until (UTC)"),
    "dl_tg_reason": ("Причина", "Reason"),
    "dl_tg_missing": (
        "Отчёты идут в Telegram, но чат не подключён: получите код и отправьте его боту",
        "Reports go to Telegram but no chat is linked: get a code and send it to the bot",
    ),
    "dl_tg_link": ("Получить код для чата", "Get a chat link code"),
    "dl_tg_send": (
        "Отправьте это сообщение боту из чата в течение 24 часов (код одноразовый):",
        "Send this message to the bot from the chat within 24 hours (the code works once):",
    ),
    "al_show": ("Показать", "Show"),
    "al_show_open": ("Открытые", "Open"),
    "al_show_all": ("Все, с историей", "All, with history"),
    "al_none_open": (
        "Открытых оповещений нет. «Проверить сейчас» запустит правила на вчерашних данных",
        "No open alerts. “Run rules now” checks yesterday's data",
    ),
    "al_none": ("Оповещений ещё не было", "No alerts yet"),
    "al_message": ("Оповещение", "Alert"),
    "al_rule": ("Правило", "Rule"),
    "al_rule_pacing": ("Темп освоения", "Pacing"),
    "al_rule_anomaly": ("Аномалия", "Anomaly"),
    "al_rule_spend_stopped": ("Расход остановился", "Spend stopped"),
    "al_rule_stale": ("Данные устарели", "Stale data"),
    "al_rule_load_failed": ("Ошибка загрузки", "Load failed"),
    "al_state": ("Состояние", "State"),
    "al_state_open": ("открыто", "open"),
    "al_state_resolved": ("решено", "resolved"),
    "al_opened": ("Открыто (UTC)", "Opened (UTC)"),
    "al_acked": ("Принято", "Acknowledged"),
    "al_pick": ("Оповещение", "Alert"),
    "al_ack": ("Принять", "Acknowledge"),
    "al_acked_done": ("Оповещение принято", "Alert acknowledged"),
    "al_run_help": (
        "Правила проверяются по расписанию; здесь можно проверить вчерашние данные сейчас",
        "The rules run on a schedule; this checks yesterday's data now",
    ),
    "al_run": ("Проверить сейчас", "Run rules now"),
    "al_running": ("Проверяем правила…", "Running the rules…"),
    "al_ran": ("Правила проверены: изменений {n}", "Rules run: {n} change(s)"),
    "al_not_delivered": ("Не доставлено: {what}", "Not delivered: {what}"),
    "al_my_chat": ("Мой чат для оповещений", "My alert chat"),
    "al_my_chat_none": (
        "Чат не подключён: оповещения приходят только по e-mail",
        "No chat linked: alerts reach you by e-mail only",
    ),
    "al_my_chat_status": ("Ваш чат Telegram: {status}", "Your Telegram chat: {status}"),
    "al_my_chat_link": ("Получить код для моего чата", "Get a code for my chat"),
    # delivery, second part: Google Sheets, channel state, token alerts, per-client thresholds (issue 17)
    "dl_channel_sheets": ("Google Sheets", "Google Sheets"),
    "dl_spreadsheet_id": ("ID таблицы Google Sheets", "Google Sheets spreadsheet id"),
    "dl_spreadsheet_help": (
        "Для канала Google Sheets: id из адреса таблицы (…/spreadsheets/d/<id>/…). Откройте таблице доступ "
        "на редактирование для {email}.",
        "For the Google Sheets channel: the id in the spreadsheet's address (…/spreadsheets/d/<id>/…). Share the "
        "spreadsheet with {email} as an editor.",
    ),
    "dl_sheets_account_unset": ("сервисного аккаунта MRM", "MRM's service account"),
    "dl_channels_state": ("Состояние каналов доставки", "Delivery channels"),
    "dl_channels_all_ok": ("Сбоев доставки не было", "No delivery failures"),
    "dl_ch_channel": ("Канал", "Channel"),
    "dl_ch_destination": ("Куда", "Destination"),
    "dl_ch_status": ("Состояние", "State"),
    "dl_ch_ok": ("работает", "working"),
    "dl_ch_broken": ("не работает", "broken"),
    "dl_ch_reason": ("Причина", "Reason"),
    "dl_ch_updated": ("Изменено (UTC)", "Changed (UTC)"),
    "al_rule_token": ("Токен кабинета", "Account token"),
    "al_thresholds": ("Пороги правил для клиента", "The client's rule thresholds"),
    "al_thresholds_help": (
        "Новые клиенты получают значения по умолчанию.",
        "New clients get the defaults.",
    ),
    "al_th_pacing_off_pct": ("Отклонение темпа от плана, %", "Pacing off plan by more than, %"),
    "al_th_pacing_from_day": ("С какого дня флайта судить о темпе", "Judge pacing from day of the flight"),
    "al_th_stale_hours": ("Данные устарели через, ч", "Data is stale after, hours"),
    "al_th_token_days": ("Предупредить об истечении токена за, дн.", "Warn of a token expiring within, days"),
    "al_th_save": ("Сохранить пороги", "Save thresholds"),
    "al_th_saved": ("Пороги сохранены", "Thresholds saved"),
    # invitations by e-mail and the own profile (issue 13)
    "page_profile": ("Профиль", "Profile"),
    "inv_title": ("Приглашение", "Invitation"),
    "inv_intro": (
        "Вас пригласили в MRM с ролью «{role}». Выберите логин и пароль — после этого вы сразу войдёте.",
        "You are invited to MRM as {role}. Choose a login and a password, and you are signed in.",
    ),
    "inv_valid_until": ("Ссылка действует до {date} включительно", "The link is valid through {date}"),
    "inv_name": ("Ваше имя", "Your name"),
    "inv_password_again": ("Пароль ещё раз", "Password again"),
    "inv_mismatch": ("Пароли не совпадают", "The passwords do not match"),
    "inv_accept": ("Создать учётную запись и войти", "Create the account and sign in"),
    "inv_to_sign_in": ("К обычному входу", "Go to the sign-in form"),
    "inv_section": ("Пригласить по e-mail", "Invite by e-mail"),
    "inv_email": ("Электронная почта", "E-mail"),
    "inv_clients_help": (
        "Для роли «Клиент» — ровно один клиент; для сотрудника — клиенты, которых он ведёт (пусто — все)",
        "For the Client role exactly one client; for staff the clients they serve (none = all)",
    ),
    "inv_days": ("Сколько дней действует ссылка", "Days the link is valid"),
    "inv_send": ("Отправить приглашение", "Send invitation"),
    "inv_sent": ("Приглашение отправлено на {email}", "Invitation sent to {email}"),
    "inv_list": ("Приглашения", "Invitations"),
    "inv_state": ("Состояние", "State"),
    "inv_state_pending": ("ждёт ответа", "pending"),
    "inv_state_expired": ("истекло", "expired"),
    "inv_state_accepted": ("принято", "accepted"),
    "inv_state_revoked": ("отозвано", "withdrawn"),
    "inv_by": ("Пригласил", "Invited by"),
    "inv_sent_at": ("Отправлено (UTC)", "Sent (UTC)"),
    "inv_until": ("Действует до", "Valid through"),
    "inv_login": ("Выбранный логин", "Login chosen"),
    "inv_pending": ("Ожидающее приглашение", "Pending invitation"),
    "inv_revoke": ("Отозвать", "Withdraw"),
    "inv_revoked": ("Приглашение для {email} отозвано", "Invitation of {email} withdrawn"),
    "pr_details": ("Мои данные", "My details"),
    "pr_language_help": (
        "На этом языке открывается приложение после входа",
        "The app opens in this language",
    ),
    "pr_default_client": ("Клиент по умолчанию", "Default client"),
    "pr_default_client_help": (
        "С этим клиентом открывается приложение после входа (пусто — первый из доступных)",
        "The client the app opens on after sign-in (empty = the first one you may see)",
    ),
    "pr_first_client": ("первый из доступных", "the first one available"),
    "pr_save": ("Сохранить профиль", "Save profile"),
    "pr_saved": ("Профиль сохранён", "Profile saved"),
    "pr_password": ("Смена пароля", "Change password"),
    "pr_current_password": ("Текущий пароль", "Current password"),
    "pr_new_password": ("Новый пароль", "New password"),
    "pr_change": ("Сменить пароль", "Change password"),
    "pr_changed": ("Пароль изменён", "Password changed"),
    "pr_oidc": (
        "Вы входите через провайдера учётных записей: пароль меняется там",
        "You sign in through the identity provider: change your password there",
    ),
    # client report (PDF, XLSX): labels of its sheets, tables and notes
    "rep_title": ("Отчёт по рекламе", "Advertising report"),
    "rep_period": ("Период", "Period"),
    "rep_client": ("Клиент", "Client"),
    "rep_summary": ("Сводка", "Summary"),
    "rep_campaigns": ("Кампании", "Campaigns"),
    "rep_channels": ("Каналы", "Channels"),
    "rep_plan": ("План-факт", "Plan vs fact"),
    "rep_reach": ("Охват", "Reach"),
    "rep_insights": ("Инсайты", "Insights"),
    "rep_metric": ("Показатель", "Metric"),
    "rep_value": ("Значение", "Value"),
    "rep_impressions": ("Показы", "Impressions"),
    "rep_clicks": ("Клики", "Clicks"),
    "rep_spend": ("Расход", "Spend"),
    "rep_commission": ("Комиссия агентства", "Agency commission"),
    "rep_total_cost": ("Итого затраты", "Total cost"),
    "rep_conversions": ("Конверсии", "Conversions"),
    "rep_conversions_value": ("Ценность конверсий", "Conversion value"),
    "rep_ctr": ("CTR", "CTR"),
    "rep_cpc": ("CPC", "CPC"),
    "rep_cpa": ("CPA", "CPA"),
    "rep_cr": ("CR", "CR"),
    "rep_platform": ("Площадка", "Platform"),
    "rep_campaign": ("Кампания", "Campaign"),
    "rep_campaign_id": ("ID кампании", "Campaign ID"),
    "rep_channel": ("Канал", "Channel"),
    "rep_plan_id": ("План", "Plan"),
    "rep_line_id": ("Строка плана", "Plan line"),
    "rep_line_name": ("Размещение", "Placement"),
    "rep_budget_net": ("Бюджет без НДС", "Budget (net)"),
    "rep_planned_to_date": ("План на дату", "Planned to date"),
    "rep_actual_to_date": ("Факт на дату", "Actual to date"),
    "rep_pacing_ratio": ("Темп", "Pacing"),
    "rep_forecast_net": ("Прогноз к концу", "Forecast at end"),
    "rep_pacing_status": ("Статус", "Status"),
    "rep_flight_end": ("Конец флайта", "Flight end"),
    "rep_window": ("Окно", "Window"),
    "rep_reach_v": ("Охват", "Reach"),
    "rep_contacts": ("Контакты", "Contacts"),
    "rep_avg_frequency": ("Частота", "Frequency"),
    "rep_type": ("Тип", "Type"),
    "rep_severity": ("Важность", "Severity"),
    "rep_text": ("Текст", "Text"),
    "rep_vat_on": ("Расход с НДС", "Spend incl. VAT"),
    "rep_vat_off": ("Расход без НДС", "Spend excl. VAT"),
    "rep_comm_on": ("с комиссией агентства", "with agency commission"),
    "rep_provisional": (
        "Внимание: данные за последние дни предварительные и могут измениться.",
        "Note: the most recent days are provisional and may change.",
    ),
    "rep_daily_spend": ("Расход по дням", "Daily spend"),
    "rep_narrative": ("Итоги периода", "Period highlights"),
    "rep_generated_by": ("Текст подготовлен", "Text by"),
    "rep_currency": ("Валюта", "Currency"),
    "rep_is_provisional": ("Предварительно", "Provisional"),
    # client report part 4 (issue 20): cover with change, charts per day and platform, branding, release
    "rep_daily": ("По дням", "By day"),
    "rep_platforms": ("Площадки", "Platforms"),
    "rep_previous": ("Прошлый период", "Previous period"),
    "rep_change": ("Изменение", "Change"),
    "rep_compared_with": ("Сравнение с периодом {range}", "Compared with {range}"),
    "rep_no_previous": ("за прошлый период данных нет", "no data for the previous period"),
    "rep_date": ("Дата", "Date"),
    "rep_axis_money": ("{metric}, {sign}", "{metric}, {sign}"),
    "rep_spend_by_platform": ("Расход по площадкам", "Spend by platform"),
    "rep_months_short": (
        "янв фев мар апр мая июн июл авг сен окт ноя дек",
        "Jan Feb Mar Apr May Jun Jul Aug Sep Oct Nov Dec",
    ),
    "rep_page": ("Стр. {n}", "Page {n}"),
    "rep_not_released": (
        "Отчёт за этот период ещё не открыт вам аккаунт-менеджером",
        "The report for this period has not been released to you yet",
    ),
    "rep_released_by": ("Отчёт открыт клиенту ({by})", "Released to the client ({by})"),
    "rep_unreleased": ("Клиент пока не видит этот отчёт", "The client cannot see this report yet"),
    "rep_release": ("Открыть клиенту", "Release to the client"),
    "rep_withdraw": ("Скрыть от клиента", "Withdraw from the client"),
    "rep_branding": ("Оформление отчётов", "Report branding"),
    "rep_logo": ("Логотип (PNG или SVG, до 512 КБ)", "Logo (PNG or SVG, up to 512 KB)"),
    "rep_primary": ("Основной цвет", "Primary colour"),
    "rep_accent": ("Акцентный цвет", "Accent colour"),
    "rep_footer": ("Подпись внизу страниц", "Footer line"),
    "rep_remove_logo": ("Убрать логотип", "Remove the logo"),
    "rep_save_branding": ("Сохранить оформление", "Save branding"),
    "rep_branding_saved": ("Оформление сохранено", "Branding saved"),
    "rep_released_list": ("Открытые вам отчёты", "Reports released to you"),
    "rep_none_released": ("Пока ни один отчёт вам не открыт", "No report has been released to you yet"),
    "rep_by_template": ("по шаблону", "from a template"),
    # Table headers of the plan pages (Plan vs Fact, Plan editor): display names of plan columns (`col_<column>`)
    "col_line_id": ("Строка плана", "Plan line"),
    "col_flight_start": ("Начало флайта", "Flight start"),
    "col_flight_end": ("Конец флайта", "Flight end"),
    "col_placement": ("Размещение", "Placement"),
    "col_target_audience": ("Целевая аудитория", "Target audience"),
    "col_pricing_model": ("Модель закупки", "Buying model"),
    "col_unit_price": ("Цена за единицу", "Unit price"),
    "col_budget_net": ("Бюджет без НДС", "Budget (net)"),
    "col_planned_impressions": ("Показы по плану", "Planned impressions"),
    "col_ta_size": ("Размер ЦА", "Audience size"),
    "col_curve_max_reach": ("Предельный охват", "Maximum reach"),
    "col_curve_k": ("Кривая: k", "Curve: k"),
    "col_frequency_target": ("Эффективная частота", "Effective frequency"),
    "col_volume": ("Объём закупки", "Bought volume"),
    "col_grp": ("GRP", "GRP"),
    "col_reach_1plus": ("Охват 1+", "Reach 1+"),
    "col_reach_kplus": ("Охват k+", "Reach k+"),
    "col_cpp": ("Цена пункта рейтинга", "Cost per point"),
    "col_plan_version": ("Версия", "Version"),
    "col_login": ("Пользователь", "User"),
    "col_note": ("Комментарий", "Comment"),
    "col_at": ("Когда", "When"),
    "col_change": ("Изменение", "Change"),
    "col_field": ("Поле", "Field"),
    "col_old": ("Было", "Before"),
    "col_new": ("Стало", "After"),
    "col_task_id": ("Код задачи", "Task ID"),
    "col_phase": ("Этап", "Phase"),
    "col_role": ("Роль", "Role"),
    "col_kind": ("Тип", "Type"),
    "col_ref": ("Ссылка", "Reference"),
    "col_title": ("Название", "Title"),
    "col_node": ("Модель или проверка", "Model or check"),
    "col_message": ("Сообщение", "Message"),
    "col_finished": ("Завершено", "Finished"),
    # media plans: versions, past results, the upload's mapping, issues and lines
    "col_plan_id": ("План", "Plan"),
    "col_name": ("Название", "Name"),
    "col_line_count": ("Строк", "Lines"),
    "col_lines": ("Строк", "Lines"),
    "col_total_budget_net": ("Бюджет без НДС", "Budget (net)"),
    "col_total_budget_gross": ("Бюджет с НДС", "Budget (gross)"),
    "col_source_file": ("Файл", "File"),
    "col_imported_at": ("Загружен", "Imported"),
    "col_imported_by": ("Кто загрузил", "Imported by"),
    "col_sheet": ("Лист", "Sheet"),
    "col_column": ("Столбец", "Column"),
    "col_header": ("Заголовок в файле", "Header in the file"),
    "col_source": ("Как найдено", "Found by"),
    "col_confidence": ("Уверенность", "Confidence"),
    "col_severity": ("Важность", "Severity"),
    "col_where": ("Где", "Where"),
    "col_reason": ("Причина", "Reason"),
    "col_value": ("Значение", "Value"),
    "col_platform_campaign_id": ("Кампания на площадке", "Platform campaign"),
    "col_ad_format": ("Формат", "Ad format"),
    "col_budget_gross": ("Бюджет с НДС", "Budget (gross)"),
    "col_budget": ("Бюджет", "Budget"),
    "col_currency": ("Валюта", "Currency"),
    "col_planned_clicks": ("Клики по плану", "Planned clicks"),
    "col_planned_conversions": ("Конверсии по плану", "Planned conversions"),
    "col_planned_reach": ("Охват по плану", "Planned reach"),
    "col_planned_reach_persons": ("Охват по плану, чел.", "Planned reach, people"),
    "col_planned_frequency": ("Частота по плану", "Planned frequency"),
    "col_planned_grp": ("GRP по плану", "Planned GRP"),
    "col_planned_trp": ("TRP по плану", "Planned TRP"),
    "col_geo": ("География", "Geo"),
    "col_comment": ("Комментарий", "Comment"),
    "col_source_sheet": ("Лист файла", "Sheet"),
    "col_source_row": ("Строка файла", "Row"),
    "col_line_no": ("№", "No."),
    # command line: messages of `mrm` and its subcommands, named by command (`cli_<command>_<what>`)
    "cli_bad_lang": (
        "{var}={value!r}: неизвестный язык; допустимые значения: {allowed}",
        "{var}={value!r} is not a known language; allowed values: {allowed}",
    ),
    "cli_error": ("ошибка: {error}", "error: {error}"),
    "cli_note": ("  примечание: {note}", "  note: {note}"),
    "cli_bad_json": ("{path}: некорректный JSON ({error})", "{path}: not valid JSON ({error})"),
    "cli_mrm_unavailable": (
        "команда `mrm {name}` недоступна в этой сборке: {reason}",
        "`mrm {name}` is not available in this build: {reason}",
    ),
    # mrm plan
    "cli_plan_suggester_unavailable": (
        "подсказчик сопоставлений {spec} недоступен ({error}); используются только правила",
        "mapping suggester {spec} unavailable ({error}); using the rules only",
    ),
    "cli_plan_mapping": ("Найденное сопоставление столбцов:", "Detected mapping:"),
    "cli_plan_mapping_extra": ("— (сохраняется в extra)", "— (kept in extra)"),
    "cli_plan_sheet_skipped": ("  лист {sheet} пропущен: {why}", "  sheet {sheet} skipped: {why}"),
    "cli_plan_import_confirm": ("Импортировать план?", "Import this plan?"),
    "cli_plan_history_imported": (
        "импортированы прошлые результаты: строк {lines} (app.history_results, не план)",
        "imported past results: {lines} lines (app.history_results, never plan)",
    ),
    "cli_plan_imported": (
        "импортирован план {plan}, версия {version}: строк {lines}",
        "imported plan {plan} version {version}: {lines} lines",
    ),
    "cli_plan_dry_run": (
        "проверка: строк без ошибок {lines}, ничего не записано",
        "dry run: {lines} lines valid, nothing written",
    ),
    "cli_plan_nothing_imported": ("ничего не импортировано", "nothing imported"),
    "cli_plan_none": ("планов нет", "no plans"),
    "cli_plan_list_row": (
        "{lines} строк  без НДС {budget} {currency}  {flight}  {file}",
        "{lines} lines  net {budget} {currency}  {flight}  {file}",
    ),
    "cli_plan_exported": (
        "записан {path} (строк {lines}, версия {version})",
        "wrote {path} ({lines} lines, version {version})",
    ),
    "cli_plan_optimize_head": (
        "цель {objective}, бюджет {budget}, распределено {spent}",
        "objective {objective}, budget {budget}, spent {spent}",
    ),
    "cli_plan_optimize_line": ("  {line} {amount}  охват {reach}", "  {line} {amount}  reach {reach}"),
    "cli_plan_optimize_reach_kplus": (
        "совокупный охват {k}+ {reach}  [модель: независимые строки, контакты по Пуассону]",
        "combined reach {k}+ {reach}  [model: independent lines, Poisson contacts]",
    ),
    "cli_plan_optimize_reach": (
        "совокупный охват {reach}  [модель: Sainsbury (независимые строки)]",
        "combined reach {reach}  [model: Sainsbury (independent lines)]",
    ),
    "cli_plan_optimize_frontier": ("граница (бюджет -> охват):", "frontier (budget -> reach):"),
    # mrm reach
    "cli_reach_distribution_head": ("контакты  P(k)      охват k+", "contacts  P(k)      reach k+"),
    "cli_reach_model_negexp": (
        "отрицательная экспонента (R_max {r_max}, k {k})",
        "negative exponential (R_max {r_max}, k {k})",
    ),
    "cli_reach_model_hyperbolic": ("гиперболическая (a {a}, b {b})", "hyperbolic (a {a}, b {b})"),
    "cli_reach_model_poisson": ("охват {k}+ по Пуассону", "Poisson reach {k}+"),
    "cli_reach_curve": (
        "GRP {grp}: охват {reach}, частота {frequency}  [модель: {model}]",
        "GRP {grp}: reach {reach}, frequency {frequency}  [model: {model}]",
    ),
    "cli_reach_r2_required": ("для модели {model} нужен --r2", "--r2 is required for the {model} model"),
    "cli_reach_model_binomial": ("биномиальная (p = {p})", "binomial (p = {p})"),
    "cli_reach_model_beta_binomial": (
        "бета-биномиальная (alpha {alpha}, beta {beta})",
        "beta-binomial (alpha {alpha}, beta {beta})",
    ),
    "cli_reach_model_binary": (
        "бинарная модель аудитории [реконструкция модели Шматова] (A {a}, p {p})",
        "binary audience model [reconstruction of Shmatov] (A {a}, p {p})",
    ),
    "cli_reach_hofmans": (
        "охват 1+ после выходов ({n}): {reach}  [модель: Hofmans (alpha {alpha})]",
        "reach 1+ after {n} insertions: {reach}  [model: Hofmans (alpha {alpha})]",
    ),
    "cli_reach_insertions": (
        "[модель: {model}]  GRP {grp}, средняя частота {frequency}",
        "[model: {model}]  GRP {grp}, average frequency {frequency}",
    ),
    "cli_reach_bad_dup": ("--dup {dup}: ожидается 'i,j,d'", "--dup {dup}: expected 'i,j,d'"),
    "cli_reach_combined_agostini": (
        "совокупный охват {reach}  [модель: Agostini (K {k})]",
        "combined reach {reach}  [model: Agostini (K {k})]",
    ),
    "cli_reach_combined_sainsbury": (
        "совокупный охват {reach}  [модель: Sainsbury (независимые каналы)]",
        "combined reach {reach}  [model: Sainsbury (independent channels)]",
    ),
    "cli_reach_risk": (
        "минимум выходов при риске <= {eps} получить меньше {k} контактов: {exact} точно "
        "(риск {risk}), {approx} в нормальном приближении  [модель: биномиальная]",
        "minimal insertions for risk <= {eps} of fewer than {k} contacts: {exact} exact "
        "(risk {risk}), {approx} normal approximation  [model: binomial]",
    ),
    "cli_reach_risk_n": ("риск при выходах ({n}): {risk}", "risk with {n} insertions: {risk}"),
    "cli_reach_margin": (
        "предельная ошибка ±{margin}  [нормальное приближение]",
        "margin of error ±{margin}  [normal approximation]",
    ),
    "cli_reach_sample_size": (
        "размер выборки {n}  [нормальное приближение]",
        "sample size {n}  [normal approximation]",
    ),
    "cli_reach_min_rating": (
        "минимально значимый рейтинг {rating}  [z^2 / (z^2 + n eps^2)]",
        "minimally significant rating {rating}  [z^2 / (z^2 + n eps^2)]",
    ),
    "cli_reach_survey_usage": (
        "задайте --r и --n, --r и --delta или только --n",
        "give --r and --n, --r and --delta, or --n",
    ),
    "cli_reach_budget": (
        "GRP {grp}, бюджет {budget}  [модель: {model} {params}]",
        "GRP {grp}, budget {budget}  [model: {model} {params}]",
    ),
    "cli_reach_affinity": ("аффинитивность {affinity}", "affinity {affinity}"),
    "cli_reach_metrics_usage": (
        "нечего считать: задайте --budget с --trp/--impressions или рейтинги",
        "nothing to compute: give --budget with --trp/--impressions, or ratings",
    ),
    "cli_wrote": ("записано: {paths}", "wrote {paths}"),
    # mrm ask, kb, insights, report, ai, assist
    "cli_ask_query_failed": (
        "запрос к хранилищу не выполнен (витрины построены?): {error}",
        "warehouse query failed (are the marts built?): {error}",
    ),
    "cli_ask_answered_by": (
        "(ответил ассистент {agent}, выбран: {by}; тред {thread}; {provider})",
        "(answered by the {agent} assistant, chosen by {by}; thread {thread}; {provider})",
    ),
    "cli_kb_hit": ("{path} — {heading} (строки {start}-{end})", "{path} — {heading} (lines {start}-{end})"),
    "cli_kb_indexed": (
        "проиндексировано документов: {documents}, фрагментов: {chunks}; без изменений: {unchanged}",
        "indexed {documents} document(s), {chunks} chunk(s); unchanged {unchanged}",
    ),
    "cli_kb_repaired": (
        "  исправлена кодировка в {path}: потеряно байт: {lost}, помечено: {flagged}",
        "  repaired mojibake in {path}: {lost} lost byte(s), {flagged} flagged",
    ),
    "cli_kb_error": ("  ОШИБКА {path}: {error}", "  ERROR {path}: {error}"),
    "cli_insights_none": ("Нет инсайтов.", "No insights."),
    "cli_report_bad_format": (
        "неизвестные форматы {formats}; допустимы xlsx,pdf",
        "unknown format(s) {formats}; use xlsx,pdf",
    ),
    "cli_report_built": (
        "прогон {run} построен за {seconds} с ({narrator})",
        "run {run} built in {seconds} s ({narrator})",
    ),
    "cli_report_sent_to": ("отправлено: {to}", "sent to {to}"),
    "cli_report_sent_run": ("прогон {run} отправлен: {to}", "sent run {run} to {to}"),
    "cli_ai_feedback_written": (
        "записано случаев: {n} в {path}",
        "wrote {n} case(s) to {path}",
    ),
    "cli_client": ("клиент", "client"),
    "cli_removed": ("удалено: {id}", "removed {id}"),
    # mrm report schedule, alerts, telegram
    "cli_schedule_saved": (
        "сохранено {schedule}: отчёт {type} клиента {client} в {time} через {channels}",
        "saved {schedule}: {type} report of {client} at {time} via {channels}",
    ),
    "cli_schedule_none": (
        "расписаний нет — добавить: mrm report schedule add --help",
        "no schedules — add one: mrm report schedule add --help",
    ),
    "cli_schedule_weekday": ("день недели {day}", "weekday {day}"),
    "cli_schedule_month_day": ("число {day}", "day {day}"),
    "cli_schedule_sheet": (" таблица {sheet}", " sheet {sheet}"),
    "cli_alerts_none": ("оповещений нет", "no alerts"),
    "cli_alerts_acked_by": (" подтвердил {by}", " acked by {by}"),
    "cli_alerts_acknowledged": ("подтверждено: {key}", "acknowledged {key}"),
    "cli_alerts_not_delivered": ("  не доставлено: {what}", "  not delivered: {what}"),
    "cli_alerts_run_total": (
        "уведомлений: {notices}, клиентов: {clients}",
        "{notices} notice(s) for {clients} client(s)",
    ),
    "cli_alerts_rules_usage": (
        "задайте хотя бы один порог (см. --help)",
        "give at least one threshold option (see --help)",
    ),
    "cli_alerts_tokens_skipped": ("{platform}: пропущено, {error}", "{platform}: skipped, {error}"),
    "cli_alerts_tokens_checked": ("проверено кабинетов: {n}", "{n} account(s) checked"),
    "cli_telegram_link_usage": ("задайте --client или --user", "give --client or --user"),
    "cli_telegram_link_hint": (
        "Отправьте это боту из чата в течение 24 часов.",
        "Send this to the bot from the chat within 24 h.",
    ),
    "cli_state_active": ("активен", "active"),
    "cli_state_archived": ("в архиве", "archived"),
    "cli_state_disabled": ("отключён", "disabled"),
    # mrm clients, secrets, users, dashboards
    "cli_clients_row": (
        "НДС {vat} {commission}% {language} {timezone} ИНН {inn} получателей: {recipients} {state}",
        "VAT {vat} {commission}% {language} {timezone} INN {inn} {recipients} recipient(s) {state}",
    ),
    "cli_clients_name_required": ("укажите --name", "--name is required"),
    "cli_clients_nothing_to_change": (
        "нечего менять: задайте хотя бы один параметр",
        "nothing to change: give at least one option",
    ),
    "cli_clients_none": ("клиентов нет", "no clients"),
    "cli_clients_archive_confirm": (
        "Архивировать {client} и остановить его загрузки?",
        "Archive {client} and stop its loads?",
    ),
    "cli_clients_archived": (
        "клиент {client} в архиве; остановлено кабинетов: {accounts}",
        "archived {client}; {accounts} account(s) stopped",
    ),
    "cli_secrets_prompt": ("Ключ доступа", "Secret"),
    "cli_secrets_saved": (
        "сохранено {kind} для {account} (зашифровано)",
        "saved {kind} for {account} (encrypted)",
    ),
    "cli_secrets_none": ("сохранённых ключей нет", "no stored credentials"),
    "cli_secrets_key": ("ключ {key}", "key {key}"),
    "cli_secrets_deleted": ("удалено", "deleted"),
    "cli_secrets_nothing_stored": ("ничего не сохранено", "nothing stored"),
    "cli_secrets_rotated": (
        "перешифровано ключей: {n}; теперь замените MRM_SECRET_KEY новым ключом",
        "re-encrypted {n} credential(s); now set MRM_SECRET_KEY to the new key",
    ),
    "cli_users_suspended": ("{login}: заблокирован", "{login}: suspended"),
    "cli_users_already_suspended": ("{login}: уже заблокирован", "{login}: already suspended"),
    "cli_users_reactivated": ("{login}: активен", "{login}: active"),
    "cli_users_already_active": ("{login}: уже активен", "{login}: already active"),
    "cli_users_new_password": ("Новый пароль", "New password"),
    "cli_users_password_changed": ("{login}: пароль изменён", "{login}: password changed"),
    "cli_users_invited": (
        "приглашение отправлено на {email} ({role}), действует до {until}",
        "invitation sent to {email} ({role}), valid through {until}",
    ),
    "cli_users_invites_revoked": (
        "{email}: отозвано приглашений: {n}",
        "{email}: {n} invitation(s) withdrawn",
    ),
    "cli_users_assign_usage": (
        "укажите --client (можно несколько раз) или --all-clients",
        "give --client (repeatable) or --all-clients",
    ),
    "cli_users_all_clients": ("все клиенты", "all clients"),
    "cli_users_password": ("Пароль", "Password"),
    "cli_users_saved": (
        "пользователь {login}: тенант {tenant}, роль {role}{scope}",
        "user {login}: tenant {tenant}, role {role}{scope}",
    ),
    "cli_users_saved_client": (", клиент {client}", ", client {client}"),
    "cli_users_none": ("пользователей нет", "no users"),
    "cli_dashboards_serving": ("Приложение MRM: {url}", "MRM dashboards on {url}"),
    # mrm warehouse, tenants
    "cli_warehouse_configured": (
        "настроен внешний ClickHouse ({url}); запускать нечего",
        "a ClickHouse is configured ({url}); nothing to start",
    ),
    "cli_warehouse_running": (
        "хранилище работает: {address} (pid {pid}, данные {data})",
        "warehouse running: {address} (pid {pid}, data {data})",
    ),
    "cli_warehouse_stopped": ("остановлено", "stopped"),
    "cli_warehouse_not_running": ("не запущено", "not running"),
    "cli_warehouse_embedded_not_running": (
        "встроенное хранилище не запущено (данные {data})",
        "embedded warehouse not running (data {data})",
    ),
    "cli_warehouse_status_embedded": (
        "{address} встроенный ClickHouse {version} pid {pid} данные {data}",
        "{address} embedded ClickHouse {version} pid {pid} data {data}",
    ),
    "cli_warehouse_not_answering": ("{url} не отвечает: {error}", "{url} not answering: {error}"),
    "cli_warehouse_migrated": ("применены миграции: {migrations}", "applied: {migrations}"),
    "cli_warehouse_up_to_date": ("миграции не требуются", "up to date"),
    "cli_warehouse_sql_ok": ("выполнено", "ok"),
    "cli_tenants_apply_refused": (
        "--apply отклонён: во встроенном хранилище (chDB) нет пользователей, ролей, прав и политик строк; "
        "настройте настоящий ClickHouse (CLICKHOUSE_URL) или запустите без --apply, чтобы вывести SQL",
        "--apply refused: the embedded warehouse (chDB) has no users, roles, grants or row policies; "
        "configure a real ClickHouse (CLICKHOUSE_URL) or run without --apply to print the SQL",
    ),
    "cli_tenants_skipped": (
        "-- ВНИМАНИЕ: пропущены тенанты, чьи идентификаторы не годятся в имя пользователя ClickHouse: {tenants}",
        "-- WARNING: skipped tenants whose ids cannot name a ClickHouse user: {tenants}",
    ),
    "cli_tenants_passwords_written": (
        "-- пароли пользователей ({users}) записаны в {path}",
        "-- passwords of {users} users written to {path}",
    ),
    "cli_tenants_dry_run": (
        "-- инструкций: {statements} для тенантов ({tenants}) и пользователя приложения, таблиц с tenant_id: "
        "{tables} (пробный прогон; --apply — выполнить)",
        "-- {statements} statements for {tenants} tenants and the app user, {tables} tables with tenant_id "
        "(dry run; --apply to run)",
    ),
    "cli_tenants_provision_failed": (
        "настройка доступа не выполнена: {error}",
        "provisioning failed: {error}",
    ),
    "cli_tenants_applied": (
        "выполнено инструкций: {statements} для тенантов ({tenants}) и пользователя приложения",
        "applied {statements} statements for {tenants} tenants and the app user",
    ),
    # mrm retention, backup, clients erase, tenants erase
    "cli_retention_applied": (
        "сроки хранения применены к таблицам: {tables}",
        "retention applied to {tables} table(s)",
    ),
    "cli_retention_set": (
        "{tenant}: {table_class} хранится месяцев: {months}; применить: `mrm retention apply`",
        "{tenant}: {table_class} kept {months} months; apply with `mrm retention apply`",
    ),
    "cli_backup_created": ("{path}: таблиц {tables}, строк {rows}", "{path}: {tables} tables, {rows} rows"),
    "cli_backup_none": ("в {folder} нет резервных копий", "no backups under {folder}"),
    "cli_backup_all_tenants": ("все", "all"),
    "cli_backup_row": (
        "тенант {tenant}  таблиц {tables}  строк {rows}",
        "tenant {tenant}  {tables} tables  {rows} rows",
    ),
    "cli_backup_restore_confirm": (
        "Заменить данные, которые покрывает {path}?",
        "Replace the data covered by {path}?",
    ),
    "cli_backup_restored": (
        "восстановлено таблиц: {tables}; все отпечатки совпадают с копией",
        "restored {tables} tables; every fingerprint matches the backup",
    ),
    "cli_erase_what_client": ("клиента {client} тенанта {tenant}", "client {client} of tenant {tenant}"),
    "cli_erase_what_tenant": ("тенанта {tenant}", "tenant {tenant}"),
    "cli_erase_dry_run": (
        "пробный прогон: строки {what}, перечисленные выше, будут удалены; добавьте --yes, чтобы удалить",
        "dry run: the rows above of {what} would be erased; add --yes to erase them",
    ),
    "cli_erased": (
        "удалены данные {what}: строк {rows}, файлов отчётов {files}",
        "erased {what}: {rows} rows, {files} report files",
    ),
    "cli_state_revoked": ("отозван", "revoked"),
    "cli_bad_date": ("{value} — не дата ГГГГ-ММ-ДД", "{value} is not a date YYYY-MM-DD"),
    # mrm ingest, sandbox
    "cli_ingest_from_after_to": ("--from позже --to", "--from is after --to"),
    "cli_ingest_no_connector": (
        "коннектор {platform} ({module}) недоступен в этой сборке",
        "the {platform} connector ({module}) is not available in this build",
    ),
    "cli_ingest_no_emulator": (
        "в песочнице нет эмулятора {platform}",
        "the sandbox has no {platform} emulator",
    ),
    "cli_ingest_no_accounts": (
        "у тенанта {tenant} нет активных кабинетов {platform} в app.accounts; задайте --account",
        "tenant {tenant} has no active {platform} accounts in app.accounts; pass --account",
    ),
    "cli_ingest_failed": ("загрузки с ошибкой:", "failed loads:"),
    "cli_sandbox_on": (
        "песочница на {url} (seed {seed}, сегодня {today})",
        "sandbox on {url} (seed {seed}, today {today})",
    ),
    "cli_sandbox_credentials": (
        "Учётные данные только для песочницы: их принимают эти эмуляторы и больше никто:",
        "Sandbox-only credentials, accepted by these emulators and nowhere else:",
    ),
    "cli_sandbox_control": (
        "  control  {url}/_control/status  (сбои: POST/DELETE {url}/_control/faults)",
        "  control  {url}/_control/status  (faults: POST/DELETE {url}/_control/faults)",
    ),
    "cli_sandbox_not_running": (
        "песочница не запущена (запустите: `mrm sandbox start`)",
        "no sandbox is running (start one with `mrm sandbox start`)",
    ),
    # mrm api, apikeys, mcp
    "cli_api_serving": ("API на {url}/v1  (документация: {url}/docs)", "API on {url}/v1  (docs: {url}/docs)"),
    "cli_apikeys_store_now": (
        "Сохраните ключ сейчас: он больше не будет показан.",
        "Store it now: it is not shown again.",
    ),
    "cli_apikeys_none": ("ключей API нет", "no API keys"),
    "cli_apikeys_expires": ("истекает {when}", "expires {when}"),
    "cli_apikeys_revoked": ("отозван {key}", "revoked {key}"),
    "cli_mcp_no_key": ("задайте MRM_API_KEY (mrm apikeys create)", "set MRM_API_KEY (mrm apikeys create)"),
    "cli_mcp_serving": ("MCP (streamable HTTP) на {url}", "MCP (streamable HTTP) on {url}"),
    # mrm dbt, dagster
    "cli_dbt_building": (
        "▶ dbt build … (строки по моделям — в файле журнала; --verbose показывает их)",
        "▶ dbt build … (per-model lines go to the log file; --verbose shows them)",
    ),
    "cli_dbt_docs": ("документация dbt создана: {result}", "dbt docs generated: {result}"),
    "cli_dagster_unknown_platforms": (
        "неизвестные платформы: {unknown}; известные: {known}",
        "unknown platform(s) {unknown}; known: {known}",
    ),
    "cli_dagster_warehouse": ("хранилище: {url}", "warehouse: {url}"),
    "cli_dagster_ui": ("Интерфейс Dagster: {url}  ({command})", "Dagster UI: {url}  ({command})"),
    # mrm demo
    "cli_demo_step_failed": ("шаг демо «{step}» не выполнен: {error}", "demo step '{step}' failed: {error}"),
    "cli_demo_no_ingestion": (
        "нет пакета ingestion: данные песочницы загрузить нельзя",
        "ingestion package missing: cannot load sandbox data",
    ),
    "cli_demo_dagster_ui": ("Интерфейс Dagster", "Dagster UI"),
    "cli_demo_streamlit_app": ("Приложение Streamlit", "Streamlit app"),
    "cli_demo_not_in_build": ("  {service}: нет в этой сборке", "  {service}: not part of this build"),
    "cli_demo_not_answering": (
        "  (пока не отвечает; см. его журнал выше)",
        "  (not answering yet; see its log above)",
    ),
    "cli_demo_press_ctrl_c": ("Нажмите Ctrl-C, чтобы остановить.", "Press Ctrl-C to stop."),
    "cli_demo_same_port": (
        "приложение и интерфейс Dagster не могут работать на одном порту {port}",
        "the app and the Dagster UI cannot share port {port}",
    ),
    "cli_demo_finished": (
        "Демо MRM завершено за {seconds} с; хранилище {warehouse}, данные в {data}",
        "MRM demo finished in {seconds} s; warehouse {warehouse}, data in {data}",
    ),
    "cli_demo_full_log": ("Полный журнал: {path}", "Full log: {path}"),
    "cli_demo_table_rows": ("  {table} {rows} строк", "  {table} {rows} rows"),
    "cli_demo_logins": (
        "Демо-входы (логин / пароль / роль / тенант / клиент):",
        "Demo logins (login / password / role / tenant / client):",
    ),
    "cli_demo_serving": ("Работают:", "Serving:"),
    # refusals: workspace
    # (end of refusals: workspace)
    # refusals: dashboards, delivery, api, mrm, warehouse, ingestion, metrics
    # (end of refusals: dashboards, delivery, api, mrm, warehouse, ingestion, metrics)
    # refusals: planning, assistants
    # (end of refusals: planning, assistants)
}


# Currency signs shown after amounts ('1 234,50 ₽'); a code without a sign is shown as the code.
CURRENCY_SIGNS = {"RUB": "₽", "USD": "$", "EUR": "€", "KZT": "₸", "BYN": "Br", "UZS": "сум"}

MONTHS = {
    # Russian dates use the genitive month ("5 декабря"); short forms for ranges and axes.
    "ru": (
        "января",
        "февраля",
        "марта",
        "апреля",
        "мая",
        "июня",
        "июля",
        "августа",
        "сентября",
        "октября",
        "ноября",
        "декабря",
    ),
    "en": (
        "January",
        "February",
        "March",
        "April",
        "May",
        "June",
        "July",
        "August",
        "September",
        "October",
        "November",
        "December",
    ),
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


def fmt_num(v: float | int | Decimal, lang: str, digits: int = 0) -> str:
    """A count or an amount in the language's format: '1\u00a0234,5' (ru) / '1,234.5' (en)."""
    s = f"{float(v):,.{digits}f}"
    return s.replace(",", "\u00a0").replace(".", ",") if lang == "ru" else s


def fmt_pct(fraction: float, lang: str, digits: int = 2) -> str:
    """A fraction as percent in the language's format: '12,35\u00a0%' (ru) / '12.35%' (en)."""
    return fmt_num(fraction * 100, lang, digits) + ("\u00a0%" if lang == "ru" else "%")


def t(key: str, lang: str, /, **kw: Any) -> str:
    """The text for `key` in `lang` (ru, else English); a missing key is a bug and fails loudly."""
    ru, en = TEXT[key]
    text = ru if lang == "ru" else en
    return text.format(**kw) if kw else text


# ---------------------------------------------------------------- refusals people read

E = TypeVar("E", bound=BaseException)
_SAID = "catalogue_text"  # the attribute a refusal carries: (key, values, field)


def refusal(cls: type[E], key: str, /, *, field: str | None = None, **values: Any) -> E:
    """An exception of `cls` that says the catalogue's text `key` (formatted with `values`).

    `str()` of it is the English text (logs, the API, tests); `explain(exc, lang)` gives it in the reader's
    language. `field` names the form field or parameter it refuses: it leads the message (`field: reason`) and
    a form shows `reason(exc, lang)` beside that field's label."""
    text = t(key, "en", **values)
    exc = cls(f"{field}: {text}" if field else text)
    setattr(exc, _SAID, (key, values, field))
    return exc


def is_refusal(exc: BaseException) -> bool:
    """Whether `exc` says a catalogue text (made by `refusal`, or carried over by `carry`)."""
    return getattr(exc, _SAID, None) is not None


def refused_field(exc: BaseException) -> str | None:
    """The field a refusal names, if any."""
    said = getattr(exc, _SAID, None)
    return said[2] if said else None


def reason(exc: BaseException, lang: str) -> str:
    """What a refusal says in `lang`, without its field; any other exception as it reads."""
    said = getattr(exc, _SAID, None)
    if said is None:
        return str(exc)
    key, values, _field = said
    return t(key, lang, **values)


def carry(source: BaseException, target: E) -> E:
    """`target` (raised in place of `source`, e.g. a data-layer error for a library's refusal) says what `source`
    says, in any language."""
    said = getattr(source, _SAID, None)
    if said is not None:
        setattr(target, _SAID, said)
    return target


def explain(exc: BaseException, lang: str) -> str:
    """The whole message of an exception in `lang`: `field: reason` for a refusal naming a field."""
    field = refused_field(exc)
    text = reason(exc, lang)
    return f"{field}: {text}" if field else text


# ---------------------------------------------------------------- the command line's language

LANG_ENV = "MRM_LANG"


class LanguageError(ValueError):
    """`MRM_LANG` names no language of the catalogue."""


def locale_lang() -> str:
    """The language of the POSIX locale: the first of LC_ALL, LC_MESSAGES, LANG that is set; `ru…` is Russian,
    anything else (C, POSIX, en_US.UTF-8, nothing) English."""
    for name in ("LC_ALL", "LC_MESSAGES", "LANG"):
        value = os.environ.get(name, "").strip()
        if value:
            return "ru" if value.lower().startswith("ru") else "en"
    return "en"


def cli_lang() -> str:
    """The command line's language: `MRM_LANG` (ru|en) if set, else the locale's, else English.

    An unknown `MRM_LANG` is an error (in the locale's language) naming the variable and the allowed values."""
    raw = os.environ.get(LANG_ENV, "").strip()
    if not raw:
        return locale_lang()
    lang = raw.lower()
    if lang not in LANGS:
        raise LanguageError(
            t("cli_bad_lang", locale_lang(), var=LANG_ENV, value=raw, allowed=", ".join(LANGS))
        )
    return lang


def cli_t(key: str, /, **kw: Any) -> str:
    """The text for `key` in the command line's language."""
    return t(key, cli_lang(), **kw)


def cli_explain(exc: BaseException) -> str:
    """An exception's message in the command line's language (see `explain`)."""
    return explain(exc, cli_lang())


def cli_num(v: float | int | Decimal, digits: int = 0) -> str:
    """A count or an amount in the command line's language's format."""
    return fmt_num(v, cli_lang(), digits)


def cli_pct(fraction: float, digits: int = 2) -> str:
    """A fraction as percent in the command line's language's format."""
    return fmt_pct(fraction, cli_lang(), digits)
