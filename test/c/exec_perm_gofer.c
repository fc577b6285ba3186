// exec_perm.c again on host files through the gofer.
// do-flags: --force-overlay=false
#include "exec_perm.c"
