import { execFile } from 'node:child_process';
import { randomBytes, randomInt } from 'node:crypto';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';
import { generateHOTP, type OtpAlgorithm } from './hotp.ts';
import { defaultTotpParams, generateTOTP, totpStep, verifyTOTPStep, type TotpParams } from './totp.ts';

const run = promisify(execFile);
const algorithms = ['SHA1', 'SHA256', 'SHA512'] as const;

// RFC 6238 appendix B uses a seed of the hash's own output length for each algorithm.
const seeds: Record<OtpAlgorithm, Uint8Array> = {
  SHA1: new TextEncoder().encode('12345678901234567890'),
  SHA256: new TextEncoder().encode('12345678901234567890123456789012'),
  SHA512: new TextEncoder().encode('1234567890123456789012345678901234567890123456789012345678901234'),
};

describe('totpStep', () => {
  it('counts whole periods since the Unix epoch', () => {
    expect(totpStep(0, 30)).toBe(0);
    expect(totpStep(29_999, 30)).toBe(0);
    expect(totpStep(30_000, 30)).toBe(1);
    expect(totpStep(59_000, 30)).toBe(1);
    expect(totpStep(1_111_111_109_000, 30)).toBe(0x23523ec);
    expect(totpStep(20_000_000_000_000, 30)).toBe(0x27bc86aa);
    expect(totpStep(119_999, 60)).toBe(1);
  });
});

describe('generateTOTP (RFC 6238)', () => {
  it('uses SHA-1, 6 digits and 30-second periods unless told otherwise', () => {
    expect(defaultTotpParams).toEqual({ algorithm: 'SHA1', digits: 6, periodSeconds: 30 });
    expect(generateTOTP(seeds.SHA1, 59_000)).toBe('287082'); // HOTP counter 1 of RFC 4226 appendix D
  });

  it.each([
    [59, '94287082', '46119246', '90693936'],
    [1111111109, '07081804', '68084774', '25091201'],
    [1111111111, '14050471', '67062674', '99943326'],
    [1234567890, '89005924', '91819424', '93441116'],
    [2000000000, '69279037', '90698825', '38618901'],
    [20000000000, '65353130', '77737706', '47863826'],
  ])('matches appendix B at T = %i s: SHA-1 %s, SHA-256 %s, SHA-512 %s', (seconds, sha1, sha256, sha512) => {
    const expected: Record<OtpAlgorithm, string> = { SHA1: sha1, SHA256: sha256, SHA512: sha512 };
    for (const algorithm of algorithms) {
      expect(generateTOTP(seeds[algorithm], seconds * 1000, { algorithm, digits: 8, periodSeconds: 30 })).toBe(expected[algorithm]);
    }
  });

  // Hundreds of oathtool processes: the normal suite runs it; mutation runs (stryker/vitest.config.ts) judge mutants by
  // the RFC vectors and the node:crypto reference instead, in milliseconds.
  it.skipIf(process.env.TWOFOLD_MUTATION_RUN === '1')('agrees with an independent implementation, oathtool, on random secrets and times', async () => {
    await run('oathtool', ['--version']).catch((error: unknown) => {
      throw new Error(`this test needs oathtool from oath-toolkit (apt-get install oathtool): ${String(error)}`);
    });

    const followingSteps = 3; // oathtool --window prints the current code and this many after it
    const calls: Array<{ key: Buffer; seconds: number; params: TotpParams }> = [];
    for (let secret = 0; secret < 40; secret++) {
      const key = randomBytes(randomInt(10, 65));
      for (const algorithm of algorithms) {
        for (const digits of [6, 8]) {
          for (const periodSeconds of [30, 60]) {
            // One time in four lies so far ahead that the step no longer fits in 32 bits.
            const seconds = randomInt(4) === 0 ? randomInt(2 ** 32 * 60, 2 ** 40) : randomInt(0, 4_000_000_000);
            calls.push({ key, seconds, params: { algorithm, digits, periodSeconds } });
          }
        }
      }
    }

    const outputs = await inParallel(calls, 16, ({ key, seconds, params }) =>
      run('oathtool', [
        `--totp=${params.algorithm.toLowerCase()}`,
        `--digits=${params.digits}`,
        `--time-step-size=${params.periodSeconds}s`,
        `--now=@${seconds}`,
        `--window=${followingSteps}`,
        key.toString('hex'),
      ]).then(({ stdout }) => stdout.trim().split('\n')),
    );

    calls.forEach(({ key, seconds, params }, i) => {
      const ours = Array.from({ length: followingSteps + 1 }, (_, k) => generateTOTP(key, (seconds + k * params.periodSeconds) * 1000, params));
      expect(ours, `${JSON.stringify(params)} at @${seconds} with key ${key.toString('hex')}`).toEqual(outputs[i]);
    });
    // 480 oathtool processes: seconds on an idle machine, more on a loaded one.
  }, 120_000);
});

