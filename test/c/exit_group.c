// exit_group: the status is truncated to 8 bits (0x12a -> 42); nothing after it runs.
// expect-exit: 42
#include "common.h"

int main(void)
{
	say("before exit_group\n");
	syscall(SYS_exit_group, 0x12a);
	say("after exit_group (must not print)\n");
	return 3;
}
