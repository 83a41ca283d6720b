// A progress bar per downloaded file on stderr: name, bytes done/total, rate, time left. On a terminal
// one line redrawn in place; otherwise (CI, tests, a log file) a plain line when a file starts and ends.

export interface ProgressState {
  name: string;
  /** Bytes on disk, including what an earlier run left. */
  done: number;
  total: number | null;
  /** Bytes per second over this run's transfer. */
  bytesPerSecond: number;
}

const BAR_WIDTH = 24;

/** 1536 -> "1.5 KiB"; binary units, as the size of a file on disk is usually read. */
export function formatBytes(bytes: number): string {
  const units = ['B', 'KiB', 'MiB', 'GiB', 'TiB'];
  let value = bytes;
  let unit = 0;
  while (value >= 1024 && unit < units.length - 1) {
    value /= 1024;
    unit++;
  }
  return unit === 0 ? `${value} B` : `${value.toFixed(value < 10 ? 2 : 1)} ${units[unit]}`;
}

/** 75 -> "1:15", 3725 -> "1:02:05". */
export function formatDuration(seconds: number): string {
  const whole = Math.max(0, Math.round(seconds));
  const h = Math.floor(whole / 3600);
  const m = Math.floor((whole % 3600) / 60);
  const s = String(whole % 60).padStart(2, '0');
  return h > 0 ? `${h}:${String(m).padStart(2, '0')}:${s}` : `${m}:${s}`;
}

/** One line: `model.safetensors [#####.......]  120.0 MiB / 256.0 MiB  14.2 MiB/s  0:09 left`. */
export function formatProgress({ name, done, total, bytesPerSecond }: ProgressState): string {
  const rate = bytesPerSecond > 0 ? `${formatBytes(bytesPerSecond)}/s` : '-- /s';
  if (total === null || total <= 0) return `${name}  ${formatBytes(done)}  ${rate}`;
  const fraction = Math.min(1, done / total);
  const filled = Math.round(fraction * BAR_WIDTH);
  const bar = `[${'#'.repeat(filled)}${'.'.repeat(BAR_WIDTH - filled)}]`;
  const left = bytesPerSecond > 0 ? `${formatDuration((total - done) / bytesPerSecond)} left` : '--:-- left';
  return `${name} ${bar} ${(fraction * 100).toFixed(0).padStart(3)}%  ${formatBytes(done)} / ${formatBytes(total)}  ${rate}  ${left}`;
}

export interface ProgressSink {
  write(text: string): unknown;
  isTTY?: boolean;
}

/** The progress of one file, drawn on `sink` (stderr). */
export class FileProgress {
  private readonly startedAt = performance.now();
  private lastDrawn = 0;
  private done: number;

  constructor(
    private readonly sink: ProgressSink,
    private readonly name: string,
    private total: number | null,
    /** Bytes already on disk from an earlier run: counted as done, not in the rate. */
    private readonly resumedFrom: number,
  ) {
    this.done = resumedFrom;
    const resumed = resumedFrom > 0 ? `, resuming at ${formatBytes(resumedFrom)}` : '';
    if (!sink.isTTY) sink.write(`downloading ${name} (${total === null ? 'size unknown' : formatBytes(total)}${resumed})\n`);
    else this.draw();
  }

  /** The real total, once the response says it. */
  setTotal(total: number | null): void {
    if (total !== null) this.total = total;
  }

  update(done: number): void {
    this.done = done;
    const now = performance.now();
    if (this.sink.isTTY && now - this.lastDrawn > 100) this.draw(); // at most 10 redraws a second
  }

  finish(): void {
    const seconds = (performance.now() - this.startedAt) / 1000;
    const rate = seconds > 0 ? (this.done - this.resumedFrom) / seconds : 0;
    if (this.sink.isTTY) {
      this.draw(true);
      this.sink.write('\n');
    } else {
      this.sink.write(`downloaded ${this.name} (${formatBytes(this.done)} in ${seconds.toFixed(1)} s, ${formatBytes(rate)}/s)\n`);
    }
  }

  /** Ends the line on a terminal so an error message starts on its own line. */
  abandon(): void {
    if (this.sink.isTTY) this.sink.write('\n');
  }

  /** `final`: the average rate however short the transfer (mid-transfer, the first 0.2 s say nothing reliable). */
  private draw(final = false): void {
    this.lastDrawn = performance.now();
    const seconds = (this.lastDrawn - this.startedAt) / 1000;
    const bytesPerSecond = seconds > (final ? 0 : 0.2) ? (this.done - this.resumedFrom) / seconds : 0;
    const line = formatProgress({ name: this.name, done: this.done, total: this.total, bytesPerSecond });
    this.sink.write(`\r\x1b[2K${line}`);
  }
}
