// A stand-in for psql that runs the real one and passes its input on line by
// line, so that a test can put a restore at an exact moment: it can pause
// before or after a line (writing DIR/reached, going on when DIR/go exists or
// its own input ends), log what it passes on, and add lines of its own.
// Usage: node psql-gate.mjs CONFIG.json [psql arguments…]
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';

const [configFile, ...args] = process.argv.slice(2);
const config = JSON.parse(fs.readFileSync(configFile, 'utf8'));
const pauseBefore = config.pauseBefore ? new RegExp(config.pauseBefore) : undefined;
const pauseAfter = config.pauseAfter ? new RegExp(config.pauseAfter) : undefined;
const injectAfter = config.injectAfter ? new RegExp(config.injectAfter) : undefined;

const psql = spawn(config.real, args, { stdio: ['pipe', 'inherit', 'inherit'] });
if (config.pidFile) fs.writeFileSync(config.pidFile, String(psql.pid));
psql.stdin.on('error', () => undefined);
// The gate ends as psql does, at once: whoever runs it sees psql's own end.
psql.on('exit', (code, signal) => {
  if (signal) process.kill(process.pid, signal);
  process.exit(code ?? 1);
});

const lines = [];
let carry = '';
let ended = false;
let wake = () => undefined;
process.stdin.setEncoding('latin1');
process.stdin.on('data', (chunk) => {
  const parts = (carry + chunk).split('\n');
  carry = parts.pop() ?? '';
  for (const line of parts) lines.push(`${line}\n`);
  wake();
});
process.stdin.on('end', () => {
  if (carry) lines.push(carry);
  ended = true;
  wake();
});

const next = () =>
  new Promise((resolve) => {
    wake = resolve;
  });

let paused = false;
async function pause() {
  if (paused) return;
  paused = true;
  fs.writeFileSync(path.join(config.dir, 'reached'), '');
  // Until the test says go, or this gate's own input ends (the restore died): psql then gets the rest.
  while (!fs.existsSync(path.join(config.dir, 'go')) && !ended) {
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}

async function write(text) {
  if (config.log) fs.appendFileSync(config.log, text);
  if (!psql.stdin.write(Buffer.from(text, 'latin1'))) {
    await new Promise((resolve) => psql.stdin.once('drain', resolve));
  }
}

for (;;) {
  if (lines.length === 0) {
    if (ended) break;
    await next();
    continue;
  }
  const line = lines.shift();
  if (pauseBefore?.test(line)) await pause();
  await write(line);
  if (injectAfter?.test(line)) await write(config.inject);
  if (pauseAfter?.test(line)) await pause();
}
psql.stdin.end();
