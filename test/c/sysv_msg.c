// SysV message queues in one process: msgget keys, msgsnd/msgrcv by type (0, >0, <0, MSG_EXCEPT), MSG_NOERROR/E2BIG, full queues, IPC_NOWAIT, MSG_COPY, EINTR, msgctl STAT/SET/INFO/RMID.
#include "common.h"
#include <sys/ipc.h>
#include <sys/msg.h>
#include <sys/time.h>

#ifndef MSG_EXCEPT
#define MSG_EXCEPT 020000
#endif
#ifndef MSG_COPY
#define MSG_COPY 040000
#endif
#ifndef MSG_STAT_ANY
#define MSG_STAT_ANY 13
#endif

struct kmsg { long type; char text[8192]; };
/* The kernel's struct msginfo (libc headers differ). */
struct k_msginfo { int msgpool, msgmap, msgmax, msgmnb, msgmni, msgssz, msgtql; unsigned short msgseg; };

static struct kmsg m;

static long snd(int id, long type, const char *text, size_t len, int flg)
{
	struct kmsg s;
	s.type = type;
	memcpy(s.text, text, len);
	return syscall(SYS_msgsnd, id, &s, len, flg);
}

static long rcv(int id, size_t len, long type, int flg)
{
	memset(&m, 0, sizeof m);
	return syscall(SYS_msgrcv, id, &m, len, type, flg);
}

static long ctl(int id, int cmd, void *buf)
{
	return syscall(SYS_msgctl, id, cmd, buf);
}

static long proc_long(const char *path)
{
	char buf[64] = { 0 };
	int fd = open(path, O_RDONLY);
	if (fd < 0)
		return -1;
	ssize_t n = read(fd, buf, sizeof buf - 1);
	close(fd);
	return n > 0 ? strtol(buf, NULL, 10) : -1;
}

static int got_alarm;
static void on_alarm(int sig)
{
	(void)sig;
	got_alarm = 1;
}

