// brk: query, grow, shrink, unaligned breaks, failure returns the old break, zeroing on regrow.
#include "common.h"

static unsigned long brk_(unsigned long a) { return (unsigned long)syscall(SYS_brk, a); }

int main(void)
{
	unsigned long b0 = brk_(0);
	CHECK("brk(0) returns the current break (nonzero)", b0 != 0);
	CHECK("brk(0) twice agrees", brk_(0) == b0);
	static int data_var;
	CHECK("break is above the data segment", b0 > (unsigned long)&data_var);
	unsigned long base = (b0 + 4095) & ~4095UL;   /* first page start at/after the break */

	/* grow by 3 pages */
	unsigned long want = b0 + 3 * 4096;
	CHECK("grow by 3 pages returns the new break", brk_(want) == want);
	CHECK("brk(0) agrees", brk_(0) == want);
	char *p = (char *)base;
	CHECK("new memory is mapped", mem_mapped(p) && mem_mapped(p + 4096));
	CHECK("new memory is writable", mem_writable(p) == 1 && mem_writable(p + 4096) == 1);
	CHECK("new memory is zero", p[0] == 0 && p[4096] == 0 && p[8191] == 0);
	memset(p, 'A', 2 * 4096);

	/* unaligned break: the value returned is exactly what was asked */
	CHECK("unaligned brk(b+123) returns b+123", brk_(want + 123) == want + 123);
	CHECK("brk(0) == b+123", brk_(0) == want + 123);

	/* shrink: the pages above the break go away */
	CHECK("shrink to base+1 page", brk_(base + 4096) == base + 4096);
	CHECK("page below the break still there", mem_mapped(p) && p[0] == 'A');
	CHECK("page above the break unmapped", !mem_mapped(p + 4096));
	CHECK("page above the break not writable", mem_writable(p + 4096) == 0);

	/* regrow: fresh zero pages */
	CHECK("regrow", brk_(base + 3 * 4096) == base + 3 * 4096);
	CHECK("regrown page is zero again", p[4096] == 0 && p[8191] == 0);
	CHECK("kept page kept its data", p[0] == 'A' && p[4095] == 'A');

	/* failures: brk returns the current break, not an errno */
	unsigned long cur = brk_(0);
	CHECK("brk below the data segment fails (returns current)", brk_((unsigned long)&data_var) == cur);
	CHECK("brk(1) fails (returns current)", brk_(1) == cur);
	CHECK("brk to a huge address fails (returns current)", brk_(1UL << 46) == cur);
	CHECK("brk to a kernel address fails (returns current)", brk_(0xffff800000000000UL) == cur);

	/* a mapping right above the break blocks growth into it */
	unsigned long top = (cur + 4095) & ~4095UL;
	void *m = mmap((void *)(top + 4 * 4096), 4096, PROT_READ, MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED_NOREPLACE, -1, 0);
	CHECK("map a page 4 pages above the break", m == (void *)(top + 4 * 4096));
	/* Linux keeps a one-page gap between the heap and the next mapping */
	CHECK("grow to one page below the mapping works", brk_(top + 3 * 4096) == top + 3 * 4096);
	CHECK("grow to touch the mapping fails", brk_(top + 4 * 4096) == top + 3 * 4096);
	CHECK("grow over the mapping fails", brk_(top + 6 * 4096) == top + 3 * 4096);
	munmap(m, 4096);

	/* back to where we started: malloc must still work afterwards */
	CHECK("shrink back to the start", brk_(b0) == b0);
	void *x = malloc(100000);
	CHECK("malloc still works", x != NULL);
	free(x);
	return finish();
}
