-- A member's DM reminder is scheduled under a keyed hash of their user id (never the raw id, in the
-- ledger or the due-time table). The key is stored with the reminder so a due key finds its member;
-- reminders saved before this migration get theirs at the next start (CheckinService.fill_reminder_keys).
ALTER TABLE checkin_reminders ADD COLUMN schedule_key TEXT;
CREATE UNIQUE INDEX checkin_reminders_schedule_key ON checkin_reminders (schedule_key);
