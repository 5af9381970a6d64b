import fs from 'node:fs';
import path from 'node:path';
import { errorMessage } from '../domain/errors.js';
import { redact } from '../domain/secrets.js';

export type LogLevel = 'INFO' | 'WARN' | 'ERROR';

/** One line of the log: `2026-11-30T02:00:03.412Z INFO backup[4242]: Wrote …` (UTC, one line per message). */
export function formatLogLine(
  time: Date,
  level: LogLevel,
  command: string,
  pid: number,
  message: string,
): string {
  // A message is one line: a newline inside it (a query in a failed check) is written as \n.
  const text = message.replace(/\r?\n/g, '\\n');
  return `${time.toISOString()} ${level} ${command}[${pid}]: ${text}`;
}

/**
 * The last lines of the run, kept for a failure ping (healthchecks.io shows
 * the body it gets). Bounded in lines and bytes whatever the job prints.
 */
export class RecentLines {
  private readonly lines: string[] = [];

  constructor(private readonly maxLines = 50) {}

  push(line: string): void {
    this.lines.push(line);
    if (this.lines.length > this.maxLines) this.lines.shift();
  }

  /** The newest lines that fit in `maxBytes` (UTF-8), oldest first. */
  tail(maxBytes = 10_000): string {
    const kept: string[] = [];
    let size = 0;
    for (let i = this.lines.length - 1; i >= 0; i -= 1) {
      const line = this.lines[i]!;
      const bytes = Buffer.byteLength(line) + 1;
      if (size + bytes > maxBytes) break;
      kept.unshift(line);
      size += bytes;
    }
    return kept.length > 0 ? `${kept.join('\n')}\n` : '';
  }
}

/**
 * `--log-file`: appends each line as it happens (synchronously, so that the
 * lines before an interruption are on disk). Created 0600 in a directory
 * made 0700 when missing. A log that cannot be written is reported once
 * through `onProblem` and then left alone: it never fails the job.
 *
 * Opened without blocking (a FIFO nobody reads is refused, not waited on
 * forever); a regular file of another user is refused (a symlink planted at
 * the path must not make a root cron job append to someone else's file); a
 * file moved away meanwhile (logrotate) is followed by a new one at the path.
 */
export class LogFile {
  private fd: number | undefined;
  /** The file the descriptor holds, to notice when the path names another one. */
  private opened: { dev: number; ino: number } | undefined;
  private failed = false;

  private constructor(
    readonly file: string,
    private readonly onProblem: (message: string) => void,
  ) {}

  static open(file: string, onProblem: (message: string) => void): LogFile {
    const log = new LogFile(file, onProblem);
    try {
      log.openFile();
    } catch (error) {
      log.fail(error);
    }
    return log;
  }

  write(line: string): void {
    if (this.fd === undefined) return;
    try {
      if (this.moved()) {
        fs.closeSync(this.fd);
        this.fd = undefined;
        this.openFile();
      }
      fs.writeSync(this.fd!, `${line}\n`);
    } catch (error) {
      this.fail(error);
    }
  }

  private openFile(): void {
    fs.mkdirSync(path.dirname(this.file), { recursive: true, mode: 0o700 });
    const { O_WRONLY, O_APPEND, O_CREAT, O_NONBLOCK } = fs.constants;
    const fd = fs.openSync(this.file, O_WRONLY | O_APPEND | O_CREAT | O_NONBLOCK, 0o600);
    try {
      const stat = fs.fstatSync(fd);
      const uid = process.geteuid?.();
      if (stat.isFile() && uid !== undefined && stat.uid !== uid) {
        throw new Error(`it is owned by uid ${stat.uid}, not by this user (uid ${uid})`);
      }
      this.opened = { dev: stat.dev, ino: stat.ino };
    } catch (error) {
      fs.closeSync(fd);
      throw error;
    }
    this.fd = fd;
  }

  /** Whether the path now names another file than the one open, or none (rotated away). */
  private moved(): boolean {
    try {
      const stat = fs.statSync(this.file);
      return stat.dev !== this.opened?.dev || stat.ino !== this.opened.ino;
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === 'ENOENT') return true;
      throw error;
    }
  }

  close(): void {
    if (this.fd === undefined) return;
    try {
      fs.closeSync(this.fd);
    } catch {
      // Nothing more can be written anyway.
    }
    this.fd = undefined;
  }

  private fail(error: unknown): void {
    if (this.fd !== undefined) this.close();
    if (this.failed) return;
    this.failed = true;
    this.onProblem(
      `cannot write the log file ${this.file} (${redact(errorMessage(error))}); the job goes on without it.`,
    );
  }
}

/** Where a run's lines go besides the terminal or the runner: the log file and the recent lines. */
export class RunLog {
  readonly recent = new RecentLines();
  private file: LogFile | undefined;

  constructor(
    private readonly command: string,
    private readonly clock: () => Date = () => new Date(),
    private readonly pid: number = process.pid,
  ) {}

  /** Starts appending to `file` (a problem goes to `onProblem`, once). */
  attachFile(file: string, onProblem: (message: string) => void): void {
    this.file = LogFile.open(file, onProblem);
  }

  /**
   * Records one message. Our own words: outside text in them (a child's
   * stderr, a server's error) was masked where it came in.
   */
  record(level: LogLevel, message: string): void {
    const line = formatLogLine(this.clock(), level, this.command, this.pid, message);
    this.recent.push(line);
    this.file?.write(line);
  }

  close(): void {
    this.file?.close();
  }
}
