// SysV semaphores in one process: semget keys and limits, semop atomicity, IPC_NOWAIT, ERANGE/EFBIG/E2BIG, SEM_UNDO range, semtimedop timeout, EINTR, semctl GET*/SET*/STAT/SET/INFO/RMID.
#include "common.h"
#include <sys/ipc.h>
#include <sys/sem.h>
#include <sys/time.h>

#ifndef SEM_STAT_ANY
#define SEM_STAT_ANY 20
#endif

union semun_k { int val; struct semid_ds *buf; unsigned short *array; struct seminfo *__buf; };

static int sops(int id, int n, struct sembuf *s)
{
	return syscall(SYS_semop, id, s, n);
}

static int op1(int id, int num, int op, int flg)
{
	struct sembuf s = { (unsigned short)num, (short)op, (short)flg };
	return sops(id, 1, &s);
}

static int timedop(int id, int num, int op, long sec, long nsec)
{
	struct sembuf s = { (unsigned short)num, (short)op, 0 };
	struct timespec ts = { sec, nsec };
	return syscall(SYS_semtimedop, id, &s, 1, &ts);
}

static long ctl(int id, int num, int cmd, unsigned long arg)
{
	return syscall(SYS_semctl, id, num, cmd, arg);
}

static int got_alarm;
static void on_alarm(int sig)
{
	(void)sig;
	got_alarm = 1;
}

