import { createRequire } from 'node:module';
import type { FastifyServerOptions } from 'fastify';

type Compiled = ((...args: unknown[]) => unknown) & { errors?: unknown };
type Compile = (route: unknown) => Compiled;
type Builder = (...args: unknown[]) => Compile;
type CompilersFactory = NonNullable<NonNullable<FastifyServerOptions['schemaController']>['compilersFactory']>;

/**
 * The compilers' packages (Ajv with its formats, fast-json-stringify: about a hundred modules) are loaded with
 * the first schema compiled, synchronously as a compile must be, not with the server's code.
 */
const require = createRequire(import.meta.url);
const selector = (name: string) => (): Builder => (require(name) as () => Builder)();

/**
 * Fastify's own schema compilers (Ajv for requests, fast-json-stringify for responses), each route's schema
 * compiled when the route is first used or by `warm()`, not all before the server listens: compiling every route
 * of four façades took about 0.3 s of a start of about 1.9 s (benchmark 7, a CPU profile of a restart). Same
 * compilers, same options, same results; only the moment moves.
 */
export function lazySchemaCompilers() {
  const waiting = new Set<() => void>();

  /** A stand-in for the compiled function: compiles on its first call, then forwards (and Ajv's `errors` with it). */
  function deferred(compile: () => Compiled): Compiled {
    let compiled: Compiled | undefined;
    const load = () => {
      waiting.delete(load);
      return (compiled ??= compile());
    };
    waiting.add(load);
    const run: Compiled = function (this: unknown, ...args: unknown[]) {
      const fn = compiled ?? load();
      const result = fn.apply(this, args);
      run.errors = fn.errors;
      return result;
    };
    return run;
  }

  // One selector per compiler for the whole server, as Fastify makes it (it pools compilers by their options).
  const lazily = (makeBuilder: () => Builder): Builder => {
    let builder: Builder | undefined;
    return (...args) => {
      let compile: Compile | undefined;
      return (route) => deferred(() => (compile ??= (builder ??= makeBuilder())(...args))(route));
    };
  };

  return {
    // Fastify's types describe Ajv's functions; the stand-ins behave as them (called, and `errors` read after).
    compilersFactory: {
      buildValidator: lazily(selector('@fastify/ajv-compiler')),
      buildSerializer: lazily(selector('@fastify/fast-json-stringify-compiler')),
    } as unknown as CompilersFactory,
    /** How many compiled functions are still waiting for their first use or the warm-up. */
    get waiting(): number {
      return waiting.size;
    },
    /**
     * Compiles what no request has needed yet, one schema per turn of the event loop (requests go first), so the
     * first request of each route is not the one that pays, and a broken schema still shows soon after start.
     */
    warm(): Promise<void> {
      return new Promise((resolve, reject) => {
        const step = () => {
          const next = waiting.values().next();
          if (next.done) return resolve();
          try {
            next.value();
          } catch (error) {
            return reject(error);
          }
          setImmediate(step);
        };
        setImmediate(step);
      });
    },
  };
}
