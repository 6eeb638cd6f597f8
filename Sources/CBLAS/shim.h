#include <cblas.h>
// Debian's OpenBLAS exports this; the header may not declare it under every build.
void openblas_set_num_threads(int num_threads);
#ifdef __linux__
// glibc allocator tuning (mallopt) for large tensor buffers.
#include <malloc.h>
#endif
// Prefetch with the non-temporal hint (weights a decode step reads once: Linear.rows).
static inline void fulgur_prefetch_nta(const void *p) { __builtin_prefetch(p, 0, 0); }
