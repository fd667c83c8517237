/**
 * Progress on stderr: rewritten in place on a terminal (at most 4 times a second), one line every 10 s
 * when stderr is a file or a pipe (a log of a long generation stays readable).
 */
export class Progress {
  private last = 0;
  private readonly tty = Boolean(process.stderr.isTTY);

  show(line: string, force = false): void {
    const now = Date.now();
    if (!force && now - this.last < (this.tty ? 250 : 10_000)) return;
    this.last = now;
    process.stderr.write(this.tty ? `\r${line}\u001b[K` : `${line}\n`);
  }

  /** the last line, kept, and a new line on a terminal */
  done(line: string): void {
    this.show(line, true);
    if (this.tty) process.stderr.write('\n');
  }
}
