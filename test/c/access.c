// access, faccessat, faccessat2: modes, flags, symlinks, errnos.
// Only checks whose outcome is the same for root and non-root users.
#include "common.h"

#ifndef SYS_faccessat2
#define SYS_faccessat2 439
#endif

int main(int argc, char **argv)
{
	scratch_init("access", argc, argv);
	put_file(P("rw"), "x", 1, 0644);
	put_file(P("exe"), "x", 1, 0755);
	put_file(P("none"), "x", 1, 0000);
	mkdir(P("d"), 0755);
	symlink("rw", P("lnk"));
	symlink("missing", P("dangling"));
	symlink("loop", P("loop"));

	/* access */
	VAL("F_OK existing", syscall(SYS_access, P("rw"), F_OK), 0);
	VAL("R_OK|W_OK own 0644 file", syscall(SYS_access, P("rw"), R_OK | W_OK), 0);
	ERR("X_OK on 0644 file", syscall(SYS_access, P("rw"), X_OK), EACCES);
	VAL("X_OK on 0755 file", syscall(SYS_access, P("exe"), X_OK), 0);
	ERR("X_OK on 0000 file", syscall(SYS_access, P("none"), X_OK), EACCES);
	VAL("F_OK on 0000 file", syscall(SYS_access, P("none"), F_OK), 0);
	VAL("X_OK on directory", syscall(SYS_access, P("d"), X_OK), 0);
	VAL("access follows symlink", syscall(SYS_access, P("lnk"), R_OK), 0);
	ERR("dangling symlink", syscall(SYS_access, P("dangling"), F_OK), ENOENT);
	ERR("symlink loop", syscall(SYS_access, P("loop"), F_OK), ELOOP);
	ERR("missing", syscall(SYS_access, P("missing"), F_OK), ENOENT);
	ERR("empty path", syscall(SYS_access, "", F_OK), ENOENT);
	ERR("file as component", syscall(SYS_access, P("rw/x"), F_OK), ENOTDIR);
	ERR("trailing slash on file", syscall(SYS_access, P("rw/"), F_OK), ENOTDIR);
	ERR("bad mode bits", syscall(SYS_access, P("rw"), 8), EINVAL);
	ERR("mode -1", syscall(SYS_access, P("rw"), -1), EINVAL);
	ERR("bad path pointer", syscall(SYS_access, BADPTR, F_OK), EFAULT);
	char longname[300];
	memset(longname, 'q', 299);
	longname[299] = 0;
	ERR("long component", syscall(SYS_access, P(longname), F_OK), ENAMETOOLONG);
	VAL("/ is searchable", syscall(SYS_access, "/", X_OK), 0);

	/* faccessat (the raw syscall has no flags argument) */
	int dfd = open(scratch, O_RDONLY | O_DIRECTORY);
	int ffd = open(P("rw"), O_RDONLY);
	VAL("faccessat relative", syscall(SYS_faccessat, dfd, "rw", R_OK), 0);
	ERR("faccessat relative X_OK", syscall(SYS_faccessat, dfd, "rw", X_OK), EACCES);
	VAL("faccessat AT_FDCWD absolute", syscall(SYS_faccessat, AT_FDCWD, P("exe"), X_OK), 0);
	VAL("faccessat absolute ignores bad dirfd", syscall(SYS_faccessat, 999, P("rw"), F_OK), 0);
	ERR("faccessat bad dirfd", syscall(SYS_faccessat, 999, "rw", F_OK), EBADF);
	ERR("faccessat file dirfd", syscall(SYS_faccessat, ffd, "rw", F_OK), ENOTDIR);
	ERR("faccessat bad mode", syscall(SYS_faccessat, dfd, "rw", 0x10), EINVAL);
	ERR("faccessat empty path", syscall(SYS_faccessat, dfd, "", F_OK), ENOENT);

	/* faccessat2 */
	VAL("faccessat2 no flags", syscall(SYS_faccessat2, dfd, "rw", R_OK, 0), 0);
	VAL("faccessat2 AT_EACCESS", syscall(SYS_faccessat2, dfd, "rw", R_OK, AT_EACCESS), 0);
	ERR("faccessat2 AT_EACCESS X_OK", syscall(SYS_faccessat2, dfd, "rw", X_OK, AT_EACCESS), EACCES);
	ERR("faccessat2 dangling, follow", syscall(SYS_faccessat2, dfd, "dangling", F_OK, 0), ENOENT);
	VAL("faccessat2 dangling, AT_SYMLINK_NOFOLLOW",
	    syscall(SYS_faccessat2, dfd, "dangling", F_OK, AT_SYMLINK_NOFOLLOW), 0);
	VAL("faccessat2 loop, AT_SYMLINK_NOFOLLOW",
	    syscall(SYS_faccessat2, dfd, "loop", F_OK, AT_SYMLINK_NOFOLLOW), 0);
	VAL("faccessat2 AT_EMPTY_PATH on file fd", syscall(SYS_faccessat2, ffd, "", R_OK, AT_EMPTY_PATH), 0);
	ERR("faccessat2 AT_EMPTY_PATH X_OK", syscall(SYS_faccessat2, ffd, "", X_OK, AT_EMPTY_PATH), EACCES);
	VAL("faccessat2 AT_EMPTY_PATH on dir fd", syscall(SYS_faccessat2, dfd, "", X_OK, AT_EMPTY_PATH), 0);
	ERR("faccessat2 empty path without flag", syscall(SYS_faccessat2, ffd, "", F_OK, 0), ENOENT);
	ERR("faccessat2 bad flags", syscall(SYS_faccessat2, dfd, "rw", F_OK, 0x1), EINVAL);
	ERR("faccessat2 bad mode", syscall(SYS_faccessat2, dfd, "rw", 8, 0), EINVAL);
	ERR("faccessat2 bad path pointer", syscall(SYS_faccessat2, dfd, BADPTR, F_OK, 0), EFAULT);
	ERR("faccessat2 bad dirfd", syscall(SYS_faccessat2, 999, "rw", F_OK, 0), EBADF);

	/* glibc/musl wrappers agree with the kernel */
	VAL("libc access()", access(P("exe"), X_OK), 0);
	ERR("libc faccessat() AT_EACCESS", faccessat(dfd, "rw", X_OK, AT_EACCESS), EACCES);

	scratch_cleanup();
	return finish();
}
