/** CLI output: human lines by default, one JSON document with `--json` (for scripts). */
export interface Output {
  json: boolean;
  result(value: unknown, human: () => string): void;
  error(message: string): void;
}

export function createOutput(json: boolean): Output {
  return {
    json,
    result(value, human) {
      process.stdout.write(json ? `${JSON.stringify(value, null, 2)}\n` : `${human()}\n`);
    },
    error(message) {
      process.stderr.write(json ? `${JSON.stringify({ error: message })}\n` : `twofold: ${message}\n`);
    },
  };
}
