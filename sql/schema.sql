-- examiner's current schema: what pg_dump --schema-only prints for a database after every
-- migration in migrations/ has run, so a table, its policies, grants and functions read in one
-- place. Do not edit it: change the schema with a new migration, then run make schema, which
-- rewrites this file; a test fails while it is stale.
--
-- Roles are cluster-wide, so pg_dump leaves them out; migrations 001 and 012 create them:
--   examiner_student        every request on behalf of a student runs as it, under row-level
--                           security;
--   examiner_anon           the unauthenticated requests (register, login): no table, only
--                           functions;
--   examiner_auth           owns the SECURITY DEFINER functions of those paths;
--   examiner_verifier       owns the verifier of claims, app.current_student_id, and alone reads
--                           app.claim_keys;
--   examiner_authenticator  what the server logs in as: LOGIN NOINHERIT, a member of
--                           examiner_student and examiner_anon only, owning nothing.
-- All but the last are NOLOGIN. "postgres" below is the role that ran the migrations: in
-- production, the owner, which owns the tables and is not what the server logs in as.

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
-- Name: crypto; Type: SCHEMA; Schema: -; Owner: postgres
--

CREATE SCHEMA crypto;


ALTER SCHEMA crypto OWNER TO postgres;

--
-- Name: pgcrypto; Type: EXTENSION; Schema: -; Owner: -
--

CREATE EXTENSION IF NOT EXISTS pgcrypto WITH SCHEMA crypto;


--
-- Name: EXTENSION pgcrypto; Type: COMMENT; Schema: -; Owner: 
--

COMMENT ON EXTENSION pgcrypto IS 'cryptographic functions';


--
-- Name: accepts_answers(text, timestamp with time zone, integer); Type: FUNCTION; Schema: app; Owner: postgres
--

CREATE FUNCTION app.accepts_answers(p_status text, p_started_at timestamp with time zone, p_duration_minutes integer) RETURNS boolean
    LANGUAGE sql STABLE PARALLEL SAFE
    SET search_path TO 'pg_catalog', 'pg_temp'
    AS $$
  SELECT p_status = 'IN_PROGRESS'
     AND (p_duration_minutes IS NULL
          OR pg_catalog.statement_timestamp() <= p_started_at + pg_catalog.make_interval(mins => p_duration_minutes) + app.answer_grace())
$$;


ALTER FUNCTION app.accepts_answers(p_status text, p_started_at timestamp with time zone, p_duration_minutes integer) OWNER TO postgres;

--
-- Name: answer_fits_question(); Type: FUNCTION; Schema: app; Owner: postgres
--

CREATE FUNCTION app.answer_fits_question() RETURNS trigger
    LANGUAGE plpgsql
    SET search_path TO 'pg_catalog', 'pg_temp'
    AS $$
DECLARE
  v_kind text;
BEGIN
  SELECT q.kind INTO v_kind
  FROM public.exam_questions AS eq JOIN public.questions AS q ON q.id = eq.question_id
  WHERE eq.exam_id = NEW.exam_id AND eq.number = NEW.number;
  IF v_kind IS NULL THEN
    RAISE EXCEPTION 'answer: no question % in exam %', NEW.number, NEW.exam_id USING ERRCODE = '23503';
  END IF;
  IF (v_kind = 'MCQ') <> (NEW.choice IS NOT NULL) THEN
    RAISE EXCEPTION 'answer: question % is %, which takes %', NEW.number, v_kind,
      CASE v_kind WHEN 'MCQ' THEN 'a choice' ELSE 'text' END USING ERRCODE = '23514', CONSTRAINT = 'answers_fit_question';
  END IF;
  RETURN NEW;
END
$$;


ALTER FUNCTION app.answer_fits_question() OWNER TO postgres;

--
-- Name: answer_grace(); Type: FUNCTION; Schema: app; Owner: postgres
--

CREATE FUNCTION app.answer_grace() RETURNS interval
    LANGUAGE sql IMMUTABLE PARALLEL SAFE
    SET search_path TO 'pg_catalog', 'pg_temp'
    AS $$ SELECT interval '30 seconds' $$;


ALTER FUNCTION app.answer_grace() OWNER TO postgres;

--
-- Name: change_password_checked(text, text); Type: FUNCTION; Schema: app; Owner: examiner_auth
--

CREATE FUNCTION app.change_password_checked(p_old_prehash text, p_new_hash text) RETURNS bigint
    LANGUAGE plpgsql SECURITY DEFINER
    SET search_path TO 'pg_catalog', 'pg_temp'
    AS $_$
DECLARE
  v_id uuid := app.current_student_id();
  v_stored text;
  v_hash text;
  v_generation bigint;
BEGIN
  IF p_old_prehash IS NULL OR p_old_prehash !~ '^[A-Za-z0-9+/]{64}$'
     OR p_new_hash IS NULL OR p_new_hash !~ '^sha384-bcrypt\$\$2a\$(0[4-9]|1[0-4])\$[./A-Za-z0-9]{53}$' THEN
    RAISE EXCEPTION 'change_password: bad pre-hash or hash' USING ERRCODE = '22023';
  END IF;
  SELECT s.password_hash INTO v_stored FROM public.students AS s WHERE s.id = v_id FOR UPDATE;
  v_hash := CASE WHEN pg_catalog.starts_with(v_stored, 'sha384-bcrypt$') THEN pg_catalog.substr(v_stored, 15) END;
  IF v_hash IS NULL OR crypto.crypt(p_old_prehash, v_hash) <> v_hash THEN
    RETURN NULL;
  END IF;
  UPDATE public.students AS s
  SET password_hash = p_new_hash, token_generation = s.token_generation + 1, updated_at = pg_catalog.now()
  WHERE s.id = v_id
  RETURNING s.token_generation INTO v_generation;
  RETURN v_generation;
END
$_$;


ALTER FUNCTION app.change_password_checked(p_old_prehash text, p_new_hash text) OWNER TO examiner_auth;

--
-- Name: check_claim_key(text); Type: FUNCTION; Schema: app; Owner: examiner_verifier
--

CREATE FUNCTION app.check_claim_key(p_claim text) RETURNS boolean
    LANGUAGE plpgsql STABLE SECURITY DEFINER
    SET search_path TO 'pg_catalog', 'pg_temp'
    AS $$
DECLARE
  payload text;
  k bytea;
BEGIN
  IF p_claim IS NULL OR pg_catalog.length(p_claim) NOT BETWEEN 110 AND 200 THEN
    RETURN false;
  END IF;
  payload := pg_catalog.left(p_claim, -65);
  SELECT ck.key INTO k FROM app.claim_keys AS ck WHERE ck.kid = pg_catalog.split_part(payload, '.', 4);
  RETURN k IS NOT NULL
     AND '.' || pg_catalog.encode(crypto.hmac(pg_catalog.convert_to(payload, 'UTF8'), k, 'sha256'), 'hex')
         = pg_catalog.right(p_claim, 65);
END
$$;


ALTER FUNCTION app.check_claim_key(p_claim text) OWNER TO examiner_verifier;

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
-- Name: current_student_id(); Type: FUNCTION; Schema: app; Owner: examiner_verifier
--

CREATE FUNCTION app.current_student_id() RETURNS uuid
    LANGUAGE plpgsql STABLE SECURITY DEFINER
    SET search_path TO 'pg_catalog', 'pg_temp'
    AS $$
DECLARE
  c text := pg_catalog.current_setting('app.claim', true);
  payload text;
  k bytea;
  v_id uuid;
BEGIN
  IF c IS NULL OR c = '' THEN
    RETURN NULL;
  END IF;
  IF pg_catalog.length(c) BETWEEN 110 AND 200 THEN
    payload := pg_catalog.left(c, -65);
    SELECT ck.key INTO k FROM app.claim_keys AS ck WHERE ck.kid = pg_catalog.split_part(payload, '.', 4);
    IF k IS NOT NULL
       AND '.' || pg_catalog.encode(crypto.hmac(pg_catalog.convert_to(payload, 'UTF8'), k, 'sha256'), 'hex')
           = pg_catalog.right(c, 65) THEN
      IF pg_catalog.to_timestamp(pg_catalog.split_part(payload, '.', 3)::bigint) > pg_catalog.now() THEN
        v_id := pg_catalog.split_part(payload, '.', 1)::uuid;
        PERFORM FROM public.students AS s
        WHERE s.id = v_id AND s.token_generation = pg_catalog.split_part(payload, '.', 2)::bigint;
        IF FOUND THEN
          RETURN v_id;
        END IF;
      END IF;
    END IF;
  END IF;
  RAISE EXCEPTION 'claim refused' USING ERRCODE = 'EXA01';
END
$$;


ALTER FUNCTION app.current_student_id() OWNER TO examiner_verifier;

--
-- Name: exam_question_marks(); Type: FUNCTION; Schema: app; Owner: postgres
--

CREATE FUNCTION app.exam_question_marks() RETURNS trigger
    LANGUAGE plpgsql
    SET search_path TO 'pg_catalog', 'pg_temp'
    AS $$
BEGIN
  IF NEW.marks IS DISTINCT FROM (SELECT q.marks FROM public.questions AS q WHERE q.id = NEW.question_id) THEN
    RAISE EXCEPTION 'exam question %: its marks are the question''s', NEW.number
      USING ERRCODE = '23514', CONSTRAINT = 'exam_questions_marks_of_question';
  END IF;
  RETURN NEW;
END
$$;


ALTER FUNCTION app.exam_question_marks() OWNER TO postgres;

--
-- Name: exam_state(); Type: FUNCTION; Schema: app; Owner: postgres
--

CREATE FUNCTION app.exam_state() RETURNS trigger
    LANGUAGE plpgsql
    SET search_path TO 'pg_catalog', 'pg_temp'
    AS $$
