// fs_paths.c again on host files through the gofer.
// do-flags: --force-overlay=false
#include "fs_paths.c"
