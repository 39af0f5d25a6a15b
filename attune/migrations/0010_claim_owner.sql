-- Which process claimed a delivery (Database.owner, random per process start), so a process starting
-- beside live ones resumes only the claims of processes that are gone (PostgreSQL: an advisory lock
-- each process holds while it lives), never a delivery another process is still making.
ALTER TABLE deliveries ADD COLUMN claimed_by BIGINT;