BEGIN
  IF current_user <> 'examiner_student' THEN
    RETURN NEW;
  END IF;
  IF TG_OP = 'INSERT' THEN
    IF NEW.status <> 'PENDING' OR NEW.started_at IS NOT NULL OR NEW.completed_at IS NOT NULL
       OR NEW.score IS NOT NULL OR NEW.max_score IS NOT NULL OR NEW.marked_at IS NOT NULL THEN
      RAISE EXCEPTION 'exam: a new exam is PENDING and unmarked' USING ERRCODE = '23514', CONSTRAINT = 'exams_state';
    END IF;
    -- Only a PRACTICE exam may run without a clock (the API gives TIMED and FULL_PAPER exams
    -- theirs); otherwise leaving the duration out would lift the deadline.
    IF NEW.exam_type <> 'PRACTICE' AND NEW.duration_minutes IS NULL THEN
      RAISE EXCEPTION 'exam: a % exam has a duration', NEW.exam_type USING ERRCODE = '23514', CONSTRAINT = 'exams_state';
    END IF;
    RETURN NEW;
  END IF;
  IF OLD.status = 'COMPLETED' THEN
    RAISE EXCEPTION 'exam: a completed exam cannot change' USING ERRCODE = '23514', CONSTRAINT = 'exams_state';
  END IF;
  IF NEW.status <> OLD.status AND NOT ((OLD.status = 'PENDING' AND NEW.status = 'IN_PROGRESS')
                                       OR (OLD.status = 'IN_PROGRESS' AND NEW.status = 'COMPLETED')) THEN
    RAISE EXCEPTION 'exam: % cannot move to %', OLD.status, NEW.status USING ERRCODE = '23514', CONSTRAINT = 'exams_state';
  END IF;
  IF OLD.status <> 'PENDING' AND (NEW.exam_type, NEW.paper_number, NEW.duration_minutes, NEW.total_marks, NEW.question_count, NEW.subject_id)
                                 IS DISTINCT FROM (OLD.exam_type, OLD.paper_number, OLD.duration_minutes, OLD.total_marks, OLD.question_count, OLD.subject_id) THEN
    RAISE EXCEPTION 'exam: a started exam keeps its questions and its time' USING ERRCODE = '23514', CONSTRAINT = 'exams_state';
  END IF;
  NEW.started_at := CASE WHEN OLD.status = 'PENDING' AND NEW.status = 'IN_PROGRESS' THEN pg_catalog.clock_timestamp() ELSE OLD.started_at END;
  NEW.completed_at := CASE WHEN OLD.status = 'IN_PROGRESS' AND NEW.status = 'COMPLETED' THEN pg_catalog.clock_timestamp() ELSE OLD.completed_at END;
  NEW.score := OLD.score;
  NEW.max_score := OLD.max_score;
  NEW.marked_at := OLD.marked_at;
  RETURN NEW;
END
$$;


ALTER FUNCTION app.exam_state() OWNER TO postgres;

--
-- Name: mark_exam(uuid); Type: FUNCTION; Schema: app; Owner: examiner_marker
--

CREATE FUNCTION app.mark_exam(p_exam_id uuid) RETURNS integer
    LANGUAGE plpgsql SECURITY DEFINER
    SET search_path TO 'pg_catalog', 'pg_temp'
    AS $$
DECLARE
  v_score integer;
BEGIN
  PERFORM FROM public.exams AS e
  WHERE e.id = p_exam_id AND e.student_id = app.current_student_id() AND e.status = 'COMPLETED'
  FOR UPDATE;
  IF NOT FOUND THEN
    RETURN NULL;
  END IF;
  UPDATE public.answers AS a
  SET marks_awarded = CASE WHEN a.choice = k.answer THEN eq.marks ELSE 0 END, marked_at = pg_catalog.now()
  FROM public.exam_questions AS eq JOIN public.question_keys AS k ON k.question_id = eq.question_id
  WHERE a.exam_id = p_exam_id AND eq.exam_id = a.exam_id AND eq.number = a.number AND a.choice IS NOT NULL;
  UPDATE public.exams AS e
  SET (score, max_score) = (
        SELECT coalesce(pg_catalog.sum(a.marks_awarded), 0),
               coalesce(pg_catalog.sum(eq.marks) FILTER (WHERE q.kind = 'MCQ' OR a.marks_awarded IS NOT NULL), 0)
        FROM public.exam_questions AS eq
        JOIN public.questions AS q ON q.id = eq.question_id
        LEFT JOIN public.answers AS a ON a.exam_id = eq.exam_id AND a.number = eq.number
        WHERE eq.exam_id = p_exam_id),
      marked_at = pg_catalog.clock_timestamp(), updated_at = pg_catalog.clock_timestamp()
  WHERE e.id = p_exam_id
  RETURNING e.score INTO v_score;
  RETURN v_score;
END
$$;


ALTER FUNCTION app.mark_exam(p_exam_id uuid) OWNER TO examiner_marker;

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
  WHERE p_kind = 'register' OR (p_kind = 'login' AND p_reason IN ('rate_limited', 'unknown_email'))
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
-- Name: schema_version(); Type: FUNCTION; Schema: app; Owner: examiner_auth
--

CREATE FUNCTION app.schema_version() RETURNS integer
    LANGUAGE sql STABLE SECURITY DEFINER
    SET search_path TO 'pg_catalog', 'pg_temp'
    AS $$
  SELECT v.version FROM public.schema_version AS v
$$;


ALTER FUNCTION app.schema_version() OWNER TO examiner_auth;

--
-- Name: self_mark(uuid, integer, integer); Type: FUNCTION; Schema: app; Owner: examiner_marker
--

CREATE FUNCTION app.self_mark(p_exam_id uuid, p_number integer, p_marks integer) RETURNS integer
    LANGUAGE plpgsql SECURITY DEFINER
    SET search_path TO 'pg_catalog', 'pg_temp'
    AS $$
DECLARE
  v_max integer;
BEGIN
  SELECT eq.marks INTO v_max
  FROM public.exams AS e
  JOIN public.exam_questions AS eq ON eq.exam_id = e.id
  JOIN public.questions AS q ON q.id = eq.question_id
  JOIN public.answers AS a ON a.exam_id = eq.exam_id AND a.number = eq.number
  WHERE e.id = p_exam_id AND eq.number = p_number AND e.student_id = app.current_student_id()
    AND e.status = 'COMPLETED' AND q.kind = 'WRITTEN'
  FOR UPDATE OF e;
  IF v_max IS NULL THEN
    RETURN NULL;
  END IF;
  IF p_marks IS NULL OR p_marks < 0 OR p_marks > v_max THEN
    RAISE EXCEPTION 'self_mark: marks must be from 0 to %', v_max USING ERRCODE = '22023';
  END IF;
  UPDATE public.answers AS a SET marks_awarded = p_marks, self_marked = true, marked_at = pg_catalog.now()
  WHERE a.exam_id = p_exam_id AND a.number = p_number;
  RETURN app.mark_exam(p_exam_id);
END
$$;


ALTER FUNCTION app.self_mark(p_exam_id uuid, p_number integer, p_marks integer) OWNER TO examiner_marker;

--
-- Name: sign_in(text, text, text, integer, inet, text, text); Type: FUNCTION; Schema: app; Owner: examiner_auth
--

CREATE FUNCTION app.sign_in(p_email text, p_email_key text, p_prehash text, p_cost integer, p_client_ip inet, p_user_agent text, p_request_id text) RETURNS TABLE(student_id uuid, token_generation bigint, reason text)
    LANGUAGE plpgsql SECURITY DEFINER
    SET search_path TO 'pg_catalog', 'pg_temp'
    AS $_$
DECLARE
  v_id uuid;
  v_stored text;
  v_generation bigint;
  v_hash text;
BEGIN
  IF p_prehash IS NULL OR p_prehash !~ '^[A-Za-z0-9+/]{64}$' OR p_cost IS NULL OR p_cost NOT BETWEEN 4 AND 14 THEN
    RAISE EXCEPTION 'sign_in: bad pre-hash or cost' USING ERRCODE = '22023';
  END IF;
  SELECT s.id, s.password_hash, s.token_generation INTO v_id, v_stored, v_generation
  FROM public.students AS s WHERE s.email_key = p_email_key
  FOR UPDATE;
  IF NOT FOUND THEN
    PERFORM crypto.crypt(p_prehash, crypto.gen_salt('bf', p_cost));
    INSERT INTO public.auth_events (student_id, kind, succeeded, reason, email, client_ip, user_agent, request_id)
    VALUES (NULL, 'login', false, 'unknown_email', p_email, p_client_ip, p_user_agent, p_request_id);
    RETURN QUERY SELECT NULL::uuid, NULL::bigint, 'unknown_email'::text;
    RETURN;
  END IF;
  IF (SELECT pg_catalog.count(*) FROM (
        SELECT FROM public.auth_events AS e
        WHERE e.student_id = v_id AND e.created_at > pg_catalog.now() - interval '1 hour'
          AND e.kind = 'login' AND e.reason = 'wrong_password'
        LIMIT 200) AS recent) >= 200 THEN
    INSERT INTO public.auth_events (student_id, kind, succeeded, reason, email, client_ip, user_agent, request_id)
    VALUES (v_id, 'login', false, 'rate_limited', p_email, p_client_ip, p_user_agent, p_request_id);
    RETURN QUERY SELECT NULL::uuid, NULL::bigint, 'rate_limited'::text;
    RETURN;
  END IF;
  v_hash := CASE WHEN pg_catalog.starts_with(v_stored, 'sha384-bcrypt$') THEN pg_catalog.substr(v_stored, 15) END;
  IF v_hash IS NULL OR crypto.crypt(p_prehash, v_hash) <> v_hash THEN
    INSERT INTO public.auth_events (student_id, kind, succeeded, reason, email, client_ip, user_agent, request_id)
    VALUES (v_id, 'login', false, 'wrong_password', p_email, p_client_ip, p_user_agent, p_request_id);
    RETURN QUERY SELECT NULL::uuid, NULL::bigint, 'wrong_password'::text;
    RETURN;
  END IF;
  IF pg_catalog.substr(v_hash, 5, 2) <> pg_catalog.lpad(p_cost::text, 2, '0') THEN
    UPDATE public.students AS s
    SET password_hash = 'sha384-bcrypt$' || crypto.crypt(p_prehash, crypto.gen_salt('bf', p_cost))
    WHERE s.id = v_id;
  END IF;
  INSERT INTO public.auth_events (student_id, kind, succeeded, email, client_ip, user_agent, request_id)
  VALUES (v_id, 'login', true, p_email, p_client_ip, p_user_agent, p_request_id);
  RETURN QUERY SELECT v_id, v_generation, NULL::text;
