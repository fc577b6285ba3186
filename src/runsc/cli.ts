// The tsvisor command line: runsc's global flags, then a subcommand.
import { configureLog } from '../log.js';
import { linuxSyscallTable } from '../sentry/syscalls/linux/table.js';
import { goferMain } from './cmd/gofer.js';
import { DO_USAGE, doMain } from './cmd/do.js';
import { syscallsMain } from './cmd/syscalls.js';
import { GLOBAL_FLAGS, UsageError, parseGlobal } from './config.js';

export const VERSION = '0.1.0';

const COMMANDS: Record<string, string> = {
  do: 'run a command in a sandbox (host root read-only with a writable overlay)',
  gofer: 'serve files to a Sentry (internal)',
  syscalls: 'print the syscall compatibility table',
  help: 'print this help',
  version: 'print the version',
};

function usage(): string {
  const cmds = Object.entries(COMMANDS).map(([c, h]) => `  ${c.padEnd(12)} ${h}`).join('\n');
  const flags = Object.entries(GLOBAL_FLAGS)
    .map(([f, s]) => `  --${f}${s.bool ? '' : ' VALUE'}`.padEnd(30) + s.help)
    .join('\n');
  return `tsvisor ${VERSION}: an application kernel and OCI runtime in TypeScript (runsc-compatible)

usage: tsvisor [global flags] <command> [command flags] [args...]

commands:
${cmds}

global flags:
${flags}
  --version                   print the version
`;
}

export async function main(argv: string[]): Promise<number> {
  configureLog({ tag: 'tsvisor' });
  if (argv[0] === '--version' || argv[0] === '-version' || argv[0] === '-v') {
    process.stdout.write(`tsvisor version ${VERSION}\nspec: 1.1.0\n`);
    return 0;
  }
  // The gofer parses its own flags (it runs as a separate, confined process).
  if (argv[0] === 'gofer') return goferMain(argv.slice(1));
  try {
    const { config, rest } = parseGlobal(argv);
    const [cmd, ...args] = rest;
    switch (cmd) {
      case undefined:
      case 'help':
      case '--help':
        if (args[0] === 'do') process.stdout.write(DO_USAGE + '\n');
        else process.stdout.write(usage());
        return cmd === undefined ? 2 : 0;
      case 'version':
        process.stdout.write(`tsvisor version ${VERSION}\nspec: 1.1.0\n`);
        return 0;
      case 'do':
        return await doMain(config, args);
      case 'syscalls':
        return syscallsMain(args, linuxSyscallTable);
      default:
        throw new UsageError(`unknown command: ${cmd} (see "tsvisor help")`);
    }
  } catch (e) {
    if (e instanceof UsageError) {
      process.stderr.write(`tsvisor: ${e.message}\n`);
      return 2;
    }
    throw e;
  }
}
