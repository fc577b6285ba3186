/* The stub: the only code of a host process that holds an application address
 * space. It never runs on its own: the Sentry points threads at stub_syscall to
 * inject one host syscall (mmap of the memory file, clone, ...), or at stub_batch
 * to run a list of them from the shared batch page in one stop. Linked at a fixed
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

	/* stub_batch(rdi = batch base, rsi = count): each 64-byte entry is
	 * nr, a0..a5, result; the result slot gets rax. */
	.org 0x10
	.globl stub_batch
stub_batch:
	mov %rdi, %r12
	mov %rsi, %r13
1:	test %r13, %r13
	jz 2f
	mov 0(%r12), %rax
	mov 8(%r12), %rdi
	mov 16(%r12), %rsi
	mov 24(%r12), %rdx
	mov 32(%r12), %r10
	mov 40(%r12), %r8
	mov 48(%r12), %r9
	syscall
	mov %rax, 56(%r12)
	add $64, %r12
	dec %r13
	jmp 1b
2:	int3
	.section .note.GNU-stack,"",@progbits
