// syslog(2) (klogctl): buffer size, reading the log, errnos.
// Natively this needs CAP_SYSLOG (EPERM otherwise, depending on
// kernel.dmesg_restrict); inside the sandbox it is always allowed and the log
// is tsvisor's own boot log.  So the sandboxed run is checked against a file.
// expect-sandbox: syslog.expected
#include "common.h"

#define SYSLOG_ACTION_READ_ALL 3
#define SYSLOG_ACTION_SIZE_UNREAD 9
#define SYSLOG_ACTION_SIZE_BUFFER 10

static char logbuf[1 << 20];

static long klog(int type, void *buf, long len) { return syscall(SYS_syslog, type, buf, len); }

int main(void)
{
	long n = klog(SYSLOG_ACTION_SIZE_BUFFER, NULL, 0);
	if (n < 0)
		say("SIZE_BUFFER: %s\n", errname(errno));
	else
		say("SIZE_BUFFER > 0: %s\n", n > 0 ? "yes" : "no");

	n = klog(SYSLOG_ACTION_SIZE_UNREAD, NULL, 0);
	if (n < 0)
		say("SIZE_UNREAD: %s\n", errname(errno));
	else
		say("SIZE_UNREAD >= 0: yes\n");

	n = klog(SYSLOG_ACTION_READ_ALL, logbuf, sizeof logbuf - 1);
	if (n < 0) {
		say("READ_ALL: %s\n", errname(errno));
	} else {
		logbuf[n] = 0;
		say("READ_ALL > 0: %s\n", n > 0 ? "yes" : "no");
		say("log mentions 'Starting tsvisor': %s\n", strstr(logbuf, "Starting tsvisor") ? "yes" : "no");
		say("log mentions 'Ready!': %s\n", strstr(logbuf, "Ready!") ? "yes" : "no");
	}
	n = klog(SYSLOG_ACTION_READ_ALL, logbuf, 0);
	say("READ_ALL len 0: %s\n", n < 0 ? errname(errno) : n == 0 ? "= 0" : "> 0");

	/* argument errors (natively without CAP_SYSLOG everything is EPERM) */
	n = klog(SYSLOG_ACTION_READ_ALL, logbuf, -1);
	say("READ_ALL len -1: %s\n", n < 0 ? errname(errno) : "succeeded");
	n = klog(SYSLOG_ACTION_READ_ALL, NULL, 16);
	say("READ_ALL NULL buffer: %s\n", n < 0 ? errname(errno) : "succeeded");
	n = klog(SYSLOG_ACTION_READ_ALL, BADPTR, 4096);
	say("READ_ALL bad buffer: %s\n", n < 0 ? errname(errno) : "succeeded");
	n = klog(100, NULL, 0);
	say("action 100: %s\n", n < 0 ? errname(errno) : "succeeded");
	n = klog(-1, NULL, 0);
	say("action -1: %s\n", n < 0 ? errname(errno) : "succeeded");
	return finish();
}
