// Signal dispositions (Linux's sighand_struct), shared by threads (CLONE_SIGHAND).
import { NSIG, SIG_DFL } from '../../abi/linux/signal.js';

export interface SigAction {
  handler: number;
  flags: number;
  restorer: number;
  mask: bigint;
}

export class SignalHandlers {
  readonly actions: SigAction[] = [];

  constructor() {
    for (let i = 0; i <= NSIG; i++) this.actions.push({ handler: SIG_DFL, flags: 0, restorer: 0, mask: 0n });
  }

  get(sig: number): SigAction {
    return this.actions[sig]!;
  }

  set(sig: number, a: SigAction): void {
    this.actions[sig] = { ...a };
  }

  /** execve resets handled signals to SIG_DFL; ignored ones stay ignored. */
  resetForExec(): void {
    for (const a of this.actions) {
      if (a.handler > 1) a.handler = SIG_DFL;
      a.flags = 0;
      a.restorer = 0;
      a.mask = 0n;
    }
  }

  clone(): SignalHandlers {
    const h = new SignalHandlers();
    this.actions.forEach((a, i) => (h.actions[i] = { ...a }));
    return h;
  }
}
