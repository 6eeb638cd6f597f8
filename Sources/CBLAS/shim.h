#include <cblas.h>
// Debian's OpenBLAS exports these; the header may not declare them under every build.
int openblas_get_num_threads(void);
void openblas_set_num_threads(int num_threads);
#ifdef __linux__
// glibc allocator tuning (mallopt) for large tensor buffers.
#include <malloc.h>
#endif
