// What this CPU can run: CPUID (and XGETBV: the OS must save the wider registers) on x86-64,
// the auxiliary vector on arm64 Linux.
#include "fulgur_blas.h"

#include <pthread.h>
#include <stdio.h>
#include <string.h>

#if defined(__x86_64__)
#include <cpuid.h>
#elif defined(__aarch64__) && defined(__linux__)
#include <sys/auxv.h>
#endif

static fulgur_cpu_info cpu_info;
static pthread_once_t cpu_once = PTHREAD_ONCE_INIT;

/// The "model name" line of /proc/cpuinfo (arm64 has none: "CPU part" is a number), or "".
static void cpuinfo_model(char *out, size_t size) {
    FILE *f = fopen("/proc/cpuinfo", "r");
    if (!f) return;
    char line[256];
    while (fgets(line, sizeof line, f)) {
        if (strncmp(line, "model name", 10) != 0) continue;
        const char *colon = strchr(line, ':');
        if (!colon) break;
        colon++;
        while (*colon == ' ' || *colon == '\t') colon++;
        snprintf(out, size, "%s", colon);
        out[strcspn(out, "\n")] = 0;
        break;
    }
    fclose(f);
}

#if defined(__x86_64__)
static unsigned long long xgetbv0(void) {
    unsigned eax, edx;
    __asm__ volatile("xgetbv" : "=a"(eax), "=d"(edx) : "c"(0));
    return ((unsigned long long)edx << 32) | eax;
}

static void detect_x86(fulgur_cpu_info *c) {
    unsigned a, b, cx, d;
    if (!__get_cpuid(0, &a, &b, &cx, &d)) return;
    unsigned maxLeaf = a;
    memcpy(c->vendor, &b, 4);
    memcpy(c->vendor + 4, &d, 4);
    memcpy(c->vendor + 8, &cx, 4);
    c->vendor[12] = 0;

    __get_cpuid(1, &a, &b, &cx, &d);
    int family = (a >> 8) & 0xf, model = (a >> 4) & 0xf;
    if (family == 0xf) family += (a >> 20) & 0xff;
    if (family == 0x6 || family >= 0xf) model |= ((a >> 16) & 0xf) << 4;
    c->family = family;
    c->modelNumber = model;

    int osxsave = (cx >> 27) & 1;
    unsigned long long xcr0 = osxsave ? xgetbv0() : 0;
    int ymm = (xcr0 & 0x6) == 0x6;            // SSE and AVX state
    int zmm = ymm && (xcr0 & 0xe0) == 0xe0;   // opmask, ZMM0-15 upper halves, ZMM16-31
    int tiles = (xcr0 & 0x60000) == 0x60000;  // AMX tile config and data

    unsigned f = 0;
    if (ymm && ((cx >> 28) & 1)) f |= FULGUR_CPU_AVX;
    if (ymm && ((cx >> 12) & 1)) f |= FULGUR_CPU_FMA;
    if (ymm && ((cx >> 29) & 1)) f |= FULGUR_CPU_F16C;
    if (maxLeaf >= 7) {
        __cpuid_count(7, 0, a, b, cx, d);
        if (ymm && ((b >> 5) & 1)) f |= FULGUR_CPU_AVX2;
        if ((b >> 8) & 1) f |= FULGUR_CPU_BMI2;
        if (zmm) {
            if ((b >> 16) & 1) f |= FULGUR_CPU_AVX512F;
            if ((b >> 17) & 1) f |= FULGUR_CPU_AVX512DQ;
            if ((b >> 30) & 1) f |= FULGUR_CPU_AVX512BW;
            if ((b >> 31) & 1) f |= FULGUR_CPU_AVX512VL;
            if ((cx >> 11) & 1) f |= FULGUR_CPU_AVX512VNNI;
            if ((d >> 23) & 1) f |= FULGUR_CPU_AVX512FP16;
        }
        if (tiles && ((d >> 24) & 1)) f |= FULGUR_CPU_AMX_TILE;
        if (tiles && ((d >> 22) & 1)) f |= FULGUR_CPU_AMX_BF16;
        unsigned subleaves = a;
        if (subleaves >= 1) {
            __cpuid_count(7, 1, a, b, cx, d);
            if (zmm && ((a >> 5) & 1)) f |= FULGUR_CPU_AVX512BF16;
        }
    }
    c->features = f;

    unsigned maxExt = __get_cpuid_max(0x80000000, 0);
    if (maxExt >= 0x80000004) {
        unsigned regs[12];
        for (unsigned i = 0; i < 3; i++)
            __get_cpuid(0x80000002 + i, &regs[4 * i], &regs[4 * i + 1], &regs[4 * i + 2], &regs[4 * i + 3]);
        char brand[49];
        memcpy(brand, regs, 48);
        brand[48] = 0;
        const char *s = brand;
        while (*s == ' ') s++;
        snprintf(c->model, sizeof c->model, "%s", s);
        for (size_t n = strlen(c->model); n > 0 && c->model[n - 1] == ' '; n--) c->model[n - 1] = 0;
    }
}
#endif

static void detect(void) {
#if defined(__x86_64__)
    detect_x86(&cpu_info);
#elif defined(__aarch64__)
    cpu_info.features |= FULGUR_CPU_NEON;
#if defined(__linux__)
    unsigned long hw = getauxval(AT_HWCAP), hw2 = getauxval(AT_HWCAP2);
    if (hw & (1UL << 22)) cpu_info.features |= FULGUR_CPU_SVE;        // HWCAP_SVE
    if (hw2 & (1UL << 14)) cpu_info.features |= FULGUR_CPU_ARM_BF16;  // HWCAP2_BF16
#endif
#endif
    if (!cpu_info.model[0]) cpuinfo_model(cpu_info.model, sizeof cpu_info.model);
}

const fulgur_cpu_info *fulgur_cpu(void) {
    pthread_once(&cpu_once, detect);
    return &cpu_info;
}

const char *fulgur_openblas_coretype_for(const fulgur_cpu_info *c) {
    if (c->vendor[0] == 0) return NULL;  // not x86: trust the library
    const unsigned avx512 = FULGUR_CPU_AVX512F | FULGUR_CPU_AVX512BW | FULGUR_CPU_AVX512DQ | FULGUR_CPU_AVX512VL;
    const unsigned avx2 = FULGUR_CPU_AVX2 | FULGUR_CPU_FMA;
    // Cooperlake = the SkylakeX kernels plus bf16 ones; both names exist since OpenBLAS 0.3.11.
    if ((c->features & avx512) == avx512)
        return (c->features & FULGUR_CPU_AVX512BF16) ? "Cooperlake" : "SkylakeX";
    if ((c->features & avx2) == avx2)
        return strcmp(c->vendor, "AuthenticAMD") == 0 || strcmp(c->vendor, "HygonGenuine") == 0 ? "Zen" : "Haswell";
    if (c->features & FULGUR_CPU_AVX) return "Sandybridge";
    return NULL;
}
