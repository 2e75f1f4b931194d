-- The authentication audit trail: registrations, logins (with why they failed), logouts and
-- password changes. Never a password, a hash or a whole token.
CREATE TABLE auth_events (
  id          uuid        PRIMARY KEY DEFAULT gen_random_uuid(),
  -- NULL for attempts on an email that has no account; kept (as NULL) when a student is deleted.
  student_id  uuid        REFERENCES students (id) ON DELETE SET NULL,
  kind        text        NOT NULL
                          CONSTRAINT auth_events_kind CHECK (kind IN ('register', 'login', 'logout', 'password_change')),
  succeeded   boolean     NOT NULL,
  reason      text        CONSTRAINT auth_events_reason CHECK (reason IN ('unknown_email', 'wrong_password', 'rate_limited', 'duplicate_email')),
  email       text        CONSTRAINT auth_events_email_length CHECK (char_length(email) <= 254),
  client_ip   inet,
  user_agent  text        CONSTRAINT auth_events_user_agent_length CHECK (char_length(user_agent) <= 512),
  request_id  text        CONSTRAINT auth_events_request_id_length CHECK (char_length(request_id) <= 128),
  created_at  timestamptz NOT NULL DEFAULT now(),
  CONSTRAINT auth_events_reason_on_failure CHECK (succeeded = (reason IS NULL))
);

CREATE INDEX auth_events_student_recent ON auth_events (student_id, created_at DESC, id DESC);

ALTER TABLE auth_events ENABLE ROW LEVEL SECURITY;
ALTER TABLE auth_events FORCE ROW LEVEL SECURITY;

CREATE POLICY auth_events_select ON auth_events FOR SELECT TO examiner_student
  USING (student_id = (SELECT app.current_student_id()));
CREATE POLICY auth_events_insert ON auth_events FOR INSERT TO examiner_student
  WITH CHECK (student_id = (SELECT app.current_student_id()));
CREATE POLICY auth_events_update ON auth_events FOR UPDATE TO examiner_student
  USING (student_id = (SELECT app.current_student_id()))
  WITH CHECK (student_id = (SELECT app.current_student_id()));
CREATE POLICY auth_events_delete ON auth_events FOR DELETE TO examiner_student
  USING (student_id = (SELECT app.current_student_id()));

-- The trail is append-only for students: they read their own and add logouts and password
-- changes; no UPDATE or DELETE grant, whatever the policies would allow.
GRANT SELECT, INSERT ON auth_events TO examiner_student;

-- Registration and login events are written before anyone is authenticated.
CREATE POLICY auth_events_auth_insert ON auth_events FOR INSERT TO examiner_auth
  WITH CHECK (current_user = 'examiner_auth');
GRANT INSERT ON auth_events TO examiner_auth;

---- create above / drop below ----

DROP TABLE auth_events;
