// `tsvisor do` with the Sentry serving host files itself (--directfs, the default)
// and through the gofer process (--directfs=false): both must read and list host
// files exactly as natively, and /proc, /dev, /sys are mounted on masked names, so
// the root is never modified (not even on a read-only root).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { native, sandboxed } from '../lib/run.mjs';

const BUSYBOX = '/bin/busybox';
const hasBusybox = existsSync(BUSYBOX);

for (const directfs of ['true', 'false']) {
  const global = [`--directfs=${directfs}`];

  test(`--directfs=${directfs}: reading a file and listing directories match native`, () => {
    for (const argv of [['/bin/cat', '/etc/os-release'], ['/bin/ls', '-la', '/etc'], ['/bin/ls', '-lai', '/usr']]) {
      const n = native(argv);
      const s = sandboxed(argv, { global });
      assert.equal(s.stderr, '', argv.join(' '));
      assert.equal(s.stdout, n.stdout, argv.join(' '));
      assert.equal(s.status, n.status);
    }
  });

  test(`--directfs=${directfs} --overlay2=none: /proc, /dev and /sys mount on a read-only root`, { skip: !hasBusybox && 'busybox-static not installed' }, () => {
    const flags = [...global, '--overlay2=none'];
    const r = sandboxed([BUSYBOX, 'cat', '/proc/self/status'], { global: flags });
    assert.equal(r.status, 0, r.stderr);
    assert.equal(r.stderr, '', 'no mount point warnings');
    assert.match(r.stdout, /^Name:\tbusybox$/m);
    const m = sandboxed([BUSYBOX, 'cat', '/proc/mounts'], { global: flags });
    assert.match(m.stdout, /^proc \/proc proc /m);
    assert.match(m.stdout, /^none \/dev /m);
    assert.match(m.stdout, /^sysfs \/sys sysfs /m);
    assert.match(m.stdout, directfs === 'true' ? /^\S+ \/ 9p ro,.*directfs/m : /^\S+ \/ 9p ro,trans=fd/m);
    const ls = sandboxed(['/bin/ls', '-la', '/etc'], { global: flags });
    assert.equal(ls.stdout, native(['/bin/ls', '-la', '/etc']).stdout);
  });
}
