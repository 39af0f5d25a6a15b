"""What the scheduler delivers for check-ins: the daily thread and personal reminders."""
