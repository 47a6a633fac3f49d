import { verify } from '@node-rs/argon2';

/**
 * The bare argon2id rate, in its own process (forked by password-login.ts, driven over IPC): `verify` of
 * the stored hash with `concurrency` calls in flight, exactly the work a password login does, without
 * HTTP or a database. Same library, same parameters (they live in the hash), same thread pool size.
 */

interface RunMessage {
  hash: string;
  digest: string;
  concurrency: number;
  warmupMs: number;
  durationMs: number;
}

async function run(message: RunMessage): Promise<{ rate: number; ok: number; cores: number }> {
  const start = process.hrtime.bigint();
  let cpuFrom: NodeJS.CpuUsage | undefined;
  const from = start + BigInt(message.warmupMs * 1e6);
  const to = from + BigInt(message.durationMs * 1e6);
  let ok = 0;
  const worker = async () => {
    for (;;) {
      const begin = process.hrtime.bigint();
      if (begin >= to) return;
      const valid = await verify(message.hash, message.digest);
      if (!valid) throw new Error('the benchmark hash does not verify');
      const end = process.hrtime.bigint();
      if (!cpuFrom && end >= from) cpuFrom = process.cpuUsage();
      if (begin >= from && end <= to) ok++;
    }
  };
  await Promise.all(Array.from({ length: message.concurrency }, worker));
  // Cores used from the first completion after the warm-up to the end (thread-pool hashing included).
  const used = process.cpuUsage(cpuFrom);
  const wall = Number(process.hrtime.bigint() - from) / 1e9;
  return { rate: ok / (message.durationMs / 1000), ok, cores: (used.user + used.system) / 1e6 / wall };
}

process.on('message', (message: RunMessage) => {
  run(message).then(
    (result) => process.send!({ result }),
    (error: unknown) => process.send!({ error: String(error) }),
  );
});
