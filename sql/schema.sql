-- examiner's current schema: what pg_dump --schema-only prints for a database after every
-- migration in migrations/ has run, so a table, its policies, grants and functions read in one
-- place. Do not edit it: change the schema with a new migration, then run make schema, which
-- rewrites this file; a test fails while it is stale.
--
-- Roles are cluster-wide, so pg_dump leaves them out; migrations/001_roles_and_app_schema.sql
-- creates them, all NOLOGIN, and grants them to the role that runs the migrations:
--   examiner_student  every request on behalf of a student runs as it, under row-level security;
--   examiner_anon     the unauthenticated requests (register, login): no table, only functions;
--   examiner_auth     owns the SECURITY DEFINER functions of those paths.
-- "postgres" below is the role that ran the migrations: in production, the application's login
-- user, which owns the tables.

--
-- PostgreSQL database dump
--

-- Dumped from database version 15
-- Dumped by pg_dump version 15

SET statement_timeout = 0;
SET lock_timeout = 0;
SET idle_in_transaction_session_timeout = 0;
SET client_encoding = 'UTF8';
SET standard_conforming_strings = on;
SELECT pg_catalog.set_config('search_path', '', false);
SET check_function_bodies = false;
SET xmloption = content;
SET client_min_messages = warning;
SET row_security = off;

--
-- Name: app; Type: SCHEMA; Schema: -; Owner: postgres
--

CREATE SCHEMA app;


ALTER SCHEMA app OWNER TO postgres;

--
-- Name: change_password(text, text); Type: FUNCTION; Schema: app; Owner: examiner_auth
--

CREATE FUNCTION app.change_password(p_old_hash text, p_new_hash text) RETURNS bigint
    LANGUAGE sql SECURITY DEFINER
    SET search_path TO 'pg_catalog', 'pg_temp'
    AS $$
  UPDATE public.students AS s
  SET password_hash = p_new_hash, token_generation = s.token_generation + 1, updated_at = now()
  WHERE s.id = app.current_student_id() AND s.password_hash = p_old_hash
  RETURNING s.token_generation
$$;


ALTER FUNCTION app.change_password(p_old_hash text, p_new_hash text) OWNER TO examiner_auth;

--
-- Name: check_token(uuid, bigint); Type: FUNCTION; Schema: app; Owner: examiner_auth
--

CREATE FUNCTION app.check_token(p_student_id uuid, p_generation bigint) RETURNS boolean
    LANGUAGE plpgsql STABLE SECURITY DEFINER
    SET search_path TO 'pg_catalog', 'pg_temp'
    AS $$
DECLARE
  current_generation bigint;
BEGIN
  SELECT s.token_generation INTO current_generation FROM public.students AS s WHERE s.id = p_student_id;
  IF current_generation IS NULL OR p_generation IS NULL OR current_generation <> p_generation THEN
    RAISE EXCEPTION 'token revoked' USING ERRCODE = 'EXA01';
  END IF;
  RETURN true;
END
$$;


ALTER FUNCTION app.check_token(p_student_id uuid, p_generation bigint) OWNER TO examiner_auth;

--
-- Name: complete_login(uuid, text, text, text, inet, text, text); Type: FUNCTION; Schema: app; Owner: examiner_auth
--

CREATE FUNCTION app.complete_login(p_student_id uuid, p_verified_hash text, p_new_hash text, p_email text, p_client_ip inet, p_user_agent text, p_request_id text) RETURNS bigint
    LANGUAGE sql SECURITY DEFINER
    SET search_path TO 'pg_catalog', 'pg_temp'
    AS $$
  WITH student AS (
    SELECT s.id, s.token_generation
    FROM public.students AS s
    WHERE s.id = p_student_id AND s.password_hash = p_verified_hash
    FOR UPDATE
  ), upgraded AS (
    UPDATE public.students AS s
    SET password_hash = p_new_hash
    FROM student
    WHERE s.id = student.id AND p_new_hash IS NOT NULL
  ), event AS (
    INSERT INTO public.auth_events (student_id, kind, succeeded, email, client_ip, user_agent, request_id)
    SELECT student.id, 'login', true, p_email, p_client_ip, p_user_agent, p_request_id
    FROM student
  )
  SELECT student.token_generation FROM student
$$;


ALTER FUNCTION app.complete_login(p_student_id uuid, p_verified_hash text, p_new_hash text, p_email text, p_client_ip inet, p_user_agent text, p_request_id text) OWNER TO examiner_auth;

--
-- Name: create_owner_policies(regclass, name); Type: PROCEDURE; Schema: app; Owner: postgres
--

CREATE PROCEDURE app.create_owner_policies(IN p_table regclass, IN p_owner_column name)
    LANGUAGE plpgsql
    SET search_path TO 'pg_catalog', 'pg_temp'
    AS $$
