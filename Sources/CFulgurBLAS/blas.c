// Loading the BLAS at run time, with OpenBLAS's kernel set chosen from CPUID (see the header).
#define _GNU_SOURCE
#include "fulgur_blas.h"

#include <dlfcn.h>
#include <limits.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

fulgur_sgemm_fn fulgur_sgemm_ptr;
fulgur_sgemv_fn fulgur_sgemv_ptr;
int fulgur_blas_ready;

static fulgur_blas_info blas_info = {"", "", "", "", FULGUR_CORETYPE_LIBRARY};
static pthread_once_t blas_once = PTHREAD_ONCE_INIT;
static char library_path[PATH_MAX];
static char version_text[256];
static char kernels_text[64];
static char coretype_text[64];

#if defined(__APPLE__)
static const char *const default_libraries[] = {"libopenblas.dylib", "libopenblas.0.dylib", NULL};
#else
// Debian's alternatives link (pthread, openmp or serial build), then the development link.
static const char *const default_libraries[] = {"libopenblas.so.0", "libopenblas.so", NULL};
#endif

static _Noreturn void fail(const char *what, const char *reason) {
    fprintf(stderr,
            "Error: BLAS: %s: %s\n"
            "  Fulgur loads a CBLAS library at run time: install OpenBLAS (apt-get install -y libopenblas0)\n"
            "  or set FULGUR_BLAS to the path of another CBLAS shared library.\n",
            what, reason ? reason : "unknown reason");
    exit(2);
}

static void copy(char *dst, size_t size, const char *src) { snprintf(dst, size, "%s", src ? src : ""); }

static void load(void) {
    // The kernel set: the environment's OPENBLAS_CORETYPE, else one chosen from CPUID.
    const char *env = getenv("OPENBLAS_CORETYPE");
    int setCore = 0, setThreads = 0;
    if (env && *env) {
        copy(coretype_text, sizeof coretype_text, env);
        blas_info.coretypeSource = FULGUR_CORETYPE_ENVIRONMENT;
    } else {
        const char *choice = fulgur_openblas_coretype_for(fulgur_cpu());
        if (choice) {
            setenv("OPENBLAS_CORETYPE", choice, 1);
            setCore = 1;
            copy(coretype_text, sizeof coretype_text, choice);
            blas_info.coretypeSource = FULGUR_CORETYPE_FULGUR;
        }
    }
    // Fulgur splits products over its own threads and calls BLAS single-threaded (BLAS.swift):
    // a BLAS thread pool would only spin. The user's own setting wins here too.
    if (!getenv("OPENBLAS_NUM_THREADS")) {
        setenv("OPENBLAS_NUM_THREADS", "1", 1);
        setThreads = 1;
    }

    const char *chosen = getenv("FULGUR_BLAS");
    void *handle = NULL;
    char tried[512] = "";
    if (chosen && *chosen) {
        handle = dlopen(chosen, RTLD_NOW | RTLD_LOCAL);
        if (!handle) fail(chosen, dlerror());
    } else {
        for (const char *const *name = default_libraries; *name && !handle; name++) {
            handle = dlopen(*name, RTLD_NOW | RTLD_LOCAL);
            if (!handle) {
                size_t used = strlen(tried);
                snprintf(tried + used, sizeof tried - used, "%s%s", used ? ", " : "", *name);
            }
        }
        if (!handle) {
            char what[600];
            snprintf(what, sizeof what, "cannot load any of %s", tried);
            fail(what, dlerror());
        }
    }
    // The library has read the environment in its constructor: give child processes the
    // environment the user gave us.
    if (setCore) unsetenv("OPENBLAS_CORETYPE");
    if (setThreads) unsetenv("OPENBLAS_NUM_THREADS");

    fulgur_sgemm_ptr = (fulgur_sgemm_fn)dlsym(handle, "cblas_sgemm");
    fulgur_sgemv_ptr = (fulgur_sgemv_fn)dlsym(handle, "cblas_sgemv");
    if (!fulgur_sgemm_ptr || !fulgur_sgemv_ptr)
        fail(chosen && *chosen ? chosen : "the loaded library", "it has no cblas_sgemm/cblas_sgemv (not a CBLAS)");

    Dl_info where;
    if (dladdr((void *)fulgur_sgemm_ptr, &where) && where.dli_fname) {
        char resolved[PATH_MAX];
        copy(library_path, sizeof library_path, realpath(where.dli_fname, resolved) ? resolved : where.dli_fname);
    } else {
        copy(library_path, sizeof library_path, chosen);
    }

    // What it runs: OpenBLAS names its kernel set; BLIS its sub-configuration.
    void (*setThreadsFn)(int) = (void (*)(int))dlsym(handle, "openblas_set_num_threads");
    char *(*corename)(void) = (char *(*)(void))dlsym(handle, "openblas_get_corename");
    char *(*config)(void) = (char *(*)(void))dlsym(handle, "openblas_get_config");
    int (*bliArch)(void) = (int (*)(void))dlsym(handle, "bli_arch_query_id");
    const char *(*bliArchString)(int) = (const char *(*)(int))dlsym(handle, "bli_arch_string");
    const char *(*bliVersion)(void) = (const char *(*)(void))dlsym(handle, "bli_info_get_version_str");
    if (setThreadsFn) setThreadsFn(1);
    if (corename) copy(kernels_text, sizeof kernels_text, corename());
    else if (bliArch && bliArchString) copy(kernels_text, sizeof kernels_text, bliArchString(bliArch()));
    if (config) copy(version_text, sizeof version_text, config());
    else if (bliVersion) snprintf(version_text, sizeof version_text, "BLIS %s", bliVersion());
    if (!corename) {  // not OpenBLAS: OPENBLAS_CORETYPE means nothing to it
        blas_info.coretypeSource = FULGUR_CORETYPE_LIBRARY;
        coretype_text[0] = 0;
    }

    blas_info.library = library_path;
    blas_info.version = version_text;
    blas_info.kernels = kernels_text;
    blas_info.coretypeRequested = coretype_text;
    __atomic_store_n(&fulgur_blas_ready, 1, __ATOMIC_RELEASE);
}

const fulgur_blas_info *fulgur_blas(void) {
    pthread_once(&blas_once, load);
    return &blas_info;
}
