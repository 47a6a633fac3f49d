-- A failures-only rate limit counted by the answer's own statement (core/limits/rate-limit.ts `RateCharge`):
-- a sign-in's second factor then costs one read and one write, with no hit taken and given back around it.
-- Both wrap the writes of migration 0008 and answer what they answer, plus the limit's window (`rate_hits`,
-- `rate_window_start`). `p->'rate'` is {key, limit, window_seconds}; without it they are 0008's functions.

-- A right answer: accepted only while the window has a failure to spare. The counter is read, not written (a
-- success counts nothing), so parallel sign-ins from one address never queue on its row.
CREATE FUNCTION twofold_accept_answer(p jsonb) RETURNS jsonb LANGUAGE plpgsql AS $$
DECLARE
  v_rate jsonb := p->'rate';
  v_now timestamptz := (p->>'now')::timestamptz;
  v_hits integer := 0;
  v_start timestamptz;
BEGIN
  IF v_rate IS NULL THEN RETURN twofold_accept_proof(p); END IF;
  SELECT hits, window_start INTO v_hits, v_start FROM rate_limits
   WHERE key = v_rate->>'key' AND window_start > v_now - make_interval(secs => (v_rate->>'window_seconds')::integer);
  v_hits := coalesce(v_hits, 0);
  IF v_hits >= (v_rate->>'limit')::integer THEN
    RETURN jsonb_build_object('status', 'rate-limited', 'rate_hits', v_hits, 'rate_window_start', v_start);
  END IF;
  RETURN twofold_accept_proof(p) || jsonb_build_object('rate_hits', v_hits, 'rate_window_start', v_start);
END;
$$;

-- A wrong answer: its failure is counted first (the same upsert as the per-request counter, rate-limit-store.ts);
-- past the limit it spends nothing else and records nothing (the request is refused, as a hit past the limit
-- always was). One lock order, the user's row and then the counter's: no deadlock.
CREATE FUNCTION twofold_reject_answer(p jsonb) RETURNS jsonb LANGUAGE plpgsql AS $$
DECLARE
  v_rate jsonb := p->'rate';
  v_now timestamptz := (p->>'now')::timestamptz;
  v_window interval;
  v_hits integer;
  v_start timestamptz;
BEGIN
  IF v_rate IS NULL THEN RETURN twofold_reject_proof(p); END IF;
  -- The user's row first, as every answer write takes it: the address's counter, shared by all its requests, is
  -- then never held while waiting for one user's parallel answers.
  PERFORM 1 FROM users WHERE id = (p->>'user_id')::uuid FOR NO KEY UPDATE;
  v_window := make_interval(secs => (v_rate->>'window_seconds')::integer);
  INSERT INTO rate_limits (key, window_start, hits) VALUES (v_rate->>'key', v_now, 1)
  ON CONFLICT (key) DO UPDATE SET
    hits = CASE WHEN rate_limits.window_start <= v_now - v_window THEN 1 ELSE rate_limits.hits + 1 END,
    window_start = CASE WHEN rate_limits.window_start <= v_now - v_window THEN v_now ELSE rate_limits.window_start END
  RETURNING hits, window_start INTO v_hits, v_start;
  IF v_hits > (v_rate->>'limit')::integer THEN
    RETURN jsonb_build_object('rate_limited', true, 'rate_hits', v_hits, 'rate_window_start', v_start);
  END IF;
  RETURN twofold_reject_proof(p) || jsonb_build_object('rate_hits', v_hits, 'rate_window_start', v_start);
END;
$$;