DECLARE
  base name := (SELECT c.relname FROM pg_catalog.pg_class c WHERE c.oid = p_table);
  own  text := format('%I = (SELECT app.current_student_id())', p_owner_column);
BEGIN
  EXECUTE format('CREATE POLICY %I ON %s FOR SELECT TO examiner_student USING (%s)',
                 base || '_select', p_table, own);
  EXECUTE format('CREATE POLICY %I ON %s FOR INSERT TO examiner_student WITH CHECK (%s)',
                 base || '_insert', p_table, own);
  EXECUTE format('CREATE POLICY %I ON %s FOR UPDATE TO examiner_student USING (%s) WITH CHECK (%s)',
                 base || '_update', p_table, own, own);
  EXECUTE format('CREATE POLICY %I ON %s FOR DELETE TO examiner_student USING (%s)',
                 base || '_delete', p_table, own);
END
$$;


ALTER PROCEDURE app.create_owner_policies(IN p_table regclass, IN p_owner_column name) OWNER TO postgres;

--
-- Name: current_password_hash(); Type: FUNCTION; Schema: app; Owner: examiner_auth
--

CREATE FUNCTION app.current_password_hash() RETURNS text
    LANGUAGE sql STABLE SECURITY DEFINER
    SET search_path TO 'pg_catalog', 'pg_temp'
    AS $$
  SELECT s.password_hash FROM public.students AS s WHERE s.id = app.current_student_id()
$$;


ALTER FUNCTION app.current_password_hash() OWNER TO examiner_auth;

--
-- Name: current_student_id(); Type: FUNCTION; Schema: app; Owner: postgres
--

CREATE FUNCTION app.current_student_id() RETURNS uuid
    LANGUAGE sql STABLE PARALLEL SAFE
    AS $_$
  SELECT CASE
    WHEN setting ~ '^[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}$'
    THEN setting::uuid
  END
  FROM (SELECT pg_catalog.current_setting('app.student_id', true) AS setting) AS s
$_$;


ALTER FUNCTION app.current_student_id() OWNER TO postgres;

--
-- Name: login_lookup(text); Type: FUNCTION; Schema: app; Owner: examiner_auth
--

CREATE FUNCTION app.login_lookup(p_email_key text) RETURNS TABLE(id uuid, password_hash text)
    LANGUAGE sql STABLE SECURITY DEFINER
    SET search_path TO 'pg_catalog', 'pg_temp'
    AS $$
  SELECT s.id, s.password_hash
  FROM public.students AS s
  WHERE s.email_key = p_email_key
$$;


ALTER FUNCTION app.login_lookup(p_email_key text) OWNER TO examiner_auth;

--
-- Name: record_auth_failure(text, text, text, text, inet, text, text); Type: FUNCTION; Schema: app; Owner: examiner_auth
--

CREATE FUNCTION app.record_auth_failure(p_kind text, p_email text, p_email_key text, p_reason text, p_client_ip inet, p_user_agent text, p_request_id text) RETURNS void
    LANGUAGE sql SECURITY DEFINER
    SET search_path TO 'pg_catalog', 'pg_temp'
    AS $$
  INSERT INTO public.auth_events (student_id, kind, succeeded, reason, email, client_ip, user_agent, request_id)
  SELECT (SELECT s.id FROM public.students AS s WHERE s.email_key = p_email_key),
         p_kind, false, p_reason, p_email, p_client_ip, p_user_agent, p_request_id
  WHERE p_kind IN ('register', 'login')
$$;


ALTER FUNCTION app.record_auth_failure(p_kind text, p_email text, p_email_key text, p_reason text, p_client_ip inet, p_user_agent text, p_request_id text) OWNER TO examiner_auth;

--
-- Name: register_student(text, text, text, text, inet, text, text); Type: FUNCTION; Schema: app; Owner: examiner_auth
--

CREATE FUNCTION app.register_student(p_email text, p_email_key text, p_password_hash text, p_full_name text, p_client_ip inet, p_user_agent text, p_request_id text) RETURNS TABLE(id uuid, email text, full_name text, target_grades jsonb, created_at timestamp with time zone, updated_at timestamp with time zone)
    LANGUAGE sql SECURITY DEFINER
    SET search_path TO 'pg_catalog', 'pg_temp'
    AS $$
  WITH student AS (
    INSERT INTO public.students (email, email_key, password_hash, full_name)
    VALUES (p_email, p_email_key, p_password_hash, p_full_name)
    RETURNING students.id, students.email, students.full_name, students.target_grades,
              students.created_at, students.updated_at
  ), event AS (
    INSERT INTO public.auth_events (student_id, kind, succeeded, email, client_ip, user_agent, request_id)
    SELECT student.id, 'register', true, student.email, p_client_ip, p_user_agent, p_request_id
    FROM student
  )
  SELECT student.id, student.email, student.full_name, student.target_grades, student.created_at, student.updated_at
  FROM student
