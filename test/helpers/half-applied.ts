import type pg from 'pg';

/** What each TOTP credential of these users had spent before a run: a later step was spent by a sign-in. */
export async function spentSteps(db: pg.ClientBase, emailPrefix: string): Promise<Map<string, number>> {
  const { rows } = await db.query<{ email: string; step: number }>(
    `SELECT u.email, c.last_used_step AS step FROM users u JOIN totp_credentials c ON c.user_id = u.id AND c.state = 'active'
     WHERE u.email_normalized LIKE $1`,
    [`${emailPrefix}.%`],
  );
  return new Map(rows.map((r) => [r.email, Number(r.step)]));
}

export interface CompletionAudit {
  /** One line per user whose records disagree, naming what is left half-applied. */
  halfApplied: string[];
  /** Users with a completed sign-in since `before`. */
  signedIn: string[];
  /** Replay alarms raised for these users: with one client per user, each a false alarm. */
  replayAlarms: number;
}

/**
 * Per user who signed in at most once after enrolling: every consumed transaction (the enrolment's and the
 * sign-in's) has exactly one session, one login_succeeded and one challenge_passed; a TOTP step spent after
 * enrolment belongs to a completed sign-in, and a completed sign-in spent one.
 */
export async function auditCompletions(db: pg.ClientBase, emailPrefix: string, before: Map<string, number>): Promise<CompletionAudit> {
  const { rows } = await db.query<{ email: string; consumed: number; logins: number; sessions: number; succeeded: number; passed: number; replays: number; step: string }>(
    `SELECT u.email,
       (SELECT count(*) FROM login_transactions t WHERE t.user_id = u.id AND t.consumed_at IS NOT NULL)::int AS consumed,
       (SELECT count(*) FROM login_transactions t WHERE t.user_id = u.id AND t.purpose = 'login' AND t.consumed_at IS NOT NULL)::int AS logins,
       (SELECT count(*) FROM sessions s WHERE s.user_id = u.id)::int AS sessions,
       (SELECT count(*) FROM security_events e WHERE e.user_id = u.id AND e.kind = 'login_succeeded')::int AS succeeded,
       (SELECT count(*) FROM security_events e WHERE e.user_id = u.id AND e.kind = 'challenge_passed')::int AS passed,
       (SELECT count(*) FROM security_events e WHERE e.user_id = u.id AND e.kind = 'totp_replay_rejected')::int AS replays,
       (SELECT c.last_used_step FROM totp_credentials c WHERE c.user_id = u.id AND c.state = 'active') AS step
     FROM users u WHERE u.email_normalized LIKE $1 ORDER BY u.email`,
    [`${emailPrefix}.%`],
  );
  const halfApplied = rows
    .map((r) => {
      const stepSpent = Number(r.step) > before.get(r.email)!;
      const problems = [
        r.logins > 1 && `${r.logins} sign-ins consumed`,
        r.sessions !== r.consumed && `${r.consumed} consumed transactions but ${r.sessions} sessions`,
        r.succeeded !== r.consumed && `${r.consumed} consumed transactions but ${r.succeeded} login_succeeded events`,
        r.passed !== r.consumed && `${r.consumed} consumed transactions but ${r.passed} challenge_passed events`,
        stepSpent && r.logins === 0 && 'a TOTP step spent without a completed sign-in',
        !stepSpent && r.logins === 1 && 'a sign-in completed without spending a TOTP step',
      ].filter(Boolean);
      return problems.length ? `${r.email}: ${problems.join('; ')}` : null;
    })
    .filter((line): line is string => line !== null);
  return {
    halfApplied,
    signedIn: rows.filter((r) => r.logins === 1).map((r) => r.email),
    replayAlarms: rows.reduce((n, r) => n + r.replays, 0),
  };
}
