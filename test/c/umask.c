// umask: round trip, only 0777 kept, effect on open/mkdir/mkfifo/symlink.
#include "common.h"

static int mode_of(const char *p)
{
	struct stat st;
	return lstat(p, &st) == 0 ? (int)(st.st_mode & 07777) : -1;
}

int main(int argc, char **argv)
{
	scratch_init("umask", argc, argv);
	syscall(SYS_umask, 022);
	VALO("umask(077) returns previous 022", syscall(SYS_umask, 077), 022);
	VALO("umask(0) returns 077", syscall(SYS_umask, 0), 077);
	VALO("umask(0777) returns 0", syscall(SYS_umask, 0777), 0);
	VALO("umask(0xffff) returns 0777", syscall(SYS_umask, 0xffff), 0777);
	VALO("only 0777 was kept", syscall(SYS_umask, 022), 0777);
	VALO("umask(-1) returns 022", syscall(SYS_umask, -1), 022);
	VALO("-1 became 0777", syscall(SYS_umask, 022), 0777);

	/* effect on creation */
	syscall(SYS_umask, 027);
	close(open(P("f1"), O_RDWR | O_CREAT, 0666));
	VALO("open 0666 with umask 027", mode_of(P("f1")), 0640);
	close(open(P("f2"), O_RDWR | O_CREAT, 07777));
	VALO("open 07777 with umask 027", mode_of(P("f2")), 07750);
	mkdir(P("d1"), 0777);
	VALO("mkdir 0777 with umask 027", mode_of(P("d1")), 0750);
	mkfifo(P("p1"), 0666);
	VALO("mkfifo 0666 with umask 027", mode_of(P("p1")), 0640);
	symlink("f1", P("l1"));
	VALO("symlink ignores umask", mode_of(P("l1")), 0777);
	syscall(SYS_umask, 0);
	close(open(P("f3"), O_RDWR | O_CREAT, 0606));
	VALO("open 0606 with umask 0", mode_of(P("f3")), 0606);
	syscall(SYS_umask, 0777);
	close(open(P("f4"), O_RDWR | O_CREAT, 0666));
	VALO("open 0666 with umask 0777", mode_of(P("f4")), 0);
	syscall(SYS_umask, 022);
	VALO("chmod is not affected by umask", (chmod(P("f4"), 0666), mode_of(P("f4"))), 0666);
	VALO("existing file keeps its mode on O_CREAT", (syscall(SYS_umask, 0777),
	    close(open(P("f4"), O_RDWR | O_CREAT, 0600)), mode_of(P("f4"))), 0666);
	syscall(SYS_umask, 022);

	/* umask is visible in /proc/self/status */
	char buf[4096];
	int fd = open("/proc/self/status", O_RDONLY);
	long n = fd >= 0 ? read(fd, buf, sizeof buf - 1) : -1;
	buf[n > 0 ? n : 0] = 0;
	CHECK("/proc/self/status has Umask:\\t0022", strstr(buf, "\nUmask:\t0022\n") != NULL);

	scratch_cleanup();
	return finish();
}