$$;


ALTER FUNCTION app.register_student(p_email text, p_email_key text, p_password_hash text, p_full_name text, p_client_ip inet, p_user_agent text, p_request_id text) OWNER TO examiner_auth;

--
-- Name: revoke_tokens(); Type: FUNCTION; Schema: app; Owner: examiner_auth
--

CREATE FUNCTION app.revoke_tokens() RETURNS bigint
    LANGUAGE sql SECURITY DEFINER
    SET search_path TO 'pg_catalog', 'pg_temp'
    AS $$
  UPDATE public.students AS s
  SET token_generation = s.token_generation + 1
  WHERE s.id = app.current_student_id()
  RETURNING s.token_generation
$$;


ALTER FUNCTION app.revoke_tokens() OWNER TO examiner_auth;

--
-- Name: valid_target_grades(jsonb); Type: FUNCTION; Schema: app; Owner: postgres
--

CREATE FUNCTION app.valid_target_grades(grades jsonb) RETURNS boolean
    LANGUAGE sql IMMUTABLE PARALLEL SAFE
    AS $_$
  SELECT pg_catalog.jsonb_typeof(grades) = 'object'
     AND NOT EXISTS (
       SELECT 1
       FROM pg_catalog.jsonb_each(grades) AS g(code, grade)
       WHERE g.code !~ '^[0-9A-Za-z]{1,16}$'
          OR g.grade NOT IN ('"A*"', '"A"', '"B"', '"C"', '"D"', '"E"', '"U"')
     )
$_$;


ALTER FUNCTION app.valid_target_grades(grades jsonb) OWNER TO postgres;

SET default_tablespace = '';

SET default_table_access_method = heap;

--
-- Name: auth_events; Type: TABLE; Schema: public; Owner: postgres
--

CREATE TABLE public.auth_events (
    id uuid DEFAULT gen_random_uuid() NOT NULL,
    student_id uuid,
    kind text NOT NULL,
    succeeded boolean NOT NULL,
    reason text,
    email text,
    client_ip inet,
    user_agent text,
    request_id text,
    created_at timestamp with time zone DEFAULT now() NOT NULL,
    CONSTRAINT auth_events_email_length CHECK ((char_length(email) <= 254)),
    CONSTRAINT auth_events_kind CHECK ((kind = ANY (ARRAY['register'::text, 'login'::text, 'logout'::text, 'password_change'::text, 'password_change_failed'::text]))),
    CONSTRAINT auth_events_reason CHECK ((reason = ANY (ARRAY['unknown_email'::text, 'wrong_password'::text, 'rate_limited'::text, 'duplicate_email'::text]))),
    CONSTRAINT auth_events_reason_on_failure CHECK ((succeeded = (reason IS NULL))),
    CONSTRAINT auth_events_request_id_length CHECK ((char_length(request_id) <= 128)),
    CONSTRAINT auth_events_user_agent_length CHECK ((char_length(user_agent) <= 512))
);

ALTER TABLE ONLY public.auth_events FORCE ROW LEVEL SECURITY;


ALTER TABLE public.auth_events OWNER TO postgres;

--
-- Name: exams; Type: TABLE; Schema: public; Owner: postgres
--

CREATE TABLE public.exams (
    id uuid DEFAULT gen_random_uuid() NOT NULL,
    student_id uuid NOT NULL,
    subject_id uuid NOT NULL,
    exam_type text NOT NULL,
    status text DEFAULT 'PENDING'::text NOT NULL,
    paper_number smallint,
    duration_minutes integer,
    total_marks integer,
    created_at timestamp with time zone DEFAULT now() NOT NULL,
    updated_at timestamp with time zone DEFAULT now() NOT NULL,
    started_at timestamp with time zone,
    completed_at timestamp with time zone,
    CONSTRAINT exams_completed_when_completed CHECK (((status = 'COMPLETED'::text) = (completed_at IS NOT NULL))),
    CONSTRAINT exams_duration_range CHECK (((duration_minutes >= 1) AND (duration_minutes <= 600))),
    CONSTRAINT exams_exam_type CHECK ((exam_type = ANY (ARRAY['PRACTICE'::text, 'TIMED'::text, 'FULL_PAPER'::text]))),
    CONSTRAINT exams_paper_number_range CHECK (((paper_number >= 1) AND (paper_number <= 9))),
    CONSTRAINT exams_started_when_not_pending CHECK (((status = 'PENDING'::text) = (started_at IS NULL))),
    CONSTRAINT exams_status CHECK ((status = ANY (ARRAY['PENDING'::text, 'IN_PROGRESS'::text, 'COMPLETED'::text]))),
    CONSTRAINT exams_total_marks_range CHECK (((total_marks >= 1) AND (total_marks <= 1000)))
);

