import type { ServerProcess } from './process.ts';

/** The highest RSS of a server's process tree, read every `everyMs` until `stop()`, which also gives the last read. */
export function watchRss(server: Pick<ServerProcess, 'rss'>, everyMs = 200): { stop(): { peak: number; last: number } } {
  let peak = server.rss();
  const timer = setInterval(() => (peak = Math.max(peak, server.rss())), everyMs);
  return {
    stop() {
      clearInterval(timer);
      const last = server.rss();
      return { peak: Math.max(peak, last), last };
    },
  };
}
