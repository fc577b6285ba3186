// gofer_write.c again, through the gofer process's lisafs socket instead of directfs.
// tsvisor-flags: --directfs=false
// do-flags: --force-overlay=false
#include "gofer_write.c"