ALTER TABLE ONLY public.exams FORCE ROW LEVEL SECURITY;


ALTER TABLE public.exams OWNER TO postgres;

--
-- Name: papers; Type: TABLE; Schema: public; Owner: postgres
--

CREATE TABLE public.papers (
    id uuid DEFAULT gen_random_uuid() NOT NULL,
    subject_id uuid NOT NULL,
    number smallint NOT NULL,
    name text NOT NULL,
    level text NOT NULL,
    duration_minutes integer NOT NULL,
    total_marks integer NOT NULL,
    CONSTRAINT papers_duration_range CHECK (((duration_minutes >= 1) AND (duration_minutes <= 600))),
    CONSTRAINT papers_name_length CHECK (((char_length(name) >= 1) AND (char_length(name) <= 200))),
    CONSTRAINT papers_number_range CHECK (((number >= 1) AND (number <= 9))),
    CONSTRAINT papers_total_marks_range CHECK (((total_marks >= 1) AND (total_marks <= 1000)))
);


ALTER TABLE public.papers OWNER TO postgres;

--
-- Name: schema_version; Type: TABLE; Schema: public; Owner: postgres
--

CREATE TABLE public.schema_version (
    version integer NOT NULL
);


ALTER TABLE public.schema_version OWNER TO postgres;

--
-- Name: students; Type: TABLE; Schema: public; Owner: postgres
--

CREATE TABLE public.students (
    id uuid DEFAULT gen_random_uuid() NOT NULL,
    email text NOT NULL,
    email_key text NOT NULL,
    password_hash text NOT NULL,
    full_name text NOT NULL,
    target_grades jsonb DEFAULT '{}'::jsonb NOT NULL,
    created_at timestamp with time zone DEFAULT now() NOT NULL,
    updated_at timestamp with time zone DEFAULT now() NOT NULL,
    token_generation bigint DEFAULT 0 NOT NULL,
    CONSTRAINT students_email_key_shape CHECK (((char_length(email_key) >= 3) AND (char_length(email_key) <= 1024))),
    CONSTRAINT students_email_shape CHECK ((((char_length(email) >= 3) AND (char_length(email) <= 254)) AND (email ~~ '%_@_%'::text))),
    CONSTRAINT students_full_name_length CHECK (((char_length(full_name) >= 1) AND (char_length(full_name) <= 100))),
    CONSTRAINT students_target_grades_valid CHECK (app.valid_target_grades(target_grades)),
    CONSTRAINT students_token_generation_not_negative CHECK ((token_generation >= 0))
);

ALTER TABLE ONLY public.students FORCE ROW LEVEL SECURITY;


ALTER TABLE public.students OWNER TO postgres;

--
-- Name: subjects; Type: TABLE; Schema: public; Owner: postgres
--

CREATE TABLE public.subjects (
    id uuid DEFAULT gen_random_uuid() NOT NULL,
    code text NOT NULL,
    name text NOT NULL,
    level text NOT NULL,
    exam_board text NOT NULL,
    syllabus_year text NOT NULL,
    created_at timestamp with time zone DEFAULT now() NOT NULL,
    CONSTRAINT subjects_code_shape CHECK ((code ~ '^[0-9A-Za-z]{1,16}$'::text)),
    CONSTRAINT subjects_name_length CHECK (((char_length(name) >= 1) AND (char_length(name) <= 200)))
);


ALTER TABLE public.subjects OWNER TO postgres;

--
-- Name: syllabus_points; Type: TABLE; Schema: public; Owner: postgres
--

CREATE TABLE public.syllabus_points (
    id uuid DEFAULT gen_random_uuid() NOT NULL,
    subject_id uuid NOT NULL,
    code text NOT NULL,
    description text NOT NULL,
    topics text[] DEFAULT '{}'::text[] NOT NULL,
    learning_outcomes text[] DEFAULT '{}'::text[] NOT NULL,
    code_path integer[] GENERATED ALWAYS AS ((string_to_array("substring"(code, '^[^.]*\.(.*)$'::text), '.'::text))::integer[]) STORED NOT NULL,
    CONSTRAINT syllabus_points_code_shape CHECK ((code ~ '^[0-9A-Za-z]{1,16}(\.(0|[1-9][0-9]{0,3})){1,4}$'::text))
);


ALTER TABLE public.syllabus_points OWNER TO postgres;

--
-- Name: auth_events auth_events_pkey; Type: CONSTRAINT; Schema: public; Owner: postgres
--