END
$_$;


ALTER FUNCTION app.sign_in(p_email text, p_email_key text, p_prehash text, p_cost integer, p_client_ip inet, p_user_agent text, p_request_id text) OWNER TO examiner_auth;

--
-- Name: valid_mcq_options(jsonb); Type: FUNCTION; Schema: app; Owner: postgres
--

CREATE FUNCTION app.valid_mcq_options(p_options jsonb) RETURNS boolean
    LANGUAGE sql IMMUTABLE PARALLEL SAFE
    SET search_path TO 'pg_catalog', 'pg_temp'
    AS $$
  SELECT pg_catalog.jsonb_typeof(p_options) = 'array'
     AND (SELECT pg_catalog.array_agg(o ->> 'key' ORDER BY o ->> 'key') FROM pg_catalog.jsonb_array_elements(p_options) AS o)
         = ARRAY['A', 'B', 'C', 'D']
     AND NOT EXISTS (SELECT FROM pg_catalog.jsonb_array_elements(p_options) AS o
                     WHERE pg_catalog.jsonb_typeof(o -> 'text') IS DISTINCT FROM 'string' OR o ->> 'text' = '')
$$;


ALTER FUNCTION app.valid_mcq_options(p_options jsonb) OWNER TO postgres;

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
-- Name: claim_keys; Type: TABLE; Schema: app; Owner: postgres
--

CREATE TABLE app.claim_keys (
    kid text NOT NULL,
    key bytea NOT NULL,
    created_at timestamp with time zone DEFAULT now() NOT NULL,
    CONSTRAINT claim_keys_key_length CHECK ((octet_length(key) = 32)),
    CONSTRAINT claim_keys_kid_shape CHECK ((kid ~ '^[0-9A-Za-z]{1,16}$'::text))
);


ALTER TABLE app.claim_keys OWNER TO postgres;

--
-- Name: answers; Type: TABLE; Schema: public; Owner: postgres
--

CREATE TABLE public.answers (
    exam_id uuid NOT NULL,
    number smallint NOT NULL,
    student_id uuid NOT NULL,
    choice text,
    text text,
    saved_at timestamp with time zone DEFAULT now() NOT NULL,
    marks_awarded integer,
    self_marked boolean DEFAULT false NOT NULL,
    marked_at timestamp with time zone,
    CONSTRAINT answers_choice CHECK ((choice = ANY (ARRAY['A'::text, 'B'::text, 'C'::text, 'D'::text]))),
    CONSTRAINT answers_marks_awarded_range CHECK ((marks_awarded >= 0)),
    CONSTRAINT answers_one_kind CHECK (((choice IS NULL) <> (text IS NULL))),
    CONSTRAINT answers_text_length CHECK ((char_length(text) <= 20000))
);

ALTER TABLE ONLY public.answers FORCE ROW LEVEL SECURITY;


ALTER TABLE public.answers OWNER TO postgres;

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
-- Name: exam_questions; Type: TABLE; Schema: public; Owner: postgres
--

CREATE TABLE public.exam_questions (
    exam_id uuid NOT NULL,
    number smallint NOT NULL,
    student_id uuid NOT NULL,
    question_id uuid NOT NULL,
    marks integer NOT NULL,
    CONSTRAINT exam_questions_marks_range CHECK (((marks >= 1) AND (marks <= 100))),
    CONSTRAINT exam_questions_number_range CHECK (((number >= 1) AND (number <= 50)))
);

ALTER TABLE ONLY public.exam_questions FORCE ROW LEVEL SECURITY;


ALTER TABLE public.exam_questions OWNER TO postgres;

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
    question_count integer DEFAULT 0 NOT NULL,
    score integer,
    max_score integer,
    marked_at timestamp with time zone,
    CONSTRAINT exams_completed_when_completed CHECK (((status = 'COMPLETED'::text) = (completed_at IS NOT NULL))),
    CONSTRAINT exams_duration_range CHECK (((duration_minutes >= 1) AND (duration_minutes <= 600))),
    CONSTRAINT exams_exam_type CHECK ((exam_type = ANY (ARRAY['PRACTICE'::text, 'TIMED'::text, 'FULL_PAPER'::text]))),
    CONSTRAINT exams_marked_when_completed CHECK (((marked_at IS NULL) OR (status = 'COMPLETED'::text))),
    CONSTRAINT exams_max_score_range CHECK ((max_score >= 0)),
    CONSTRAINT exams_paper_number_range CHECK (((paper_number >= 1) AND (paper_number <= 9))),
    CONSTRAINT exams_question_count_range CHECK (((question_count >= 0) AND (question_count <= 50))),
    CONSTRAINT exams_score_range CHECK ((score >= 0)),
    CONSTRAINT exams_score_within CHECK (((score IS NULL) OR (score <= max_score))),
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
-- Name: question_keys; Type: TABLE; Schema: public; Owner: postgres
--

CREATE TABLE public.question_keys (
    question_id uuid NOT NULL,
    answer text,
    explanation text DEFAULT ''::text NOT NULL,
    mark_schemes jsonb,
    CONSTRAINT question_keys_answer CHECK ((answer = ANY (ARRAY['A'::text, 'B'::text, 'C'::text, 'D'::text]))),
    CONSTRAINT question_keys_explanation_length CHECK ((char_length(explanation) <= 20000))
);


ALTER TABLE public.question_keys OWNER TO postgres;

--
-- Name: question_syllabus_points; Type: TABLE; Schema: public; Owner: postgres
--

CREATE TABLE public.question_syllabus_points (
    question_id uuid NOT NULL,
    syllabus_point_id uuid NOT NULL
);


ALTER TABLE public.question_syllabus_points OWNER TO postgres;

--
-- Name: questions; Type: TABLE; Schema: public; Owner: postgres
--

CREATE TABLE public.questions (
    id uuid DEFAULT gen_random_uuid() NOT NULL,
    code text NOT NULL,
    subject_id uuid NOT NULL,
    paper_number smallint NOT NULL,
    kind text NOT NULL,
    section text,
    stem text NOT NULL,
    options jsonb,
    parts jsonb,
    marks integer NOT NULL,
    updated_at timestamp with time zone DEFAULT now() NOT NULL,
    CONSTRAINT questions_code_shape CHECK ((code ~ '^[0-9A-Za-z][0-9A-Za-z._-]{0,63}$'::text)),
    CONSTRAINT questions_kind CHECK ((kind = ANY (ARRAY['MCQ'::text, 'WRITTEN'::text]))),
    CONSTRAINT questions_marks_range CHECK (((marks >= 1) AND (marks <= 100))),
    CONSTRAINT questions_mcq_marks CHECK (((kind <> 'MCQ'::text) OR (marks = 1))),
    CONSTRAINT questions_mcq_shape CHECK (((kind = 'MCQ'::text) = ((options IS NOT NULL) AND (parts IS NULL) AND (section IS NULL)))),
    CONSTRAINT questions_options CHECK (((options IS NULL) OR app.valid_mcq_options(options))),
    CONSTRAINT questions_parts CHECK (((parts IS NULL) OR ((jsonb_typeof(parts) = 'array'::text) AND (jsonb_array_length(parts) >= 1)))),
    CONSTRAINT questions_section CHECK ((section = ANY (ARRAY['data_response'::text, 'essay'::text]))),
    CONSTRAINT questions_stem_length CHECK (((char_length(stem) >= 1) AND (char_length(stem) <= 20000))),
    CONSTRAINT questions_written_shape CHECK (((kind = 'WRITTEN'::text) = ((parts IS NOT NULL) AND (options IS NULL) AND (section IS NOT NULL))))
);


ALTER TABLE public.questions OWNER TO postgres;

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
-- Name: claim_keys claim_keys_pkey; Type: CONSTRAINT; Schema: app; Owner: postgres
--

ALTER TABLE ONLY app.claim_keys
    ADD CONSTRAINT claim_keys_pkey PRIMARY KEY (kid);


--
-- Name: answers answers_pkey; Type: CONSTRAINT; Schema: public; Owner: postgres
--

ALTER TABLE ONLY public.answers
    ADD CONSTRAINT answers_pkey PRIMARY KEY (exam_id, number);


--
-- Name: auth_events auth_events_pkey; Type: CONSTRAINT; Schema: public; Owner: postgres
--

ALTER TABLE ONLY public.auth_events
    ADD CONSTRAINT auth_events_pkey PRIMARY KEY (id);


--
-- Name: exam_questions exam_questions_once; Type: CONSTRAINT; Schema: public; Owner: postgres
--

ALTER TABLE ONLY public.exam_questions
    ADD CONSTRAINT exam_questions_once UNIQUE (exam_id, question_id);


--
-- Name: exam_questions exam_questions_pkey; Type: CONSTRAINT; Schema: public; Owner: postgres
--

ALTER TABLE ONLY public.exam_questions
    ADD CONSTRAINT exam_questions_pkey PRIMARY KEY (exam_id, number);


--
-- Name: exams exams_completed_after_started; Type: CHECK CONSTRAINT; Schema: public; Owner: postgres
--

ALTER TABLE public.exams
    ADD CONSTRAINT exams_completed_after_started CHECK ((completed_at >= started_at)) NOT VALID;


