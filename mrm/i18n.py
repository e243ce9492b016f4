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
    "pe_universe": ("Размер ЦА (универсум), чел.", "Target audience size (universe), people"),
    "pe_lines": ("Строки плана", "Plan lines"),
    "pe_total_budget": ("Бюджет без НДС", "Budget (net)"),
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
    "pe_link": ("Связать", "Link"),
    "pe_unlink": ("Отвязать", "Unlink"),
    "pe_linked": ("Строка {line} связана с {campaign}", "Line {line} linked to {campaign}"),
    "pe_unlinked": ("Строка {line} отвязана", "Line {line} unlinked"),
    "pe_form": ("Правка строки", "Edit a line"),
    "pe_form_line": ("Строка для правки", "Line to edit"),
    "pe_form_new_line": ("— новая строка —", "— new line —"),
    "pe_f_line_id": ("Код строки", "Line id"),
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
    "us_login_help": (
        "Обычно e-mail; латиница, цифры, _ . : @ + -",
        "Usually an e-mail; letters, digits, _ . : @ + -",
    ),
    "us_name": ("Имя", "Name"),
    "us_source": ("Вход", "Sign-in"),
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
    "dl_channel_email": ("E-mail", "E-mail"),
    "dl_channel_telegram": ("Telegram", "Telegram"),
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
    "dl_schedule_id": ("Расписание", "Schedule"),
    "dl_add": ("Новое расписание", "Add a schedule"),
    "dl_add_button": ("Добавить расписание", "Add schedule"),
    "dl_added": ("Расписание добавлено: {what}", "Schedule added: {what}"),
    "dl_remove": ("Удалить расписание", "Remove schedule"),
    "dl_removed": ("Расписание {id} удалено", "Schedule {id} removed"),
    "dl_telegram": ("Чаты Telegram", "Telegram chats"),
    "dl_tg_none": (
        "Чатов нет: получите код и отправьте его боту из нужного чата",
        "No chats yet: get a code and send it to the bot from the chat",
    ),
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
    "al_rule_anomaly": ("Аномалия", "Anomaly"),
    "al_rule_spend_stopped": ("Расход остановился", "Spend stopped"),
    "al_rule_stale": ("Данные устарели", "Stale data"),
    "al_rule_load_failed": ("Ошибка загрузки", "Load failed"),
    "al_state": ("Состояние", "State"),
    "al_state_open": ("открыто", "open"),
    "al_state_resolved": ("решено", "resolved"),
    "al_opened": ("Открыто (UTC)", "Opened (UTC)"),
    "al_acked": ("Принято", "Acknowledged"),
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
    "dl_ch_destination": ("Куда", "Destination"),
    "dl_ch_ok": ("работает", "working"),
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
    "pr_change": ("Сменить пароль", "Change password"),
    "pr_changed": ("Пароль изменён", "Password changed"),
    "pr_oidc": (
        "Вы входите через провайдера учётных записей: пароль меняется там",
        "You sign in through the identity provider: change your password there",
    ),
    # client report (PDF, XLSX): labels of its sheets, tables and notes
    "rep_title": ("Отчёт по рекламе", "Advertising report"),
    "rep_summary": ("Сводка", "Summary"),
    "rep_plan": ("План-факт", "Plan vs fact"),
    "rep_spend": ("Расход", "Spend"),
    "rep_commission": ("Комиссия агентства", "Agency commission"),
    "rep_total_cost": ("Итого затраты", "Total cost"),
    "rep_conversions_value": ("Ценность конверсий", "Conversion value"),
    "rep_line_id": ("Строка плана", "Plan line"),
    "rep_planned_to_date": ("План на дату", "Planned to date"),
    "rep_actual_to_date": ("Факт на дату", "Actual to date"),
    "rep_pacing_ratio": ("Темп", "Pacing"),
    "rep_forecast_net": ("Прогноз к концу", "Forecast at end"),
    "rep_flight_end": ("Конец флайта", "Flight end"),
    "rep_window": ("Окно", "Window"),
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
    "rep_narrative": ("Итоги периода", "Period highlights"),
    "rep_generated_by": ("Текст подготовлен", "Text by"),
    # client report part 4 (issue 20): cover with change, charts per day and platform, branding, release
    "rep_platforms": ("Площадки", "Platforms"),
    "rep_previous": ("Прошлый период", "Previous period"),
    "rep_change": ("Изменение", "Change"),
    "rep_compared_with": ("Сравнение с периодом {range}", "Compared with {range}"),
    "rep_no_previous": ("за прошлый период данных нет", "no data for the previous period"),
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
    "col_flight_start": ("Начало флайта", "Flight start"),
    "col_unit_price": ("Цена за единицу", "Unit price"),
    "col_planned_impressions": ("Показы по плану", "Planned impressions"),
    "col_ta_size": ("Размер ЦА", "Audience size"),
    "col_curve_max_reach": ("Предельный охват", "Maximum reach"),
    "col_curve_k": ("Кривая: k", "Curve: k"),
    "col_volume": ("Объём закупки", "Bought volume"),
    "col_reach_1plus": ("Охват 1+", "Reach 1+"),
    "col_reach_kplus": ("Охват k+", "Reach k+"),
    "col_cpp": ("Цена пункта рейтинга", "Cost per point"),
    "col_note": ("Комментарий", "Comment"),
    "col_field": ("Поле", "Field"),
    "col_old": ("Было", "Before"),
    "col_new": ("Стало", "After"),
    "col_task_id": ("Код задачи", "Task ID"),
    "col_phase": ("Этап", "Phase"),
    "col_ref": ("Ссылка", "Reference"),
    "col_title": ("Название", "Title"),
    "col_node": ("Модель или проверка", "Model or check"),
    "col_message": ("Сообщение", "Message"),
    "col_finished": ("Завершено", "Finished"),
    # media plans: versions, past results, the upload's mapping, issues and lines
    "col_line_count": ("Строк", "Lines"),
    "col_total_budget_gross": ("Бюджет с НДС", "Budget (gross)"),
    "col_source_file": ("Файл", "File"),
    "col_imported_at": ("Загружен", "Imported"),
    "col_imported_by": ("Кто загрузил", "Imported by"),
    "col_sheet": ("Лист", "Sheet"),
    "col_column": ("Столбец", "Column"),
    "col_header": ("Заголовок в файле", "Header in the file"),
    "col_source": ("Как найдено", "Found by"),
    "col_confidence": ("Уверенность", "Confidence"),
    "col_where": ("Где", "Where"),
    "col_platform_campaign_id": ("Кампания на площадке", "Platform campaign"),
    "col_ad_format": ("Формат", "Ad format"),
    "col_budget": ("Бюджет", "Budget"),
    "col_planned_clicks": ("Клики по плану", "Planned clicks"),
    "col_planned_conversions": ("Конверсии по плану", "Planned conversions"),
    "col_planned_reach": ("Охват по плану", "Planned reach"),
    "col_planned_reach_persons": ("Охват по плану, чел.", "Planned reach, people"),
    "col_planned_frequency": ("Частота по плану", "Planned frequency"),
    "col_planned_grp": ("GRP по плану", "Planned GRP"),
    "col_planned_trp": ("TRP по плану", "Planned TRP"),
    "col_geo": ("География", "Geo"),
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
    # workspace: shared
    "ws_empty": ("пустое значение", "empty"),
    "ws_one_of": ("допустимо одно из: {allowed}", "one of {allowed}"),
    "ws_not_one_of": (
        "{value} — не одно из допустимых значений: {allowed}",
        "{value} is not one of {allowed}",
    ),
    "ws_pick_accounts": ("выберите хотя бы один кабинет", "choose at least one account"),
    "ws_no_active_client": ("нет активного клиента {client}", "no active client {client}"),
    "ws_client_not_found": ("клиент {client} не найден", "client {client} not found"),
    "ws_user_not_found": ("пользователь {login} не найден", "user {login} not found"),
    "ws_user_not_in_tenant": (
        "пользователь {login} не найден в агентстве {tenant}",
        "user {login} not found in tenant {tenant}",
    ),
    "ws_account_taken": (
        "кабинет {account} уже подключён (клиент {client})",
        "{account} is already connected (client {client})",
    ),
    # workspace: OAuth
    "oauth_no_app": (
        "{platform}: не задано OAuth-приложение — задайте {id_var} и {secret_var}",
        "{platform}: set {id_var} and {secret_var} (the OAuth application)",
    ),
    "oauth_no_provider": (
        "платформа {platform} не подключается через OAuth (через OAuth подключаются: {known})",
        "{platform} does not connect through OAuth (one of {known})",
    ),
    "oauth_no_client": (
        "в этом агентстве нет активного клиента {client}",
        "no active client {client} in this tenant",
    ),
    "oauth_bad_redirect": ("{uri} — не адрес http(s)", "{uri} is not an http(s) URL"),
    "oauth_bad_lang": ("{lang} — не двухбуквенный код языка", "{lang} is not a two-letter language code"),
    "oauth_not_granted": (
        "{platform}: доступ не предоставлен: {error}{why}; начните подключение заново",
        "{platform}: access was not granted: {error}{why}; start the connection again",
    ),
    "oauth_no_code": (
        "в ответе платформы нет кода авторизации",
        "the callback carries no authorization code",
    ),
    "oauth_state_missing": (
        "параметр отсутствует в ответе платформы или искажён",
        "missing or malformed in the callback",
    ),
    "oauth_state_unknown": (
        "параметр выдан не этим приложением (поддельный или чужой ответ); начните подключение заново",
        "not issued by this application (a forged or foreign callback); start the connection again",
    ),
    "oauth_state_other_user": (
        "параметр выдан другому пользователю ({login}); начните подключение сами",
        "issued to another user ({login}); start the connection yourself",
    ),
    "oauth_state_used": (
        "параметр уже использован {at} UTC (повторный ответ платформы); начните подключение заново",
        "already used at {at} UTC (a replayed callback); start the connection again",
    ),
    "oauth_state_expired": (
        "срок действия параметра истёк {at} UTC (он действует {minutes} мин.); начните подключение заново",
        "expired at {at} UTC (valid {minutes} minutes); start the connection again",
    ),
    "oauth_app_refused": (
        "{platform}: OAuth-приложение (client id и secret) отклонено: {text}",
        "{platform}: the OAuth application (client id/secret) was refused: {text}",
    ),
    "oauth_code_expired": (
        "срок действия кода авторизации истёк ({code}: {text}); начните подключение заново",
        "the authorization code has expired ({code}: {text}); start the connection again",
    ),
    "oauth_code_used": (
        "код авторизации уже использован ({code}: {text}); начните заново",
        "the authorization code was already used ({code}: {text}); start again",
    ),
    "oauth_code_refused": (
        "код авторизации не принят ({code}: {text}); начните заново",
        "the authorization code was not accepted ({code}: {text}); start again",
    ),
    "oauth_no_grant": ("в этом агентстве нет доступа {grant}", "no grant {grant} in this tenant"),
    "oauth_grant_revoked": (
        "доступ {grant} отозван; подключите кабинет заново",
        "grant {grant}: revoked; connect the account again",
    ),
    "oauth_no_refresh": (
        "в доступе {grant} нет refresh-токена; подключите кабинет заново",
        "grant {grant}: holds no refresh token; connect again",
    ),
    "oauth_refresh_refused": (
        "доступ {grant}: refresh-токен отклонён ({code}: {text}); доступ отозван или истёк, подключите кабинет заново",
        "grant {grant}: the refresh token was refused ({code}: {text}); the access was revoked or has lapsed, "
        "reconnect the account",
    ),
    "oauth_grant_gone": (
        "доступ {grant} удалён или отозван; обновлённый токен не сохранён",
        "grant {grant}: gone or revoked; the renewed token is not kept",
    ),
    # workspace: discovery of accounts, Garpun key files
    "ws_disc_wrong_grant": (
        "доступ {grant} выдан для {provider}, а не для {platform}",
        "grant {grant} is a {provider} grant, not one for {platform}",
    ),
    "ws_disc_no_token": (
        "в доступе {grant} нет токена; подключите кабинет заново",
        "grant {grant}: holds no token; connect again",
    ),
    "ws_disc_listed_twice": ("кабинет {account} указан дважды", "{account} is listed twice"),
    "ws_disc_not_visible": (
        "кабинеты {accounts} не видны доступу {grant} (это не клиенты этого агентства)",
        "{accounts} not visible to grant {grant} (not a client of this agency)",
    ),
    "ws_disc_taken": (
        "кабинет {account} уже подключён (клиент {client}); ничего не подключено",
        "{account} is already connected (client {client}); nothing was connected",
    ),
    "ws_key_empty": ("файл пуст", "empty"),
    "ws_key_too_big": ("файл больше {kib} КиБ", "larger than {kib} KiB"),
    "ws_key_not_utf8": (
        "это не текст в UTF-8 (ожидается JSON-файл ключа)",
        "not UTF-8 text (a JSON key file is expected)",
    ),
    "ws_key_not_json": (
        "это не JSON (строка {line}, столбец {column})",
        "not JSON (line {line}, column {column})",
    ),
    "ws_key_not_object": ("JSON в файле — не объект", "the JSON is not an object"),
    "ws_key_wrong_type": (
        "тип ключа {type}, а нужен 'service_account'",
        "type is {type}, not 'service_account'",
    ),
    "ws_key_bad_token_uri": ("token_uri — не адрес http(s)", "token_uri is not an http(s) URL"),
    "ws_key_unfit": ("ключ сервисного аккаунта не подходит: {detail}", "{detail}"),
    # workspace: invitations
    "ws_inv_used": (
        "приглашение уже использовано; войдите с логином, выбранным тогда",
        "this invitation has already been used; sign in with the login chosen then",
    ),
    "ws_inv_invalid": (
        "ссылка-приглашение недействительна: проверьте, что она скопирована целиком, или попросите у администратора "
        "новую",
        "this invitation link is not valid: check that it was copied whole, or ask an admin for a new one",
    ),
    "ws_inv_withdrawn": (
        "приглашение отозвано (возможно, отправлено новое); обратитесь к администратору",
        "this invitation was withdrawn (a newer one may have been sent); ask an admin",
    ),
    "ws_inv_expired": (
        "срок приглашения истёк {date}; попросите администратора прислать новое",
        "this invitation expired on {date}; ask an admin for a new one",
    ),
    "ws_inv_client_archived": (
        "клиент этого приглашения архивирован; обратитесь к администратору",
        "the client of this invitation was archived; ask an admin",
    ),
    "ws_bad_email": ("{email} — не адрес e-mail", "{email} is not an e-mail address"),
    "ws_unknown_role": ("неизвестная роль {role}; роли: {roles}", "unknown role {role}; roles: {roles}"),
    "ws_inv_unknown_clients": (
        "клиенты не найдены или в архиве: {clients}",
        "unknown or archived clients: {clients}",
    ),
    "ws_inv_client_one": (
        "пользователь с ролью «Клиент» видит ровно одного клиента; выберите его",
        "a user with the Client role sees exactly one client; choose it",
    ),
    "ws_inv_admin_all": (
        "администратор видит всех клиентов; назначения — для ролей сотрудников",
        "an administrator sees every client; assignments are for staff roles",
    ),
    "ws_inv_days": (
        "приглашение действует от 1 до 90 дней, а не {days}",
        "an invitation is valid 1 to 90 days, not {days}",
    ),
    "ws_inv_has_account": ("у {email} уже есть учётная запись", "{email} already has an account"),
    "ws_inv_not_sent": (
        "письмо с приглашением на {email} не отправлено ({reason}); приглашение не сохранено",
        "the invitation e-mail to {email} could not be sent ({reason}); nothing was kept",
    ),
    "ws_name_max_200": ("не длиннее 200 символов", "at most 200 characters"),
    "ws_login_taken": ("логин {login} занят, выберите другой", "{login} is taken; choose another"),
    "ws_inv_subject": ("Приглашение в MRM", "Invitation to MRM"),
    "ws_inv_body": (
        "Здравствуйте!\n\n{inviter} приглашает вас в MRM (роль: {role}).\n"
        "Откройте ссылку, выберите логин и пароль — и вы сразу войдёте:\n\n{link}\n\n"
        "Ссылка действует до {until} включительно и только один раз.\n",
        "Hello,\n\n{inviter} invites you to MRM (role: {role}).\n"
        "Open the link, choose a login and a password, and you are signed in:\n\n{link}\n\n"
        "The link works once, through {until}.\n",
    ),
    # workspace: sync runs
    "ws_sync_bad_url": ("{var}={url} — не адрес http(s)", "{var}={url} is not an http(s) URL"),
    "ws_sync_need_from": ("для загрузки с даты нужен её первый день", "a backfill needs its first day"),
    "ws_sync_after_last": (
        "{day} позже последнего полного дня {last}",
        "{day} is after the last complete day {last}",
    ),
    "ws_sync_before_first": (
        "{day} раньше {first} — первого дня, с которого платформа загружает данные",
        "{day} is before {first}, the first day the platform loads",
    ),
    "ws_dagster_bad_url": (
        "адрес Dagster {url} — не адрес http(s)",
        "Dagster URL {url} is not an http(s) URL",
    ),
    "ws_dagster_unreachable": (
        "Dagster по адресу {url} не отвечает ({reason})",
        "Dagster at {url} did not answer ({reason})",
    ),
    "ws_dagster_no_job": (
        "в Dagster по адресу {url} нет задания {job}: обновлено ли расположение кода (code location)?",
        "Dagster at {url} has no job {job}: is the code location up to date?",
    ),
    "ws_dagster_refused": (
        "Dagster отказал в запуске {job}: {reason}",
        "Dagster refused the run of {job}: {reason}",
    ),
    "ws_sync_run_missing": ("запуск {run} не найден: {message}", "run {run}: {message}"),
    "ws_sync_not_account": (
        "кабинет {account} не принадлежит клиенту {client}",
        "account {account} is not an account of client {client}",
    ),
    "ws_sync_client_archived": (
        "клиент {client} в архиве: его загрузки остановлены",
        "client {client} is archived: its loads are stopped",
    ),
    "ws_sync_account_stopped": ("кабинет {account} отключён", "account {account} is stopped"),
    "ws_sync_not_run": (
        "запуск {run} не является загрузкой клиента {client}",
        "run {run} is not a sync run of client {client}",
    ),
    # workspace: stored credentials
    "ws_cred_key_short": (
        "{source} должен быть не короче {n} символов (например, "
        '`python -c "import secrets; print(secrets.token_urlsafe(32))"`)',
        "{source} must be at least {n} characters (e.g. "
        '`python -c "import secrets; print(secrets.token_urlsafe(32))"`)',
    ),
    "ws_cred_format": ("{where}: неизвестный формат шифротекста", "{where}: unknown ciphertext format"),
    "ws_cred_no_decrypt": (
        "{where}: сохранённый ключ доступа не расшифровывается (изменён или перенесён)",
        "{where}: the stored credential does not decrypt (tampered or moved)",
    ),
    "ws_cred_key_unset": (
        "переменная {var} не задана; задайте в ней секретный ключ развёртывания",
        "{var} is not set; set it to the deployment's secret key",
    ),
    "ws_cred_key_unset_stored": (
        "переменная {var} не задана, а зашифрованные ключи доступа уже сохранены; задайте в ней секретный ключ "
        "развёртывания",
        "{var} is not set while encrypted credentials exist; set it to the deployment's secret key",
    ),
    "ws_cred_key_mismatch": (
        "сохранённые ключи доступа зашифрованы ключом {stored}, а {var} — ключ {current}; задайте ключ развёртывания "
        "или выполните `mrm secrets rotate-key`",
        "stored credentials use key {stored}, {var} is key {current}; set the deployment's key or run "
        "`mrm secrets rotate-key`",
    ),
    "ws_cred_too_long": ("длиннее {n} байт", "longer than {n} bytes"),
    "ws_cred_no_account": (
        "кабинет {account} не зарегистрирован в агентстве {tenant}",
        "account {account} is not registered in tenant {tenant}",
    ),
    "ws_cred_grant_empty": (
        "{account}: кабинет загружается через OAuth-доступ {grant}, в котором больше нет токена (доступ отозван или "
        "отключён); подключите кабинет заново",
        "{account}: it loads with OAuth grant {grant}, which holds no token any more (revoked or disconnected); "
        "reconnect the account",
    ),
    "ws_cred_stored_no_key": (
        "{where}: ключ доступа сохранён, но {var} не задан",
        "{where}: a stored credential exists but {var} is not set",
    ),
    "ws_cred_other_key": (
        "{where}: сохранён под ключом {stored}, а {var} — ключ {current}; выполните `mrm secrets rotate-key` со "
        "старым ключом",
        "{where}: stored under key {stored}, {var} is key {current}; run `mrm secrets rotate-key` with the old key",
    ),
    "ws_cred_unfit": (
        "{account}: сохранённые ключи ({fields}) не подходят к настройкам коннектора",
        "{account}: stored credentials ({fields}) do not fit the connector's settings",
    ),
    "ws_cred_bad_row": (
        "{account}: пустой или неизвестный ключ доступа {kind}",
        "{account}: empty or unknown credential {kind}",
    ),
    "ws_cred_set_both": (
        "задайте {var} (текущий ключ) и {new_var} (новый ключ)",
        "set {var} (current key) and {new_var} (new key)",
    ),
    "ws_cred_same_key": ("{new_var} совпадает с {var}", "{new_var} equals {var}"),
    "ws_cred_neither_key": (
        "{where}: сохранён под ключом {stored}, который не совпадает ни с {var}, ни с {new_var}",
        "{where}: stored under key {stored}, neither {var} nor {new_var}",
    ),
    # workspace: users and access
    "ws_user_self_suspend": ("нельзя заблокировать самого себя", "you cannot suspend yourself"),
    "ws_user_login_elsewhere": (
        "логин {login} теперь занят пользователем другого агентства",
        "login {login} is now used by another tenant",
    ),
    "ws_user_idp_reset": (
        "{login} входит через провайдера удостоверений; сбрасывать нечего — пароля нет",
        "{login} signs in through the identity provider; no password to reset",
    ),
    "ws_name_length": ("от 1 до 200 символов", "1 to 200 characters"),
    "ws_user_client_hidden": ("клиент {client} вам недоступен", "{client} is not a client you may see"),
    "ws_wrong_password": ("неверный пароль", "wrong password"),
    "ws_user_idp_password": (
        "вы входите через провайдера удостоверений; пароль меняется там",
        "you sign in through the identity provider; change the password there",
    ),
    "ws_password_same": (
        "новый пароль должен отличаться от текущего",
        "the new password must differ from the current one",
    ),
    # {action} is the action's (English, Russian) description from workspace.permissions.ACTIONS
    "ws_denied_action": ("роль {role} не может: {action[1]}", "role {role} may not: {action[0]}"),
    "ws_no_client_access": ("нет доступа к клиенту {client}", "no access to client {client}"),
    "ws_fixed_scope": (
        "у роли {role} постоянный набор клиентов; назначения — для ролей сотрудников",
        "role {role} has a fixed scope; assignments are for staff roles",
    ),
    "ws_all_or_list": (
        "укажите либо все клиенты, либо список клиентов, но не то и другое",
        "give either all clients or a list of clients, not both",
    ),
    "ws_unknown_clients": ("клиенты не найдены: {clients}", "unknown clients: {clients}"),
    "ws_no_active_user": (
        "нет активного пользователя {login} в агентстве {tenant}",
        "no active user {login} in tenant {tenant}",
    ),
    "ws_user_bad_role": (
        "у пользователя {login} неизвестная роль {role}",
        "user {login} has an unknown role {role}",
    ),
    # workspace: clients
    "ws_client_name": (
        "{value} — обязательно, не длиннее 200 символов",
        "{value} — required, up to 200 characters",
    ),
    "ws_client_legal_name": ("{value} — не длиннее 300 символов", "{value} — up to 300 characters"),
    "ws_client_inn": (
        "{value} — неверный ИНН (нужно 10 или 12 цифр и верные контрольные цифры)",
        "{value} — not a valid INN (10 or 12 digits, check digits)",
    ),
    "ws_client_currency": (
        "{value} — нужен трёхбуквенный код ISO, например RUB",
        "{value} — a three-letter ISO code such as RUB",
    ),
    "ws_client_vat": ("{value} — допустимо одно из: {allowed}", "{value} — one of {allowed}"),
    "ws_client_number": ("{value} — нужно число", "{value} — a number"),
    "ws_client_pct": ("{value} — нужно число от 0 до 100", "{value} — between 0 and 100"),
    "ws_client_lang": ("{value} — нужно ru или en", "{value} — ru or en"),
    "ws_client_tz": (
        "{value} — нужен часовой пояс IANA, например Europe/Moscow",
        "{value} — an IANA time zone such as Europe/Moscow",
    ),
    "ws_client_email": ("{value} — не адрес e-mail", "{value} — not an e-mail address"),
    "ws_client_exists": (
        "клиент {client} уже есть в агентстве {tenant}",
        "{client} already exists in tenant {tenant}",
    ),
    "ws_client_missing": ("клиент {client} не найден", "{client} not found"),
    "ws_client_cannot_edit": ("эти поля менять нельзя: {fields}", "cannot edit {fields}"),
    # workspace: media plans, their review and campaign links
    "ws_plan_cannot_move": (
        "план {plan}, версия {version}, в статусе {status}; возможные переходы: {next}",
        "plan {plan} version {version} is {status}; it can move to: {next}",
    ),
    "ws_plan_not_found": (
        "план {plan}{version} не найден в агентстве {tenant}",
        "plan {plan}{version} not found for tenant {tenant}",
    ),
    "ws_plan_no_lines": (
        "в версии плана нужна хотя бы одна строка",
        "a plan version needs at least one line",
    ),
    "ws_plan_max_lines": ("в плане не больше {n} строк", "at most {n} per plan"),
    "ws_plan_line_empty": ("строка {row}: пустой line_id", "row {row}, line_id: empty"),
    "ws_plan_line_repeats": (
        "строка {row}: line_id {line} повторяется",
        "row {row}, line_id: {line} repeats",
    ),
    "ws_plan_missing": (
        "план {plan}, версия {version}, клиента {client} не найден",
        "plan {plan} version {version} of client {client} not found",
    ),
    "ws_plan_submit_status": (
        "план {plan}, версия {version}, в статусе {status}; на согласование можно отправить только черновик или "
        "отклонённую версию",
        "plan {plan} version {version} is {status}; only a draft or rejected version can be submitted",
    ),
    "ws_plan_not_submitted": (
        "план {plan}, версия {version}, в статусе {status}, а не на согласовании",
        "plan {plan} version {version} is {status}, not submitted",
    ),
    "ws_plan_own_approval": (
        "план согласует не тот, кто отправил его на согласование",
        "a plan is approved by someone other than who submitted it",
    ),
    "ws_plan_reject_reason": ("укажите причину отклонения плана", "say why the plan is rejected"),
    "ws_plan_no_line": ("в плане {plan} нет строки {line}", "plan {plan} has no line {line}"),
    "ws_link_method": (
        "допустимы способы id, utm, name, manual, а не {method}",
        "one of id, utm, name, manual, got {method}",
    ),
    "ws_link_campaign": (
        "нужны площадка (platform) и id кампании (campaign_id)",
        "platform and campaign_id are required",
    ),
    "ws_bad_db_name": ("{db} — недопустимое имя базы", "not a plain name: {db}"),
    # (end of refusals: workspace)
    # refusals: dashboards, delivery, api, mrm, warehouse, ingestion, metrics
    "dash_bad_id": (
        "недопустимое значение {kind}: {value} (допустимы буквы, цифры, _ . : @ + -, до 128 символов)",
        "invalid {kind}: {value} (allowed: letters, digits, _ . : @ + -, up to 128)",
    ),
    "dash_password_short": (
        "пароль должен быть не короче {n} символов",
        "password must have at least {n} characters",
    ),
    "dash_client_role_needs_client": (
        "для роли client нужно указать клиента (--client)",
        "role 'client' needs --client",
    ),
    "no_client_in_tenant": (
        "клиента {client} нет у арендатора {tenant}",
        "client {client} does not exist in tenant {tenant}",
    ),
    "dash_only_client_role_bound": (
        "к клиенту привязывается только роль client, а не {role}",
        "only role 'client' is bound to a client, not {role}",
    ),
    "dash_login_other_tenant": (
        "логин {login} принадлежит другому арендатору",
        "login {login} belongs to another tenant",
    ),
    "dash_throttled": (
        "слишком много неудачных попыток входа; повторите через {secs} с",
        "too many failed sign-ins; try again in {secs} s",
    ),
    "dash_wrong_login": ("неверный логин или пароль", "wrong login or password"),
    "dash_session_ended": (
        "ваша учётная запись отключена или удалена, поэтому вы вышли из приложения",
        "your account was deactivated or removed, so you were signed out",
    ),
    "dash_secret_placeholder": (
        "[auth] {key} в .streamlit/secrets.toml — заглушка из примера; задайте настоящий секрет",
        "[auth] {key} in .streamlit/secrets.toml is the example's placeholder; set a real secret",
    ),
    "dash_cookie_secret_short": (
        "[auth] cookie_secret должен быть случайной строкой не короче {n} символов",
        "[auth] cookie_secret must be a random string of at least {n} characters",
    ),
    "dash_token_no_exp": (
        "в токене удостоверения нет срока действия (exp)",
        "identity token has no expiry (exp)",
    ),
    "dash_token_bad_exp": (
        "срок действия токена удостоверения — не число",
        "identity token expiry is not a number",
    ),
    "dash_session_expired": ("сессия истекла, войдите снова", "session expired, sign in again"),
    "dash_oidc_email_unverified": (
        "у учётной записи нет подтверждённого e-mail (email_verified должно быть true)",
        "identity has no verified e-mail (email_verified must be true)",
    ),
    "dash_oidc_not_configured": (
        "вход через OIDC не настроен: задайте в MRM_OIDC_ISSUER издателя (issuer) поставщика",
        "OIDC sign-in is not configured: set MRM_OIDC_ISSUER to the provider's issuer",
    ),
    "dash_token_bad_issuer": (
        "токен удостоверения выдан неожиданным поставщиком",
        "identity token from an unexpected issuer",
    ),
    "dash_token_no_sub": (
        "в токене удостоверения нет идентификатора субъекта (sub)",
        "identity token has no subject (sub)",
    ),
    "dash_oidc_no_user": (
        "у {email} нет доступа к этому приложению; обратитесь к администратору (`mrm users add`)",
        "{email} has no access to this app; ask an admin (`mrm users add`)",
    ),
    "dash_bad_period": (
        "неверный период {start}..{end}: укажите даты в формате ГГГГ-ММ-ДД",
        "bad period {start}..{end}: use YYYY-MM-DD",
    ),
    "dash_period_reversed": (
        "период заканчивается ({end}) раньше, чем начинается ({start})",
        "period ends ({end}) before it starts ({start})",
    ),
    "dash_period_too_long": ("период длиннее {days} дней", "period longer than {days} days"),
    "dash_unknown_preset": ("неизвестный быстрый период {name}", "unknown period preset {name}"),
    "dash_unknown_client": ("неизвестный клиент {client}", "unknown client {client}"),
    "dash_search_too_long": (
        "текст поиска длиннее {n} символов",
        "search text longer than {n} characters",
    ),
    "dash_unknown_grain": ("неизвестный уровень детализации {grain}", "unknown grain {grain}"),
    "dash_plan_version_negative": (
        "версия плана должна быть положительной",
        "plan version must be positive",
    ),
    "dash_report_other_tenant": ("отчёт другого арендатора", "report of another tenant"),
    "dash_empty_question": ("пустой вопрос", "empty question"),
    "dash_question_too_long": ("вопрос длиннее {n} символов", "question longer than {n} characters"),
    "dash_plan_not_imported": (
        "план не импортирован: пересобирать нечего",
        "the plan was not imported: nothing to rebuild",
    ),
    "dash_demo_no_tenants": (
        "в app.clients нет арендаторов с клиентами: сначала загрузите демо-данные",
        "no tenants with clients in app.clients: load the demo data first",
    ),
    "dash_link_campaign_incomplete": (
        "ссылка называет кампанию без её платформы и кабинета",
        "the link names a campaign without its platform and account",
    ),
    "dash_link_group_incomplete": (
        "ссылка называет группу объявлений без её кампании",
        "the link names an ad group without its campaign",
    ),
    "dash_cookie_key_short": (
        "{var} должен быть не короче {n} символов",
        "{var} must be at least {n} characters",
    ),
    "dash_view_no_name": ("у вида должно быть название", "a view needs a name"),
    "dash_view_name_too_long": (
        "название вида длиннее {n} символов",
        "view name longer than {n} characters",
    ),
    "dash_view_too_large": ("настройки вида слишком велики", "the view's settings are too large"),
    "dash_view_too_many": ("не больше {n} видов на странице", "at most {n} views per page"),
    "dash_client_user_needs_client": (
        "пользователь с ролью «Клиент» видит одного клиента; выберите его",
        "a user with the Client role sees one client; choose it",
    ),
    "dash_login_exists": ("пользователь с логином {login} уже есть", "login {login} already exists"),
    "dash_account_taken": (
        "кабинет {account} уже подключён (клиент {client})",
        "{account} is already registered (client {client})",
    ),
    "dash_no_schedule_of_client": (
        "у этого клиента нет расписания {schedule}",
        "no schedule {schedule} for this client",
    ),
    "dl_weekday_1": ("Понедельник", "Monday"),
    "dl_weekday_2": ("Вторник", "Tuesday"),
    "dl_weekday_3": ("Среда", "Wednesday"),
    "dl_weekday_4": ("Четверг", "Thursday"),
    "dl_weekday_5": ("Пятница", "Friday"),
    "dl_weekday_6": ("Суббота", "Saturday"),
    "dl_weekday_7": ("Воскресенье", "Sunday"),
    "dlv_bad_id": ("неверный идентификатор", "not a valid id"),
    "dlv_not_one_of": (
        "значение {value} недопустимо; допустимые: {allowed}",
        "{value} is not one of {allowed}",
    ),
    "dlv_bad_time": ("укажите время в формате ЧЧ:ММ, 24 часа", "use HH:MM, 24-hour"),
    "dlv_bad_weekday": ("от 1 (понедельник) до 7 (воскресенье)", "1 (Monday) to 7 (Sunday)"),
    "dlv_bad_month_day": ("от 1 до 31", "1 to 31"),
    "dlv_bad_channels": ("один или несколько из: {allowed}", "one or more of {allowed}"),
    "dlv_bad_recipient": ("{value} — не адрес e-mail", "{value} is not an e-mail address"),
    "dlv_sheets_needs_id": (
        "каналу Google Sheets нужен id таблицы (из её адреса), и только ему",
        "the Google Sheets channel needs the spreadsheet id (from its address), and only it",
    ),
    "dlv_unknown_zone": ("неизвестный часовой пояс {zone}", "time zone {zone} is unknown"),
    "dlv_no_schedule": ("нет расписания {schedule}", "no schedule {schedule}"),
    "dlv_no_alert": ("оповещения {alert} нет у клиента {client}", "no alert {alert} for client {client}"),
    "dlv_notice_open": ("Внимание", "Alert"),
    "dlv_notice_worse": ("Стало хуже", "Worse"),
    "dlv_notice_resolved": ("Решено", "Resolved"),
    "dlv_cond_pacing": (
        "строка {line} плана {plan}: темп освоения {pct} к плану",
        "line {line} of plan {plan}: pacing {pct} against plan",
    ),
    "dlv_cond_anomaly": (
        "{name}: {metric} {pct} к обычному уровню",
        "{name}: {metric} {pct} against the usual level",
    ),
    "dlv_cond_spend_stopped": (
        "кампания «{name}» перестала тратить (обычно {usual} в день)",
        "campaign “{name}” stopped spending (usually {usual} a day)",
    ),
    "dlv_cond_load_failed": (
        "последняя загрузка {subject} завершилась ошибкой: {why}",
        "the last load of {subject} failed: {why}",
    ),
    "dlv_cond_stale": ("данные {subject} не обновлялись {shown} ч", "{subject} has not loaded for {shown} h"),
    "dlv_no_bot_token": (
        "не задан токен Telegram-бота (MRM_TELEGRAM_BOT_TOKEN)",
        "MRM_TELEGRAM_BOT_TOKEN is not set",
    ),
    "dlv_tg_code_wrong": ("Код не подошёл или устарел.", "The code is wrong or expired."),
    "dlv_tg_linked": ("Чат подключён к отчётам MRM.", "This chat now receives MRM reports."),
    "dlv_tg_not_allowed": ("Нет доступа.", "Not allowed."),
    "dlv_tg_acked": ("Принято.", "Acknowledged."),
    "dlv_tg_ack_button": ("Принято", "Acknowledge"),
    "dlv_sheets_key_not_rsa": (
        "ключ сервисного аккаунта — не ключ RSA",
        "the service-account key is not an RSA key",
    ),
    "dlv_sheets_no_key_file": (
        "не задан файл ключа сервисного аккаунта Google (MRM_SHEETS_SERVICE_ACCOUNT_FILE)",
        "MRM_SHEETS_SERVICE_ACCOUNT_FILE is not set",
    ),
    "dlv_broken_subject": (
        "{name}-канал клиента {client} не работает",
        "{name} channel of {client} is broken",
    ),
    "dlv_broken_text": (
        "Доставка ({name}) клиенту {client} остановлена: {reason}. Исправьте канал, повторный запуск дошлёт "
        "недоставленное.",
        "{name} delivery to {client} stopped: {reason}. Fix the channel; a rerun sends what was not "
        "delivered.",
    ),
    "dlv_not_whole_number": ("{value} — не целое число", "{value} is not a whole number"),
    "dlv_not_number": ("{value} — не число", "{value} is not a number"),
    "dlv_out_of_range": ("{value} вне диапазона {lo}…{hi}", "{value} is outside {lo}…{hi}"),
    "dlv_unknown_threshold": ("неизвестный порог; известные: {known}", "unknown threshold; known: {known}"),
    "dlv_no_client": ("нет клиента {client}", "no client {client}"),
    "dlv_cond_token_revoked": (
        "доступ к кабинету {subject} отозван или истёк ({why}): подключите кабинет заново",
        "access to {subject} was revoked or has expired ({why}): reconnect the account",
    ),
    "dlv_cond_token_expiring": (
        "токен кабинета {subject} истекает через {days} дн. ({day})",
        "the token of {subject} expires in {days} day(s) ({day})",
    ),
    "api_bad_key": (
        "недействительный, истёкший или отозванный ключ API",
        "invalid, expired or revoked API key",
    ),
    "api_bad_scope": ("область ключа должна быть одной из: {scopes}", "scope must be one of {scopes}"),
    "api_no_active_user": (
        "активного пользователя {login} нет у арендатора {tenant}",
        "no active user {login} in tenant {tenant}",
    ),
    "api_bad_expiry": ("срок действия — от {lo} до {hi} дней", "expires must be {lo}..{hi} days"),
    "api_no_key": ("ключа {key} нет у арендатора {tenant}", "no key {key} in tenant {tenant}"),
    "api_role_no_kb": (
        "роли {role} нельзя искать в базе знаний",
        "role {role} may not search the knowledge base",
    ),
    "api_role_no_reports": (
        "роли {role} нельзя собирать отчёты для клиентов",
        "role {role} may not build client reports",
    ),
    "api_role_no_read": (
        "роли {role} нельзя читать цифры клиентов",
        "role {role} may not read client numbers",
    ),
    "api_name_the_client": ("укажите клиента, о котором вопрос", "name the client the question is about"),
    "mrm_path_is_symlink": (
        "{path} — символическая ссылка; записывать секреты через неё нельзя",
        "{path} is a symlink; refusing to write secrets through it",
    ),
    "mrm_path_cannot_open": (
        "не удалось открыть {path} только для владельца: {error}",
        "cannot open {path} privately: {error}",
    ),
    "mrm_path_not_regular": ("{path} — не обычный файл", "{path} is not a regular file"),
    "mrm_path_not_ours": (
        "{path} принадлежит другому пользователю (uid {uid})",
        "{path} belongs to another user (uid {uid})",
    ),
    "mrm_path_not_folder": (
        "{path} — не обычная папка (символическая ссылка?)",
        "{path} is not a plain folder (a symlink?)",
    ),
    "mrm_log_not_written": ("файл журнала не записан: {error}", "log file not written: {error}"),
    "wh_bad_tenant_id": (
        "недопустимый идентификатор арендатора {tenant}: допустимы буквы, цифры, '_', '.', '-' "
        "(до 64 символов)",
        "invalid tenant id {tenant}: letters, digits, '_', '.', '-' (up to 64)",
    ),
    "wh_no_tenants": ("нет арендаторов для настройки доступа", "no tenants to provision"),
    "wh_apply_embedded": (
        "--apply отклонён: во встроенном хранилище (chDB) нет пользователей, ролей, прав и политик строк; "
        "настройте настоящий ClickHouse (CLICKHOUSE_URL) или выведите SQL с --dry-run",
        "--apply refused: the embedded warehouse (chDB) has no users, roles, grants or row policies; "
        "configure a real ClickHouse (CLICKHOUSE_URL) or use --dry-run to print the SQL",
    ),
    # (end of refusals: dashboards, delivery, api, mrm, warehouse, ingestion, metrics)
    # refusals: planning, assistants
    # planning.optimizer: the optimizer's JSON input
    "plan_opt_required": ("обязательное поле", "required"),
    "plan_opt_not_number": ("нужно конечное число, получено {value}", "must be a finite number, got {value}"),
    "plan_opt_below": ("нужно {rel} {lo}, получено {value}", "must be {rel} {lo}, got {value}"),
    "plan_one_of": ("допустимо одно из: {allowed}; получено {value}", "one of {allowed}, got {value}"),
    "plan_opt_curve_object": ("нужен объект с моделью", "an object with a model"),
    "plan_opt_max_reach": ("нужна доля в (0, 1], получено {value}", "a fraction in (0, 1], got {value}"),
    "plan_opt_input_object": ("нужен JSON-объект", "a JSON object"),
    "plan_opt_target_below_one": ("нужна доля меньше 1", "a fraction below 1"),
    "plan_opt_k_whole": (
        "нужно целое число от 1 до 50, получено {value}",
        "a whole number from 1 to 50, got {value}",
    ),
    "plan_opt_lines_list": ("нужен непустой список", "a non-empty list"),
    "plan_opt_line_object": ("нужен объект", "an object"),
    "plan_opt_id_empty": ("нужна непустая строка", "a non-empty string"),
    "plan_opt_id_repeats": ("{id} повторяет одну из предыдущих строк", "{id} repeats an earlier line"),
    "plan_opt_kplus_negexp": (
        "для охвата k+ (reach_kplus) нужна кривая negexp (это модель контактов), получено {model}",
        "reach_kplus needs a negexp curve (it is the contact model), got {model}",
    ),
    "plan_opt_max_below_min": ("{hi} меньше min_budget {lo}", "{hi} is below min_budget {lo}"),
    "plan_opt_budget_below_mins": (
        "{budget} меньше суммы минимальных бюджетов строк ({total})",
        "{budget} is below the lines' minimums ({total})",
    ),
    "plan_opt_target_unreachable": (
        "{target} больше, чем позволяют достичь эти кривые",
        "{target} is above what these curves can reach",
    ),
    "plan_opt_target_over_budget": (
        "для {target} нужно больше, чем позволяют бюджет или максимумы строк (лучший охват {best})",
        "{target} needs more than the budget or the lines' maximums allow (best {best})",
    ),
    "plan_opt_allocation_missing": ("нет бюджета для строк {lines}", "no budget for lines {lines}"),
    # planning.editor: the plan editor's cell checks
    "plan_edit_cell": ("строка {row}, {field}: {reason}", "row {row}, {field}: {reason}"),
    "plan_edit_empty": ("пусто", "empty"),
    "plan_edit_repeats": ("{id} повторяется", "{id} repeats"),
    "plan_edit_non_negative": ("нужно неотрицательное число", "a non-negative number"),
    "plan_edit_one_of": ("нужно одно из: {allowed}", "one of {allowed}"),
    "plan_edit_fraction": ("нужна доля в (0, 1]", "a fraction in (0, 1]"),
    "plan_edit_whole": ("нужно целое число >= 1", "a whole number >= 1"),
    "plan_edit_date": ("нужна дата в виде ГГГГ-ММ-ДД", "a date YYYY-MM-DD"),
    "plan_edit_before_start": ("раньше начала (flight_start)", "before flight_start"),
    "plan_edit_not_date": ("{value} — не дата в виде ГГГГ-ММ-ДД", "{value} is not a date YYYY-MM-DD"),
    # planning.plan_math, planning.notify
    "plan_channel_no_cpp": (
        "у канала {channel} нет CPP (в плане нет TRP)",
        "channel {channel} has no CPP (no TRP in the plan)",
    ),
    # planning.mediaplan: cell values
    "plan_value_date_not_number": (
        "дата там, где нужно число: {value}",
        "a date where a number was expected: {value}",
    ),
    "plan_value_not_number": ("не число: {value}", "not a number: {value}"),
    "plan_value_not_date": ("не дата: {value}", "not a date: {value}"),
    "plan_value_not_period": ("не период: {value}", "not a period: {value}"),
    "plan_inject_starts": (
        "внедрение формулы: текст ячейки начинается с {head} и выполнится как формула: {text}",
        "formula injection: cell text starts with {head} and would run as a formula: {text}",
    ),
    "plan_inject_executable": (
        "внедрение формулы: в тексте ячейки исполняемая формула: {text}",
        "formula injection: cell text carries an executable formula: {text}",
    ),
    "plan_formula_external": (
        "небезопасная формула: ссылается на внешнюю книгу: {formula}",
        "unsafe formula: formula refers to an external workbook: {formula}",
    ),
    "plan_formula_link": (
        "небезопасная формула: в формуле есть ссылка: {formula}",
        "unsafe formula: formula carries a link: {formula}",
    ),
    "plan_formula_dde": (
        "небезопасная формула: формула — вызов DDE: {formula}",
        "unsafe formula: formula is a DDE call: {formula}",
    ),
    "plan_formula_function": (
        "небезопасная формула: формула использует {function}, а в импортируемом плане её быть не может: {formula}",
        "unsafe formula: formula uses {function}, which an imported plan may not contain: {formula}",
    ),
    # planning.mediaplan: the validation report (sheet, row, column, reason)
    "plan_report_head": (
        "ошибок: {errors}, предупреждений: {warnings}; строк плана прочитано: {lines}",
        "{errors} error(s), {warnings} warning(s); {lines} line(s) read",
    ),
    "plan_report_error": ("ОШИБКА", "ERROR"),
    "plan_report_warning": ("ВНИМАНИЕ", "WARNING"),
    "plan_report_row": ("строка {row}", "row {row}"),
    "plan_report_value": ("значение={value}", "value={value}"),
    "plan_report_more": ("... и ещё {n}", "... and {n} more"),
    "plan_issue_no_lines": ("в плане нет строк", "the plan has no lines"),
    "plan_issue_no_budget_column": (
        "не найден столбец бюджета (нужен бюджет без НДС или с НДС)",
        "no budget column found (need net or gross budget)",
    ),
    "plan_issue_no_ident_column": (
        "нет столбца, определяющего строку (канал, площадка, размещение или кампания)",
        "no column identifies the line (channel, platform, placement or campaign)",
    ),
    "plan_issue_no_dates": (
        "нет дат размещения: у строк не будет начала и окончания",
        "no flight dates: lines will have no start/end",
    ),
    "plan_issue_negative": ("отрицательное значение", "negative value"),
    "plan_issue_share_range": ("доля вне диапазона 0-100 %", "share outside 0-100 %"),
    "plan_issue_buying_model": (
        "неизвестная модель закупки (CPM, CPC, CPA, CPV, фикс)",
        "unknown buying model (CPM, CPC, CPA, CPV, fixed)",
    ),
    "plan_issue_currency": ("не код валюты", "not a currency code"),
    "plan_issue_no_quantity": (
        "в строке нет бюджета, показов или GRP",
        "line has no budget, impressions or GRP",
    ),
    "plan_issue_no_ident": (
        "в строке есть числа, но нет канала, площадки, размещения или кампании",
        "line has numbers but no channel, platform, placement or campaign",
    ),
    "plan_issue_date_range": ("дата {date} вне 2000-2100", "date {date} outside 2000-2100"),
    "plan_issue_ends_before_start": (
        "размещение заканчивается ({end}) раньше, чем начинается ({start})",
        "flight ends ({end}) before it starts ({start})",
    ),
    "plan_issue_gross_below_net": (
        "бюджет с НДС меньше бюджета без НДС",
        "gross budget is below the net one",
    ),
    "plan_issue_frequency_below_1": ("средняя частота меньше 1", "average frequency below 1"),
    "plan_issue_total_mismatch": (
        "в строке итога {amount}, а сумма строк — {got}",
        "total row says {amount} but the lines sum to {got}",
    ),
    "plan_issue_duplicate_id": (
        "номер строки {id} повторяется, переименован в {new}",
        "duplicate line id {id}, renamed {new}",
    ),
    # planning.mediaplan: why a sheet is not imported (also the error when no sheet is left)
    "plan_skip_not_selected": ("лист не выбран в сопоставлении", "not selected in the mapping"),
    "plan_skip_no_table": (
        "таблица медиаплана не найдена (нет строки заголовков с бюджетом и 3+ известными полями)",
        "no media-plan table found (no header row with 3+ known fields and a budget)",
    ),
    "plan_skip_summary": ("сводный лист (итоги других листов)", "summary sheet (totals of the other sheets)"),
    "plan_skip_no_sheets": ("в файле нет листов", "the file has no sheets"),
    # planning.mediaplan: the file itself
    "plan_file_wrong_type": (
        "{file} — файл {what}, а не таблица (.xlsx, .xls или .csv)",
        "{file} is a {what} file, not a spreadsheet (.xlsx, .xls or .csv)",
    ),
    "plan_file_binary": (
        "{file} — двоичный файл, а не таблица (.xlsx, .xls или .csv)",
        "{file} is binary and not a spreadsheet (.xlsx, .xls or .csv)",
    ),
    "plan_file_text_as_excel": (
        "{file} назван как файл Excel, но содержит текст; сохраните его заново из Excel",
        "{file} is named like an Excel file but holds text; save it again from Excel",
    ),
    "plan_file_not_found": ("файл не найден: {path}", "file not found: {path}"),
    "plan_file_empty": ("{file} пуст", "{file} is empty"),
    "plan_file_too_big": (
        "{file} весит {mb} МБ; предел — {limit} МБ",
        "{file} is {mb} MB; the limit is {limit} MB",
    ),
    "plan_file_too_many_cells": (
        "в {where} {cells} ячеек (предел MAX_CELLS = {limit})",
        "{where} has {cells} cells (limit MAX_CELLS = {limit})",
    ),
    "plan_file_too_many_cells_merged": (
        "в {where} {cells} ячеек, из них {merged} в объединённых диапазонах (предел MAX_CELLS = {limit})",
        "{where} has {cells} cells, {merged} of them in merged ranges (limit MAX_CELLS = {limit})",
    ),
    "plan_file_beyond_row": (
        "{where}: ячейка {cell} дальше строки {limit} (предел MAX_ROWS = {limit})",
        "{where}: cell {cell} is beyond row {limit} (limit MAX_ROWS = {limit})",
    ),
    "plan_file_beyond_column": (
        "{where}: ячейка {cell} дальше столбца {column} (предел MAX_COLS = {limit})",
        "{where}: cell {cell} is beyond column {column} (limit MAX_COLS = {limit})",
    ),
    "plan_file_too_many_merged": (
        "в {where} больше {limit} объединённых диапазонов (предел MAX_MERGED_RANGES = {limit})",
        "{where} has more than {limit} merged ranges (limit MAX_MERGED_RANGES = {limit})",
    ),
    "plan_file_merged_reversed": (
        "{where}: объединённый диапазон {range} перевёрнут",
        "{where}: merged range {range} is reversed",
    ),
    "plan_file_damaged_xlsx": (
        "{file} — повреждённый или обрезанный xlsx ({error})",
        "{file} is a damaged or truncated xlsx ({error})",
    ),
    "plan_file_bad_member": (
        "{file} повреждён: часть {member} не сходится с контрольной суммой",
        "{file} is damaged: member {member} fails its checksum",
    ),
    "plan_file_zip_not_excel": (
        "{file} — zip-архив, но не книга Excel (нет xl/workbook.xml)",
        "{file} is a zip archive but not an Excel workbook (no xl/workbook.xml)",
    ),
    "plan_file_unpacks_to": (
        "{file} распаковывается в {mb} МБ (предел {limit} МБ)",
        "{file} unpacks to {mb} MB (limit {limit} MB)",
    ),
    "plan_file_unreadable": (
        "{file} не читается как {kind} ({error})",
        "{file} could not be read as {kind} ({error})",
    ),
    "plan_file_encoding": (
        "{file}: неизвестная кодировка текста (ожидается UTF-8 или Windows-1251)",
        "{file}: unknown text encoding (expected UTF-8 or Windows-1251)",
    ),
    "plan_file_broken_csv": ("{file}: повреждённый CSV ({error})", "{file}: broken CSV ({error})"),
    # planning.mediaplan.importer
    "plan_tenant_client_required": ("нужны tenant_id и client_id", "tenant_id and client_id are required"),
    # assistants: the media-plan advisor
    "asst_plan_no_lines": ("в медиаплане {plan} нет строк", "plan {plan} has no lines"),
    "asst_note_line_kept": (
        "{line}: нет TRP/показов или бюджета — оставлена как в плане",
        "{line}: no TRP/impressions or budget — kept as planned",
    ),
    "asst_target_reach_fraction": (
        "target_reach должен быть долей в (0, 1), получено {value}",
        "target_reach must be a fraction in (0, 1), got {value}",
    ),
    "asst_budget_positive": (
        "бюджет должен быть больше нуля, получено {value}",
        "budget must be positive, got {value}",
    ),
    "asst_no_movable_lines": (
        "нет ни одной строки, где есть и TRP (или показы с размером ЦА), и бюджет",
        "no line has both TRP (or impressions with TA size) and a budget",
    ),
    "asst_budget_below_fixed": (
        "бюджет {budget} не больше бюджета фиксированных строк ({fixed})",
        "budget {budget} does not exceed the fixed lines' {fixed}",
    ),
    "asst_note_target_unreachable": (
        "при этих кривых цель недостижима даже при утроенном бюджете",
        "target not reachable within 3x the budget under these curves",
    ),
    "asst_no_plan_selected": ("медиаплан не выбран", "no plan selected"),
    "asst_plan_not_found_client": (
        "у этого клиента нет медиаплана {plan}",
        "plan {plan} not found for this client",
    ),
    "asst_plan_no_priced_lines": (
        "в плане {plan} нет ни одной строки с бюджетом и показами (с размером ЦА) или GRP",
        "plan {plan}: no line has a budget and impressions (with TA size) or GRP",
    ),
    "asst_no_line_matches": (
        "ни одна строка плана не подходит под {selector}; строки: {lines}",
        "no plan line matches {selector}; lines: {lines}",
    ),
    "asst_what_if_same_line": (
        "'from' и 'to' называют одну и ту же строку",
        "'from' and 'to' name the same line",
    ),
    "asst_what_if_no_amount": ("укажите amount_rub или share_pct", "give amount_rub or share_pct"),
    "asst_what_if_too_much": (
        "{amount} больше, чем {base} в строках-источниках",
        "{amount} is more than the {base} the source lines have",
    ),
    # assistants: questions, threads, feedback
    "asst_question_too_long": (
        "вопрос длиннее {limit} символов; сократите его",
        "the question is longer than {limit} characters; please shorten it",
    ),
    "asst_thread_other_client": (
        "диалог {thread} о клиенте {client}, а не {asked}",
        "thread {thread} is about client {client}, not {asked}",
    ),
    "asst_needs_client": (
        "ассистенту {agent} нужен клиент (--client)",
        "the {agent} assistant needs a client (--client)",
    ),
    "asst_thread_bad_id": ("{thread} — не идентификатор диалога", "thread {thread}: not a thread id"),
    "asst_thread_not_found": ("диалог {thread} не найден", "thread {thread} not found"),
    "asst_rating_values": (
        "оценка должна быть 1 (нравится) или -1 (не нравится)",
        "rating must be 1 (thumbs up) or -1 (thumbs down)",
    ),
    "asst_comment_too_long": (
        "комментарий длиннее {limit} символов",
        "comment longer than {limit} characters",
    ),
    "asst_answer_not_found": ("ответ {answer} не найден", "answer {answer} not found"),
    # assistants: projects
    "asst_brief_empty": ("бриф пустой", "the brief is empty"),
    "asst_note_standard_set": (
        "В брифе не названы каналы, креатив и аналитика: взят стандартный набор задач кампании.",
        "The brief names no channels, creatives or analytics: the standard campaign set was used.",
    ),
    "asst_note_brief_dates": ("Даты в брифе: {dates}", "Dates in the brief: {dates}"),
    "asst_client_cannot_edit_projects": (
        "пользователь клиента может читать проекты, но не менять их",
        "a client user may read projects, not edit them",
    ),
    "asst_project_bad_id": ("{project} — не идентификатор проекта", "project {project}: not a project id"),
    "asst_project_not_found": ("проект {project} не найден", "project {project} not found"),
    "asst_task_not_found": (
        "задача {task} не найдена в проекте {project}",
        "task {task} not found in project {project}",
    ),
    "asst_raci_rules": (
        "роли из {roles}, буквы R/A/C/I, ровно одна A и хотя бы одна R",
        "roles from {roles}, letters R/A/C/I, exactly one A and at least one R",
    ),
    # assistants: the analyst's tools
    "asst_no_data_for_client": ("по клиенту {client} нет данных", "no data for client {client}"),
    "asst_note_visitors_dedup": (
        "уникальные посетители считаются без повторов за весь период и никогда не суммируются",
        "unique visitors are deduplicated over the period, never summed",
    ),
    "asst_no_plan_named": ("у этого клиента нет медиаплана {plan}", "no media plan {plan} for this client"),
    "asst_no_plan": ("у этого клиента нет медиаплана", "no media plan for this client"),
    "asst_kb_denied": (
        "этой роли нельзя искать в базе знаний",
        "this role may not search the knowledge base",
    ),
    "asst_mapping_request_lacks": ("в запросе сопоставления нет поля {key}", "mapping request lacks {key}"),
    # planning.reach: a calculator's parameter outside its range ({param} named, {value} as given)
    "plan_reach_range": (
        "{param}: нужно значение в {interval}, получено {value}",
        "{param} must be in {interval}, got {value}",
    ),
    "plan_reach_range_freq": (
        "{param}: нужно значение в {interval} (средняя частота среди охваченных не меньше 1), получено {value}",
        "{param} must be in {interval} (average frequency among the reached is at least 1), got {value}",
    ),
    "plan_reach_range_reach0": (
        "{param}: нужно значение в {interval} (0 < reach0 < r_max), получено {value}",
        "{param} must be in {interval} (0 < reach0 < r_max), got {value}",
    ),
    "plan_reach_range_b": (
        "{param}: нужно значение в {interval} (b = 1/R_max в процентах, поэтому b >= 0.01 держит R_max <= 100 %), "
        "получено {value}",
        "{param} must be in {interval} (b = 1/R_max in percent, so b >= 0.01 keeps R_max <= 100 %), got {value}",
    ),
    "plan_reach_range_negexp": (
        "{param}: нужно значение в {interval} (отрицательно-экспоненциальная кривая никогда не достигает r_max), "
        "получено {value}",
        "{param} must be in {interval} (a negative-exponential curve never reaches r_max), got {value}",
    ),
    "plan_reach_range_hyperbola": (
        "{param}: нужно значение в {interval} (гипербола насыщается на 1/b %), получено {value}",
        "{param} must be in {interval} (the hyperbola saturates at 1/b %), got {value}",
    ),
    "plan_reach_range_binary_target": (
        "{param}: нужно значение в {interval} (бинарная модель насыщается на A), получено {value}",
        "{param} must be in {interval} (the binary model saturates at A), got {value}",
    ),
    "plan_reach_range_bb_r2": (
        "{param}: нужно значение в {interval} (r1 < r2 < 2*r1 - r1^2 для бета-биномиальной модели), получено {value}",
        "{param} must be in {interval} (r1 < r2 < 2*r1 - r1^2 for the beta-binomial), got {value}",
    ),
    "plan_reach_range_grp_prob": (
        "{param}: нужно значение в {interval} (GRP/(100 n) — вероятность), получено {value}",
        "{param} must be in {interval} (GRP/(100 n) is a probability), got {value}",
    ),
    "plan_reach_range_bb_reach": (
        "{param}: нужно значение в {interval} (между GRP/(100 n) = {pi} (все или никто) и биномиальным {binomial}), "
        "получено {value}",
        "{param} must be in {interval} (between GRP/(100 n) = {pi} (everyone or no one) and the binomial {binomial}), "
        "got {value}",
    ),
    "plan_reach_range_hofmans": (
        "{param}: нужно значение в {interval} (r1 < r2 < 2*r1, модель Хофманса), получено {value}",
        "{param} must be in {interval} (r1 < r2 < 2*r1 (Hofmans)), got {value}",
    ),
    "plan_reach_range_r3": (
        "{param}: нужно значение в {interval} (r2 < r3 < 3*r1), получено {value}",
        "{param} must be in {interval} (r2 < r3 < 3*r1), got {value}",
    ),
    "plan_reach_range_binary_r2": (
        "{param}: нужно значение в {interval} (r1 < r2 <= 2*r1 - r1^2 для бинарной модели), получено {value}",
        "{param} must be in {interval} (r1 < r2 <= 2*r1 - r1^2 for the binary model), got {value}",
    ),
    "plan_reach_number": ("{param}: нужно число, получено {value}", "{param} must be a number, got {value}"),
    "plan_reach_not_nan": (
        "{param}: нужно число (не NaN), получено {value}",
        "{param} must be a number (not NaN), got {value}",
    ),
    "plan_reach_integer_min": (
        "{param}: нужно целое число >= {lo}, получено {value}",
        "{param} must be an integer >= {lo}, got {value}",
    ),
    "plan_reach_freq_grp": (
        "{param}: нужно >= grp/100, чтобы охват был <= 1, получено {value}",
        "{param} must be >= grp/100 so that reach <= 1, got {value}",
    ),
    "plan_reach_two_points": (
        "{param}: нужно хотя бы 2 пары (grp, reach), получено {value}",
        "{param} must be at least 2 (grp, reach) pairs, got {value}",
    ),
    "plan_reach_distinct": (
        "{param}: нужно хотя бы два разных значения, получено {value}",
        "{param} must be at least two distinct values, got {value}",
    ),
    "plan_reach_saturating": (
        "{param}: нужна насыщающаяся кривая (подобранные a > 0 и b > 0; подбор дал a={a}, b={b}), получено {value}",
        "{param} must be a saturating curve (fitted a > 0 and b > 0) (fit gave a={a}, b={b}), got {value}",
    ),
    "plan_reach_betabinom_target": (
        "{param}: нужно значение, достижимое в бета-биномиальной модели, получено {value}",
        "{param} must be reachable by the beta-binomial model, got {value}",
    ),
    "plan_reach_one_of": (
        "{param}: допустимо одно из: {allowed}; получено {value}",
        "{param} must be one of {allowed}, got {value}",
    ),
    "plan_reach_method": (
        "{param}: допустимо 'exact' или 'normal', получено {value}",
        "{param} must be 'exact' or 'normal', got {value}",
    ),
    "plan_reach_binomial_limit": (
        "{param}: нужно значение ниже биномиального предела, получено {value}",
        "{param} must be below the binomial limit, got {value}",
    ),
    "plan_reach_r3_formula": (
        "{param}: нужно такое значение, чтобы (3 r1 - r3) r2 / ((2 r1 - r2) r3) > 0, получено {value}",
        "{param} must be such that (3 r1 - r3) r2 / ((2 r1 - r2) r3) > 0, got {value}",
    ),
    "plan_reach_fractions": (
        "{param}: нужен непустой список долей, получено {value}",
        "{param} must be a non-empty list of fractions, got {value}",
    ),
    "plan_reach_pair_keys": (
        "{param}: нужен словарь с ключами — парами индексов (i, j), получено {value}",
        "{param} must be a dict keyed by (i, j) index pairs, got {value}",
    ),
    "plan_reach_indices": (
        "{param}: нужны индексы в [0, {hi}], получено {value}",
        "{param} must be indices in [0, {hi}], got {value}",
    ),
    "plan_reach_symmetric_pair": (
        "{param}: нужно симметричное значение (d_ij = d_ji), получено {value}",
        "{param} must be symmetric (d_ij = d_ji), got {value}",
    ),
    "plan_reach_matrix": (
        "{param}: нужна матрица {m}x{m} или словарь пар, получено {value}",
        "{param} must be a {m}x{m} matrix or a dict of pairs, got {value}",
    ),
    "plan_reach_symmetric": (
        "{param}: нужна симметричная матрица, получено {value}",
        "{param} must be a symmetric matrix, got {value}",
    ),
    "plan_reach_every_pair": (
        "{param}: нужно значение для каждой пары изданий, получено {value}",
        "{param} must be given for every pair of outlets, got {value}",
    ),
    "plan_reach_frechet": (
        "{param}: нужно значение в [{lo}, {hi}] (границы Фреше), получено {value}",
        "{param} must be in [{lo}, {hi}] (Fréchet bounds), got {value}",
    ),
    "plan_reach_positive_sum": (
        "{param}: нужна положительная сумма, получено {value}",
        "{param} must be with a positive sum, got {value}",
    ),
    "plan_reach_insertions_list": (
        "{param}: нужен список из {n} целых чисел (по одному на издание), получено {value}",
        "{param} must be a list of {n} integers (one per outlet), got {value}",
    ),
    "plan_reach_one_insertion": (
        "{param}: нужен хотя бы один выход в сумме, получено {value}",
        "{param} must be with at least one insertion in total, got {value}",
    ),
    "plan_reach_dii": (
        "{param}: нужно значение (d_ii = 2 a_i - R2_i) для издания с 2+ выходами, получено {value}",
        "{param} must be given (d_ii = 2 a_i - R2_i) for an outlet with 2+ insertions, got {value}",
    ),
    "plan_reach_dup_min": (
        "{param}: в среднем нужно >= A1^2 = {a} (не меньше случайного дублирования), получено {value}",
        "{param} must be on average >= A1^2 = {a} (no less than random duplication), got {value}",
    ),
    "plan_reach_dup_max": (
        "{param}: в среднем нужно < A1 = {a}, получено {value}",
        "{param} must be on average < A1 = {a}, got {value}",
    ),
    "plan_reach_risk": (
        "{param}: нужно значение, достаточное, чтобы достичь риска за {n} выходов, получено {value}",
        "{param} must be large enough to reach the risk within {n} insertions, got {value}",
    ),
    "plan_reach_distribution": (
        "{param}: нужен непустой список P(0), P(1), ..., P(n), получено {value}",
        "{param} must be a non-empty list P(0), P(1), ..., P(n), got {value}",
    ),
    "plan_reach_sum_one": (
        "{param}: сумма должна быть 1, получено {value}",
        "{param} must be summing to 1, got {value}",
    ),
    "plan_reach_someone_reached": (
        "{param}: нужно P(0) < 1 (хоть кто-то охвачен), получено {value}",
        "{param} must be with P(0) < 1 (someone reached), got {value}",
    ),
    # (end of refusals: planning, assistants)
    # labels: assistants answers, project plans, MCP tool descriptions
    # assistants.agents.project: the plan (tasks, RACI) as Markdown and XLSX; the other roles are `role_<role>`
    "asst_role_specialist": ("Специалист по рекламе", "Ad specialist"),
    "asst_role_creative": ("Креатив", "Creative"),
    "asst_tasks": ("Задачи", "Tasks"),
    "asst_task_line": (
        "{phase}; зависит от: {deps}; из брифа: {sources}",
        "{phase}; depends on: {deps}; from the brief: {sources}",
    ),
    "asst_raci_matrix": ("Матрица RACI", "RACI matrix"),
    "asst_raci_legend": (
        "R — исполняет, A — утверждает, C — консультирует, I — информируется",
        "R — responsible, A — accountable, C — consulted, I — informed",
    ),
    "asst_depends_on": ("Зависит от", "Depends on"),
    "asst_from_brief": ("Из брифа", "From the brief"),
    # assistants.agents.project: the template tasks (`asst_task_title_<template>`)
    "asst_task_title_brief": (
        "Уточнить бриф, цели и KPI с клиентом",
        "Clarify the brief, goals and KPIs with the client",
    ),
    "asst_task_title_kickoff": (
        "Кик-офф, команда и план-график проекта",
        "Kick-off, team and project timeline",
    ),
    "asst_task_title_strategy": (
        "Стратегия: целевая аудитория, позиционирование, сообщения",
        "Strategy: target audience, positioning, messages",
    ),
    "asst_task_title_mediaplan": (
        "Медиаплан: каналы, бюджет, охват и частота",
        "Media plan: channels, budget, reach and frequency",
    ),
    "asst_task_title_creative": ("Креативная концепция и макеты", "Creative concept and assets"),
    "asst_task_title_landing": ("Посадочные страницы и UTM-разметка", "Landing pages and UTM tagging"),
    "asst_task_title_tracking": (
        "Аналитика: цели, счётчики, дашборд KPI",
        "Analytics: goals, tags, KPI dashboard",
    ),
    "asst_task_title_launch": ("Настройка и запуск рекламных кампаний", "Set up and launch the ad campaigns"),
    "asst_task_title_approval": (
        "Согласование медиаплана и креативов с клиентом",
        "Client approval of the media plan and creatives",
    ),
    "asst_task_title_optimization": (
        "Оптимизация кампаний по KPI",
        "Optimise the campaigns against the KPIs",
    ),
    "asst_task_title_reporting": (
        "Отчётность клиенту и итоги кампании",
        "Client reporting and the campaign wrap-up",
    ),
    # assistants.agents.analyst: the offline answers ({scope}: period, platforms, VAT, comparison)
    "asst_on_day": ("за {day}", "on {day}"),
    "asst_for_period": ("за {start} — {end}", "for {start} to {end}"),
    "asst_all_platforms": ("все площадки", "all platforms"),
    "asst_compared_with_period": ("сравнение с {start} — {end}", "compared with {start} to {end}"),
    "asst_before_change": ("было {before}, {change}", "before {before}, {change}"),
    "asst_ans_no_data_got": ("Не удалось получить данные: {error}", "Could not get the data: {error}"),
    "asst_ans_no_data": ("Нет данных {scope}.", "No data {scope}."),
    "asst_ans_totals": ("Итоги {scope}: {metrics}.", "Totals {scope}: {metrics}."),
    "asst_ans_no_campaign_data": ("Нет данных по кампаниям {scope}.", "No campaign data {scope}."),
    "asst_ans_low_first": ("по возрастанию", "lowest first"),
    "asst_ans_high_first": ("по убыванию", "highest first"),
    "asst_ans_campaigns_by": (
        "Кампании по {metric} ({order}) {scope}",
        "Campaigns by {metric} ({order}) {scope}",
    ),
    "asst_ans_by_platform": ("По площадкам {scope}: {items}.", "By platform {scope}: {items}."),
    "asst_ans_daily": (
        "{metric} по дням {scope}: первый день {first}, последний {last}; максимум {high} ({high_day}), "
        "минимум {low} ({low_day}).",
        "Daily {metric} {scope}: first day {first}, last {last}; high {high} ({high_day}), low {low} ({low_day}).",
    ),
    "asst_ans_no_reach_data": ("Нет данных об охвате {scope}.", "No reach data {scope}."),
    "asst_ans_site_reach": (
        "Охват сайта {scope}: {metrics}. Уникальные посетители не суммируются по дням и кампаниям.",
        "Site reach {scope}: {metrics}. Unique visitors do not add up across days or campaigns.",
    ),
    "asst_ans_plan_head": ("Медиаплан {plan} (версия {version})", "Media plan {plan} (version {version})"),
    "asst_ans_plan_vs_fact": (
        "{head} {scope}: {total}. По строкам: {lines}.",
        "{head} {scope}: {total}. By line: {lines}.",
    ),
    "asst_ans_reach_forecast": (
        "Прогноз охвата {channel} при {grp} GRP: {reach} (модель: {model}).",
        "Forecast reach of {channel} at {grp} GRP: {reach} (model: {model}).",
    ),
    "asst_ans_grp_for_reach": (
        "Каналу {channel} нужно {grp} GRP для охвата {reach} (модель: {model}).",
        "{channel} needs {grp} GRP for {reach} reach (model: {model}).",
    ),
    # assistants.kb and the analyst's knowledge-base answers
    "asst_kb_no_answer": (
        "В базе знаний нет ответа на этот вопрос.",
        "The knowledge base has no answer to this question.",
    ),
    "asst_kb_according": ("Согласно источникам:", "According to the sources:"),
    # assistants.agents.plan_advisor: the media-plan answers (money and shares as shown, GRP to one decimal)
    "asst_ans_could_not_compute": ("Не удалось посчитать: {error}", "Could not compute: {error}"),
    "asst_ans_plan_lines": (
        "{head}: бюджет {budget}, охват 1+ {reach}.",
        "{head}: budget {budget}, reach 1+ {reach}.",
    ),
    "asst_ans_line_now": ("{budget}, GRP {grp}, охват {reach}", "{budget}, GRP {grp}, reach {reach}"),
    "asst_ans_move": ("перенос", "moving"),
    "asst_ans_add": ("добавление", "adding"),
    "asst_ans_cut": ("сокращение", "cutting"),
    "asst_ans_goal_least_budget": (
        "наименьший бюджет для охвата {reach}",
        "the least budget for {reach} reach",
    ),
    "asst_ans_goal_best_split": (
        "лучшее распределение бюджета по оптимизатору",
        "the optimizer's best split",
    ),
    "asst_ans_plan_change": (
        "охват 1+ {reach_before} → {reach_after}, бюджет {budget_before} → {budget_after}.",
        "reach 1+ {reach_before} → {reach_after}, budget {budget_before} → {budget_after}.",
    ),
    "asst_ans_line_change": (
        "{budget_before} → {budget_after}, GRP {grp_before} → {grp_after}, охват {reach_before} → {reach_after}",
        "{budget_before} → {budget_after}, GRP {grp_before} → {grp_after}, reach {reach_before} → {reach_after}",
    ),
    "asst_ans_optimizer_best": (
        "Лучшее распределение того же бюджета по оптимизатору дало бы {reach}.",
        "The optimizer's best split of the same budget would give {reach}.",
    ),
    "asst_ans_skipped_lines": (
        "Без бюджета или GRP, не пересчитаны: {lines}.",
        "No budget or GRP, left out: {lines}.",
    ),
    # assistants.agents.mediaplan: the reallocation advice
    "asst_advice_head": (
        "План {plan} (версия {version}): охват {reach_before} → {reach_after} при бюджете {budget_after} ₽ "
        "(было {budget_before} ₽). Модель: {model}.",
        "Plan {plan} (version {version}): reach {reach_before} → {reach_after} with a budget of {budget_after} RUB "
        "(was {budget_before} RUB). Model: {model}.",
    ),
    "asst_advice_line_reach": ("охват линии {before} → {after}", "line reach {before} → {after}"),
    "asst_advice_no_gain": ("Перераспределение не улучшает охват.", "No reallocation improves reach."),
    "asst_advice_extra_budget": (
        "Для цели {target} нужно ещё {amount} ₽.",
        "Reaching {target} needs another {amount} RUB.",
    ),
    "asst_advice_saving": (
        "Цель {target} достижима и с бюджетом на {amount} ₽ меньше.",
        "The {target} target is met even with {amount} RUB less.",
    ),
    # assistants.agents.chat
    "asst_ans_client_no_plan": ("У клиента нет медиаплана.", "The client has no media plan."),
    "asst_project_saved": ("Проект сохранён: {title} (id {id}).", "Project saved: {title} (id {id})."),
    # assistants.insights.narrate: the template sentences of an insight
    "asst_metric_spend": ("расход", "spend"),
    "asst_metric_cr": ("конверсия (CR)", "conversion rate"),
    "asst_ins_freshness": (
        "Проблема данных: по площадке {platform} последние данные за {day} (отставание {days} дн.). "
        "Это сбой загрузки, а не изменение показателей.",
        "Data problem: {platform} has data only up to {day} ({days} days behind). "
        "This is a pipeline issue, not a change in performance.",
    ),
    "asst_ins_volume": (
        "Проблема данных: загружено {rows} строк за {day} при обычных {usual} ({change}). "
        "Аномалии за этот день не оцениваются.",
        "Data problem: {rows} rows loaded for {day} against a usual {usual} ({change}). "
        "Anomalies for this day are not assessed.",
    ),
    "asst_ins_duplicates": (
        "Проблема данных: {keys} ключей строк повторяются (начиная с {day}); итоги могут быть завышены.",
        "Data problem: {keys} row keys are duplicated (from {day}); totals may be inflated.",
    ),
    "asst_ins_no_data": (
        "Проблема данных: нет статистики за последние {days} дней.",
        "Data problem: no statistics for the last {days} days.",
    ),
    "asst_ins_load_failed": (
        "Проблема данных: последняя загрузка {platform} завершилась ошибкой: {error}",
        "Data problem: the last load of {platform} failed: {error}",
    ),
    "asst_ins_anomaly": (
        "{name}: {metric} {value} против обычных {usual} для этого дня недели ({change}).",
        "{name}: {metric} was {value} against a usual {usual} for this weekday ({change}).",
    ),
    "asst_ins_pacing": (
        "Строка плана {line} ({channel}): прогноз расхода без НДС к {end} — {forecast} при бюджете {budget} "
        "({change}).",
        "Plan line {line} ({channel}): forecast net spend by {end} is {forecast} against a budget of {budget} "
        "({change}).",
    ),
    "asst_ins_exhaustion": (
        "При текущем темпе бюджет закончится {day}.",
        "At the current pace the budget runs out on {day}.",
    ),
    "asst_ins_top_mover": (
        "{name}: расход за {days} дней {value} против {before} неделей ранее ({change}).",
        "{name}: {days}-day spend {value} vs {before} the week before ({change}).",
    ),
    "asst_ins_provisional": (
        "Данные начиная с {day} предварительные ({platforms}) и ещё могут измениться.",
        "Data from {day} on is provisional ({platforms}) and may still change.",
    ),
    "asst_ins_no_changes": ("Существенных изменений не обнаружено.", "No material changes detected."),
    # assistants.reports: the summary without a model, the e-mail, the charts' axes
    "asst_rep_totals": (
        "За период {period} расход составил {spend} {currency}, {clicks} кликов и {conversions} конверсий.",
        "Over {period} spend was {spend} {currency}, with {clicks} clicks and {conversions} conversions.",
    ),
    "asst_rep_change_spend": (
        "К периоду {period} расход изменился на {spend}.",
        "Against {period} spend changed by {spend}.",
    ),
    "asst_rep_change_spend_conversions": (
        "К периоду {period} расход изменился на {spend}, конверсии — на {conversions}.",
        "Against {period} spend changed by {spend}, conversions by {conversions}.",
    ),
    "asst_rep_top_channel": (
        "Крупнейший канал — {channel} ({spend} {currency}).",
        "The largest channel is {channel} ({spend} {currency}).",
    ),
    "asst_rep_provisional": ("Данные за последние дни предварительные.", "The latest days are provisional."),
    "asst_thousands": ("тыс.", "k"),
    # (end of labels: assistants)
    # labels: roles, actions, plan statuses, plan exports, delivery, sandbox
    # workspace.permissions: role names (`role_<role>`; a client user's role is the shell's `client`)
    "role_admin": ("Администратор", "Administrator"),
    "role_pm": ("Руководитель проекта", "Project manager"),
    "role_account_manager": ("Аккаунт-менеджер", "Account manager"),
    "role_specialist": ("Специалист", "Specialist"),
    "role_strategist": ("Стратег", "Strategist"),
    "role_analyst": ("Аналитик", "Analyst"),
    "role_creative": ("Креативщик", "Creative"),
    # workspace.permissions: what each action of the permission matrix allows (`action_<action>`)
    "action_read": ("Смотреть дашборды доступных клиентов", "Read the dashboards of the clients in scope"),
    "action_ask": (
        "Спрашивать ассистента по базе знаний",
        "Ask the knowledge-base assistant (tenant-wide documents)",
    ),
    "action_data_health": ("Смотреть журнал загрузок и свежесть данных", "See load log and data freshness"),
    "action_generate_insights": ("Формировать инсайты", "Generate insights"),
    "action_build_report": ("Собирать отчёт клиенту", "Build a client report"),
    "action_send_report": ("Отправлять отчёт клиенту", "Send a client report by e-mail"),
    "action_analyse_plan": (
        "Загружать файл плана для предпросмотра разметки и проверок (без сохранения)",
        "Upload a plan file to preview its mapping and checks (not saved)",
    ),
    "action_import_plan": (
        "Создавать и править медиаплан (импорт)",
        "Create or edit a media plan (import a file)",
    ),
    "action_submit_plan": ("Отправлять медиаплан на согласование", "Submit a media plan for approval"),
    "action_approve_plan": (
        "Согласовывать или отклонять медиаплан",
        "Approve or reject a submitted media plan",
    ),
    "action_manage_clients": ("Добавлять, менять и архивировать клиентов", "Add, edit and archive clients"),
    "action_manage_connections": (
        "Подключать рекламные кабинеты, сохранять ключи доступа",
        "Connect ad accounts, save and rotate credentials",
    ),
    "action_manage_users": (
        "Приглашать, блокировать, возвращать пользователей; сбрасывать пароли; назначать клиентов",
        "Invite, suspend, reactivate users; reset passwords; assign clients",
    ),
    "action_view_audit": ("Читать журнал аудита", "Read the audit log"),
    "action_manage_delivery": (
        "Настраивать расписания отчётов клиентов и привязывать чаты Telegram",
        "Set client report schedules and link Telegram chats",
    ),
    "action_manage_alerts": (
        "Смотреть, подтверждать и запускать оповещения по клиентам",
        "See, acknowledge and run client alerts",
    ),
    "action_release_report": (
        "Открывать собранный отчёт пользователям клиента",
        "Release a built report to the client's users",
    ),
    "action_manage_branding": (
        "Настраивать оформление отчётов (логотип, цвета, подпись)",
        "Set the tenant's report branding (logo, colours, footer)",
    ),
    # workspace.plan_versions: a plan version's status (`plan_status_<status>`; 'submitted' is pending approval)
    "plan_status_draft": ("Черновик", "Draft"),
    "plan_status_submitted": ("На согласовании", "Pending approval"),
    "plan_status_approved": ("Согласован", "Approved"),
    "plan_status_rejected": ("Отклонён", "Rejected"),
    "plan_status_active": ("В работе", "Active"),
    "plan_status_completed": ("Завершён", "Completed"),
    # planning.export: the media-plan workbook (its other texts reuse the shell's and the plan tables' keys)
    "export_version": ("версия {version}", "version {version}"),
    "export_combined_reach": ("Совокупный охват", "Combined reach"),
    "export_budget_net": ("Бюджет без НДС", "Budget net of VAT"),
    "export_cpp": ("CPP", "CPP"),
    "export_trp": ("TRP", "TRP"),
    "export_reach_k": ("Охват {k}+", "Reach {k}+"),
    "export_note": (
        "Охват — прогноз по указанной модели; значения из плана помечены «plan».",
        "Reach is a forecast by the named model; values taken from the plan are marked 'plan'.",
    ),
    "export_col_line_id": ("№", "#"),
    "export_col_start": ("Начало", "Start"),
    "export_col_end": ("Окончание", "End"),
    "export_col_unit_price": ("Цена за ед.", "Unit price"),
    "export_col_reach": ("Охват 1+ (прогноз)", "Reach 1+ (forecast)"),
    "export_col_reach3": ("Охват 3+ (прогноз)", "Reach 3+ (forecast)"),
    "export_col_reach_model": ("Модель охвата", "Reach model"),
    "export_col_budget_gross": ("Бюджет с НДС", "Budget incl. VAT"),
    "export_col_audience": ("ЦА", "Target audience"),
    "export_col_geo": ("Гео", "Geo"),
    # delivery.dispatch: why a channel of a scheduled report was not delivered ('{channel}: …' before each)
    "dispatch_no_recipients": ("нет получателей", "no recipients"),
    "dispatch_no_linked_chat": ("нет подключённого чата", "no linked chat"),
    "dispatch_no_spreadsheet": ("не указан ID таблицы", "no spreadsheet id"),
    # delivery.sheets: a Google Sheets send that failed ({what} is the API call, {detail} the API's own answer)
    "dispatch_sheets_key_unreadable": (
        "MRM_SHEETS_SERVICE_ACCOUNT_FILE: файл ключа не читается ({error})",
        "MRM_SHEETS_SERVICE_ACCOUNT_FILE: unreadable ({error})",
    ),
    "dispatch_sheets_key_missing": (
        "MRM_SHEETS_SERVICE_ACCOUNT_FILE: в файле ключа нет полей {fields}",
        "MRM_SHEETS_SERVICE_ACCOUNT_FILE: no {fields} in the key file",
    ),
    "dispatch_sheets_token": ("Google Таблицы, получение токена: {detail}", "sheets token: {detail}"),
    "dispatch_sheets_refused": ("Google Таблицы, {what}: {detail}", "sheets {what}: {detail}"),
    "dispatch_sheets_quota": (
        "Google Таблицы, {what}: квота так и не восстановилась, попыток: {n} ({detail})",
        "sheets {what}: quota still exhausted after {n} attempts ({detail})",
    ),
    "dispatch_sheets_gave_up": (
        "Google Таблицы, {what}: не удалось, попыток: {n} ({detail})",
        "sheets {what}: gave up after {n} attempts ({detail})",
    ),
    "dispatch_tg_gave_up": (
        "Telegram, {method}: не удалось, попыток: {n} ({detail})",
        "telegram {method}: gave up after {n} attempts ({detail})",
    ),
    # mrm sandbox start: what a client of each emulator needs, printed under its URL (tokens, ids and URLs as is)
    "sandbox_direct_logins": (
        "Client-Login (клиенты агентства) для проверки: {ids}",
        "Client-Login (agency client) to try: {ids}",
    ),
    "sandbox_metrika_counters": ("счётчики для проверки: {ids}", "counter ids to try: {ids}"),
    "sandbox_yandex_client": (
        "client_id={client_id} client_secret={secret} (один токен подходит и для Директа, и для Метрики)",
        "client_id={client_id} client_secret={secret} (one token serves Direct and Metrika)",
    ),
    "sandbox_vk_grant": (
        "grant_type=client_credentials или agency_client_credentials, где agency_client_name — один из: {ids}",
        "grant_type=client_credentials, or agency_client_credentials with agency_client_name = one of: {ids}",
    ),
    "sandbox_garpun_key": (
        "POST {url}/v1/sandbox/service-accounts выдаёт ключ сервисного аккаунта (JSON); подпишите им JWT",
        "POST {url}/v1/sandbox/service-accounts issues a service-account key (JSON); sign a JWT with it",
    ),
    "sandbox_garpun_token": (
        "и отправьте его POST-запросом на {url}/oauth2/token (grant_type=urn:ietf:params:oauth:grant-type:jwt-bearer); "
        "аккаунты: {ids}",
        "and POST it to {url}/oauth2/token (grant_type=urn:ietf:params:oauth:grant-type:jwt-bearer); "
        "accounts: {ids}",
    ),
    "sandbox_tg_bot": (
        "токен бота {token}: {url}/bot{token}/getMe",
        "bot token {token}: {url}/bot{token}/getMe",
    ),
    "sandbox_tg_chat": (
        'пользователь начинает чат: POST {url}/_user/<chat_id>/message {{"text": "/start"}}',
        'a user starts a chat with POST {url}/_user/<chat_id>/message {{"text": "/start"}}',
    ),
    "sandbox_sheets_key": (
        "файл ключа сервисного аккаунта: GET {url}/_sandbox/service_account.json (сохраните его; укажите путь к "
        "нему в MRM_SHEETS_SERVICE_ACCOUNT_FILE, а этот URL — в MRM_SHEETS_API_URL)",
        "service-account key file: GET {url}/_sandbox/service_account.json (save it; set "
        "MRM_SHEETS_SERVICE_ACCOUNT_FILE to its path and MRM_SHEETS_API_URL to this URL)",
    ),
    "sandbox_sheets_spreadsheet": (
        'таблица клиента: POST {url}/_sandbox/spreadsheets {{"title": ...}} (доступ открыт для {email})',
        'a client\'s spreadsheet: POST {url}/_sandbox/spreadsheets {{"title": ...}} (shared with {email})',
    ),
    "sandbox_pinecone_key": (
        "Api-Key: {key}; база знаний: PINECONE_API_KEY={key} MRM_PINECONE_HOST={url}",
        "Api-Key: {key}; the knowledge base: PINECONE_API_KEY={key} MRM_PINECONE_HOST={url}",
    ),
    "sandbox_pinecone_indexes": (
        "индексы: {url}/indexes; data plane каждого индекса — на хосте из его описания",
        "indexes at {url}/indexes; each index's data plane is at the host its description names",
    ),
    "sandbox_cbr": (
        "без учётных данных (курсы публичные): GET {url}/scripts/XML_daily.asp?date_req=DD/MM/YYYY",
        "no credentials (public rates): GET {url}/scripts/XML_daily.asp?date_req=DD/MM/YYYY",
    ),
    "sandbox_google_client": (
        "client_id={client_id} client_secret={secret} (один токен подходит и для Google Ads, и для GA4)",
        "client_id={client_id} client_secret={secret} (one token serves Google Ads and GA4)",
    ),
    "sandbox_google_ads_token": (
        "Authorization: Bearer <токен google_oauth>; developer-token: {token}",
        "Authorization: Bearer <google_oauth token>; developer-token: {token}",
    ),
    "sandbox_google_ads_customers": (
        "login-customer-id: {manager}; аккаунты клиентов: {ids}",
        "login-customer-id: {manager}; customers: {ids}",
    ),
    "sandbox_ga4": (
        "Authorization: Bearer <токен google_oauth>; ресурсы: {ids}",
        "Authorization: Bearer <google_oauth token>; properties: {ids}",
    ),
    "sandbox_undescribed": (
        "(учётные данные этого эмулятора ещё не описаны: см. его модуль в ingestion/sandbox)",
        "(credentials of this emulator are not described yet: see its module in ingestion/sandbox)",
    ),
    # (end of labels: workspace, planning, delivery)
}

