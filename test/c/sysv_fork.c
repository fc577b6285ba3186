// SysV IPC between processes: shm shared across fork (nattch), sleeping semops woken in order by another process, GETNCNT/GETZCNT, SEM_UNDO at exit (also by SIGKILL) waking sleepers, EIDRM for sleepers, msgsnd/msgrcv blocking across processes.
#include "common.h"
#include <sys/ipc.h>
#include <sys/msg.h>
#include <sys/sem.h>
#include <sys/shm.h>
#include <sys/wait.h>

static int op1(int id, int num, int op, int flg)
{
	struct sembuf s = { (unsigned short)num, (short)op, (short)flg };
	return semop(id, &s, 1);
}

/* Runs fn in a child; returns its pid. */
static pid_t child(int (*fn)(int, int), int a, int b)
{
	pid_t p = fork();
	if (p == 0)
		_exit(fn(a, b));
	return p;
}

static int sync_fd[2];

/* Decrements semaphore `num` of `id`, then reports `tag` on the pipe. */
static int take(int id, int tag)
{
	if (op1(id, 0, -1, 0) != 0)
		return errno;
	char c = (char)tag;
	return write(sync_fd[1], &c, 1) == 1 ? 0 : 99;
}

static int wait_zero(int id, int num)
{
	return op1(id, num, 0, 0) == 0 ? 0 : errno;
}

static int undo_then_sleep(int id, int num)
{
	if (op1(id, num, 1, SEM_UNDO) != 0)
		return errno;
	pause();
	return 0;
}

static int undo_and_exit(int id, int num)
{
	return op1(id, num, 5, SEM_UNDO) == 0 ? 0 : errno;
}

static int shm_child(int id, int unused)
{
	(void)unused;
	struct shmid_ds ds;
	char *p = shmat(id, NULL, 0);
	if (p == (char *)-1)
		return 1;
	if (shmctl(id, IPC_STAT, &ds) != 0 || ds.shm_nattch != 3)
		return 2;
	strcpy(p + 100, "from child");
	return 0;
}

struct kmsg { long type; char text[64]; };

static int recv_type(int id, int type)
{
	struct kmsg m;
	memset(&m, 0, sizeof m);
	long n = msgrcv(id, &m, sizeof m.text, type, 0);
	if (n < 0)
		return errno;
	return m.type == type && n == 4 ? 0 : 98;
}

static int send_big(int id, int len)
{
	struct kmsg m = { 1, { 0 } };
	return msgsnd(id, &m, len, 0) == 0 ? 0 : errno;
}