--
-- Name: exams exams_id_student_key; Type: CONSTRAINT; Schema: public; Owner: postgres
--

ALTER TABLE ONLY public.exams
    ADD CONSTRAINT exams_id_student_key UNIQUE (id, student_id);


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
-- Name: question_keys question_keys_pkey; Type: CONSTRAINT; Schema: public; Owner: postgres
--

ALTER TABLE ONLY public.question_keys
    ADD CONSTRAINT question_keys_pkey PRIMARY KEY (question_id);


--
-- Name: question_syllabus_points question_syllabus_points_pkey; Type: CONSTRAINT; Schema: public; Owner: postgres
--

ALTER TABLE ONLY public.question_syllabus_points
    ADD CONSTRAINT question_syllabus_points_pkey PRIMARY KEY (question_id, syllabus_point_id);


--
-- Name: questions questions_code_key; Type: CONSTRAINT; Schema: public; Owner: postgres
--

ALTER TABLE ONLY public.questions
    ADD CONSTRAINT questions_code_key UNIQUE (code);


--
-- Name: questions questions_pkey; Type: CONSTRAINT; Schema: public; Owner: postgres
--

ALTER TABLE ONLY public.questions
    ADD CONSTRAINT questions_pkey PRIMARY KEY (id);


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
-- Name: answers_student; Type: INDEX; Schema: public; Owner: postgres
--

CREATE INDEX answers_student ON public.answers USING btree (student_id);


--
-- Name: auth_events_student_recent; Type: INDEX; Schema: public; Owner: postgres
--

CREATE INDEX auth_events_student_recent ON public.auth_events USING btree (student_id, created_at DESC, id DESC);


--
-- Name: exam_questions_student_question; Type: INDEX; Schema: public; Owner: postgres
--

CREATE INDEX exam_questions_student_question ON public.exam_questions USING btree (student_id, question_id);


--
-- Name: exams_student_recent; Type: INDEX; Schema: public; Owner: postgres
--

CREATE INDEX exams_student_recent ON public.exams USING btree (student_id, created_at DESC, id DESC);


--
-- Name: exams_subject_paper; Type: INDEX; Schema: public; Owner: postgres
--

CREATE INDEX exams_subject_paper ON public.exams USING btree (subject_id, paper_number) WHERE (paper_number IS NOT NULL);


--
-- Name: question_syllabus_points_point; Type: INDEX; Schema: public; Owner: postgres
--

CREATE INDEX question_syllabus_points_point ON public.question_syllabus_points USING btree (syllabus_point_id);


--
-- Name: questions_subject_paper; Type: INDEX; Schema: public; Owner: postgres
--

CREATE INDEX questions_subject_paper ON public.questions USING btree (subject_id, paper_number, kind);


--
-- Name: students_email_key; Type: INDEX; Schema: public; Owner: postgres
--

CREATE UNIQUE INDEX students_email_key ON public.students USING btree (email_key);


--
-- Name: syllabus_points_subject_order; Type: INDEX; Schema: public; Owner: postgres
--

CREATE INDEX syllabus_points_subject_order ON public.syllabus_points USING btree (subject_id, code_path);


--
-- Name: answers answers_fit_question; Type: TRIGGER; Schema: public; Owner: postgres
--

CREATE TRIGGER answers_fit_question BEFORE INSERT OR UPDATE OF choice, text ON public.answers FOR EACH ROW EXECUTE FUNCTION app.answer_fits_question();


--
-- Name: exam_questions exam_questions_marks_of_question; Type: TRIGGER; Schema: public; Owner: postgres
--

CREATE TRIGGER exam_questions_marks_of_question BEFORE INSERT OR UPDATE ON public.exam_questions FOR EACH ROW EXECUTE FUNCTION app.exam_question_marks();


--
-- Name: exams exams_state; Type: TRIGGER; Schema: public; Owner: postgres
--

CREATE TRIGGER exams_state BEFORE INSERT OR UPDATE ON public.exams FOR EACH ROW EXECUTE FUNCTION app.exam_state();


--
-- Name: answers answers_exam; Type: FK CONSTRAINT; Schema: public; Owner: postgres
--

ALTER TABLE ONLY public.answers
    ADD CONSTRAINT answers_exam FOREIGN KEY (exam_id, student_id) REFERENCES public.exams(id, student_id) ON DELETE CASCADE;


--
-- Name: answers answers_question; Type: FK CONSTRAINT; Schema: public; Owner: postgres
--

ALTER TABLE ONLY public.answers
    ADD CONSTRAINT answers_question FOREIGN KEY (exam_id, number) REFERENCES public.exam_questions(exam_id, number) ON DELETE CASCADE;


--
-- Name: auth_events auth_events_student_id_fkey; Type: FK CONSTRAINT; Schema: public; Owner: postgres
--

ALTER TABLE ONLY public.auth_events
    ADD CONSTRAINT auth_events_student_id_fkey FOREIGN KEY (student_id) REFERENCES public.students(id) ON DELETE SET NULL;


--
-- Name: exam_questions exam_questions_exam; Type: FK CONSTRAINT; Schema: public; Owner: postgres
--

ALTER TABLE ONLY public.exam_questions
    ADD CONSTRAINT exam_questions_exam FOREIGN KEY (exam_id, student_id) REFERENCES public.exams(id, student_id) ON DELETE CASCADE;


--
-- Name: exam_questions exam_questions_question_id_fkey; Type: FK CONSTRAINT; Schema: public; Owner: postgres
--

ALTER TABLE ONLY public.exam_questions
    ADD CONSTRAINT exam_questions_question_id_fkey FOREIGN KEY (question_id) REFERENCES public.questions(id);


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
-- Name: question_keys question_keys_question_id_fkey; Type: FK CONSTRAINT; Schema: public; Owner: postgres
--

ALTER TABLE ONLY public.question_keys
    ADD CONSTRAINT question_keys_question_id_fkey FOREIGN KEY (question_id) REFERENCES public.questions(id) ON DELETE CASCADE;


--
-- Name: question_syllabus_points question_syllabus_points_question_id_fkey; Type: FK CONSTRAINT; Schema: public; Owner: postgres
--

ALTER TABLE ONLY public.question_syllabus_points
    ADD CONSTRAINT question_syllabus_points_question_id_fkey FOREIGN KEY (question_id) REFERENCES public.questions(id) ON DELETE CASCADE;


--
-- Name: question_syllabus_points question_syllabus_points_syllabus_point_id_fkey; Type: FK CONSTRAINT; Schema: public; Owner: postgres
--

ALTER TABLE ONLY public.question_syllabus_points
    ADD CONSTRAINT question_syllabus_points_syllabus_point_id_fkey FOREIGN KEY (syllabus_point_id) REFERENCES public.syllabus_points(id) ON DELETE CASCADE;


--
-- Name: questions questions_paper; Type: FK CONSTRAINT; Schema: public; Owner: postgres
--

ALTER TABLE ONLY public.questions
    ADD CONSTRAINT questions_paper FOREIGN KEY (subject_id, paper_number) REFERENCES public.papers(subject_id, number);


--
-- Name: questions questions_subject_id_fkey; Type: FK CONSTRAINT; Schema: public; Owner: postgres
--

ALTER TABLE ONLY public.questions
    ADD CONSTRAINT questions_subject_id_fkey FOREIGN KEY (subject_id) REFERENCES public.subjects(id) ON DELETE CASCADE;


--
-- Name: syllabus_points syllabus_points_subject_id_fkey; Type: FK CONSTRAINT; Schema: public; Owner: postgres
--

ALTER TABLE ONLY public.syllabus_points
    ADD CONSTRAINT syllabus_points_subject_id_fkey FOREIGN KEY (subject_id) REFERENCES public.subjects(id) ON DELETE CASCADE;


--
-- Name: answers; Type: ROW SECURITY; Schema: public; Owner: postgres
--

ALTER TABLE public.answers ENABLE ROW LEVEL SECURITY;

--
-- Name: answers answers_delete; Type: POLICY; Schema: public; Owner: postgres
--

CREATE POLICY answers_delete ON public.answers FOR DELETE TO examiner_student USING ((student_id = ( SELECT app.current_student_id() AS current_student_id)));


--
-- Name: answers answers_insert; Type: POLICY; Schema: public; Owner: postgres
--

CREATE POLICY answers_insert ON public.answers FOR INSERT TO examiner_student WITH CHECK ((student_id = ( SELECT app.current_student_id() AS current_student_id)));


--
-- Name: answers answers_marker_select; Type: POLICY; Schema: public; Owner: postgres
--

CREATE POLICY answers_marker_select ON public.answers FOR SELECT TO examiner_marker USING (((CURRENT_USER = 'examiner_marker'::name) AND (student_id = ( SELECT app.current_student_id() AS current_student_id))));


--
-- Name: answers answers_marker_update; Type: POLICY; Schema: public; Owner: postgres
--

CREATE POLICY answers_marker_update ON public.answers FOR UPDATE TO examiner_marker USING (((CURRENT_USER = 'examiner_marker'::name) AND (student_id = ( SELECT app.current_student_id() AS current_student_id)))) WITH CHECK (((CURRENT_USER = 'examiner_marker'::name) AND (student_id = ( SELECT app.current_student_id() AS current_student_id))));


--
-- Name: answers answers_select; Type: POLICY; Schema: public; Owner: postgres
--

CREATE POLICY answers_select ON public.answers FOR SELECT TO examiner_student USING ((student_id = ( SELECT app.current_student_id() AS current_student_id)));


--
-- Name: answers answers_update; Type: POLICY; Schema: public; Owner: postgres
--

CREATE POLICY answers_update ON public.answers FOR UPDATE TO examiner_student USING ((student_id = ( SELECT app.current_student_id() AS current_student_id))) WITH CHECK ((student_id = ( SELECT app.current_student_id() AS current_student_id)));


--
-- Name: answers answers_while_open_insert; Type: POLICY; Schema: public; Owner: postgres
--

