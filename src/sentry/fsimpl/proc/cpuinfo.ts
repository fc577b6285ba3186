// /proc/cpuinfo (arch/x86/kernel/cpu/proc.c show_cpuinfo). The Sentry cannot run
// CPUID from JS and must not open host paths, so the launcher may pass the host's
// text (read before confinement): its first processor block becomes the template
// for each of the sandbox's CPUs, renumbered. Without it we describe a common
// x86_64 server CPU with a conservative flag list (apps run natively on the host
// CPU, so claiming extensions it lacks would mislead feature detection).

const GENERIC_FLAGS = [
  'fpu', 'vme', 'de', 'pse', 'tsc', 'msr', 'pae', 'mce', 'cx8', 'apic', 'sep', 'mtrr', 'pge', 'mca', 'cmov',
  'pat', 'pse36', 'clflush', 'mmx', 'fxsr', 'sse', 'sse2', 'ss', 'ht', 'syscall', 'nx', 'pdpe1gb', 'rdtscp',
  'lm', 'constant_tsc', 'rep_good', 'nopl', 'xtopology', 'nonstop_tsc', 'cpuid', 'tsc_known_freq', 'pni',
  'pclmulqdq', 'ssse3', 'fma', 'cx16', 'pcid', 'sse4_1', 'sse4_2', 'x2apic', 'movbe', 'popcnt', 'aes', 'xsave',
  'avx', 'f16c', 'rdrand', 'hypervisor', 'lahf_lm', 'abm', '3dnowprefetch', 'fsgsbase', 'bmi1', 'avx2', 'smep',
  'bmi2', 'erms', 'invpcid', 'xsaveopt', 'arat',
];

function genericBlock(): [string, string][] {
  return [
    ['processor', '0'],
    ['vendor_id', 'GenuineIntel'],
    ['cpu family', '6'],
    ['model', '85'],
    ['model name', 'Intel(R) Xeon(R) CPU @ 2.20GHz'],
    ['stepping', '7'],
    ['microcode', '0xffffffff'],
    ['cpu MHz', '2200.000'],
    ['cache size', '39424 KB'],
    ['physical id', '0'],
    ['siblings', '1'],
    ['core id', '0'],
    ['cpu cores', '1'],
    ['apicid', '0'],
    ['initial apicid', '0'],
    ['fpu', 'yes'],
    ['fpu_exception', 'yes'],
    ['cpuid level', '13'],
    ['wp', 'yes'],
    ['flags', GENERIC_FLAGS.join(' ')],
    ['bugs', ''],
    ['bogomips', '4400.00'],
    ['clflush size', '64'],
    ['cache_alignment', '64'],
    ['address sizes', '46 bits physical, 48 bits virtual'],
    ['power management', ''],
  ];
}

/** The key/value lines of the host's first processor block, or null if unusable. */
function parseHostBlock(text: string): [string, string][] | null {
  const block = text.split(/\n\s*\n/).find((b) => /^processor\s*:/m.test(b));
  if (!block) return null;
  const out: [string, string][] = [];
  for (const line of block.split('\n')) {
    const i = line.indexOf(':');
    if (i < 0) continue;
    out.push([line.slice(0, i).replace(/\s+$/, ''), line.slice(i + 1).trim()]);
  }
  return out;
}

/** "key\t: value" with Linux's tab alignment (two tabs for keys shorter than 8). */
function line(key: string, value: string): string {
  const tabs = key.length < 8 ? '\t\t' : '\t';
  if (key === 'power management') return `${key}:${value ? ` ${value}` : ''}\n`;
  if (key === 'flags' || key === 'bugs' || key === 'vmx flags') return `${key}${tabs}:${value ? ` ${value}` : ''}\n`;
  return `${key}${tabs}: ${value}\n`;
}

/** The whole file for `cpus` processors. */
export function cpuinfoText(cpus: number, hostText: string | undefined): string {
  const template = (hostText && parseHostBlock(hostText)) || genericBlock();
  const n = Math.max(1, cpus);
  const perCpu: Record<string, (i: number) => string> = {
    processor: (i) => String(i),
    'physical id': () => '0',
    siblings: () => String(n),
    'core id': (i) => String(i),
    'cpu cores': () => String(n),
    apicid: (i) => String(i),
    'initial apicid': (i) => String(i),
  };
  let s = '';
  for (let i = 0; i < n; i++) {
    for (const [key, value] of template) s += line(key, perCpu[key] ? perCpu[key]!(i) : value);
    s += '\n';
  }
  return s;
}