int main(int argc, char **argv)
{
	struct msqid_ds ds;
	long msgmax = proc_long("/proc/sys/kernel/msgmax");
	long msgmnb = proc_long("/proc/sys/kernel/msgmnb");
	CHECK("/proc/sys/kernel/msgmax and msgmnb", msgmax > 0 && msgmnb > 0);
	scratch_init("msg", argc, argv);
	put_file(P("key"), "k", 1, 0600);
	key_t key = ftok(P("key"), 'Q');

	/* msgget */
	ERR("missing key", msgget(key, 0600), ENOENT);
	int id = msgget(key, IPC_CREAT | IPC_EXCL | 0640);
	CHECK("create", id >= 0);
	ERR("IPC_EXCL again", msgget(key, IPC_CREAT | IPC_EXCL | 0600), EEXIST);
	CHECK("same key", msgget(key, 0) == id);
	VAL("IPC_STAT", ctl(id, IPC_STAT, &ds), 0);
	VALO("mode", ds.msg_perm.mode, 0640);
	VAL("qnum", ds.msg_qnum, 0);
	VAL("cbytes", ds.__msg_cbytes, 0);
	CHECK("qbytes is msgmnb", (long)ds.msg_qbytes == msgmnb);
	VAL("lspid", ds.msg_lspid, 0);
	CHECK("ctime", ds.msg_ctime != 0);
	ERR("IPC_STAT bad buffer", ctl(id, IPC_STAT, BADPTR), EFAULT);
	ERR("stale id", ctl(id + 32768 * 1000, IPC_STAT, &ds), EINVAL);
	ERR("negative id", ctl(-1, IPC_STAT, &ds), EINVAL);
	ERR("bad command", ctl(id, 99, &ds), EINVAL);

	/* msgsnd checks */
	ERR("type 0", snd(id, 0, "x", 1, 0), EINVAL);
	ERR("negative type", snd(id, -5, "x", 1, 0), EINVAL);
	ERR("size above msgmax", snd(id, 1, "x", msgmax + 1, 0), EINVAL);
	ERR("bad buffer", syscall(SYS_msgsnd, id, BADPTR, 1, 0), EFAULT);
	ERR("send to stale id", snd(id + 32768 * 1000, 1, "x", 1, 0), EINVAL);

	/* order and types */
	VAL("send type 3", snd(id, 3, "three", 5, 0), 0);
	VAL("send type 1", snd(id, 1, "one", 3, 0), 0);
	VAL("send type 2", snd(id, 2, "two", 3, 0), 0);
	VAL("send type 1 again", snd(id, 1, "uno", 3, 0), 0);
	VAL("send empty type 5", snd(id, 5, "", 0, 0), 0);
	ctl(id, IPC_STAT, &ds);
	VAL("qnum 5", ds.msg_qnum, 5);
	VAL("cbytes 14", ds.__msg_cbytes, 14);
	CHECK("lspid", ds.msg_lspid == getpid());
	CHECK("stime", ds.msg_stime != 0);
	VAL("type 0 takes the first", rcv(id, 100, 0, 0), 5);
	CHECK("it is three", m.type == 3 && !strcmp(m.text, "three"));
	VAL("type 2", rcv(id, 100, 2, 0), 3);
	CHECK("it is two", m.type == 2 && !strcmp(m.text, "two"));
	VAL("MSG_EXCEPT 1", rcv(id, 100, 1, MSG_EXCEPT), 0);
	CHECK("it is the empty type 5", m.type == 5);
	VAL("type -4: lowest type <= 4", rcv(id, 100, -4, 0), 3);
	CHECK("first of type 1", m.type == 1 && !strcmp(m.text, "one"));
	ERR("no type 7, IPC_NOWAIT", rcv(id, 100, 7, IPC_NOWAIT), ENOMSG);
	ERR("E2BIG", rcv(id, 2, 1, 0), E2BIG);
	ctl(id, IPC_STAT, &ds);
	VAL("message stays after E2BIG", ds.msg_qnum, 1);
	VAL("MSG_NOERROR truncates", rcv(id, 2, 1, MSG_NOERROR), 2);
	CHECK("truncated text", m.type == 1 && m.text[0] == 'u' && m.text[1] == 'n' && m.text[2] == 0);
	ctl(id, IPC_STAT, &ds);
	VAL("empty", ds.msg_qnum, 0);
	CHECK("lrpid", ds.msg_lrpid == getpid());
	ERR("empty queue, IPC_NOWAIT", rcv(id, 100, 0, IPC_NOWAIT), ENOMSG);
	ERR("negative size", rcv(id, (size_t)-1, 0, IPC_NOWAIT), EINVAL);
	ERR("receive from stale id", rcv(id + 32768 * 1000, 100, 0, IPC_NOWAIT), EINVAL);

	/* MSG_COPY: peek by position */
	snd(id, 10, "aa", 2, 0);
	snd(id, 20, "bbb", 3, 0);
	ERR("MSG_COPY needs IPC_NOWAIT", rcv(id, 100, 0, MSG_COPY), EINVAL);
	ERR("MSG_COPY with MSG_EXCEPT", rcv(id, 100, 0, MSG_COPY | IPC_NOWAIT | MSG_EXCEPT), EINVAL);
	VAL("MSG_COPY index 1", rcv(id, 100, 1, MSG_COPY | IPC_NOWAIT), 3);
	CHECK("copied second", m.type == 20 && !strcmp(m.text, "bbb"));
	ERR("MSG_COPY index 2", rcv(id, 100, 2, MSG_COPY | IPC_NOWAIT), ENOMSG);
	ERR("MSG_COPY too small", rcv(id, 1, 0, MSG_COPY | IPC_NOWAIT), E2BIG);
	ctl(id, IPC_STAT, &ds);
	VAL("MSG_COPY leaves messages", ds.msg_qnum, 2);
	VAL("drain 1", rcv(id, 100, 0, 0), 2);
	VAL("drain 2", rcv(id, 100, 0, 0), 3);
	ERR("receive into a bad buffer", syscall(SYS_msgrcv, id, BADPTR, 100, 0, IPC_NOWAIT), ENOMSG);

	/* a full queue */
	ds.msg_qbytes = 100;
	VAL("IPC_SET qbytes 100", ctl(id, IPC_SET, &ds), 0);
	char big[64];
	memset(big, 'q', sizeof big);
	VAL("60 bytes fit", snd(id, 1, big, 60, IPC_NOWAIT), 0);
	ERR("60 more do not", snd(id, 1, big, 60, IPC_NOWAIT), EAGAIN);
	VAL("40 do", snd(id, 1, big, 40, IPC_NOWAIT), 0);
	ERR("1 more byte does not fit", snd(id, 1, big, 1, IPC_NOWAIT), EAGAIN);

	/* a handler interrupts a blocked msgsnd and msgrcv: EINTR despite SA_RESTART */
	alarm_to(on_alarm, 30, 1);
	ERR("blocked msgsnd interrupted", snd(id, 1, big, 10, 0), EINTR);
	CHECK("handler ran", got_alarm);
	got_alarm = 0;
	alarm_to(on_alarm, 30, 1);
	ERR("blocked msgrcv interrupted", rcv(id, 100, 99, 0), EINTR);
	CHECK("handler ran again", got_alarm);
	VAL("receive frees room", rcv(id, 100, 0, 0), 60);
	VAL("and a send fits", snd(id, 1, big, 10, IPC_NOWAIT), 0);

	/* IPC_SET */
	ctl(id, IPC_STAT, &ds);
	ds.msg_perm.mode = 0600;
	ds.msg_qbytes = msgmnb;
	VAL("IPC_SET mode", ctl(id, IPC_SET, &ds), 0);
	ctl(id, IPC_STAT, &ds);
	VALO("mode after IPC_SET", ds.msg_perm.mode, 0600);
	ds.msg_perm.uid = (uid_t)-1;
	ERR("IPC_SET uid -1", ctl(id, IPC_SET, &ds), EINVAL);
	ERR("IPC_SET bad buffer", ctl(id, IPC_SET, BADPTR), EFAULT);

	/* info */
	struct k_msginfo mi;
	CHECK("IPC_INFO", ctl(0, IPC_INFO, &mi) >= 0);
	CHECK("limits as /proc", mi.msgmax == msgmax && mi.msgmnb == msgmnb &&
	      mi.msgmni == proc_long("/proc/sys/kernel/msgmni"));
	VAL("msgssz", mi.msgssz, 16);
	int maxidx = ctl(0, MSG_INFO, &mi);
	CHECK("MSG_INFO", maxidx >= id % 32768);
	CHECK("queues in use", mi.msgpool >= 1);
	CHECK("messages in use", mi.msgmap >= 2);
	CHECK("MSG_STAT by index", ctl(id % 32768, MSG_STAT, &ds) == id);
	CHECK("MSG_STAT_ANY by index", ctl(id % 32768, MSG_STAT_ANY, &ds) == id);
	VAL("MSG_STAT qnum", ds.msg_qnum, 2);

	/* IPC_RMID */
	int priv = msgget(IPC_PRIVATE, 0600);
	CHECK("IPC_PRIVATE", priv >= 0 && priv != id);
	VAL("IPC_RMID", ctl(id, IPC_RMID, NULL), 0);
	ERR("send after IPC_RMID", snd(id, 1, "x", 1, 0), EINVAL);
	ERR("receive after IPC_RMID", rcv(id, 100, 0, 0), EINVAL);
	ERR("key gone", msgget(key, 0), ENOENT);
	ERR("IPC_RMID twice", ctl(id, IPC_RMID, NULL), EINVAL);
	VAL("IPC_RMID private", ctl(priv, IPC_RMID, NULL), 0);

	scratch_cleanup();
	return finish();
}
