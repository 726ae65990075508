// Empty: CPrefetch is header-only (include/CPrefetch.h); SwiftPM wants one C file to build the target.
#include "CPrefetch.h"
