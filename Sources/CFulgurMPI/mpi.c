// Loading Open MPI at run time (see the header).
#define _GNU_SOURCE
#include "fulgur_mpi.h"

#include <dlfcn.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

// Open MPI's handles are the addresses of predefined objects in libmpi; MPI_IN_PLACE is (void*)1.
typedef void *Handle;
#define OMPI_IN_PLACE ((void *)1)

static int (*p_init)(int *, char ***);
static int (*p_initialized)(int *);
static int (*p_finalized)(int *);
static int (*p_finalize)(void);
static int (*p_rank)(Handle, int *);
static int (*p_size)(Handle, int *);
static int (*p_allreduce)(const void *, void *, int, Handle, Handle, Handle);
static int (*p_bcast)(void *, int, Handle, int, Handle);
static int (*p_barrier)(Handle);
static int (*p_abort)(Handle, int);
static int (*p_version)(char *, int *);
static Handle comm_world, type_float, type_double, type_byte, op_sum, op_max;
static int rank_ = 0, size_ = 1, ready = 0;
static char version_text[512];

int fulgur_mpi_launched(void) {
    const char *s = getenv("OMPI_COMM_WORLD_SIZE");
    return s != NULL && *s != 0;
}

#define RESOLVE(var, name)                                                                          \
    do {                                                                                            \
        *(void **)(&var) = dlsym(lib, name);                                                        \
        if (!var) {                                                                                 \
            snprintf(error, errorSize, "%s: symbol %s missing (not Open MPI's libmpi.so.40 ABI)", path, name); \
            return -1;                                                                              \
        }                                                                                           \
    } while (0)

int fulgur_mpi_init(char *error, unsigned long errorSize) {
    if (ready) return 0;
    const char *path = getenv("FULGUR_MPI");
    if (!path || !*path) path = "libmpi.so.40";
    // RTLD_GLOBAL: Open MPI's plugins (mca components) resolve their symbols against libmpi.
    void *lib = dlopen(path, RTLD_NOW | RTLD_GLOBAL);
    if (!lib) {
        snprintf(error, errorSize, "cannot load %s: %s (install Open MPI: apt-get install -y openmpi-bin libopenmpi-dev)", path, dlerror());
        return -1;
    }
    RESOLVE(p_init, "MPI_Init");
    RESOLVE(p_initialized, "MPI_Initialized");
    RESOLVE(p_finalized, "MPI_Finalized");
    RESOLVE(p_finalize, "MPI_Finalize");
    RESOLVE(p_rank, "MPI_Comm_rank");
    RESOLVE(p_size, "MPI_Comm_size");
    RESOLVE(p_allreduce, "MPI_Allreduce");
    RESOLVE(p_bcast, "MPI_Bcast");
    RESOLVE(p_barrier, "MPI_Barrier");
    RESOLVE(p_abort, "MPI_Abort");
    RESOLVE(p_version, "MPI_Get_library_version");
    RESOLVE(comm_world, "ompi_mpi_comm_world");
    RESOLVE(type_float, "ompi_mpi_float");
    RESOLVE(type_double, "ompi_mpi_double");
    RESOLVE(type_byte, "ompi_mpi_byte");
    RESOLVE(op_sum, "ompi_mpi_op_sum");
    RESOLVE(op_max, "ompi_mpi_op_max");
    int already = 0;
    p_initialized(&already);
    if (!already && p_init(NULL, NULL) != 0) {
        snprintf(error, errorSize, "MPI_Init failed");
        return -1;
    }
    p_rank(comm_world, &rank_);
    p_size(comm_world, &size_);
    int len = 0;
    if (p_version(version_text, &len) != 0) version_text[0] = 0;
    ready = 1;
    return 0;
}

int fulgur_mpi_rank(void) { return rank_; }
int fulgur_mpi_size(void) { return size_; }

int fulgur_mpi_allreduce_sum_f32(float *buffer, long count) {
    if (!ready || size_ == 1) return 0;
    return p_allreduce(OMPI_IN_PLACE, buffer, (int)count, type_float, op_sum, comm_world);
}

int fulgur_mpi_allreduce_sum_f64(double *buffer, long count) {
    if (!ready || size_ == 1) return 0;
    return p_allreduce(OMPI_IN_PLACE, buffer, (int)count, type_double, op_sum, comm_world);
}

int fulgur_mpi_allreduce_max_f64(double *buffer, long count) {
    if (!ready || size_ == 1) return 0;
    return p_allreduce(OMPI_IN_PLACE, buffer, (int)count, type_double, op_max, comm_world);
}

int fulgur_mpi_bcast(void *buffer, long count, int root) {
    if (!ready || size_ == 1) return 0;
    return p_bcast(buffer, (int)count, type_byte, root, comm_world);
}

int fulgur_mpi_barrier(void) {
    if (!ready || size_ == 1) return 0;
    return p_barrier(comm_world);
}

void fulgur_mpi_abort(int code) {
    if (ready) p_abort(comm_world, code);
    exit(code);
}

void fulgur_mpi_finalize(void) {
    if (!ready) return;
    int done = 0;
    p_finalized(&done);
    if (!done) p_finalize();
}

const char *fulgur_mpi_library_version(void) { return version_text; }
