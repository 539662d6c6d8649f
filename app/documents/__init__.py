"""文书: the case's printed papers (受理回执, 人民调解协议书, 督办通知书, 一案一档) as PDF."""