int main(void)
{
	char c;
	if (pipe(sync_fd) != 0)
		return 2;

	/* shared memory across fork */
	int shm = shmget(IPC_PRIVATE, 8192, 0600);
	char *p = shmat(shm, NULL, 0);
	strcpy(p, "from parent");
	struct shmid_ds ds;
	pid_t pid = fork();
	if (pid == 0) {
		/* The inherited attachment counts too: 1 (parent) + 1 (us) + our own shmat. */
		_exit(strcmp(p, "from parent") ? 10 : shm_child(shm, 0));
	}
	VAL("child shares the segment", reap(pid), 0);
	CHECK("child's write visible", !strcmp(p + 100, "from child"));
	shmctl(shm, IPC_STAT, &ds);
	VAL("nattch after the child exited", ds.shm_nattch, 1);
	VAL("IPC_RMID", shmctl(shm, IPC_RMID, NULL), 0);
	pid = fork();
	if (pid == 0)
		_exit(shmdt(p) == 0 && shmctl(shm, IPC_STAT, &ds) == 0 && ds.shm_nattch == 1 ? 0 : 1);
	VAL("child detaches its copy", reap(pid), 0);
	VAL("last shmdt", shmdt(p), 0);
	ERR("destroyed", shmctl(shm, IPC_STAT, &ds), EINVAL);

	/* sleepers are served in order by someone else's semop */
	int sem = semget(IPC_PRIVATE, 2, 0600);
	pid_t a = child(take, sem, 'A');
	CHECK("A sleeps", wait_blocked(a));
	pid_t b = child(take, sem, 'B');
	CHECK("B sleeps", wait_blocked(b));
	VAL("GETNCNT", semctl(sem, 0, GETNCNT), 2);
	VAL("post one", op1(sem, 0, 1, 0), 0);
	CHECK("A first", read(sync_fd[0], &c, 1) == 1 && c == 'A');
	VAL("A done", reap(a), 0);
	VAL("GETNCNT", semctl(sem, 0, GETNCNT), 1);
	VAL("SETVAL wakes B", semctl(sem, 0, SETVAL, 1), 0);
	CHECK("then B", read(sync_fd[0], &c, 1) == 1 && c == 'B');
	VAL("B done", reap(b), 0);
	VAL("value", semctl(sem, 0, GETVAL), 0);
	CHECK("GETPID is B", semctl(sem, 0, GETPID) == b);

	/* waiting for zero */
	semctl(sem, 1, SETVAL, 2);
	pid_t z = child(wait_zero, sem, 1);
	CHECK("zero-waiter sleeps", wait_blocked(z));
	VAL("GETZCNT", semctl(sem, 1, GETZCNT), 1);
	VAL("-1", op1(sem, 1, -1, 0), 0);
	VAL("GETZCNT still", semctl(sem, 1, GETZCNT), 1);
	VAL("-1 again", op1(sem, 1, -1, 0), 0);
	VAL("zero-waiter done", reap(z), 0);

	/* SEM_UNDO at exit, and at death by SIGKILL, wakes sleepers */
	pid_t u = child(undo_and_exit, sem, 1);
	VAL("undo child", reap(u), 0);
	VAL("its +5 undone at exit", semctl(sem, 1, GETVAL), 0);
	CHECK("GETPID is the exited child", semctl(sem, 1, GETPID) == u);
	semctl(sem, 1, SETVAL, 0);
	pid_t h = child(undo_then_sleep, sem, 1);
	while (semctl(sem, 1, GETVAL) != 1)
		usleep(1000);
	z = child(wait_zero, sem, 1);
	CHECK("zero-waiter sleeps", wait_blocked(z));
	kill(h, SIGKILL);
	VAL("holder killed", reap(h), 128 + SIGKILL);
	VAL("zero-waiter woken by the undo", reap(z), 0);
	VAL("value", semctl(sem, 1, GETVAL), 0);

	/* IPC_RMID wakes sleepers with EIDRM */
	pid_t r = child(take, sem, 'R');
	CHECK("sleeps", wait_blocked(r));
	VAL("IPC_RMID", semctl(sem, 0, IPC_RMID), 0);
	VAL("sleeper got EIDRM", reap(r), EIDRM);

	/* message queues */
	int mq = msgget(IPC_PRIVATE, 0600);
	pid_t g = child(recv_type, mq, 2);
	CHECK("receiver sleeps", wait_blocked(g));
	struct kmsg m1 = { 1, "one" }, m2 = { 2, "two" };
	VAL("send type 1", msgsnd(mq, &m1, 4, 0), 0);
	VAL("send type 2", msgsnd(mq, &m2, 4, 0), 0);
	VAL("receiver got type 2", reap(g), 0);
	struct msqid_ds md;
	msgctl(mq, IPC_STAT, &md);
	VAL("type 1 still queued", md.msg_qnum, 1);
	CHECK("lrpid is the receiver", md.msg_lrpid == g);
	md.msg_qbytes = 40;
	msgctl(mq, IPC_SET, &md);
	pid_t s = child(send_big, mq, 40);
	CHECK("sender sleeps on a full queue", wait_blocked(s));
	struct kmsg got;
	VAL("receive makes room", msgrcv(mq, &got, sizeof got.text, 0, 0), 4);
	VAL("sender done", reap(s), 0);
	msgctl(mq, IPC_STAT, &md);
	VAL("its message queued", md.__msg_cbytes, 40);
	g = child(recv_type, mq, 9);
	CHECK("receiver sleeps", wait_blocked(g));
	VAL("IPC_RMID", msgctl(mq, IPC_RMID, NULL), 0);
	VAL("receiver got EIDRM", reap(g), EIDRM);
	return finish();
}
