// SysV shared memory in one process: shmget keys and errnos, shmat/shmdt (SHM_RDONLY, SHM_RND, SHM_REMAP, pieces), shmctl STAT/SET/RMID/LOCK/INFO, /proc/self/maps names.
#include "common.h"
#include <sys/ipc.h>
#include <sys/shm.h>

#ifndef SHM_REMAP
#define SHM_REMAP 040000
#endif
#ifndef SHM_STAT_ANY
#define SHM_STAT_ANY 15
#endif
#ifndef SHM_DEST
#define SHM_DEST 01000
#endif
#ifndef SHM_LOCKED
#define SHM_LOCKED 02000
#endif

/* The kernel's struct shm_info and shminfo64 (libcs disagree on names). */
struct k_shm_info { int used_ids; unsigned long shm_tot, shm_rss, shm_swp, swap_attempts, swap_successes; };
struct k_shminfo { unsigned long shmmax, shmmin, shmmni, shmseg, shmall, unused[4]; };

static unsigned long proc_ulong(const char *path)
{
	char buf[64] = { 0 };
	int fd = open(path, O_RDONLY);
	if (fd < 0)
		return 0;
	ssize_t n = read(fd, buf, sizeof buf - 1);
	close(fd);
	return n > 0 ? strtoul(buf, NULL, 10) : 0;
}

/* The /proc/self/maps line of the mapping starting at addr: name, inode and permissions. */
static int maps_entry(void *addr, char *name, size_t nlen, unsigned long *ino, char *perms)
{
	static char buf[65536];
	int fd = open("/proc/self/maps", O_RDONLY);
	if (fd < 0)
		return -1;
	size_t len = 0;
	ssize_t n;
	while (len < sizeof buf - 1 && (n = read(fd, buf + len, sizeof buf - 1 - len)) > 0)
		len += n;
	close(fd);
	buf[len] = 0;
	for (char *line = buf; line && *line;) {
		char *nl = strchr(line, '\n');
		if (nl)
			*nl = 0;
		unsigned long start, end, off, inode;
		char p[8], dev[16];
		int pos = 0;
		if (sscanf(line, "%lx-%lx %7s %lx %15s %lu %n", &start, &end, p, &off, dev, &inode, &pos) >= 6 &&
		    start == (unsigned long)addr) {
			snprintf(name, nlen, "%s", line + pos);
			*ino = inode;
			strcpy(perms, p);
			return 0;
		}
		line = nl ? nl + 1 : NULL;
	}
	return -1;
}