CREATE POLICY answers_while_open_insert ON public.answers AS RESTRICTIVE FOR INSERT TO examiner_student WITH CHECK ((EXISTS ( SELECT
   FROM public.exams e
  WHERE ((e.id = answers.exam_id) AND app.accepts_answers(e.status, e.started_at, e.duration_minutes)))));


--
-- Name: answers answers_while_open_update; Type: POLICY; Schema: public; Owner: postgres
--

CREATE POLICY answers_while_open_update ON public.answers AS RESTRICTIVE FOR UPDATE TO examiner_student USING ((EXISTS ( SELECT
   FROM public.exams e
  WHERE ((e.id = answers.exam_id) AND app.accepts_answers(e.status, e.started_at, e.duration_minutes))))) WITH CHECK ((EXISTS ( SELECT
   FROM public.exams e
  WHERE ((e.id = answers.exam_id) AND app.accepts_answers(e.status, e.started_at, e.duration_minutes)))));


--
-- Name: auth_events; Type: ROW SECURITY; Schema: public; Owner: postgres
--

ALTER TABLE public.auth_events ENABLE ROW LEVEL SECURITY;

--
-- Name: auth_events auth_events_auth_insert; Type: POLICY; Schema: public; Owner: postgres
--

CREATE POLICY auth_events_auth_insert ON public.auth_events FOR INSERT TO examiner_auth WITH CHECK ((CURRENT_USER = 'examiner_auth'::name));


--
-- Name: auth_events auth_events_auth_select; Type: POLICY; Schema: public; Owner: postgres
--

CREATE POLICY auth_events_auth_select ON public.auth_events FOR SELECT TO examiner_auth USING ((CURRENT_USER = 'examiner_auth'::name));


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
-- Name: exam_questions; Type: ROW SECURITY; Schema: public; Owner: postgres
--

ALTER TABLE public.exam_questions ENABLE ROW LEVEL SECURITY;

--
-- Name: exam_questions exam_questions_delete; Type: POLICY; Schema: public; Owner: postgres
--

CREATE POLICY exam_questions_delete ON public.exam_questions FOR DELETE TO examiner_student USING ((student_id = ( SELECT app.current_student_id() AS current_student_id)));


--
-- Name: exam_questions exam_questions_insert; Type: POLICY; Schema: public; Owner: postgres
--

CREATE POLICY exam_questions_insert ON public.exam_questions FOR INSERT TO examiner_student WITH CHECK ((student_id = ( SELECT app.current_student_id() AS current_student_id)));


--
-- Name: exam_questions exam_questions_marker; Type: POLICY; Schema: public; Owner: postgres
--

CREATE POLICY exam_questions_marker ON public.exam_questions FOR SELECT TO examiner_marker USING (((CURRENT_USER = 'examiner_marker'::name) AND (student_id = ( SELECT app.current_student_id() AS current_student_id))));


--
-- Name: exam_questions exam_questions_select; Type: POLICY; Schema: public; Owner: postgres
--

CREATE POLICY exam_questions_select ON public.exam_questions FOR SELECT TO examiner_student USING ((student_id = ( SELECT app.current_student_id() AS current_student_id)));


--
-- Name: exam_questions exam_questions_update; Type: POLICY; Schema: public; Owner: postgres
--

CREATE POLICY exam_questions_update ON public.exam_questions FOR UPDATE TO examiner_student USING ((student_id = ( SELECT app.current_student_id() AS current_student_id))) WITH CHECK ((student_id = ( SELECT app.current_student_id() AS current_student_id)));


--
-- Name: exam_questions exam_questions_while_pending; Type: POLICY; Schema: public; Owner: postgres
--

CREATE POLICY exam_questions_while_pending ON public.exam_questions AS RESTRICTIVE FOR INSERT TO examiner_student WITH CHECK ((NOT (EXISTS ( SELECT
   FROM public.exams e
  WHERE ((e.id = exam_questions.exam_id) AND (e.status <> 'PENDING'::text))))));


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
-- Name: exams exams_marker_select; Type: POLICY; Schema: public; Owner: postgres
--

CREATE POLICY exams_marker_select ON public.exams FOR SELECT TO examiner_marker USING (((CURRENT_USER = 'examiner_marker'::name) AND (student_id = ( SELECT app.current_student_id() AS current_student_id))));


--
-- Name: exams exams_marker_update; Type: POLICY; Schema: public; Owner: postgres
--

CREATE POLICY exams_marker_update ON public.exams FOR UPDATE TO examiner_marker USING (((CURRENT_USER = 'examiner_marker'::name) AND (student_id = ( SELECT app.current_student_id() AS current_student_id)))) WITH CHECK (((CURRENT_USER = 'examiner_marker'::name) AND (student_id = ( SELECT app.current_student_id() AS current_student_id))));


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

CREATE POLICY papers_read ON public.papers FOR SELECT TO examiner_student USING ((( SELECT app.current_student_id() AS current_student_id) IS NOT NULL));


--
-- Name: question_keys; Type: ROW SECURITY; Schema: public; Owner: postgres
--

ALTER TABLE public.question_keys ENABLE ROW LEVEL SECURITY;

--
-- Name: question_keys question_keys_after_completion; Type: POLICY; Schema: public; Owner: postgres
--

CREATE POLICY question_keys_after_completion ON public.question_keys FOR SELECT TO examiner_student USING ((EXISTS ( SELECT
   FROM (public.exam_questions eq
     JOIN public.exams e ON ((e.id = eq.exam_id)))
  WHERE ((eq.question_id = question_keys.question_id) AND (e.status = 'COMPLETED'::text) AND (e.student_id = ( SELECT app.current_student_id() AS current_student_id))))));


--
-- Name: question_keys question_keys_marker; Type: POLICY; Schema: public; Owner: postgres
--

CREATE POLICY question_keys_marker ON public.question_keys FOR SELECT TO examiner_marker USING ((CURRENT_USER = 'examiner_marker'::name));


--
-- Name: question_syllabus_points; Type: ROW SECURITY; Schema: public; Owner: postgres
--

ALTER TABLE public.question_syllabus_points ENABLE ROW LEVEL SECURITY;

--
-- Name: question_syllabus_points question_syllabus_points_read; Type: POLICY; Schema: public; Owner: postgres
--

CREATE POLICY question_syllabus_points_read ON public.question_syllabus_points FOR SELECT TO examiner_student USING ((( SELECT app.current_student_id() AS current_student_id) IS NOT NULL));


--
-- Name: questions; Type: ROW SECURITY; Schema: public; Owner: postgres
--

ALTER TABLE public.questions ENABLE ROW LEVEL SECURITY;

--
-- Name: questions questions_marker; Type: POLICY; Schema: public; Owner: postgres
--

CREATE POLICY questions_marker ON public.questions FOR SELECT TO examiner_marker USING ((CURRENT_USER = 'examiner_marker'::name));


--
-- Name: questions questions_read; Type: POLICY; Schema: public; Owner: postgres
--

CREATE POLICY questions_read ON public.questions FOR SELECT TO examiner_student USING ((( SELECT app.current_student_id() AS current_student_id) IS NOT NULL));


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
-- Name: students students_verifier_select; Type: POLICY; Schema: public; Owner: postgres
--

CREATE POLICY students_verifier_select ON public.students FOR SELECT TO examiner_verifier USING ((CURRENT_USER = 'examiner_verifier'::name));


--
-- Name: subjects; Type: ROW SECURITY; Schema: public; Owner: postgres
--

ALTER TABLE public.subjects ENABLE ROW LEVEL SECURITY;

--
-- Name: subjects subjects_read; Type: POLICY; Schema: public; Owner: postgres
--

CREATE POLICY subjects_read ON public.subjects FOR SELECT TO examiner_student USING ((( SELECT app.current_student_id() AS current_student_id) IS NOT NULL));


--
-- Name: syllabus_points; Type: ROW SECURITY; Schema: public; Owner: postgres
--

ALTER TABLE public.syllabus_points ENABLE ROW LEVEL SECURITY;

--
-- Name: syllabus_points syllabus_points_read; Type: POLICY; Schema: public; Owner: postgres
--

CREATE POLICY syllabus_points_read ON public.syllabus_points FOR SELECT TO examiner_student USING ((( SELECT app.current_student_id() AS current_student_id) IS NOT NULL));


--
-- Name: SCHEMA app; Type: ACL; Schema: -; Owner: postgres
--

GRANT USAGE ON SCHEMA app TO examiner_student;
GRANT USAGE ON SCHEMA app TO examiner_anon;
GRANT USAGE ON SCHEMA app TO examiner_auth;
GRANT USAGE ON SCHEMA app TO examiner_authenticator;
GRANT USAGE ON SCHEMA app TO examiner_verifier;
GRANT USAGE ON SCHEMA app TO examiner_marker;


--
-- Name: SCHEMA crypto; Type: ACL; Schema: -; Owner: postgres
--

GRANT USAGE ON SCHEMA crypto TO examiner_verifier;
GRANT USAGE ON SCHEMA crypto TO examiner_auth;


--
-- Name: FUNCTION accepts_answers(p_status text, p_started_at timestamp with time zone, p_duration_minutes integer); Type: ACL; Schema: app; Owner: postgres
--

REVOKE ALL ON FUNCTION app.accepts_answers(p_status text, p_started_at timestamp with time zone, p_duration_minutes integer) FROM PUBLIC;
GRANT ALL ON FUNCTION app.accepts_answers(p_status text, p_started_at timestamp with time zone, p_duration_minutes integer) TO examiner_student;
GRANT ALL ON FUNCTION app.accepts_answers(p_status text, p_started_at timestamp with time zone, p_duration_minutes integer) TO examiner_marker;


--
-- Name: FUNCTION answer_fits_question(); Type: ACL; Schema: app; Owner: postgres
--

REVOKE ALL ON FUNCTION app.answer_fits_question() FROM PUBLIC;


