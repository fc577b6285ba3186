// sysinfo: sanity of the fields (booleans only: the values are the host's or the sandbox's).
#include "common.h"
#include <sys/sysinfo.h>

int main(void)
{
	struct sysinfo si;
	memset(&si, 0xff, sizeof si);
	VAL("sysinfo", syscall(SYS_sysinfo, &si), 0);
	CHECK("uptime >= 0", si.uptime >= 0);
	CHECK("mem_unit >= 1", si.mem_unit >= 1);
	CHECK("totalram > 0", si.totalram > 0);
	CHECK("freeram <= totalram", si.freeram <= si.totalram);
	CHECK("sharedram <= totalram", si.sharedram <= si.totalram);
	CHECK("bufferram <= totalram", si.bufferram <= si.totalram);
	CHECK("freeswap <= totalswap", si.freeswap <= si.totalswap);
	CHECK("freehigh <= totalhigh", si.freehigh <= si.totalhigh);
	CHECK("procs >= 1", si.procs >= 1);
	CHECK("total RAM >= 16 MiB", (unsigned long long)si.totalram * si.mem_unit >= (16ULL << 20));
	CHECK("loads are finite (< 1e6 scaled)", si.loads[0] < (1000000UL << 16));

	struct sysinfo si2;
	syscall(SYS_sysinfo, &si2);
	CHECK("uptime does not go backwards", si2.uptime >= si.uptime);
	CHECK("totalram stable", si2.totalram == si.totalram && si2.mem_unit == si.mem_unit);

	ERR("sysinfo bad pointer", syscall(SYS_sysinfo, BADPTR), EFAULT);
	ERR("sysinfo NULL", syscall(SYS_sysinfo, NULL), EFAULT);
	return finish();
}