# Keys whose label reads the same as another key's (a report column, a form field, an export header): the text is
# stated once, under the key on the right; code may look up either (pages and reports build some keys from names).
ALIASES: dict[str, str] = {
    "ad_name": "ad",
    "ad_group_id": "ad_group_name",
    "pe_version": "version",
    "pe_total_impressions": "impressions",
    "pe_total_grp": "grp",
    "pe_link_campaign": "campaign",
    "pe_f_channel": "channel",
    "cl_status": "status",
    "cl_pick": "client",
    "us_login": "login",
    "us_role": "member_role",
    "us_status": "status",
    "us_active": "cl_active",
    "cn_platform": "platform",
    "dl_channels": "page_channels",
    "dl_language": "language",
    "dl_client_id": "client",
    "dl_pick": "dl_schedule_id",
    "dl_tg_status": "status",
    "al_rule_pacing": "pacing",
    "al_pick": "al_message",
    "dl_ch_channel": "channel",
    "dl_ch_status": "al_state",
    "dl_ch_broken": "dl_tg_broken",
    "dl_ch_reason": "dl_tg_reason",
    "inv_state": "al_state",
    "pr_new_password": "us_new_password",
    "rep_period": "period",
    "rep_client": "client",
    "rep_campaigns": "page_campaigns",
    "rep_channels": "page_channels",
    "rep_reach": "reach",
    "rep_insights": "page_insights",
    "rep_metric": "metric",
    "rep_value": "cn_secret",
    "rep_impressions": "impressions",
    "rep_clicks": "clicks",
    "rep_conversions": "conversions",
    "rep_ctr": "ctr",
    "rep_cpc": "cpc",
    "rep_cpa": "cpa",
    "rep_cr": "cr",
    "rep_platform": "pe_f_platform",
    "rep_campaign": "campaign",
    "rep_campaign_id": "campaign_id",
    "rep_channel": "channel",
    "rep_plan_id": "pe_plan",
    "rep_line_name": "pe_f_placement",
    "rep_budget_net": "pe_total_budget",
    "rep_pacing_status": "status",
    "rep_reach_v": "reach",
    "rep_contacts": "contacts",
    "rep_avg_frequency": "frequency",
    "rep_daily_spend": "daily_spend",
    "rep_currency": "cl_currency",
    "rep_is_provisional": "is_provisional",
    "rep_daily": "grain_day",
    "rep_date": "date_day",
    "col_line_id": "rep_line_id",
    "col_flight_end": "rep_flight_end",
    "col_placement": "pe_f_placement",
    "col_target_audience": "pe_f_target_audience",
    "col_pricing_model": "pe_f_pricing_model",
    "col_budget_net": "pe_total_budget",
    "col_frequency_target": "pe_f_frequency_target",
    "col_grp": "grp",
    "col_plan_version": "version",
    "col_login": "us_pick",
    "col_at": "dl_when",
    "col_change": "rep_change",
    "col_role": "member_role",
    "col_kind": "rep_type",
    "col_plan_id": "pe_plan",
    "col_name": "cl_name",
    "col_lines": "col_line_count",
    "col_total_budget_net": "pe_total_budget",
    "col_severity": "rep_severity",
    "col_reason": "dl_tg_reason",
    "col_value": "cn_secret",
    "col_budget_gross": "col_total_budget_gross",
    "col_currency": "cl_currency",
    "col_comment": "col_note",
    "cli_state_active": "cl_active",
    "cli_state_archived": "cl_archived",
    "cli_users_new_password": "us_new_password",
    "cli_users_password": "password",
    "cli_state_revoked": "cn_grant_revoked",
}
TEXT.update({alias: TEXT[source] for alias, source in ALIASES.items()})


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


def both(key: str, /, **values: Any) -> tuple[str, str]:
    """The text for `key` in Russian and in English, in that order: for a message stored or sent in both."""
    return t(key, "ru", **values), t(key, "en", **values)


def bilingual(key: str, /, **values: Any) -> str:
    """'Russian / English' in one line, for a reader whose language is unknown (a chat, a mailbox's subject)."""
    return " / ".join(both(key, **values))


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
