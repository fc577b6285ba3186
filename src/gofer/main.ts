// Standalone gofer entry (tests, and running the gofer without the CLI bundle):
//   node dist/tsc/gofer/main.js [gofer flags]   with fd 3 = the socket.
import { goferMain } from '../runsc/cmd/gofer.js';

process.exit(goferMain(process.argv.slice(2)));
