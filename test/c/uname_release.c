// uname release/version as tsvisor reports them (4.4.0, like gVisor).
// The host's release differs on purpose, so the sandboxed output is checked
// against a file instead of the native run.
// expect-sandbox: uname_release.expected
#include "common.h"
#include <sys/utsname.h>

int main(void)
{
	struct utsname u;
	VAL("uname", syscall(SYS_uname, &u), 0);
	say("sysname: %s\n", u.sysname);
	say("release: %s\n", u.release);
	say("version: %s\n", u.version);
	say("machine: %s\n", u.machine);
	return finish();
}
