/* The stub: the only code of a host process that holds an application address
 * space. It never runs on its own: the Sentry points threads at stub_syscall to
 * inject host syscalls (mmap of the memory file, clone, ...). Linked at a fixed
 * address above the application's range (native/src/ptrace.c: STUB_TEXT). */
	.text
	.globl _start
_start:
	int3
	.globl stub_syscall
stub_syscall:
	syscall
	int3
	jmp stub_syscall
	.section .note.GNU-stack,"",@progbits
