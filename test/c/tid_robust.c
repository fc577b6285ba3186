// set_tid_address, set_robust_list, get_robust_list: return values, round trips, errnos.
#include "common.h"

struct robust_list_head { void *next; long futex_offset; void *pending; };
static struct robust_list_head head = { &head, 0, NULL };
static int tidword;

int main(void)
{
	long tid = syscall(SYS_gettid);

	/* set_tid_address returns the caller's tid, whatever the pointer */
	CHECK("set_tid_address(&x) == gettid", syscall(SYS_set_tid_address, &tidword) == tid);
	CHECK("set_tid_address(NULL) == gettid", syscall(SYS_set_tid_address, NULL) == tid);
	CHECK("set_tid_address(bad pointer) == gettid", syscall(SYS_set_tid_address, BADPTR) == tid);
	CHECK("tid word untouched", tidword == 0);
	CHECK("set_tid_address(&x) again", syscall(SYS_set_tid_address, &tidword) == tid);

	/* remember what libc registered, to restore it */
	void *orig = NULL;
	size_t origlen = 0;
	VAL("get_robust_list(0)", syscall(SYS_get_robust_list, 0, &orig, &origlen), 0);

	VAL("set_robust_list(len 24)", syscall(SYS_set_robust_list, &head, K_ROBUST_LIST_HEAD_SIZE), 0);
	void *got = NULL;
	size_t len = 0;
	VAL("get_robust_list(0)", syscall(SYS_get_robust_list, 0, &got, &len), 0);
	CHECK("head round trips", got == &head);
	VAL("len", len, K_ROBUST_LIST_HEAD_SIZE);
	got = NULL;
	VAL("get_robust_list(own pid)", syscall(SYS_get_robust_list, tid, &got, &len), 0);
	CHECK("same head", got == &head);

	ERR("set_robust_list len 0", syscall(SYS_set_robust_list, &head, 0), EINVAL);
	ERR("set_robust_list len 23", syscall(SYS_set_robust_list, &head, 23), EINVAL);
	ERR("set_robust_list len 25", syscall(SYS_set_robust_list, &head, 25), EINVAL);
	ERR("set_robust_list len -1", syscall(SYS_set_robust_list, &head, -1L), EINVAL);
	syscall(SYS_get_robust_list, 0, &got, &len);
	CHECK("failed calls left the head alone", got == &head);
	VAL("set_robust_list(NULL, 24) is allowed", syscall(SYS_set_robust_list, NULL, 24), 0);
	syscall(SYS_get_robust_list, 0, &got, &len);
	CHECK("head now NULL", got == NULL);
	VAL("set_robust_list(bad pointer, 24) is allowed", syscall(SYS_set_robust_list, BADPTR, 24), 0);

	ERR("get_robust_list nonexistent pid", syscall(SYS_get_robust_list, 0x3ffffff, &got, &len), ESRCH);
	ERR("get_robust_list bad head pointer", syscall(SYS_get_robust_list, 0, BADPTR, &len), EFAULT);
	ERR("get_robust_list bad len pointer", syscall(SYS_get_robust_list, 0, &got, BADPTR), EFAULT);

	VAL("restore libc's robust list", syscall(SYS_set_robust_list, orig, origlen ? origlen : 24), 0);
	return finish();
}
