// uname: sysname and machine (release/version differ on purpose: see uname_release.c).
#include "common.h"
#include <sys/utsname.h>

static int terminated(const char *s, size_t n) { return memchr(s, 0, n) != NULL; }

int main(void)
{
	struct utsname u;
	memset(&u, 'x', sizeof u);
	VAL("uname", syscall(SYS_uname, &u), 0);
	say("sysname: %s\n", u.sysname);
	say("machine: %s\n", u.machine);
	CHECK("all fields NUL-terminated", terminated(u.sysname, 65) && terminated(u.nodename, 65) &&
	      terminated(u.release, 65) && terminated(u.version, 65) && terminated(u.machine, 65) &&
	      terminated(u.domainname, 65));
	CHECK("nodename nonempty", u.nodename[0] != 0);
	CHECK("release nonempty, starts with a digit", u.release[0] >= '0' && u.release[0] <= '9');
	CHECK("version nonempty", u.version[0] != 0);
	CHECK("release has major.minor", strchr(u.release, '.') != NULL);
	ERR("uname bad pointer", syscall(SYS_uname, BADPTR), EFAULT);
	ERR("uname kernel pointer", syscall(SYS_uname, KPTR), EFAULT);

	/* gethostname agrees with nodename */
	char host[256];
	VAL("gethostname", gethostname(host, sizeof host), 0);
	CHECK("gethostname == nodename", !strcmp(host, u.nodename));

	/* stable across calls */
	struct utsname u2;
	syscall(SYS_uname, &u2);
	CHECK("second call identical", !memcmp(&u, &u2, sizeof u));
	return finish();
}