ALTER TABLE ONLY public.auth_events
    ADD CONSTRAINT auth_events_pkey PRIMARY KEY (id);


--
-- Name: exams exams_completed_after_started; Type: CHECK CONSTRAINT; Schema: public; Owner: postgres
--

ALTER TABLE public.exams
    ADD CONSTRAINT exams_completed_after_started CHECK ((completed_at >= started_at)) NOT VALID;


--
-- Name: exams exams_pkey; Type: CONSTRAINT; Schema: public; Owner: postgres
--

ALTER TABLE ONLY public.exams
    ADD CONSTRAINT exams_pkey PRIMARY KEY (id);


--
-- Name: papers papers_pkey; Type: CONSTRAINT; Schema: public; Owner: postgres
--

ALTER TABLE ONLY public.papers
    ADD CONSTRAINT papers_pkey PRIMARY KEY (id);


--
-- Name: papers papers_subject_number_key; Type: CONSTRAINT; Schema: public; Owner: postgres
--

ALTER TABLE ONLY public.papers
    ADD CONSTRAINT papers_subject_number_key UNIQUE (subject_id, number);


--
-- Name: students students_pkey; Type: CONSTRAINT; Schema: public; Owner: postgres
--

ALTER TABLE ONLY public.students
    ADD CONSTRAINT students_pkey PRIMARY KEY (id);


--
-- Name: subjects subjects_code_key; Type: CONSTRAINT; Schema: public; Owner: postgres
--

ALTER TABLE ONLY public.subjects
    ADD CONSTRAINT subjects_code_key UNIQUE (code);


--
-- Name: subjects subjects_pkey; Type: CONSTRAINT; Schema: public; Owner: postgres
--

ALTER TABLE ONLY public.subjects
    ADD CONSTRAINT subjects_pkey PRIMARY KEY (id);


--
-- Name: syllabus_points syllabus_points_pkey; Type: CONSTRAINT; Schema: public; Owner: postgres
--

ALTER TABLE ONLY public.syllabus_points
    ADD CONSTRAINT syllabus_points_pkey PRIMARY KEY (id);


--
-- Name: syllabus_points syllabus_points_subject_code_key; Type: CONSTRAINT; Schema: public; Owner: postgres
--

ALTER TABLE ONLY public.syllabus_points
    ADD CONSTRAINT syllabus_points_subject_code_key UNIQUE (subject_id, code);


--
-- Name: auth_events_student_recent; Type: INDEX; Schema: public; Owner: postgres
--

CREATE INDEX auth_events_student_recent ON public.auth_events USING btree (student_id, created_at DESC, id DESC);


--
-- Name: exams_student_recent; Type: INDEX; Schema: public; Owner: postgres
--

CREATE INDEX exams_student_recent ON public.exams USING btree (student_id, created_at DESC, id DESC);


--
-- Name: exams_subject_paper; Type: INDEX; Schema: public; Owner: postgres
--

CREATE INDEX exams_subject_paper ON public.exams USING btree (subject_id, paper_number) WHERE (paper_number IS NOT NULL);


--
-- Name: students_email_key; Type: INDEX; Schema: public; Owner: postgres
--

CREATE UNIQUE INDEX students_email_key ON public.students USING btree (email_key);


--
-- Name: syllabus_points_subject_order; Type: INDEX; Schema: public; Owner: postgres
--

CREATE INDEX syllabus_points_subject_order ON public.syllabus_points USING btree (subject_id, code_path);


--
-- Name: auth_events auth_events_student_id_fkey; Type: FK CONSTRAINT; Schema: public; Owner: postgres
--

ALTER TABLE ONLY public.auth_events
    ADD CONSTRAINT auth_events_student_id_fkey FOREIGN KEY (student_id) REFERENCES public.students(id) ON DELETE SET NULL;


--
-- Name: exams exams_paper_fkey; Type: FK CONSTRAINT; Schema: public; Owner: postgres
--

ALTER TABLE ONLY public.exams
    ADD CONSTRAINT exams_paper_fkey FOREIGN KEY (subject_id, paper_number) REFERENCES public.papers(subject_id, number) NOT VALID;


--
-- Name: exams exams_student_id_fkey; Type: FK CONSTRAINT; Schema: public; Owner: postgres
--

ALTER TABLE ONLY public.exams
    ADD CONSTRAINT exams_student_id_fkey FOREIGN KEY (student_id) REFERENCES public.students(id) ON DELETE CASCADE;


--
-- Name: exams exams_subject_id_fkey; Type: FK CONSTRAINT; Schema: public; Owner: postgres
--

ALTER TABLE ONLY public.exams
    ADD CONSTRAINT exams_subject_id_fkey FOREIGN KEY (subject_id) REFERENCES public.subjects(id);


