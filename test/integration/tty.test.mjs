// Interactive use through a real pty (script(1)): a bash prompt, Ctrl-C, Ctrl-Z, jobs, fg.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { TSVISOR } from '../lib/run.mjs';

const SCRIPT = '/usr/bin/script';

/** Types `steps` ([text, delay ms]) into bash running under tsvisor on a pty; returns the screen. */
function session(steps) {
  return new Promise((resolve, reject) => {
    const p = spawn(SCRIPT, ['-qec', `${TSVISOR} do /bin/bash --norc -i`, '/dev/null'],
      { stdio: ['pipe', 'pipe', 'pipe'], env: { ...process.env, TERM: 'dumb', PS1: 'PROMPT$ ' } });
    let out = '';
    p.stdout.on('data', (d) => (out += d));
    p.on('error', reject);
    const timer = setTimeout(() => p.kill('SIGKILL'), 30_000);
    p.on('exit', () => {
      clearTimeout(timer);
      resolve(out.replace(/\r/g, '').replace(/\x1b\[\?2004[hl]/g, ''));
    });
    let at = 2000;
    for (const [text, delay] of steps) {
      setTimeout(() => p.stdin.write(text), at);
      at += delay;
    }
    setTimeout(() => p.stdin.end(), at + 500);
  });
}

test('bash is interactive: Ctrl-C interrupts, Ctrl-Z stops, jobs and fg work', { skip: !existsSync(SCRIPT) && 'no script(1)' },
  async () => {
    const screen = await session([
      ['echo hello-tty\n', 700],
      ['sleep 30\n', 1000], ['\x03', 700], ['echo after-int $?\n', 700],
      ['sleep 30\n', 1000], ['\x1a', 800], ['jobs\n', 600], ['fg\n', 800], ['\x03', 600],
      ['echo done $?\n', 600], ['exit\n', 300],
    ]);
    assert.match(screen, /hello-tty/);
    assert.match(screen, /after-int 130/);
    assert.match(screen, /\[1\]\+\s+Stopped\s+sleep 30/);
    assert.match(screen, /done 130/);
  });
