#include <cblas.h>
// Debian's OpenBLAS exports this; the header may not declare it under every build.
void openblas_set_num_threads(int num_threads);
#ifdef __linux__
// glibc allocator tuning (mallopt) for large tensor buffers.
#include <malloc.h>
#endif