--
-- Name: papers papers_subject_id_fkey; Type: FK CONSTRAINT; Schema: public; Owner: postgres
--

ALTER TABLE ONLY public.papers
    ADD CONSTRAINT papers_subject_id_fkey FOREIGN KEY (subject_id) REFERENCES public.subjects(id) ON DELETE CASCADE;


--
-- Name: syllabus_points syllabus_points_subject_id_fkey; Type: FK CONSTRAINT; Schema: public; Owner: postgres
--

ALTER TABLE ONLY public.syllabus_points
    ADD CONSTRAINT syllabus_points_subject_id_fkey FOREIGN KEY (subject_id) REFERENCES public.subjects(id) ON DELETE CASCADE;


--
-- Name: auth_events; Type: ROW SECURITY; Schema: public; Owner: postgres
--

ALTER TABLE public.auth_events ENABLE ROW LEVEL SECURITY;

--
-- Name: auth_events auth_events_auth_insert; Type: POLICY; Schema: public; Owner: postgres
--

CREATE POLICY auth_events_auth_insert ON public.auth_events FOR INSERT TO examiner_auth WITH CHECK ((CURRENT_USER = 'examiner_auth'::name));


--
-- Name: auth_events auth_events_delete; Type: POLICY; Schema: public; Owner: postgres
--

CREATE POLICY auth_events_delete ON public.auth_events FOR DELETE TO examiner_student USING ((student_id = ( SELECT app.current_student_id() AS current_student_id)));


--
-- Name: auth_events auth_events_insert; Type: POLICY; Schema: public; Owner: postgres
--

CREATE POLICY auth_events_insert ON public.auth_events FOR INSERT TO examiner_student WITH CHECK ((student_id = ( SELECT app.current_student_id() AS current_student_id)));


--
-- Name: auth_events auth_events_select; Type: POLICY; Schema: public; Owner: postgres
--

CREATE POLICY auth_events_select ON public.auth_events FOR SELECT TO examiner_student USING ((student_id = ( SELECT app.current_student_id() AS current_student_id)));


--
-- Name: auth_events auth_events_update; Type: POLICY; Schema: public; Owner: postgres
--

CREATE POLICY auth_events_update ON public.auth_events FOR UPDATE TO examiner_student USING ((student_id = ( SELECT app.current_student_id() AS current_student_id))) WITH CHECK ((student_id = ( SELECT app.current_student_id() AS current_student_id)));


--
-- Name: exams; Type: ROW SECURITY; Schema: public; Owner: postgres
--

ALTER TABLE public.exams ENABLE ROW LEVEL SECURITY;

--
-- Name: exams exams_delete; Type: POLICY; Schema: public; Owner: postgres
--

CREATE POLICY exams_delete ON public.exams FOR DELETE TO examiner_student USING ((student_id = ( SELECT app.current_student_id() AS current_student_id)));


--
-- Name: exams exams_insert; Type: POLICY; Schema: public; Owner: postgres
--

CREATE POLICY exams_insert ON public.exams FOR INSERT TO examiner_student WITH CHECK ((student_id = ( SELECT app.current_student_id() AS current_student_id)));


--
-- Name: exams exams_select; Type: POLICY; Schema: public; Owner: postgres
--

CREATE POLICY exams_select ON public.exams FOR SELECT TO examiner_student USING ((student_id = ( SELECT app.current_student_id() AS current_student_id)));


--
-- Name: exams exams_update; Type: POLICY; Schema: public; Owner: postgres
--

CREATE POLICY exams_update ON public.exams FOR UPDATE TO examiner_student USING ((student_id = ( SELECT app.current_student_id() AS current_student_id))) WITH CHECK ((student_id = ( SELECT app.current_student_id() AS current_student_id)));


--
-- Name: papers; Type: ROW SECURITY; Schema: public; Owner: postgres
--

ALTER TABLE public.papers ENABLE ROW LEVEL SECURITY;

--
-- Name: papers papers_read; Type: POLICY; Schema: public; Owner: postgres
--

CREATE POLICY papers_read ON public.papers FOR SELECT TO examiner_student USING (true);


--
-- Name: students; Type: ROW SECURITY; Schema: public; Owner: postgres
--

ALTER TABLE public.students ENABLE ROW LEVEL SECURITY;

--
-- Name: students students_auth_insert; Type: POLICY; Schema: public; Owner: postgres
--

CREATE POLICY students_auth_insert ON public.students FOR INSERT TO examiner_auth WITH CHECK ((CURRENT_USER = 'examiner_auth'::name));


--
-- Name: students students_auth_select; Type: POLICY; Schema: public; Owner: postgres
--

CREATE POLICY students_auth_select ON public.students FOR SELECT TO examiner_auth USING ((CURRENT_USER = 'examiner_auth'::name));


