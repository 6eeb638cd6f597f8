// The CPU Fulgur runs on, and the BLAS it calls, chosen at run time.
//
// Fulgur does not link a BLAS: it loads one with dlopen on first use. That is what lets it pick
// the library's kernel set from CPUID *before* the library initializes: OpenBLAS built with
// DYNAMIC_ARCH (Debian's) reads OPENBLAS_CORETYPE once, in its load-time constructor, and
// falls back to generic SSE3 kernels ("Prescott") on CPUs it does not know, such as Intel Xeons
// newer than its release (4-5x slower sgemm). An explicit OPENBLAS_CORETYPE in the environment
// always wins: some machines set it on purpose.
#ifndef FULGUR_BLAS_H
#define FULGUR_BLAS_H

#ifdef __linux__
// glibc allocator tuning (mallopt) for large tensor buffers (Allocation in FulgurTensor).
#include <malloc.h>
#endif

#ifdef __cplusplus
extern "C" {
#endif

// ---- CPU ----------------------------------------------------------------------------------

/// Instruction-set features, as a bit set (usable: the OS saves the registers they need).
enum {
    FULGUR_CPU_AVX = 1u << 0,
    FULGUR_CPU_AVX2 = 1u << 1,
    FULGUR_CPU_FMA = 1u << 2,
    FULGUR_CPU_F16C = 1u << 3,
    FULGUR_CPU_BMI2 = 1u << 4,
    FULGUR_CPU_AVX512F = 1u << 5,
    FULGUR_CPU_AVX512BW = 1u << 6,
    FULGUR_CPU_AVX512DQ = 1u << 7,
    FULGUR_CPU_AVX512VL = 1u << 8,
    FULGUR_CPU_AVX512VNNI = 1u << 9,
    FULGUR_CPU_AVX512BF16 = 1u << 10,
    FULGUR_CPU_AVX512FP16 = 1u << 11,
    FULGUR_CPU_AMX_TILE = 1u << 12,
    FULGUR_CPU_AMX_BF16 = 1u << 13,
    FULGUR_CPU_NEON = 1u << 16,
    FULGUR_CPU_SVE = 1u << 17,
    FULGUR_CPU_ARM_BF16 = 1u << 18,
};

typedef struct {
    char vendor[16];   // "GenuineIntel", "AuthenticAMD", "" off x86
    char model[64];    // the brand string, e.g. "AMD EPYC 7B13"; /proc/cpuinfo's when no CPUID
    int family;        // x86 display family and model (0 off x86)
    int modelNumber;
    unsigned features; // FULGUR_CPU_* bits
} fulgur_cpu_info;

/// This CPU (computed once; thread-safe).
const fulgur_cpu_info *fulgur_cpu(void);

/// The OpenBLAS DYNAMIC_ARCH core type whose kernels fit a CPU best, or NULL where the
/// library's own detection is trusted (no AVX, or not x86-64). Pure: tests feed it made-up CPUs.
const char *fulgur_openblas_coretype_for(const fulgur_cpu_info *cpu);

// ---- BLAS ---------------------------------------------------------------------------------

enum {
    FULGUR_CORETYPE_LIBRARY = 0,     // the library detected the CPU itself
    FULGUR_CORETYPE_FULGUR = 1,      // Fulgur set OPENBLAS_CORETYPE from CPUID
    FULGUR_CORETYPE_ENVIRONMENT = 2, // OPENBLAS_CORETYPE was set before Fulgur started
};

typedef struct {
    const char *library;   // what was loaded: FULGUR_BLAS, or the soname found
    const char *version;   // e.g. "OpenBLAS 0.3.21 NO_LAPACKE DYNAMIC_ARCH ..." ("" if unknown)
    const char *kernels;   // the kernel set the library runs, e.g. "Haswell", "SkylakeX", "zen3"
    const char *coretypeRequested; // OPENBLAS_CORETYPE in force at load time, or ""
    int coretypeSource;    // FULGUR_CORETYPE_*
} fulgur_blas_info;

/// Loads the BLAS on first call (thread-safe) and describes it. A process that cannot load one
/// gets a message naming what it tried and how to install it, and exits with status 2.
const fulgur_blas_info *fulgur_blas(void);

typedef void (*fulgur_sgemm_fn)(int order, int transA, int transB, int m, int n, int k,
                                float alpha, const float *a, int lda, const float *b, int ldb,
                                float beta, float *c, int ldc);
typedef void (*fulgur_sgemv_fn)(int order, int trans, int m, int n, float alpha,
                                const float *a, int lda, const float *x, int incx,
                                float beta, float *y, int incy);
extern fulgur_sgemm_fn fulgur_sgemm_ptr;
extern fulgur_sgemv_fn fulgur_sgemv_ptr;
extern int fulgur_blas_ready;

/// CBLAS constants (the values every CBLAS uses).
enum { FULGUR_ROW_MAJOR = 101, FULGUR_NO_TRANS = 111, FULGUR_TRANS = 112 };

/// cblas_sgemm / cblas_sgemv through the loaded library.
static inline void fulgur_sgemm(int order, int transA, int transB, int m, int n, int k,
                                float alpha, const float *a, int lda, const float *b, int ldb,
                                float beta, float *c, int ldc) {
    if (__builtin_expect(!__atomic_load_n(&fulgur_blas_ready, __ATOMIC_ACQUIRE), 0)) fulgur_blas();
    fulgur_sgemm_ptr(order, transA, transB, m, n, k, alpha, a, lda, b, ldb, beta, c, ldc);
}

static inline void fulgur_sgemv(int order, int trans, int m, int n, float alpha,
                                const float *a, int lda, const float *x, int incx,
                                float beta, float *y, int incy) {
    if (__builtin_expect(!__atomic_load_n(&fulgur_blas_ready, __ATOMIC_ACQUIRE), 0)) fulgur_blas();
    fulgur_sgemv_ptr(order, trans, m, n, alpha, a, lda, x, incx, beta, y, incy);
}

// ---- small helpers the Swift kernels use --------------------------------------------------

/// Prefetch with the non-temporal hint (weights a decode step reads once: Linear.rows).
static inline void fulgur_prefetch_nta(const void *p) { __builtin_prefetch(p, 0, 0); }

#ifdef __cplusplus
}
#endif

#endif
