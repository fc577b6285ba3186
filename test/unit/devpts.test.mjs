// The pty line discipline (fsimpl/devpts/ldisc.ts) on its own: editing and echo
// cases the differential tests do not reach (LNEXT, REPRINT, ECHOPRT, IUTF8 erase,
// XTABS, ISIG flushing a batch's echoes), and devpts mount options.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { LineDiscipline } from '../../dist/tsc/sentry/fsimpl/devpts/ldisc.js';
import { parseDevptsOptions } from '../../dist/tsc/sentry/fsimpl/devpts/devpts.js';
import { ECHOPRT, IUTF8, XTABS, defaultSlaveTermios } from '../../dist/tsc/abi/linux/termios.js';
import { EINVAL } from '../../dist/tsc/abi/linux/errno.js';

function ldisc(adjust = () => {}) {
  const termios = defaultSlaveTermios();
  adjust(termios);
  const events = [];
  const l = new LineDiscipline(() => termios, {
    signal: (sig) => events.push(`sig${sig}`),
    stop: () => events.push('stop'),
    start: () => events.push('start'),
    flushed: () => events.push('flushed'),
  });
  const type = (s) => {
    for (const c of Buffer.from(s, 'latin1')) l.receive(c);
    return Buffer.from(l.takeEchoes()).toString('latin1');
  };
  const read = () => Buffer.from(l.read(4096)).toString('latin1');
  return { l, type, read, events, termios };
}

test('LNEXT quotes the next character; REPRINT redraws the line', () => {
  const { type, read } = ldisc();
  assert.equal(type('a\x16\x15b'), 'a^\b^Ub');
  assert.equal(type('\x12'), '^R\r\na^Ub');
  type('\n');
  assert.equal(read(), 'a\x15b\n');
});

test('ECHOPRT shows erased characters between \\ and /', () => {
  const { type } = ldisc((t) => (t.lflag |= ECHOPRT));
  assert.equal(type('abc\x7f\x7fd'), 'abc\\cb/d');
});

test('IUTF8: ERASE removes a whole multibyte character', () => {
  const { type, read } = ldisc((t) => (t.iflag |= IUTF8));
  const e = Buffer.from('xé', 'utf8').toString('latin1');
  assert.equal(type(e + '\x7f'), e + '\b \b');
  type('\n');
  assert.equal(read(), 'x\n');
});

test('XTABS expands output tabs to the next multiple of 8', () => {
  const { l } = ldisc((t) => (t.oflag |= XTABS));
  const [out, used] = l.processOutput(Buffer.from('ab\tc\n'), 100);
  assert.equal(used, 5);
  assert.equal(Buffer.from(out).toString(), 'ab      c\r\n');
});

test('a signal character flushes the input and the batch echoes before it', () => {
  const { l, type, events } = ldisc();
  assert.equal(type('ab\x03z'), '^Cz');
  assert.deepEqual(events, ['flushed', 'sig2', 'start']); // IXON: a signal character restarts output
  assert.equal(l.count, 1);
});

test('devpts options: mode, ptmxmode, gid, newinstance; unknown ones are EINVAL', () => {
  assert.deepEqual(parseDevptsOptions('newinstance,ptmxmode=0666,mode=620,gid=5'),
    { uid: null, gid: 5, mode: 0o620, ptmxmode: 0o666, max: 4096 });
  assert.throws(() => parseDevptsOptions('bogus'), (e) => e === EINVAL);
  assert.throws(() => parseDevptsOptions('mode=9'), (e) => e === EINVAL);
});
