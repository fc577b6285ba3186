// The kernel log that dmesg(1) reads through syslog(2). Like gVisor, the boot log
// is short and makes fun of itself; it starts and ends the way users expect.

const FUNNY = [
  'Preparing for the zombie uprising...',
  'Checking naughty and nice process list...',
  'Rewriting operating system in TypeScript...',
  'Consulting tar man page...',
  'Moving files to filing cabinet...',
  'Digging up root...',
  'Reading the fine manual...',
  'Waiting for children...',
  'Feeding the event loop...',
  'Herding ptrace stops...',
  'Unpacking the node_modules black hole...',
  'Negotiating with the garbage collector...',
];

export class Syslog {
  private text = '';

  /** Builds the boot log; `seed` picks the funny lines. */
  boot(seed: number): void {
    const lines = ['Starting tsvisor...'];
    const pool = [...FUNNY];
    let s = seed >>> 0 || 1;
    for (let i = 0; i < 5; i++) {
      s = (s * 1103515245 + 12345) >>> 0;
      lines.push(pool.splice(s % pool.length, 1)[0]!);
    }
    lines.push('Setting up VFS...', 'Ready!');
    let t = 0;
    for (const l of lines) {
      this.text += `<6>[${t.toFixed(6).padStart(12)}] ${l}\n`;
      t += 0.1 + ((s = (s * 1103515245 + 12345) >>> 0) % 1000) / 1000;
    }
  }

  /** The whole log, with or without the "<level>" prefixes. */
  read(withLevels: boolean): string {
    return withLevels ? this.text : this.text.replace(/^<\d>/gm, '');
  }

  get size(): number {
    return this.text.length;
  }

  clear(): void {
    this.text = '';
  }
}
