-- Failed password changes join the audit trail: a wrong current password, or an attempt refused
-- by the rate limit. They are written by the student's own transaction (the insert policy of
-- migration 003 already lets a student add events filed under their own account), with the
-- reasons wrong_password and rate_limited that sign-ins already use.
ALTER TABLE auth_events DROP CONSTRAINT auth_events_kind;
ALTER TABLE auth_events ADD CONSTRAINT auth_events_kind
  CHECK (kind IN ('register', 'login', 'logout', 'password_change', 'password_change_failed'));

---- create above / drop below ----

-- The trail is append-only and the events already written stay: NOT VALID checks only new rows.
ALTER TABLE auth_events DROP CONSTRAINT auth_events_kind;
ALTER TABLE auth_events ADD CONSTRAINT auth_events_kind
  CHECK (kind IN ('register', 'login', 'logout', 'password_change')) NOT VALID;