--
-- Name: students students_auth_update; Type: POLICY; Schema: public; Owner: postgres
--

CREATE POLICY students_auth_update ON public.students FOR UPDATE TO examiner_auth USING ((CURRENT_USER = 'examiner_auth'::name)) WITH CHECK ((CURRENT_USER = 'examiner_auth'::name));


--
-- Name: students students_delete; Type: POLICY; Schema: public; Owner: postgres
--

CREATE POLICY students_delete ON public.students FOR DELETE TO examiner_student USING ((id = ( SELECT app.current_student_id() AS current_student_id)));


--
-- Name: students students_insert; Type: POLICY; Schema: public; Owner: postgres
--

CREATE POLICY students_insert ON public.students FOR INSERT TO examiner_student WITH CHECK ((id = ( SELECT app.current_student_id() AS current_student_id)));


--
-- Name: students students_select; Type: POLICY; Schema: public; Owner: postgres
--

CREATE POLICY students_select ON public.students FOR SELECT TO examiner_student USING ((id = ( SELECT app.current_student_id() AS current_student_id)));


--
-- Name: students students_update; Type: POLICY; Schema: public; Owner: postgres
--

CREATE POLICY students_update ON public.students FOR UPDATE TO examiner_student USING ((id = ( SELECT app.current_student_id() AS current_student_id))) WITH CHECK ((id = ( SELECT app.current_student_id() AS current_student_id)));


--
-- Name: subjects; Type: ROW SECURITY; Schema: public; Owner: postgres
--

ALTER TABLE public.subjects ENABLE ROW LEVEL SECURITY;

--
-- Name: subjects subjects_read; Type: POLICY; Schema: public; Owner: postgres
--

CREATE POLICY subjects_read ON public.subjects FOR SELECT TO examiner_student USING (true);


--
-- Name: syllabus_points; Type: ROW SECURITY; Schema: public; Owner: postgres
--

ALTER TABLE public.syllabus_points ENABLE ROW LEVEL SECURITY;

--
-- Name: syllabus_points syllabus_points_read; Type: POLICY; Schema: public; Owner: postgres
--

CREATE POLICY syllabus_points_read ON public.syllabus_points FOR SELECT TO examiner_student USING (true);


--
-- Name: SCHEMA app; Type: ACL; Schema: -; Owner: postgres
--

GRANT USAGE ON SCHEMA app TO examiner_student;
GRANT USAGE ON SCHEMA app TO examiner_anon;
GRANT USAGE ON SCHEMA app TO examiner_auth;


--
-- Name: FUNCTION change_password(p_old_hash text, p_new_hash text); Type: ACL; Schema: app; Owner: examiner_auth
--

REVOKE ALL ON FUNCTION app.change_password(p_old_hash text, p_new_hash text) FROM PUBLIC;
GRANT ALL ON FUNCTION app.change_password(p_old_hash text, p_new_hash text) TO examiner_student;


--
-- Name: FUNCTION check_token(p_student_id uuid, p_generation bigint); Type: ACL; Schema: app; Owner: examiner_auth
--

REVOKE ALL ON FUNCTION app.check_token(p_student_id uuid, p_generation bigint) FROM PUBLIC;
GRANT ALL ON FUNCTION app.check_token(p_student_id uuid, p_generation bigint) TO postgres;


--
-- Name: FUNCTION complete_login(p_student_id uuid, p_verified_hash text, p_new_hash text, p_email text, p_client_ip inet, p_user_agent text, p_request_id text); Type: ACL; Schema: app; Owner: examiner_auth
--

REVOKE ALL ON FUNCTION app.complete_login(p_student_id uuid, p_verified_hash text, p_new_hash text, p_email text, p_client_ip inet, p_user_agent text, p_request_id text) FROM PUBLIC;
GRANT ALL ON FUNCTION app.complete_login(p_student_id uuid, p_verified_hash text, p_new_hash text, p_email text, p_client_ip inet, p_user_agent text, p_request_id text) TO examiner_anon;


--
-- Name: PROCEDURE create_owner_policies(IN p_table regclass, IN p_owner_column name); Type: ACL; Schema: app; Owner: postgres
--

REVOKE ALL ON PROCEDURE app.create_owner_policies(IN p_table regclass, IN p_owner_column name) FROM PUBLIC;


--
-- Name: FUNCTION current_password_hash(); Type: ACL; Schema: app; Owner: examiner_auth
--

REVOKE ALL ON FUNCTION app.current_password_hash() FROM PUBLIC;
GRANT ALL ON FUNCTION app.current_password_hash() TO examiner_student;


--
-- Name: FUNCTION login_lookup(p_email_key text); Type: ACL; Schema: app; Owner: examiner_auth
--