--
-- Name: FUNCTION answer_grace(); Type: ACL; Schema: app; Owner: postgres
--

REVOKE ALL ON FUNCTION app.answer_grace() FROM PUBLIC;
GRANT ALL ON FUNCTION app.answer_grace() TO examiner_student;
GRANT ALL ON FUNCTION app.answer_grace() TO examiner_marker;


--
-- Name: FUNCTION change_password_checked(p_old_prehash text, p_new_hash text); Type: ACL; Schema: app; Owner: examiner_auth
--

REVOKE ALL ON FUNCTION app.change_password_checked(p_old_prehash text, p_new_hash text) FROM PUBLIC;
GRANT ALL ON FUNCTION app.change_password_checked(p_old_prehash text, p_new_hash text) TO examiner_student;


--
-- Name: FUNCTION check_claim_key(p_claim text); Type: ACL; Schema: app; Owner: examiner_verifier
--

REVOKE ALL ON FUNCTION app.check_claim_key(p_claim text) FROM PUBLIC;
GRANT ALL ON FUNCTION app.check_claim_key(p_claim text) TO examiner_student;


--
-- Name: PROCEDURE create_owner_policies(IN p_table regclass, IN p_owner_column name); Type: ACL; Schema: app; Owner: postgres
--

REVOKE ALL ON PROCEDURE app.create_owner_policies(IN p_table regclass, IN p_owner_column name) FROM PUBLIC;


--
-- Name: FUNCTION current_student_id(); Type: ACL; Schema: app; Owner: examiner_verifier
--

REVOKE ALL ON FUNCTION app.current_student_id() FROM PUBLIC;
GRANT ALL ON FUNCTION app.current_student_id() TO examiner_student;
GRANT ALL ON FUNCTION app.current_student_id() TO examiner_auth;
GRANT ALL ON FUNCTION app.current_student_id() TO examiner_marker;


--
-- Name: FUNCTION exam_question_marks(); Type: ACL; Schema: app; Owner: postgres
--

REVOKE ALL ON FUNCTION app.exam_question_marks() FROM PUBLIC;


--
-- Name: FUNCTION exam_state(); Type: ACL; Schema: app; Owner: postgres
--

REVOKE ALL ON FUNCTION app.exam_state() FROM PUBLIC;


--
-- Name: FUNCTION mark_exam(p_exam_id uuid); Type: ACL; Schema: app; Owner: examiner_marker
--

REVOKE ALL ON FUNCTION app.mark_exam(p_exam_id uuid) FROM PUBLIC;
GRANT ALL ON FUNCTION app.mark_exam(p_exam_id uuid) TO examiner_student;


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
-- Name: FUNCTION schema_version(); Type: ACL; Schema: app; Owner: examiner_auth
--

REVOKE ALL ON FUNCTION app.schema_version() FROM PUBLIC;
GRANT ALL ON FUNCTION app.schema_version() TO examiner_anon;


--
-- Name: FUNCTION self_mark(p_exam_id uuid, p_number integer, p_marks integer); Type: ACL; Schema: app; Owner: examiner_marker
--

REVOKE ALL ON FUNCTION app.self_mark(p_exam_id uuid, p_number integer, p_marks integer) FROM PUBLIC;
GRANT ALL ON FUNCTION app.self_mark(p_exam_id uuid, p_number integer, p_marks integer) TO examiner_student;


--
-- Name: FUNCTION sign_in(p_email text, p_email_key text, p_prehash text, p_cost integer, p_client_ip inet, p_user_agent text, p_request_id text); Type: ACL; Schema: app; Owner: examiner_auth
--

REVOKE ALL ON FUNCTION app.sign_in(p_email text, p_email_key text, p_prehash text, p_cost integer, p_client_ip inet, p_user_agent text, p_request_id text) FROM PUBLIC;
GRANT ALL ON FUNCTION app.sign_in(p_email text, p_email_key text, p_prehash text, p_cost integer, p_client_ip inet, p_user_agent text, p_request_id text) TO examiner_anon;


--
-- Name: FUNCTION valid_mcq_options(p_options jsonb); Type: ACL; Schema: app; Owner: postgres
--

REVOKE ALL ON FUNCTION app.valid_mcq_options(p_options jsonb) FROM PUBLIC;


--
-- Name: FUNCTION armor(bytea); Type: ACL; Schema: crypto; Owner: postgres
--

REVOKE ALL ON FUNCTION crypto.armor(bytea) FROM PUBLIC;
GRANT ALL ON FUNCTION crypto.armor(bytea) TO examiner_verifier;
GRANT ALL ON FUNCTION crypto.armor(bytea) TO examiner_auth;


--
-- Name: FUNCTION armor(bytea, text[], text[]); Type: ACL; Schema: crypto; Owner: postgres
--

REVOKE ALL ON FUNCTION crypto.armor(bytea, text[], text[]) FROM PUBLIC;
GRANT ALL ON FUNCTION crypto.armor(bytea, text[], text[]) TO examiner_verifier;
GRANT ALL ON FUNCTION crypto.armor(bytea, text[], text[]) TO examiner_auth;


--
-- Name: FUNCTION crypt(text, text); Type: ACL; Schema: crypto; Owner: postgres
--

REVOKE ALL ON FUNCTION crypto.crypt(text, text) FROM PUBLIC;
GRANT ALL ON FUNCTION crypto.crypt(text, text) TO examiner_verifier;
GRANT ALL ON FUNCTION crypto.crypt(text, text) TO examiner_auth;


--
-- Name: FUNCTION dearmor(text); Type: ACL; Schema: crypto; Owner: postgres
--

REVOKE ALL ON FUNCTION crypto.dearmor(text) FROM PUBLIC;
GRANT ALL ON FUNCTION crypto.dearmor(text) TO examiner_verifier;
GRANT ALL ON FUNCTION crypto.dearmor(text) TO examiner_auth;


--
-- Name: FUNCTION decrypt(bytea, bytea, text); Type: ACL; Schema: crypto; Owner: postgres
--

REVOKE ALL ON FUNCTION crypto.decrypt(bytea, bytea, text) FROM PUBLIC;
GRANT ALL ON FUNCTION crypto.decrypt(bytea, bytea, text) TO examiner_verifier;
GRANT ALL ON FUNCTION crypto.decrypt(bytea, bytea, text) TO examiner_auth;


--
-- Name: FUNCTION decrypt_iv(bytea, bytea, bytea, text); Type: ACL; Schema: crypto; Owner: postgres
--

REVOKE ALL ON FUNCTION crypto.decrypt_iv(bytea, bytea, bytea, text) FROM PUBLIC;
GRANT ALL ON FUNCTION crypto.decrypt_iv(bytea, bytea, bytea, text) TO examiner_verifier;
GRANT ALL ON FUNCTION crypto.decrypt_iv(bytea, bytea, bytea, text) TO examiner_auth;


--
-- Name: FUNCTION digest(bytea, text); Type: ACL; Schema: crypto; Owner: postgres
--

REVOKE ALL ON FUNCTION crypto.digest(bytea, text) FROM PUBLIC;
GRANT ALL ON FUNCTION crypto.digest(bytea, text) TO examiner_verifier;
GRANT ALL ON FUNCTION crypto.digest(bytea, text) TO examiner_auth;


--
-- Name: FUNCTION digest(text, text); Type: ACL; Schema: crypto; Owner: postgres
--

REVOKE ALL ON FUNCTION crypto.digest(text, text) FROM PUBLIC;
GRANT ALL ON FUNCTION crypto.digest(text, text) TO examiner_verifier;
GRANT ALL ON FUNCTION crypto.digest(text, text) TO examiner_auth;


--
-- Name: FUNCTION encrypt(bytea, bytea, text); Type: ACL; Schema: crypto; Owner: postgres
--

REVOKE ALL ON FUNCTION crypto.encrypt(bytea, bytea, text) FROM PUBLIC;
GRANT ALL ON FUNCTION crypto.encrypt(bytea, bytea, text) TO examiner_verifier;
GRANT ALL ON FUNCTION crypto.encrypt(bytea, bytea, text) TO examiner_auth;


--
-- Name: FUNCTION encrypt_iv(bytea, bytea, bytea, text); Type: ACL; Schema: crypto; Owner: postgres
--

REVOKE ALL ON FUNCTION crypto.encrypt_iv(bytea, bytea, bytea, text) FROM PUBLIC;
GRANT ALL ON FUNCTION crypto.encrypt_iv(bytea, bytea, bytea, text) TO examiner_verifier;
GRANT ALL ON FUNCTION crypto.encrypt_iv(bytea, bytea, bytea, text) TO examiner_auth;


--
-- Name: FUNCTION gen_random_bytes(integer); Type: ACL; Schema: crypto; Owner: postgres
--

REVOKE ALL ON FUNCTION crypto.gen_random_bytes(integer) FROM PUBLIC;
GRANT ALL ON FUNCTION crypto.gen_random_bytes(integer) TO examiner_verifier;
GRANT ALL ON FUNCTION crypto.gen_random_bytes(integer) TO examiner_auth;


--
-- Name: FUNCTION gen_random_uuid(); Type: ACL; Schema: crypto; Owner: postgres
--

REVOKE ALL ON FUNCTION crypto.gen_random_uuid() FROM PUBLIC;
GRANT ALL ON FUNCTION crypto.gen_random_uuid() TO examiner_verifier;
GRANT ALL ON FUNCTION crypto.gen_random_uuid() TO examiner_auth;


--
-- Name: FUNCTION gen_salt(text); Type: ACL; Schema: crypto; Owner: postgres
--

REVOKE ALL ON FUNCTION crypto.gen_salt(text) FROM PUBLIC;
GRANT ALL ON FUNCTION crypto.gen_salt(text) TO examiner_verifier;
GRANT ALL ON FUNCTION crypto.gen_salt(text) TO examiner_auth;


