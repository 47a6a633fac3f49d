import { readdirSync, readFileSync } from 'node:fs';
import { cpuOf, type ServerProcess } from './process.ts';

/**
 * Where the cores went during a sample: the server's process tree, all PostgreSQL processes, and this
 * process (the load generator). In cores (1.0 = one core busy for the whole sample).
 */
export interface CpuSplit {
  server: number;
  postgres: number;
  generator: number;
}

/** CPU seconds of every PostgreSQL process, by pid (backends come and go: deltas are taken per pid). */
function postgresCpu(): Map<number, number> {
  return new Map(postgresPids().map((pid) => [pid, cpuOf(pid)]));
}

function postgresPids(): number[] {
  const pids: number[] = [];
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      if (readFileSync(`/proc/${entry}/comm`, 'utf8').trim() === 'postgres') pids.push(Number(entry));
    } catch {
      // gone meanwhile
    }
  }
  return pids;
}

export class CpuMeter {
  #server: ServerProcess;
  #start = { server: 0, generator: 0, wall: 0n };
  #postgres = new Map<number, number>();

  constructor(server: ServerProcess) {
    this.#server = server;
  }

  start(): void {
    this.#start = { ...this.#read(), wall: process.hrtime.bigint() };
    this.#postgres = postgresCpu();
  }

  stop(): CpuSplit {
    const now = this.#read();
    const wall = Number(process.hrtime.bigint() - this.#start.wall) / 1e9;
    let postgres = 0;
    for (const [pid, seconds] of postgresCpu()) postgres += seconds - (this.#postgres.get(pid) ?? 0);
    return {
      server: (now.server - this.#start.server) / wall,
      postgres: postgres / wall,
      generator: (now.generator - this.#start.generator) / wall,
    };
  }

  #read() {
    const usage = process.cpuUsage();
    return { server: this.#server.cpuSeconds(), generator: (usage.user + usage.system) / 1e6 };
  }
}
