// Pseudo-terminals inside the sandbox (devpts): an interactive bash on a pty whose
// master is held by a sandboxed python3 (Ctrl-C, Ctrl-Z, jobs, fg through the
// sandbox's own line discipline and job control), and script(1) run in the sandbox.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { sandboxed } from '../lib/run.mjs';

/** A tiny terminal emulator: types the steps into bash on a pty and prints the screen. */
const TERMINAL = `
import os, pty, sys, time, select
pid, fd = pty.fork()
if pid == 0:
    os.environ.update(PS1='PROMPT$ ', TERM='dumb')
    os.execv('/bin/bash', ['bash', '--norc', '-i'])
out = b''
def pump(secs):
    global out
    end = time.time() + secs
    while time.time() < end:
        r, _, _ = select.select([fd], [], [], max(0, end - time.time()))
        if not r:
            return
        try:
            d = os.read(fd, 4096)
        except OSError:
            return
        if not d:
            return
        out += d
steps = [('echo hello-pty; tty\\n', 0.5), ('sleep 30\\n', 0.8), ('\\x03', 0.5), ('echo after-int $?\\n', 0.5),
         ('sleep 30\\n', 0.8), ('\\x1a', 0.6), ('jobs\\n', 0.5), ('fg\\n', 0.6), ('\\x03', 0.5),
         ('echo done $?\\n', 0.5), ('exit\\n', 0.5)]
pump(1.0)
for text, delay in steps:
    os.write(fd, text.encode())
    pump(delay)
_, st = os.waitpid(pid, 0)
sys.stdout.write(out.decode(errors='replace').replace('\\r', ''))
print('status', st)
`;

test('bash on a sandbox pty: Ctrl-C interrupts, Ctrl-Z stops, jobs and fg work', { skip: !existsSync('/bin/bash') && 'no bash' },
  () => {
    const r = sandboxed(['python3', '-c', TERMINAL], { input: '' });
    assert.equal(r.status, 0, r.stderr);
    const screen = r.stdout;
    assert.match(screen, /hello-pty\n\/dev\/pts\/0\n/);
    assert.match(screen, /after-int 130/);
    assert.match(screen, /\[1\]\+\s+Stopped\s+sleep 30/);
    assert.match(screen, /done 130/);
    assert.match(screen, /status 0$/m);
  });

test('script(1) runs a command on a sandbox pty', { skip: !existsSync('/usr/bin/script') && 'no script(1)' }, () => {
  const r = sandboxed(['script', '-qc', 'echo hi; tty; stty size', '/dev/null'], { input: '' });
  assert.equal(r.status, 0, r.stderr);
  assert.equal(r.stdout.replace(/\r/g, ''), 'hi\n/dev/pts/0\n0 0\n');
});