--
-- Name: FUNCTION gen_salt(text, integer); Type: ACL; Schema: crypto; Owner: postgres
--

REVOKE ALL ON FUNCTION crypto.gen_salt(text, integer) FROM PUBLIC;
GRANT ALL ON FUNCTION crypto.gen_salt(text, integer) TO examiner_verifier;
GRANT ALL ON FUNCTION crypto.gen_salt(text, integer) TO examiner_auth;


--
-- Name: FUNCTION hmac(bytea, bytea, text); Type: ACL; Schema: crypto; Owner: postgres
--

REVOKE ALL ON FUNCTION crypto.hmac(bytea, bytea, text) FROM PUBLIC;
GRANT ALL ON FUNCTION crypto.hmac(bytea, bytea, text) TO examiner_verifier;
GRANT ALL ON FUNCTION crypto.hmac(bytea, bytea, text) TO examiner_auth;


--
-- Name: FUNCTION hmac(text, text, text); Type: ACL; Schema: crypto; Owner: postgres
--

REVOKE ALL ON FUNCTION crypto.hmac(text, text, text) FROM PUBLIC;
GRANT ALL ON FUNCTION crypto.hmac(text, text, text) TO examiner_verifier;
GRANT ALL ON FUNCTION crypto.hmac(text, text, text) TO examiner_auth;


--
-- Name: FUNCTION pgp_armor_headers(text, OUT key text, OUT value text); Type: ACL; Schema: crypto; Owner: postgres
--

REVOKE ALL ON FUNCTION crypto.pgp_armor_headers(text, OUT key text, OUT value text) FROM PUBLIC;
GRANT ALL ON FUNCTION crypto.pgp_armor_headers(text, OUT key text, OUT value text) TO examiner_verifier;
GRANT ALL ON FUNCTION crypto.pgp_armor_headers(text, OUT key text, OUT value text) TO examiner_auth;


--
-- Name: FUNCTION pgp_key_id(bytea); Type: ACL; Schema: crypto; Owner: postgres
--

REVOKE ALL ON FUNCTION crypto.pgp_key_id(bytea) FROM PUBLIC;
GRANT ALL ON FUNCTION crypto.pgp_key_id(bytea) TO examiner_verifier;
GRANT ALL ON FUNCTION crypto.pgp_key_id(bytea) TO examiner_auth;


--
-- Name: FUNCTION pgp_pub_decrypt(bytea, bytea); Type: ACL; Schema: crypto; Owner: postgres
--

REVOKE ALL ON FUNCTION crypto.pgp_pub_decrypt(bytea, bytea) FROM PUBLIC;
GRANT ALL ON FUNCTION crypto.pgp_pub_decrypt(bytea, bytea) TO examiner_verifier;
GRANT ALL ON FUNCTION crypto.pgp_pub_decrypt(bytea, bytea) TO examiner_auth;


--
-- Name: FUNCTION pgp_pub_decrypt(bytea, bytea, text); Type: ACL; Schema: crypto; Owner: postgres
--

REVOKE ALL ON FUNCTION crypto.pgp_pub_decrypt(bytea, bytea, text) FROM PUBLIC;
GRANT ALL ON FUNCTION crypto.pgp_pub_decrypt(bytea, bytea, text) TO examiner_verifier;
GRANT ALL ON FUNCTION crypto.pgp_pub_decrypt(bytea, bytea, text) TO examiner_auth;


--
-- Name: FUNCTION pgp_pub_decrypt(bytea, bytea, text, text); Type: ACL; Schema: crypto; Owner: postgres
--

REVOKE ALL ON FUNCTION crypto.pgp_pub_decrypt(bytea, bytea, text, text) FROM PUBLIC;
GRANT ALL ON FUNCTION crypto.pgp_pub_decrypt(bytea, bytea, text, text) TO examiner_verifier;
GRANT ALL ON FUNCTION crypto.pgp_pub_decrypt(bytea, bytea, text, text) TO examiner_auth;


--
-- Name: FUNCTION pgp_pub_decrypt_bytea(bytea, bytea); Type: ACL; Schema: crypto; Owner: postgres
--

REVOKE ALL ON FUNCTION crypto.pgp_pub_decrypt_bytea(bytea, bytea) FROM PUBLIC;
GRANT ALL ON FUNCTION crypto.pgp_pub_decrypt_bytea(bytea, bytea) TO examiner_verifier;
GRANT ALL ON FUNCTION crypto.pgp_pub_decrypt_bytea(bytea, bytea) TO examiner_auth;


--
-- Name: FUNCTION pgp_pub_decrypt_bytea(bytea, bytea, text); Type: ACL; Schema: crypto; Owner: postgres
--

REVOKE ALL ON FUNCTION crypto.pgp_pub_decrypt_bytea(bytea, bytea, text) FROM PUBLIC;
GRANT ALL ON FUNCTION crypto.pgp_pub_decrypt_bytea(bytea, bytea, text) TO examiner_verifier;
GRANT ALL ON FUNCTION crypto.pgp_pub_decrypt_bytea(bytea, bytea, text) TO examiner_auth;


--
-- Name: FUNCTION pgp_pub_decrypt_bytea(bytea, bytea, text, text); Type: ACL; Schema: crypto; Owner: postgres
--

REVOKE ALL ON FUNCTION crypto.pgp_pub_decrypt_bytea(bytea, bytea, text, text) FROM PUBLIC;
GRANT ALL ON FUNCTION crypto.pgp_pub_decrypt_bytea(bytea, bytea, text, text) TO examiner_verifier;
GRANT ALL ON FUNCTION crypto.pgp_pub_decrypt_bytea(bytea, bytea, text, text) TO examiner_auth;


--
-- Name: FUNCTION pgp_pub_encrypt(text, bytea); Type: ACL; Schema: crypto; Owner: postgres
--

REVOKE ALL ON FUNCTION crypto.pgp_pub_encrypt(text, bytea) FROM PUBLIC;
GRANT ALL ON FUNCTION crypto.pgp_pub_encrypt(text, bytea) TO examiner_verifier;
GRANT ALL ON FUNCTION crypto.pgp_pub_encrypt(text, bytea) TO examiner_auth;


--
-- Name: FUNCTION pgp_pub_encrypt(text, bytea, text); Type: ACL; Schema: crypto; Owner: postgres
--

REVOKE ALL ON FUNCTION crypto.pgp_pub_encrypt(text, bytea, text) FROM PUBLIC;
GRANT ALL ON FUNCTION crypto.pgp_pub_encrypt(text, bytea, text) TO examiner_verifier;
GRANT ALL ON FUNCTION crypto.pgp_pub_encrypt(text, bytea, text) TO examiner_auth;


--
-- Name: FUNCTION pgp_pub_encrypt_bytea(bytea, bytea); Type: ACL; Schema: crypto; Owner: postgres
--

REVOKE ALL ON FUNCTION crypto.pgp_pub_encrypt_bytea(bytea, bytea) FROM PUBLIC;
GRANT ALL ON FUNCTION crypto.pgp_pub_encrypt_bytea(bytea, bytea) TO examiner_verifier;
GRANT ALL ON FUNCTION crypto.pgp_pub_encrypt_bytea(bytea, bytea) TO examiner_auth;


--
-- Name: FUNCTION pgp_pub_encrypt_bytea(bytea, bytea, text); Type: ACL; Schema: crypto; Owner: postgres
--

REVOKE ALL ON FUNCTION crypto.pgp_pub_encrypt_bytea(bytea, bytea, text) FROM PUBLIC;
GRANT ALL ON FUNCTION crypto.pgp_pub_encrypt_bytea(bytea, bytea, text) TO examiner_verifier;
GRANT ALL ON FUNCTION crypto.pgp_pub_encrypt_bytea(bytea, bytea, text) TO examiner_auth;


--
-- Name: FUNCTION pgp_sym_decrypt(bytea, text); Type: ACL; Schema: crypto; Owner: postgres
--

REVOKE ALL ON FUNCTION crypto.pgp_sym_decrypt(bytea, text) FROM PUBLIC;
GRANT ALL ON FUNCTION crypto.pgp_sym_decrypt(bytea, text) TO examiner_verifier;
GRANT ALL ON FUNCTION crypto.pgp_sym_decrypt(bytea, text) TO examiner_auth;


--
-- Name: FUNCTION pgp_sym_decrypt(bytea, text, text); Type: ACL; Schema: crypto; Owner: postgres
--

REVOKE ALL ON FUNCTION crypto.pgp_sym_decrypt(bytea, text, text) FROM PUBLIC;
GRANT ALL ON FUNCTION crypto.pgp_sym_decrypt(bytea, text, text) TO examiner_verifier;
GRANT ALL ON FUNCTION crypto.pgp_sym_decrypt(bytea, text, text) TO examiner_auth;


--
-- Name: FUNCTION pgp_sym_decrypt_bytea(bytea, text); Type: ACL; Schema: crypto; Owner: postgres
--

REVOKE ALL ON FUNCTION crypto.pgp_sym_decrypt_bytea(bytea, text) FROM PUBLIC;
GRANT ALL ON FUNCTION crypto.pgp_sym_decrypt_bytea(bytea, text) TO examiner_verifier;
GRANT ALL ON FUNCTION crypto.pgp_sym_decrypt_bytea(bytea, text) TO examiner_auth;


--
-- Name: FUNCTION pgp_sym_decrypt_bytea(bytea, text, text); Type: ACL; Schema: crypto; Owner: postgres
--

REVOKE ALL ON FUNCTION crypto.pgp_sym_decrypt_bytea(bytea, text, text) FROM PUBLIC;
GRANT ALL ON FUNCTION crypto.pgp_sym_decrypt_bytea(bytea, text, text) TO examiner_verifier;
GRANT ALL ON FUNCTION crypto.pgp_sym_decrypt_bytea(bytea, text, text) TO examiner_auth;


--
-- Name: FUNCTION pgp_sym_encrypt(text, text); Type: ACL; Schema: crypto; Owner: postgres
--

