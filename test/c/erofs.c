// EROFS: with --overlay2=none the sandbox root is the host root served read-only, and
// every change to it fails with EROFS (reads still work).
// tsvisor-flags: --overlay2=none
// expect-sandbox: erofs.expected
// skip-native
#include "common.h"

int main(void)
{
	char buf[8];
	int fd = open("/etc/hostname", O_RDONLY);
	CHECK("reading works", fd >= 0 && read(fd, buf, 1) == 1);
	close(fd);
	ERR("open O_CREAT", open("/etc/tsvisor-erofs", O_CREAT | O_WRONLY, 0644), EROFS);
	ERR("open O_WRONLY existing", open("/etc/hostname", O_WRONLY), EROFS);
	ERR("open O_RDWR existing", open("/etc/hostname", O_RDWR), EROFS);
	ERR("open O_TRUNC", open("/etc/hostname", O_RDONLY | O_TRUNC), EROFS);
	ERR("mkdir", mkdir("/etc/tsvisor-erofs-dir", 0755), EROFS);
	ERR("mkdir of an existing dir is EEXIST first", mkdir("/etc", 0755), EEXIST);
	ERR("unlink", unlink("/etc/hostname"), EROFS);
	ERR("rmdir", rmdir("/etc/default"), EROFS);
	ERR("rename", rename("/etc/hostname", "/etc/hostname2"), EROFS);
	ERR("symlink", symlink("x", "/etc/tsvisor-erofs-link"), EROFS);
	ERR("link", link("/etc/hostname", "/etc/tsvisor-erofs-link"), EROFS);
	ERR("chmod", chmod("/etc/hostname", 0600), EROFS);
	ERR("chown", chown("/etc/hostname", 1, 1), EROFS);
	ERR("truncate", truncate("/etc/hostname", 0), EROFS);
	ERR("utimensat", utimensat(AT_FDCWD, "/etc/hostname", NULL, 0), EROFS);
	ERR("access W_OK", access("/etc/hostname", W_OK), EROFS);
	CHECK("access R_OK works", access("/etc/hostname", R_OK) == 0);
	ERR("mkfifo", mkfifo("/tmp/tsvisor-erofs-fifo", 0644), EROFS);
	return finish();
}
