import type { FastifyInstance } from 'fastify';
import { TwofoldError } from '../../core/errors.ts';

/**
 * Clients that post JSON with no body at all (the Backendless SDK's parameterless `invoke`, Rocket.Chat's
 * `users.2fa.enableEmail`): an empty body labelled JSON reads as "no parameters" in this scope, not as an error.
 */
export function acceptEmptyJson(app: FastifyInstance): void {
  app.removeContentTypeParser('application/json');
  app.addContentTypeParser('application/json', { parseAs: 'string' }, (_request, body, done) => {
    const text = typeof body === 'string' ? body : body.toString('utf8');
    if (text.trim() === '') return done(null, undefined);
    try {
      done(null, JSON.parse(text));
    } catch {
      done(new TwofoldError('invalid_json'), undefined);
    }
  });
}

/** `curl -d 'user=…&password=…'`: Rocket.Chat's REST API reads form bodies as well as JSON. */
export function acceptFormBodies(app: FastifyInstance): void {
  app.addContentTypeParser('application/x-www-form-urlencoded', { parseAs: 'string' }, (_request, body, done) => {
    // fromEntries defines own properties: a `__proto__` field is a field, never the prototype.
    done(null, Object.fromEntries(new URLSearchParams(typeof body === 'string' ? body : body.toString('utf8'))));
  });
}
