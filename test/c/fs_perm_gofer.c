// fs_perm.c again on host files through the gofer.
// do-flags: --force-overlay=false
#include "fs_perm.c"