REVOKE ALL ON FUNCTION app.login_lookup(p_email_key text) FROM PUBLIC;
GRANT ALL ON FUNCTION app.login_lookup(p_email_key text) TO examiner_anon;


--
-- Name: FUNCTION record_auth_failure(p_kind text, p_email text, p_email_key text, p_reason text, p_client_ip inet, p_user_agent text, p_request_id text); Type: ACL; Schema: app; Owner: examiner_auth
--

REVOKE ALL ON FUNCTION app.record_auth_failure(p_kind text, p_email text, p_email_key text, p_reason text, p_client_ip inet, p_user_agent text, p_request_id text) FROM PUBLIC;
GRANT ALL ON FUNCTION app.record_auth_failure(p_kind text, p_email text, p_email_key text, p_reason text, p_client_ip inet, p_user_agent text, p_request_id text) TO examiner_anon;


--
-- Name: FUNCTION register_student(p_email text, p_email_key text, p_password_hash text, p_full_name text, p_client_ip inet, p_user_agent text, p_request_id text); Type: ACL; Schema: app; Owner: examiner_auth
--

REVOKE ALL ON FUNCTION app.register_student(p_email text, p_email_key text, p_password_hash text, p_full_name text, p_client_ip inet, p_user_agent text, p_request_id text) FROM PUBLIC;
GRANT ALL ON FUNCTION app.register_student(p_email text, p_email_key text, p_password_hash text, p_full_name text, p_client_ip inet, p_user_agent text, p_request_id text) TO examiner_anon;


--
-- Name: FUNCTION revoke_tokens(); Type: ACL; Schema: app; Owner: examiner_auth
--

REVOKE ALL ON FUNCTION app.revoke_tokens() FROM PUBLIC;
GRANT ALL ON FUNCTION app.revoke_tokens() TO examiner_student;


--
-- Name: TABLE auth_events; Type: ACL; Schema: public; Owner: postgres
--

GRANT SELECT,INSERT ON TABLE public.auth_events TO examiner_student;
GRANT INSERT ON TABLE public.auth_events TO examiner_auth;


--
-- Name: TABLE exams; Type: ACL; Schema: public; Owner: postgres
--

GRANT SELECT,INSERT,DELETE,UPDATE ON TABLE public.exams TO examiner_student;


--
-- Name: TABLE papers; Type: ACL; Schema: public; Owner: postgres
--

GRANT SELECT ON TABLE public.papers TO examiner_student;


--
-- Name: TABLE students; Type: ACL; Schema: public; Owner: postgres
--

GRANT DELETE ON TABLE public.students TO examiner_student;
GRANT SELECT,INSERT ON TABLE public.students TO examiner_auth;


--
-- Name: COLUMN students.id; Type: ACL; Schema: public; Owner: postgres
--

GRANT SELECT(id) ON TABLE public.students TO examiner_student;


--
-- Name: COLUMN students.email; Type: ACL; Schema: public; Owner: postgres
--

GRANT SELECT(email) ON TABLE public.students TO examiner_student;


--
-- Name: COLUMN students.password_hash; Type: ACL; Schema: public; Owner: postgres
--

GRANT UPDATE(password_hash) ON TABLE public.students TO examiner_auth;


--
-- Name: COLUMN students.full_name; Type: ACL; Schema: public; Owner: postgres
--

GRANT SELECT(full_name),UPDATE(full_name) ON TABLE public.students TO examiner_student;


--
-- Name: COLUMN students.target_grades; Type: ACL; Schema: public; Owner: postgres
--

GRANT SELECT(target_grades),UPDATE(target_grades) ON TABLE public.students TO examiner_student;


--
-- Name: COLUMN students.created_at; Type: ACL; Schema: public; Owner: postgres
--

GRANT SELECT(created_at) ON TABLE public.students TO examiner_student;


--
-- Name: COLUMN students.updated_at; Type: ACL; Schema: public; Owner: postgres
--

GRANT SELECT(updated_at),UPDATE(updated_at) ON TABLE public.students TO examiner_student;
GRANT UPDATE(updated_at) ON TABLE public.students TO examiner_auth;


--
-- Name: COLUMN students.token_generation; Type: ACL; Schema: public; Owner: postgres
--

GRANT UPDATE(token_generation) ON TABLE public.students TO examiner_auth;


--
-- Name: TABLE subjects; Type: ACL; Schema: public; Owner: postgres
--

GRANT SELECT ON TABLE public.subjects TO examiner_student;


--
-- Name: TABLE syllabus_points; Type: ACL; Schema: public; Owner: postgres
--

GRANT SELECT ON TABLE public.syllabus_points TO examiner_student;


--
-- PostgreSQL database dump complete
--