REVOKE ALL ON FUNCTION crypto.pgp_sym_encrypt(text, text) FROM PUBLIC;
GRANT ALL ON FUNCTION crypto.pgp_sym_encrypt(text, text) TO examiner_verifier;
GRANT ALL ON FUNCTION crypto.pgp_sym_encrypt(text, text) TO examiner_auth;


--
-- Name: FUNCTION pgp_sym_encrypt(text, text, text); Type: ACL; Schema: crypto; Owner: postgres
--

REVOKE ALL ON FUNCTION crypto.pgp_sym_encrypt(text, text, text) FROM PUBLIC;
GRANT ALL ON FUNCTION crypto.pgp_sym_encrypt(text, text, text) TO examiner_verifier;
GRANT ALL ON FUNCTION crypto.pgp_sym_encrypt(text, text, text) TO examiner_auth;


--
-- Name: FUNCTION pgp_sym_encrypt_bytea(bytea, text); Type: ACL; Schema: crypto; Owner: postgres
--

REVOKE ALL ON FUNCTION crypto.pgp_sym_encrypt_bytea(bytea, text) FROM PUBLIC;
GRANT ALL ON FUNCTION crypto.pgp_sym_encrypt_bytea(bytea, text) TO examiner_verifier;
GRANT ALL ON FUNCTION crypto.pgp_sym_encrypt_bytea(bytea, text) TO examiner_auth;


--
-- Name: FUNCTION pgp_sym_encrypt_bytea(bytea, text, text); Type: ACL; Schema: crypto; Owner: postgres
--

REVOKE ALL ON FUNCTION crypto.pgp_sym_encrypt_bytea(bytea, text, text) FROM PUBLIC;
GRANT ALL ON FUNCTION crypto.pgp_sym_encrypt_bytea(bytea, text, text) TO examiner_verifier;
GRANT ALL ON FUNCTION crypto.pgp_sym_encrypt_bytea(bytea, text, text) TO examiner_auth;


--
-- Name: FUNCTION pg_prepared_statement(OUT name text, OUT statement text, OUT prepare_time timestamp with time zone, OUT parameter_types regtype[], OUT from_sql boolean, OUT generic_plans bigint, OUT custom_plans bigint); Type: ACL; Schema: pg_catalog; Owner: postgres
--

REVOKE ALL ON FUNCTION pg_catalog.pg_prepared_statement(OUT name text, OUT statement text, OUT prepare_time timestamp with time zone, OUT parameter_types regtype[], OUT from_sql boolean, OUT generic_plans bigint, OUT custom_plans bigint) FROM PUBLIC;


--
-- Name: TABLE claim_keys; Type: ACL; Schema: app; Owner: postgres
--

GRANT SELECT ON TABLE app.claim_keys TO examiner_verifier;


--
-- Name: TABLE answers; Type: ACL; Schema: public; Owner: postgres
--

GRANT SELECT ON TABLE public.answers TO examiner_student;
GRANT SELECT ON TABLE public.answers TO examiner_marker;


--
-- Name: COLUMN answers.exam_id; Type: ACL; Schema: public; Owner: postgres
--

GRANT INSERT(exam_id) ON TABLE public.answers TO examiner_student;


--
-- Name: COLUMN answers.number; Type: ACL; Schema: public; Owner: postgres
--

GRANT INSERT(number) ON TABLE public.answers TO examiner_student;


--
-- Name: COLUMN answers.student_id; Type: ACL; Schema: public; Owner: postgres
--

GRANT INSERT(student_id) ON TABLE public.answers TO examiner_student;


--
-- Name: COLUMN answers.choice; Type: ACL; Schema: public; Owner: postgres
--

GRANT INSERT(choice),UPDATE(choice) ON TABLE public.answers TO examiner_student;


--
-- Name: COLUMN answers.text; Type: ACL; Schema: public; Owner: postgres
--

GRANT INSERT(text),UPDATE(text) ON TABLE public.answers TO examiner_student;


--
-- Name: COLUMN answers.saved_at; Type: ACL; Schema: public; Owner: postgres
--

GRANT UPDATE(saved_at) ON TABLE public.answers TO examiner_student;


--
-- Name: COLUMN answers.marks_awarded; Type: ACL; Schema: public; Owner: postgres
--

GRANT UPDATE(marks_awarded) ON TABLE public.answers TO examiner_marker;


--
-- Name: COLUMN answers.self_marked; Type: ACL; Schema: public; Owner: postgres
--

GRANT UPDATE(self_marked) ON TABLE public.answers TO examiner_marker;


--
-- Name: COLUMN answers.marked_at; Type: ACL; Schema: public; Owner: postgres
--

GRANT UPDATE(marked_at) ON TABLE public.answers TO examiner_marker;


--
-- Name: TABLE auth_events; Type: ACL; Schema: public; Owner: postgres
--

GRANT SELECT,INSERT ON TABLE public.auth_events TO examiner_student;
GRANT INSERT ON TABLE public.auth_events TO examiner_auth;


--
-- Name: COLUMN auth_events.student_id; Type: ACL; Schema: public; Owner: postgres
--

GRANT SELECT(student_id) ON TABLE public.auth_events TO examiner_auth;


--
-- Name: COLUMN auth_events.kind; Type: ACL; Schema: public; Owner: postgres
--

GRANT SELECT(kind) ON TABLE public.auth_events TO examiner_auth;


--
-- Name: COLUMN auth_events.reason; Type: ACL; Schema: public; Owner: postgres
--

GRANT SELECT(reason) ON TABLE public.auth_events TO examiner_auth;


--
-- Name: COLUMN auth_events.created_at; Type: ACL; Schema: public; Owner: postgres
--

GRANT SELECT(created_at) ON TABLE public.auth_events TO examiner_auth;


--
-- Name: TABLE exam_questions; Type: ACL; Schema: public; Owner: postgres
--

GRANT SELECT,INSERT ON TABLE public.exam_questions TO examiner_student;
GRANT SELECT ON TABLE public.exam_questions TO examiner_marker;


--
-- Name: TABLE exams; Type: ACL; Schema: public; Owner: postgres
--

GRANT SELECT,INSERT,DELETE ON TABLE public.exams TO examiner_student;
GRANT SELECT ON TABLE public.exams TO examiner_marker;


--
-- Name: COLUMN exams.status; Type: ACL; Schema: public; Owner: postgres
--

GRANT UPDATE(status) ON TABLE public.exams TO examiner_student;


--
-- Name: COLUMN exams.updated_at; Type: ACL; Schema: public; Owner: postgres
--

GRANT UPDATE(updated_at) ON TABLE public.exams TO examiner_marker;
GRANT UPDATE(updated_at) ON TABLE public.exams TO examiner_student;


--
-- Name: COLUMN exams.started_at; Type: ACL; Schema: public; Owner: postgres
--

GRANT UPDATE(started_at) ON TABLE public.exams TO examiner_student;


--
-- Name: COLUMN exams.completed_at; Type: ACL; Schema: public; Owner: postgres
--

GRANT UPDATE(completed_at) ON TABLE public.exams TO examiner_student;


--
-- Name: COLUMN exams.score; Type: ACL; Schema: public; Owner: postgres
--

GRANT UPDATE(score) ON TABLE public.exams TO examiner_marker;


--
-- Name: COLUMN exams.max_score; Type: ACL; Schema: public; Owner: postgres
--

GRANT UPDATE(max_score) ON TABLE public.exams TO examiner_marker;


--
-- Name: COLUMN exams.marked_at; Type: ACL; Schema: public; Owner: postgres
--

GRANT UPDATE(marked_at) ON TABLE public.exams TO examiner_marker;


--
-- Name: TABLE papers; Type: ACL; Schema: public; Owner: postgres
--

GRANT SELECT ON TABLE public.papers TO examiner_student;


--
-- Name: TABLE question_keys; Type: ACL; Schema: public; Owner: postgres
--

GRANT SELECT ON TABLE public.question_keys TO examiner_student;
GRANT SELECT ON TABLE public.question_keys TO examiner_marker;


--
-- Name: TABLE question_syllabus_points; Type: ACL; Schema: public; Owner: postgres
--

GRANT SELECT ON TABLE public.question_syllabus_points TO examiner_student;


--
-- Name: TABLE questions; Type: ACL; Schema: public; Owner: postgres
--

GRANT SELECT ON TABLE public.questions TO examiner_student;
GRANT SELECT ON TABLE public.questions TO examiner_marker;


--
-- Name: COLUMN schema_version.version; Type: ACL; Schema: public; Owner: postgres
--

GRANT SELECT(version) ON TABLE public.schema_version TO examiner_auth;


--
-- Name: TABLE students; Type: ACL; Schema: public; Owner: postgres
--

GRANT DELETE ON TABLE public.students TO examiner_student;
GRANT SELECT,INSERT ON TABLE public.students TO examiner_auth;


--
-- Name: COLUMN students.id; Type: ACL; Schema: public; Owner: postgres
--

GRANT SELECT(id) ON TABLE public.students TO examiner_student;
GRANT SELECT(id) ON TABLE public.students TO examiner_verifier;


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
GRANT SELECT(token_generation) ON TABLE public.students TO examiner_verifier;


--
-- Name: TABLE subjects; Type: ACL; Schema: public; Owner: postgres
--

GRANT SELECT ON TABLE public.subjects TO examiner_student;


--
-- Name: TABLE syllabus_points; Type: ACL; Schema: public; Owner: postgres
--

GRANT SELECT ON TABLE public.syllabus_points TO examiner_student;


--
-- Name: DEFAULT PRIVILEGES FOR FUNCTIONS; Type: DEFAULT ACL; Schema: -; Owner: postgres
--

ALTER DEFAULT PRIVILEGES FOR ROLE postgres REVOKE ALL ON FUNCTIONS  FROM PUBLIC;


--
-- PostgreSQL database dump complete
--

