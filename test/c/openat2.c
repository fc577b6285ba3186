// openat2(2): struct open_how validation and RESOLVE_BENEATH / IN_ROOT / NO_SYMLINKS / NO_MAGICLINKS / NO_XDEV.
#include "common.h"

#ifndef SYS_openat2
#define SYS_openat2 437
#endif
#define R_NO_XDEV 0x01
#define R_NO_MAGICLINKS 0x02
#define R_NO_SYMLINKS 0x04
#define R_BENEATH 0x08
#define R_IN_ROOT 0x10

struct k_open_how { uint64_t flags, mode, resolve; };

static long o2(int dirfd, const char *path, uint64_t flags, uint64_t mode, uint64_t resolve)
{
	struct k_open_how how = { flags, mode, resolve };
	long fd = syscall(SYS_openat2, dirfd, path, &how, sizeof how);
	if (fd >= 0)
		close(fd);
	return fd < 0 ? -1 : 0;
}

/* Opens and says which file it got, by its first byte. */
static char which(int dirfd, const char *path, uint64_t resolve)
{
	struct k_open_how how = { O_RDONLY, 0, resolve };
	long fd = syscall(SYS_openat2, dirfd, path, &how, sizeof how);
	char c = '-';
	if (fd >= 0) {
		if (read(fd, &c, 1) != 1)
			c = '?';
		close(fd);
	} else {
		c = '!';
	}
	return c;
}

