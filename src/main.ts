// Bundle entry: `bin/tsvisor` imports this and exits with what main returns.
export { main } from './runsc/cli.js';