int main(int argc, char **argv)
{
	long lim[4] = { 0 };
	char buf[128] = { 0 };
	int pfd = open("/proc/sys/kernel/sem", O_RDONLY);
	if (pfd >= 0 && read(pfd, buf, sizeof buf - 1) > 0)
		sscanf(buf, "%ld %ld %ld %ld", &lim[0], &lim[1], &lim[2], &lim[3]);
	if (pfd >= 0)
		close(pfd);
	CHECK("/proc/sys/kernel/sem", lim[0] > 0 && lim[2] > 0);
	long semmsl = lim[0], semopm = lim[2];

	scratch_init("sem", argc, argv);
	put_file(P("key"), "k", 1, 0600);
	key_t key = ftok(P("key"), 'M');

	/* semget */
	ERR("nsems -1", semget(IPC_PRIVATE, -1, 0600), EINVAL);
	ERR("nsems above SEMMSL", semget(IPC_PRIVATE, semmsl + 1, 0600), EINVAL);
	ERR("nsems 0 creates nothing", semget(IPC_PRIVATE, 0, 0600), EINVAL);
	ERR("missing key", semget(key, 1, 0600), ENOENT);
	int id = semget(key, 3, IPC_CREAT | IPC_EXCL | 0640);
	CHECK("create", id >= 0);
	ERR("IPC_EXCL again", semget(key, 3, IPC_CREAT | IPC_EXCL | 0600), EEXIST);
	CHECK("same key", semget(key, 3, 0) == id);
	CHECK("same key, nsems 0", semget(key, 0, 0) == id);
	ERR("same key, more sems", semget(key, 4, 0), EINVAL);

	/* IPC_STAT */
	struct semid_ds ds;
	VAL("IPC_STAT", ctl(id, 0, IPC_STAT, (unsigned long)&ds), 0);
	VAL("nsems", ds.sem_nsems, 3);
	VALO("mode", ds.sem_perm.mode, 0640);
	CHECK("uid/cuid", ds.sem_perm.uid == geteuid() && ds.sem_perm.cuid == geteuid());
	VAL("otime", ds.sem_otime, 0);
	CHECK("ctime", ds.sem_ctime != 0);
	ERR("IPC_STAT bad buffer", ctl(id, 0, IPC_STAT, (unsigned long)BADPTR), EFAULT);
	ERR("negative id", ctl(-1, 0, IPC_STAT, (unsigned long)&ds), EINVAL);
	ERR("stale id", ctl(id + 32768 * 1000, 0, IPC_STAT, (unsigned long)&ds), EINVAL);
	ERR("bad command", ctl(id, 0, 99, 0), EINVAL);

	/* GETVAL/SETVAL/GETALL/SETALL/GETPID */
	VAL("GETVAL fresh", ctl(id, 0, GETVAL, 0), 0);
	VAL("GETPID fresh", ctl(id, 0, GETPID, 0), 0);
	VAL("SETVAL 5", ctl(id, 0, SETVAL, 5), 0);
	VAL("GETVAL", ctl(id, 0, GETVAL, 0), 5);
	CHECK("GETPID after SETVAL", ctl(id, 0, GETPID, 0) == getpid());
	ERR("SETVAL -1", ctl(id, 0, SETVAL, (unsigned long)-1), ERANGE);
	ERR("SETVAL 32768", ctl(id, 0, SETVAL, 32768), ERANGE);
	ERR("SETVAL semnum 3", ctl(id, 3, SETVAL, 1), EINVAL);
	ERR("GETVAL semnum -1", ctl(id, -1, GETVAL, 0), EINVAL);
	unsigned short vals[3] = { 1, 2, 3 }, out[3] = { 9, 9, 9 };
	VAL("SETALL", ctl(id, 0, SETALL, (unsigned long)vals), 0);
	VAL("GETALL", ctl(id, 0, GETALL, (unsigned long)out), 0);
	CHECK("values", out[0] == 1 && out[1] == 2 && out[2] == 3);
	unsigned short big[3] = { 1, 40000, 3 };
	ERR("SETALL above SEMVMX", ctl(id, 0, SETALL, (unsigned long)big), ERANGE);
	VAL("unchanged", ctl(id, 1, GETVAL, 0), 2);
	ERR("SETALL bad pointer", ctl(id, 0, SETALL, (unsigned long)BADPTR), EFAULT);
	ERR("GETALL bad pointer", ctl(id, 0, GETALL, (unsigned long)BADPTR), EFAULT);

	/* semop */
	VAL("decrement", op1(id, 0, -1, 0), 0);
	VAL("now 0", ctl(id, 0, GETVAL, 0), 0);
	ERR("decrement below 0, IPC_NOWAIT", op1(id, 0, -1, IPC_NOWAIT), EAGAIN);
	ERR("wait for zero on 2, IPC_NOWAIT", op1(id, 1, 0, IPC_NOWAIT), EAGAIN);
	VAL("wait for zero on 0", op1(id, 0, 0, 0), 0);
	struct sembuf two[2] = { { 1, -1, 0 }, { 0, -1, IPC_NOWAIT } };
	ERR("all or nothing", sops(id, 2, two), EAGAIN);
	VAL("first op undone", ctl(id, 1, GETVAL, 0), 2);
	struct sembuf same[3] = { { 2, -3, 0 }, { 2, 2, 0 }, { 2, -2, 0 } };
	VAL("ops in order on one semaphore", sops(id, 3, same), 0);
	VAL("result", ctl(id, 2, GETVAL, 0), 0);
	CHECK("otime after semop", ctl(id, 0, IPC_STAT, (unsigned long)&ds) == 0 && ds.sem_otime != 0);
	CHECK("GETPID after semop", ctl(id, 2, GETPID, 0) == getpid());
	ERR("nsops 0", sops(id, 0, two), EINVAL);
	ERR("nsops above SEMOPM", sops(id, semopm + 1, two), E2BIG);
	ERR("sem_num out of range", op1(id, 3, 1, 0), EFBIG);
	ERR("bad sops pointer", sops(id, 1, BADPTR), EFAULT);
	ERR("semop stale id", op1(id + 32768 * 1000, 0, 1, 0), EINVAL);
	ERR("semop negative id", op1(-1, 0, 1, 0), EINVAL);
	VAL("SETVAL 32767", ctl(id, 0, SETVAL, 32767), 0);
	ERR("above SEMVMX", op1(id, 0, 1, 0), ERANGE);
	ERR("above SEMVMX wins over blocking", op1(id, 0, 1, IPC_NOWAIT), ERANGE);

	/* SEM_UNDO: adjustments stay within [-32768, 32767] */
	VAL("SETVAL 0", ctl(id, 0, SETVAL, 0), 0);
	VAL("+20000 with undo", op1(id, 0, 20000, SEM_UNDO), 0);
	VAL("-20000", op1(id, 0, -20000, 0), 0);
	VAL("+12768 with undo (adj -32768)", op1(id, 0, 12768, SEM_UNDO), 0);
	VAL("-12768", op1(id, 0, -12768, 0), 0);
	ERR("undo out of range", op1(id, 0, 1, SEM_UNDO), ERANGE);
	VAL("value untouched", ctl(id, 0, GETVAL, 0), 0);
	VAL("SETVAL clears adjustments", ctl(id, 0, SETVAL, 0), 0);
	VAL("+1 with undo again", op1(id, 0, 1, SEM_UNDO), 0);
	VAL("GETNCNT", ctl(id, 0, GETNCNT, 0), 0);
	VAL("GETZCNT", ctl(id, 0, GETZCNT, 0), 0);

	/* semtimedop */
	VAL("SETVAL 0", ctl(id, 1, SETVAL, 0), 0);
	ERR("semtimedop times out", timedop(id, 1, -1, 0, 20 * 1000 * 1000), EAGAIN);
	ERR("semtimedop zero timeout", timedop(id, 1, -1, 0, 0), EAGAIN);
	ERR("semtimedop bad nsec", timedop(id, 1, -1, 0, 1000000000), EINVAL);
	ERR("semtimedop negative sec", timedop(id, 1, -1, -1, 0), EINVAL);
	VAL("semtimedop proceeds", timedop(id, 1, 0, 0, 0), 0);
	struct sembuf s1 = { 1, -1, 0 };
	ERR("semtimedop bad timeout pointer", syscall(SYS_semtimedop, id, &s1, 1, BADPTR), EFAULT);

	/* a signal handler interrupts a blocked semop: EINTR even with SA_RESTART */
	alarm_to(on_alarm, 30, 1);
	ERR("blocked semop interrupted", op1(id, 1, -1, 0), EINTR);
	CHECK("handler ran", got_alarm);
	VAL("GETNCNT after the interruption", ctl(id, 1, GETNCNT, 0), 0);

	/* IPC_SET */
	ds.sem_perm.mode = 0600;
	VAL("IPC_SET", ctl(id, 0, IPC_SET, (unsigned long)&ds), 0);
	ctl(id, 0, IPC_STAT, (unsigned long)&ds);
	VALO("mode after IPC_SET", ds.sem_perm.mode, 0600);
	ds.sem_perm.gid = (gid_t)-1;
	ERR("IPC_SET gid -1", ctl(id, 0, IPC_SET, (unsigned long)&ds), EINVAL);

	/* info */
	struct seminfo si;
	CHECK("IPC_INFO", ctl(0, 0, IPC_INFO, (unsigned long)&si) >= 0);
	CHECK("limits as /proc", si.semmsl == lim[0] && si.semmns == lim[1] && si.semopm == lim[2] && si.semmni == lim[3]);
	VAL("semvmx", si.semvmx, 32767);
	int maxidx = ctl(0, 0, SEM_INFO, (unsigned long)&si);
	CHECK("SEM_INFO", maxidx >= id % 32768);
	CHECK("sets in use", si.semusz >= 1);
	CHECK("semaphores in use", si.semaem >= 3);
	CHECK("SEM_STAT by index", ctl(id % 32768, 0, SEM_STAT, (unsigned long)&ds) == id);
	CHECK("SEM_STAT_ANY by index", ctl(id % 32768, 0, SEM_STAT_ANY, (unsigned long)&ds) == id);
	ERR("IPC_INFO bad buffer", ctl(0, 0, IPC_INFO, (unsigned long)BADPTR), EFAULT);

	/* IPC_RMID */
	int priv = semget(IPC_PRIVATE, 1, 0600);
	CHECK("IPC_PRIVATE", priv >= 0 && priv != id);
	VAL("IPC_RMID", ctl(id, 0, IPC_RMID, 0), 0);
	ERR("GETVAL after IPC_RMID", ctl(id, 0, GETVAL, 0), EINVAL);
	ERR("semop after IPC_RMID", op1(id, 0, 1, 0), EINVAL);
	ERR("key gone", semget(key, 1, 0), ENOENT);
	ERR("IPC_RMID twice", ctl(id, 0, IPC_RMID, 0), EINVAL);
	VAL("IPC_RMID private", ctl(priv, 0, IPC_RMID, 0), 0);

	scratch_cleanup();
	return finish();
}