int main(int argc, char **argv)
{
	scratch_init("openat2", argc, argv);
	mkdir(P("root"), 0755);
	mkdir(P("root/sub"), 0755);
	put_file(P("root/f"), "I", 1, 0644);  /* inside */
	put_file(P("f"), "O", 1, 0644);       /* outside, next to root */
	symlink("../f", P("root/up"));
	symlink("/f", P("root/abs"));
	symlink("f", P("root/rel"));
	symlink("sub/../f", P("root/dotdot_in"));
	int root = open(P("root"), O_RDONLY | O_DIRECTORY);

	/* struct validation */
	struct { struct k_open_how h; uint64_t pad; } big = { { O_RDONLY, 0, 0 }, 0 };
	OK("size 24", o2(root, "f", O_RDONLY, 0, 0));
	ERR("size 16", syscall(SYS_openat2, root, "f", &big, 16), EINVAL);
	long fd = syscall(SYS_openat2, root, "f", &big, sizeof big);
	CHECK("larger size with zero tail", fd >= 0);
	close(fd);
	big.pad = 1;
	ERR("larger size with non-zero tail", syscall(SYS_openat2, root, "f", &big, sizeof big), E2BIG);
	ERR("bad pointer", syscall(SYS_openat2, root, "f", BADPTR, 24), EFAULT);
	ERR("unknown resolve bit", o2(root, "f", O_RDONLY, 0, 0x1000), EINVAL);
	ERR("unknown open flag", o2(root, "f", O_RDONLY | 0x4, 0, 0), EINVAL);
	ERR("mode without O_CREAT", o2(root, "f", O_RDONLY, 0644, 0), EINVAL);
	ERR("mode beyond 07777", o2(root, "new", O_CREAT | O_WRONLY, 010000, 0), EINVAL);
	OK("O_CREAT with mode", o2(root, "new", O_CREAT | O_WRONLY, 0600, 0));
	ERR("BENEATH|IN_ROOT", o2(root, "f", O_RDONLY, 0, R_BENEATH | R_IN_ROOT), EINVAL);
	ERR("O_PATH with O_RDWR-like flags", o2(root, "f", O_PATH | O_CREAT, 0, 0), EINVAL);

	/* RESOLVE_BENEATH: nothing may leave the starting directory */
	VAL("BENEATH plain", which(root, "f", R_BENEATH), 'I');
	VAL("BENEATH sub/../f", which(root, "sub/../f", R_BENEATH), 'I');
	ERR("BENEATH ../f", o2(root, "../f", O_RDONLY, 0, R_BENEATH), EXDEV);
	ERR("BENEATH absolute path", o2(root, P("root/f"), O_RDONLY, 0, R_BENEATH), EXDEV);
	ERR("BENEATH symlink ../f", o2(root, "up", O_RDONLY, 0, R_BENEATH), EXDEV);
	ERR("BENEATH absolute symlink", o2(root, "abs", O_RDONLY, 0, R_BENEATH), EXDEV);
	VAL("BENEATH relative symlink", which(root, "rel", R_BENEATH), 'I');
	VAL("BENEATH symlink with inner ..", which(root, "dotdot_in", R_BENEATH), 'I');
	ERR("BENEATH O_CREAT ../x", o2(root, "../x", O_CREAT | O_WRONLY, 0644, R_BENEATH), EXDEV);
	ERR("BENEATH /proc/self/fd magic link", o2(AT_FDCWD, "/proc/self/fd/0", O_RDONLY, 0, R_BENEATH), EXDEV);

	/* RESOLVE_IN_ROOT: the directory is "/" for the walk */
	VAL("IN_ROOT ../f", which(root, "../f", R_IN_ROOT), 'I');
	VAL("IN_ROOT ../../../f", which(root, "../../../f", R_IN_ROOT), 'I');
	VAL("IN_ROOT absolute path", which(root, "/f", R_IN_ROOT), 'I');
	VAL("IN_ROOT symlink ../f", which(root, "up", R_IN_ROOT), 'I');
	VAL("IN_ROOT absolute symlink", which(root, "abs", R_IN_ROOT), 'I');
	VAL("without flags ../f", which(root, "../f", 0), 'O');
	VAL("without flags absolute symlink leaves", which(root, "abs", 0), '!');

	/* RESOLVE_NO_SYMLINKS / NO_MAGICLINKS */
	ERR("NO_SYMLINKS on link", o2(root, "rel", O_RDONLY, 0, R_NO_SYMLINKS), ELOOP);
	symlink("sub", P("root/lsub"));
	ERR("NO_SYMLINKS in the middle", o2(root, "lsub/../f", O_RDONLY, 0, R_NO_SYMLINKS), ELOOP);
	OK("NO_SYMLINKS O_PATH|O_NOFOLLOW on link", o2(root, "rel", O_PATH | O_NOFOLLOW, 0, R_NO_SYMLINKS));
	OK("NO_SYMLINKS plain", o2(root, "sub/../f", O_RDONLY, 0, R_NO_SYMLINKS));
	int f = open(P("root/f"), O_RDONLY);
	char mp[64];
	snprintf(mp, sizeof mp, "/proc/self/fd/%d", f);
	ERR("NO_MAGICLINKS /proc/self/fd/N", o2(AT_FDCWD, mp, O_RDONLY, 0, R_NO_MAGICLINKS), ELOOP);
	ERR("NO_SYMLINKS /proc/self/fd/N", o2(AT_FDCWD, mp, O_RDONLY, 0, R_NO_SYMLINKS), ELOOP);
	OK("magic link without flags", o2(AT_FDCWD, mp, O_RDONLY, 0, 0));
	OK("NO_MAGICLINKS O_PATH|O_NOFOLLOW", o2(AT_FDCWD, mp, O_PATH | O_NOFOLLOW, 0, R_NO_MAGICLINKS));
	OK("NO_MAGICLINKS ordinary symlink", o2(root, "rel", O_RDONLY, 0, R_NO_MAGICLINKS));
	close(f);

	/* RESOLVE_NO_XDEV: no mount crossing, in either direction */
	int dev = open("/dev", O_RDONLY | O_DIRECTORY);
	ERR("NO_XDEV into /dev/shm", o2(dev, "shm", O_RDONLY | O_DIRECTORY, 0, R_NO_XDEV), EXDEV);
	int shm = open("/dev/shm", O_RDONLY | O_DIRECTORY);
	ERR("NO_XDEV .. out of a mount root", o2(shm, "..", O_RDONLY | O_DIRECTORY, 0, R_NO_XDEV), EXDEV);
	OK("NO_XDEV . of a mount root", o2(shm, ".", O_RDONLY | O_DIRECTORY, 0, R_NO_XDEV));
	ERR("NO_XDEV absolute path from elsewhere", o2(root, "/dev/null", O_RDONLY, 0, R_NO_XDEV), EXDEV);
	OK("NO_XDEV within one fs", o2(root, "sub/../f", O_RDONLY, 0, R_NO_XDEV));
	close(dev);
	close(shm);
	close(root);

	scratch_cleanup();
	return finish();
}