describe('verifyTOTPStep', () => {
  const key = seeds.SHA1;
  const timeMs = 1_700_000_000_000;
  const step = totpStep(timeMs, 30);
  const codeAt = (offsetSteps: number) => generateTOTP(key, timeMs + offsetSteps * 30_000);

  it('returns the step number of a good code', () => {
    expect(step).toBe(56_666_666);
    expect(verifyTOTPStep(key, codeAt(0), { timeMs })).toBe(56_666_666);
  });

  it('is strict by default: the current step only', () => {
    expect(verifyTOTPStep(key, codeAt(-1), { timeMs })).toBeNull();
    expect(verifyTOTPStep(key, codeAt(1), { timeMs })).toBeNull();
  });

  it('accepts drift of as many steps as the caller names, and no more', () => {
    expect(verifyTOTPStep(key, codeAt(-1), { timeMs, windowSteps: 1 })).toBe(step - 1);
    expect(verifyTOTPStep(key, codeAt(1), { timeMs, windowSteps: 1 })).toBe(step + 1);
    expect(verifyTOTPStep(key, codeAt(2), { timeMs, windowSteps: 1 })).toBeNull();
    expect(verifyTOTPStep(key, codeAt(-2), { timeMs, windowSteps: 1 })).toBeNull();
    expect(verifyTOTPStep(key, codeAt(-2), { timeMs, windowSteps: 2 })).toBe(step - 2);
  });

  it('refuses a step at or before the last accepted one (replay)', () => {
    expect(verifyTOTPStep(key, codeAt(0), { timeMs, windowSteps: 1, afterStep: step })).toBeNull();
    expect(verifyTOTPStep(key, codeAt(-1), { timeMs, windowSteps: 1, afterStep: step - 1 })).toBeNull();
    expect(verifyTOTPStep(key, codeAt(0), { timeMs, windowSteps: 1, afterStep: step - 1 })).toBe(step);
    expect(verifyTOTPStep(key, codeAt(1), { timeMs, windowSteps: 1, afterStep: step })).toBe(step + 1);
  });

  it('returns the later step when one code belongs to two, so the earlier cannot be replayed', () => {
    // Found by search: under this key, steps 56667929 and 56668593 both give 784113.
    const [earlier, later] = [56_667_929, 56_668_593];
    expect(generateHOTP(key, earlier)).toBe('784113');
    expect(generateHOTP(key, later)).toBe('784113');
    const middle = { timeMs: ((earlier + later) / 2) * 30_000, windowSteps: (later - earlier) / 2 };
    expect(verifyTOTPStep(key, '784113', middle)).toBe(later);
    expect(verifyTOTPStep(key, '784113', { ...middle, afterStep: later })).toBeNull();
    expect(verifyTOTPStep(key, '784113', { timeMs: earlier * 30_000 })).toBe(earlier);
  });

  it('skips steps before the epoch', () => {
    expect(verifyTOTPStep(key, generateTOTP(key, 0), { timeMs: 0, windowSteps: 2 })).toBe(0);
    expect(verifyTOTPStep(key, generateTOTP(key, 30_000), { timeMs: 0, windowSteps: 2 })).toBe(1);
  });

  it('honours the parameters of the credential', () => {
    const params: TotpParams = { algorithm: 'SHA512', digits: 8, periodSeconds: 60 };
    const code = generateTOTP(seeds.SHA512, timeMs, params);
    expect(verifyTOTPStep(seeds.SHA512, code, { timeMs, params })).toBe(totpStep(timeMs, 60));
    expect(verifyTOTPStep(seeds.SHA512, code, { timeMs })).toBeNull();
  });

  it.each([
    ['empty', ''],
    ['too short', '12345'],
    ['too long', '1234567'],
    ['with a space', '12 456'],
    ['with letters', 'abcdef'],
    ['signed', '+12345'],
    ['in exponent form', '1e5000'],
    ['with a trailing newline', '12345\n'],
    ['in Arabic-Indic digits', '١٢٣٤٥٦'],
    ['in full-width digits', '１２３４５６'],
    ['with the character before 0', '12345/'],
    ['with the character after 9', '12345:'],
    // Read as digits, these add up to the current code (921300): only the digit check refuses them.
    ['whose character after 9 adds up to the right code', '92129:'],
    ['whose character ten below 0 adds up to the right code', '92131&'],
  ])('rejects a code that is %s', (_, code) => {
    expect(verifyTOTPStep(key, code, { timeMs, windowSteps: 1 })).toBeNull();
  });

  it('refuses the right code with a zero in front or its last digit dropped: the length is part of the code', () => {
    expect(verifyTOTPStep(key, `0${codeAt(0)}`, { timeMs })).toBeNull();
    expect(verifyTOTPStep(key, `00${codeAt(0)}`, { timeMs, params: { algorithm: 'SHA1', digits: 8, periodSeconds: 30 } })).toBeNull();
    expect(verifyTOTPStep(key, codeAt(0).slice(0, 5), { timeMs })).toBeNull();
  });

  it('reads every digit, 0 to 9', () => {
    // The codes of these ten steps (921300 732303 136087 …) hold every digit from 0 to 9.
    for (const offset of [0, 1, 2, 3, 4, 5, 6, 7, 8, 9]) {
      const code = codeAt(offset);
      expect(verifyTOTPStep(key, code, { timeMs: timeMs + offset * 30_000 })).toBe(step + offset);
    }
  });

  it('accepts a correct code with leading zeros', () => {
    const zeroLed = 36 * 30_000; // HOTP counter 36 of this key is 003784
    expect(generateTOTP(key, zeroLed)).toBe('003784');
    expect(verifyTOTPStep(key, '003784', { timeMs: zeroLed })).toBe(36);
  });

  it('treats a negative or fractional window as a programming error', () => {
    expect(() => verifyTOTPStep(key, codeAt(0), { timeMs, windowSteps: -1 })).toThrow(RangeError);
    expect(() => verifyTOTPStep(key, codeAt(0), { timeMs, windowSteps: 0.5 })).toThrow(RangeError);
  });
});

/** Maps items through `task` with at most `limit` running at once, keeping the order of the results. */
async function inParallel<T, R>(items: readonly T[], limit: number, task: (item: T) => Promise<R>): Promise<R[]> {
  const results: R[] = new Array(items.length);
  let next = 0;
  const worker = async () => {
    while (next < items.length) {
      const index = next++;
      results[index] = await task(items[index]!);
    }
  };
  await Promise.all(Array.from({ length: limit }, worker));
  return results;
}
