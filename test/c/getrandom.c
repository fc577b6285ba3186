// getrandom: lengths, flags, EFAULT, EINVAL (never prints the bytes).
#include "common.h"

static unsigned char a[1 << 20], b[1 << 20];

static int nonzero(const unsigned char *p, size_t n)
{
	for (size_t i = 0; i < n; i++)
		if (p[i])
			return 1;
	return 0;
}

int main(void)
{
	VAL("len 0", syscall(SYS_getrandom, a, 0, 0), 0);
	VAL("len 0, NULL buffer", syscall(SYS_getrandom, NULL, 0, 0), 0);
	VAL("len 1", syscall(SYS_getrandom, a, 1, 0), 1);
	VAL("len 16", syscall(SYS_getrandom, a, 16, 0), 16);
	VAL("len 256", syscall(SYS_getrandom, a, 256, 0), 256);
	VAL("len 4097", syscall(SYS_getrandom, a, 4097, 0), 4097);
	VAL("len 1 MiB", syscall(SYS_getrandom, a, sizeof a, 0), (long)sizeof a);
	syscall(SYS_getrandom, b, sizeof b, 0);
	CHECK("bytes are not all zero", nonzero(a, sizeof a));
	CHECK("two calls differ", memcmp(a, b, 64) != 0);
	int hist[256] = { 0 }, maxc = 0;
	for (size_t i = 0; i < sizeof a; i++)
		hist[a[i]]++;
	for (int i = 0; i < 256; i++)
		if (hist[i] > maxc)
			maxc = hist[i];
	CHECK("roughly uniform (no byte value > 2x expected)", maxc < 2 * (int)(sizeof a / 256));

	/* a short buffer is filled only up to len */
	memset(a, 0, 64);
	syscall(SYS_getrandom, a, 8, 0);
	CHECK("bytes past len untouched", !nonzero(a + 8, 56));

	/* flags */
	VAL("GRND_NONBLOCK", syscall(SYS_getrandom, a, 32, K_GRND_NONBLOCK), 32);
	VAL("GRND_RANDOM", syscall(SYS_getrandom, a, 32, K_GRND_RANDOM), 32);
	VAL("GRND_RANDOM|GRND_NONBLOCK", syscall(SYS_getrandom, a, 32, K_GRND_RANDOM | K_GRND_NONBLOCK), 32);
	VAL("GRND_INSECURE", syscall(SYS_getrandom, a, 32, K_GRND_INSECURE), 32);
	VAL("GRND_INSECURE|GRND_NONBLOCK", syscall(SYS_getrandom, a, 32, K_GRND_INSECURE | K_GRND_NONBLOCK), 32);
	ERR("GRND_INSECURE|GRND_RANDOM", syscall(SYS_getrandom, a, 32, K_GRND_INSECURE | K_GRND_RANDOM), EINVAL);
	ERR("unknown flag 0x8", syscall(SYS_getrandom, a, 32, 0x8), EINVAL);
	ERR("flags -1", syscall(SYS_getrandom, a, 32, -1), EINVAL);

	/* bad buffers */
	ERR("bad pointer", syscall(SYS_getrandom, BADPTR, 16, 0), EFAULT);
	ERR("kernel pointer", syscall(SYS_getrandom, KPTR, 16, 0), EFAULT);
	ERR("NULL with len 16", syscall(SYS_getrandom, NULL, 16, 0), EFAULT);
	ERR("bad flags checked before the buffer", syscall(SYS_getrandom, BADPTR, 16, 0x8), EINVAL);

	/* a buffer running into an unmapped page: partial fill */
	char *m = mmap(NULL, 8192, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	munmap(m + 4096, 4096);
	VAL("buffer crossing into unmapped page: partial", syscall(SYS_getrandom, m + 4096 - 100, 200, 0), 100);
	return finish();
}
