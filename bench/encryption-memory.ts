// Time and peak memory of the OpenPGP stages against gpg itself, on 1 GiB.
//
// Usage: npx tsx bench/encryption-memory.ts [MEBIBYTES] (default 1024)
//
// Each phase runs in its own process so that each gets its own peak RSS
// (GNU time's %M when /usr/bin/time exists, else the child's own maxRSS;
// gpg then shows n/a). The input is incompressible, like the gzip data the
// stage sees in a backup; gpg runs with --compress-algo none for the same reason.
import { spawn, spawnSync } from 'node:child_process';
import { createCipheriv, createHash, randomBytes } from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { Writable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { prepareDecryptor, prepareEncryptor } from '../src/pipeline/encryption.js';

const PASSPHRASE = 'benchmark passphrase';
const GNU_TIME = '/usr/bin/time';

interface Measurement {
  readonly label: string;
  readonly seconds: number;
  readonly peakKiB: number | undefined;
  readonly sha256?: string;
}

/** What a phase child prints on its last line. */
interface PhaseReport {
  readonly maxRssKiB: number;
  readonly sha256?: string;
}

async function runPhase(phase: string, input: string, output: string): Promise<void> {
  const sink = output === '-' ? hashingSink() : undefined;
  if (phase === 'encrypt') {
    const encryptor = await prepareEncryptor({ mode: 'passphrase', passphrase: PASSPHRASE });
    await pipeline(
      fs.createReadStream(input),
      encryptor!.createStage(),
      fs.createWriteStream(output),
    );
  } else {
    const decryptor = await prepareDecryptor({ passphrase: PASSPHRASE });
    await pipeline(fs.createReadStream(input), decryptor.createStage(), sink!.stream);
  }
  const report: PhaseReport = {
    maxRssKiB: process.resourceUsage().maxRSS,
    ...(sink ? { sha256: sink.hash.digest('hex') } : {}),
  };
  console.log(JSON.stringify(report));
}

function hashingSink(): { stream: Writable; hash: ReturnType<typeof createHash> } {
  const hash = createHash('sha256');
  const stream = new Writable({
    write(chunk: Buffer, _encoding, callback) {
      hash.update(chunk);
      callback();
    },
  });
  return { stream, hash };
}

/** Incompressible bytes from an AES-CTR keystream: fast, and no 1 GiB buffer. */
async function generateInput(file: string, bytes: number): Promise<string> {
  const cipher = createCipheriv('aes-256-ctr', randomBytes(32), randomBytes(16));
  const zeros = Buffer.alloc(1 << 20);
  const hash = createHash('sha256');
  const out = fs.createWriteStream(file);
  for (let written = 0; written < bytes; written += zeros.length) {
    const chunk = cipher.update(zeros.subarray(0, Math.min(zeros.length, bytes - written)));
    hash.update(chunk);
    if (!out.write(chunk)) await new Promise<void>((resolve) => out.once('drain', () => resolve()));
  }
  await new Promise<void>((resolve, reject) =>
    out.end((error?: Error | null) => (error ? reject(error) : resolve())),
  );
  return hash.digest('hex');
}

/** Runs a command, optionally under GNU time, hashing its stdout when asked. */
async function measure(
  label: string,
  command: readonly string[],
  options: { env?: NodeJS.ProcessEnv; hashStdout?: boolean } = {},
): Promise<Measurement> {
  const timeReport = path.join(
    os.tmpdir(),
    `bench-time-${process.pid}-${randomBytes(4).toString('hex')}`,
  );
  const useTime = fs.existsSync(GNU_TIME);
  const argv = useTime ? [GNU_TIME, '-f', '%M', '-o', timeReport, ...command] : [...command];
  const started = process.hrtime.bigint();
  const child = spawn(argv[0]!, argv.slice(1), {
    env: options.env ?? process.env,
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  const hash = createHash('sha256');
  let lastLine = '';
  child.stdout.on('data', (chunk: Buffer) => {
    if (options.hashStdout) hash.update(chunk);
    else lastLine = (lastLine + chunk.toString()).trim().split('\n').pop() ?? '';
  });
  const status = await new Promise<number | null>((resolve) => child.on('close', resolve));
  const seconds = Number(process.hrtime.bigint() - started) / 1e9;
  if (status !== 0) throw new Error(`${label}: ${command.join(' ')} exited ${status}`);
  let peakKiB: number | undefined;
  if (useTime) {
    peakKiB = Number(fs.readFileSync(timeReport, 'utf8').trim().split('\n').pop());
    fs.rmSync(timeReport, { force: true });
  }
  const report =
    !options.hashStdout && lastLine.startsWith('{')
      ? (JSON.parse(lastLine) as PhaseReport)
      : undefined;
  peakKiB ??= report?.maxRssKiB;
  const sha256 = options.hashStdout ? hash.digest('hex') : report?.sha256;
  return { label, seconds, peakKiB, ...(sha256 ? { sha256 } : {}) };
}

function ours(phase: string, input: string, output: string): string[] {
  return [
    process.execPath,
    ...process.execArgv,
    import.meta.filename,
    '--phase',
    phase,
    input,
    output,
  ];
}

function gpg(home: string, passFile: string, args: readonly string[]): string[] {
  return [
    'gpg',
    '--homedir',
    home,
    '--batch',
    '--quiet',
    '--yes',
    '--pinentry-mode',
    'loopback',
    '--passphrase-file',
    passFile,
    ...args,
  ];
}

async function main(): Promise<void> {
  const mebibytes = Number(process.argv[2] ?? '1024');
  const bytes = mebibytes * 1024 * 1024;
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'db-backup-bench-encryption-'));
  const home = path.join(dir, 'gnupg');
  fs.mkdirSync(home, { mode: 0o700 });
  const passFile = path.join(dir, 'passphrase');
  fs.writeFileSync(passFile, `${PASSPHRASE}\n`, { mode: 0o600 });
  const input = path.join(dir, 'input.bin');
  try {
    const gpgVersion = spawnSync('gpg', ['--version'], { encoding: 'utf8' }).stdout.split('\n')[0];
    console.log(
      `${mebibytes} MiB, Node ${process.version}, ${gpgVersion}, ${os.cpus().length} CPUs`,
    );
    const inputSha = await generateInput(input, bytes);
    // A first small run starts the agent and seeds gpg's random pool, so the measured phase does not pay for it.
    const warmUp = gpg(home, passFile, ['--symmetric']);
    spawnSync(warmUp[0]!, warmUp.slice(1), { input: 'warm-up\n' });
    const ourFile = path.join(dir, 'ours.gpg');
    const gpgFile = path.join(dir, 'gpg.gpg');
    const results = [
      await measure('ours: encrypt (passphrase)', ours('encrypt', input, ourFile)),
      await measure(
        'gpg --symmetric --compress-algo none',
        gpg(home, passFile, [
          '--symmetric',
          '--cipher-algo',
          'AES256',
          '--compress-algo',
          'none',
          '-o',
          gpgFile,
          input,
        ]),
      ),
      await measure('ours: decrypt (our file)', ours('decrypt', ourFile, '-')),
      await measure('gpg --decrypt (gpg file)', gpg(home, passFile, ['--decrypt', gpgFile]), {
        hashStdout: true,
      }),
      await measure('ours: decrypt (gpg file)', ours('decrypt', gpgFile, '-')),
      await measure('gpg --decrypt (our file)', gpg(home, passFile, ['--decrypt', ourFile]), {
        hashStdout: true,
      }),
    ];
    console.log(
      `${'phase'.padEnd(40)} ${'seconds'.padStart(8)} ${'peak RSS MiB'.padStart(13)}  output`,
    );
    for (const result of results) {
      const peak = result.peakKiB === undefined ? 'n/a' : (result.peakKiB / 1024).toFixed(0);
      const check =
        result.sha256 === undefined
          ? ''
          : result.sha256 === inputSha
            ? 'sha256 ok'
            : 'SHA256 MISMATCH';
      console.log(
        `${result.label.padEnd(40)} ${result.seconds.toFixed(2).padStart(8)} ${peak.padStart(13)}  ${check}`,
      );
    }
    console.log(
      `sizes: input ${fs.statSync(input).size}, ours ${fs.statSync(ourFile).size}, gpg ${fs.statSync(gpgFile).size} bytes`,
    );
    if (results.some((result) => result.sha256 !== undefined && result.sha256 !== inputSha))
      process.exitCode = 1;
  } finally {
    spawnSync('gpgconf', ['--homedir', home, '--kill', 'gpg-agent']);
    fs.rmSync(dir, { recursive: true, force: true });
  }
}

if (process.argv[2] === '--phase') {
  const [phase, input, output] = process.argv.slice(3);
  await runPhase(phase!, input!, output!);
} else {
  await main();
}
