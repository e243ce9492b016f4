"""Report delivery and alerts: per-client schedules, e-mail, Telegram, Google Sheets, alert rules."""