int main(int argc, char **argv)
{
	struct shmid_ds ds;
	scratch_init("shm", argc, argv);
	put_file(P("key"), "k", 1, 0600);
	key_t key = ftok(P("key"), 'S');
	CHECK("ftok", key != -1);

	/* shmget errnos */
	ERR("size 0", shmget(IPC_PRIVATE, 0, 0600), EINVAL);
	ERR("size above SHMMAX", shmget(IPC_PRIVATE, (size_t)-1, 0600), EINVAL);
	ERR("size beyond memory", shmget(IPC_PRIVATE, 1UL << 50, 0600), ENOMEM);
	ERR("missing key", shmget(key, 4096, 0600), ENOENT);
	int id = shmget(key, 10000, IPC_CREAT | IPC_EXCL | 0640);
	CHECK("create with key", id >= 0);
	ERR("IPC_EXCL again", shmget(key, 4096, IPC_CREAT | IPC_EXCL | 0600), EEXIST);
	CHECK("same key, IPC_CREAT", shmget(key, 4096, IPC_CREAT | 0600) == id);
	CHECK("same key, size 0", shmget(key, 0, 0) == id);
	ERR("same key, bigger size", shmget(key, 20000, 0), EINVAL);
	int priv = shmget(IPC_PRIVATE, 4096, 0600);
	CHECK("IPC_PRIVATE", priv >= 0 && priv != id);
	int priv2 = shmget(IPC_PRIVATE, 4096, 0600);
	CHECK("IPC_PRIVATE is new each time", priv2 >= 0 && priv2 != priv);
	int badid = id + 32768 * 1000; /* right index, wrong sequence number */

	/* IPC_STAT of a fresh segment */
	VAL("IPC_STAT", shmctl(id, IPC_STAT, &ds), 0);
	VAL("segsz", ds.shm_segsz, 10000);
	VALO("mode", ds.shm_perm.mode, 0640);
	CHECK("key", ds.shm_perm.__key == key);
	CHECK("uid/cuid", ds.shm_perm.uid == geteuid() && ds.shm_perm.cuid == geteuid());
	CHECK("gid/cgid", ds.shm_perm.gid == getegid() && ds.shm_perm.cgid == getegid());
	VAL("nattch", ds.shm_nattch, 0);
	CHECK("cpid", ds.shm_cpid == getpid());
	VAL("lpid", ds.shm_lpid, 0);
	VAL("atime", ds.shm_atime, 0);
	CHECK("ctime set", ds.shm_ctime != 0);
	ERR("IPC_STAT bad buffer", shmctl(id, IPC_STAT, BADPTR), EFAULT);
	ERR("IPC_STAT bad id", shmctl(badid, IPC_STAT, &ds), EINVAL);
	ERR("IPC_STAT negative id", shmctl(-1, IPC_STAT, &ds), EINVAL);
	ERR("bad command", shmctl(id, 99, &ds), EINVAL);

	/* shmat / shmdt */
	char *a = shmat(id, NULL, 0);
	CHECK("shmat", a != (char *)-1);
	CHECK("page aligned", ((unsigned long)a & 4095) == 0);
	CHECK("zeroed", a[0] == 0 && a[9999] == 0);
	strcpy(a, "hello");
	a[12287] = 'z'; /* the last page is mapped to its end */
	char *r = shmat(id, NULL, SHM_RDONLY);
	CHECK("shmat SHM_RDONLY", r != (char *)-1 && r != a);
	CHECK("same memory", !strcmp(r, "hello") && r[12287] == 'z');
	CHECK("read-only attachment not writable", mem_writable(r) == 0 && mem_readable(r) == 1);
	ERR("mprotect read-only attachment writable", mprotect(r, 4096, PROT_READ | PROT_WRITE), EACCES);
	shmctl(id, IPC_STAT, &ds);
	VAL("nattch after two attaches", ds.shm_nattch, 2);
	CHECK("lpid after attach", ds.shm_lpid == getpid());
	CHECK("atime after attach", ds.shm_atime != 0);

	char name[256], perms[8];
	unsigned long ino = 0;
	char want[64];
	snprintf(want, sizeof want, "/SYSV%08x (deleted)", (unsigned)key);
	CHECK("maps entry", maps_entry(a, name, sizeof name, &ino, perms) == 0);
	CHECK("maps name", !strcmp(name, want));
	CHECK("maps inode is the id", ino == (unsigned long)id);
	CHECK("maps perms rw-s", !strcmp(perms, "rw-s"));
	CHECK("maps read-only perms", maps_entry(r, name, sizeof name, &ino, perms) == 0 && !strcmp(perms, "r--s"));

	ERR("shmdt unaligned", shmdt(a + 1), EINVAL);
	ERR("shmdt not attached", shmdt(a + 4096), EINVAL);
	VAL("shmdt read-only", shmdt(r), 0);
	ERR("shmdt twice", shmdt(r), EINVAL);
	CHECK("gone after shmdt", !mem_mapped(r));
	shmctl(id, IPC_STAT, &ds);
	VAL("nattch after shmdt", ds.shm_nattch, 1);
	CHECK("dtime after shmdt", ds.shm_dtime != 0);

	/* addresses: SHM_RND, fixed, overlap, SHM_REMAP */
	VAL("shmdt", shmdt(a), 0);
	ERR("unaligned without SHM_RND", (long)shmat(id, a + 100, 0), EINVAL);
	CHECK("SHM_RND rounds down", shmat(id, a + 100, SHM_RND) == a);
	CHECK("data kept while detached", !strcmp(a, "hello"));
	ERR("overlapping without SHM_REMAP", (long)shmat(priv, a + 4096, 0), EINVAL);
	ERR("SHM_REMAP without address", (long)shmat(priv, NULL, SHM_REMAP), EINVAL);
	CHECK("SHM_REMAP over the middle", shmat(priv, a + 4096, SHM_REMAP) == a + 4096);
	CHECK("priv memory there", a[4096] == 0);
	shmctl(id, IPC_STAT, &ds);
	VAL("split attachment counts twice", ds.shm_nattch, 2);
	VAL("shmdt of the middle", shmdt(a + 4096), 0);
	CHECK("hole left", !mem_mapped(a + 4096) && mem_mapped(a) && mem_mapped(a + 8192));
	VAL("shmdt removes both pieces", shmdt(a), 0);
	CHECK("both pieces gone", !mem_mapped(a) && !mem_mapped(a + 8192));
	shmctl(id, IPC_STAT, &ds);
	VAL("nattch 0", ds.shm_nattch, 0);
	char *b = shmat(id, NULL, 0);
	VAL("munmap the first page", munmap(b, 4096), 0);
	VAL("shmdt finds the rest", shmdt(b), 0);
	CHECK("rest gone", !mem_mapped(b + 4096));
	ERR("shmat bad id", (long)shmat(badid, NULL, 0), EINVAL);
	ERR("shmat negative id", (long)shmat(-1, NULL, 0), EINVAL);

	/* IPC_SET, SHM_LOCK */
	ds.shm_perm.mode = 0600;
	VAL("IPC_SET", shmctl(id, IPC_SET, &ds), 0);
	shmctl(id, IPC_STAT, &ds);
	VALO("mode after IPC_SET", ds.shm_perm.mode, 0600);
	ds.shm_perm.uid = (uid_t)-1;
	ERR("IPC_SET uid -1", shmctl(id, IPC_SET, &ds), EINVAL);
	ERR("IPC_SET bad buffer", shmctl(id, IPC_SET, BADPTR), EFAULT);
	VAL("SHM_LOCK", shmctl(id, SHM_LOCK, NULL), 0);
	shmctl(id, IPC_STAT, &ds);
	VALO("SHM_LOCKED in mode", ds.shm_perm.mode, 0600 | SHM_LOCKED);
	VAL("SHM_UNLOCK", shmctl(id, SHM_UNLOCK, NULL), 0);
	shmctl(id, IPC_STAT, &ds);
	VALO("unlocked", ds.shm_perm.mode, 0600);

	/* info */
	struct k_shminfo si;
	CHECK("IPC_INFO", shmctl(0, IPC_INFO, (struct shmid_ds *)&si) >= 0);
	CHECK("shmmax as /proc", si.shmmax == proc_ulong("/proc/sys/kernel/shmmax"));
	CHECK("shmall as /proc", si.shmall == proc_ulong("/proc/sys/kernel/shmall"));
	CHECK("shmmni as /proc", si.shmmni == proc_ulong("/proc/sys/kernel/shmmni"));
	VAL("shmmin", si.shmmin, 1);
	struct k_shm_info info;
	int maxidx = shmctl(0, SHM_INFO, (struct shmid_ds *)&info);
	CHECK("SHM_INFO", maxidx >= 0 && maxidx >= id % 32768);
	CHECK("used_ids", info.used_ids >= 3);
	CHECK("shm_tot", info.shm_tot >= 5);
	CHECK("SHM_STAT by index", shmctl(id % 32768, SHM_STAT, &ds) == id);
	CHECK("SHM_STAT_ANY by index", shmctl(id % 32768, SHM_STAT_ANY, &ds) == id);
	VAL("SHM_STAT segsz", ds.shm_segsz, 10000);
	ERR("SHM_INFO bad buffer", shmctl(0, SHM_INFO, BADPTR), EFAULT);

	/* IPC_RMID while attached: the id lives on until the last detach */
	char *c = shmat(id, NULL, 0);
	strcpy(c, "still here");
	VAL("IPC_RMID attached", shmctl(id, IPC_RMID, NULL), 0);
	shmctl(id, IPC_STAT, &ds);
	VALO("SHM_DEST in mode", ds.shm_perm.mode, 0600 | SHM_DEST);
	VAL("key is private now", ds.shm_perm.__key, IPC_PRIVATE);
	VAL("nattch", ds.shm_nattch, 1);
	ERR("key no longer found", shmget(key, 0, 0), ENOENT);
	CHECK("memory still usable", !strcmp(c, "still here"));
	char *c2 = shmat(id, NULL, 0);
	CHECK("attach after IPC_RMID (Linux allows it)", c2 != (char *)-1 && !strcmp(c2, "still here"));
	VAL("IPC_RMID again", shmctl(id, IPC_RMID, NULL), 0);
	VAL("shmdt 1", shmdt(c), 0);
	VAL("still there with one attachment", shmctl(id, IPC_STAT, &ds), 0);
	VAL("shmdt 2", shmdt(c2), 0);
	ERR("destroyed after the last shmdt", shmctl(id, IPC_STAT, &ds), EINVAL);
	ERR("shmat destroyed", (long)shmat(id, NULL, 0), EINVAL);

	/* munmap instead of shmdt also detaches */
	char *d = shmat(priv, NULL, 0);
	VAL("IPC_RMID private", shmctl(priv, IPC_RMID, NULL), 0);
	VAL("munmap attachment", munmap(d, 4096), 0);
	ERR("destroyed after munmap", shmctl(priv, IPC_STAT, &ds), EINVAL);
	VAL("IPC_RMID unattached", shmctl(priv2, IPC_RMID, NULL), 0);
	ERR("destroyed at once", shmctl(priv2, IPC_STAT, &ds), EINVAL);
	ERR("IPC_RMID twice", shmctl(priv2, IPC_RMID, NULL), EINVAL);

	scratch_cleanup();
	return finish();
}
