// Data parallelism over MPI, loaded at run time.
//
// Fulgur does not link MPI: `fulgur` started without `mpirun` never touches it, and one binary
// runs on machines without Open MPI. Started by Open MPI's `mpirun` (which puts
// OMPI_COMM_WORLD_SIZE in every rank's environment), it dlopens libmpi.so.40 — Open MPI's ABI,
// stable from 3.0 through 5.x — and resolves the few calls data parallelism needs. FULGUR_MPI
// names another libmpi path of the same ABI.
#ifndef FULGUR_MPI_H
#define FULGUR_MPI_H

#ifdef __cplusplus
extern "C" {
#endif

/// 1 when this process was started by Open MPI's launcher (mpirun / mpiexec / srun with PMIx).
int fulgur_mpi_launched(void);

/// Loads libmpi and calls MPI_Init. Returns 0, or -1 with a reason in `error`.
int fulgur_mpi_init(char *error, unsigned long errorSize);

int fulgur_mpi_rank(void);
int fulgur_mpi_size(void);

/// In-place sums over all ranks (count < 2^31 per call; callers bucket). Return MPI's code.
int fulgur_mpi_allreduce_sum_f32(float *buffer, long count);
int fulgur_mpi_allreduce_sum_f64(double *buffer, long count);
/// In-place maximum over all ranks.
int fulgur_mpi_allreduce_max_f64(double *buffer, long count);
/// Broadcasts `count` bytes from `root`.
int fulgur_mpi_bcast(void *buffer, long count, int root);
int fulgur_mpi_barrier(void);

/// Ends the whole job (every rank) with `code`: for an error on one rank, so no other rank
/// waits forever in a collective.
void fulgur_mpi_abort(int code);
void fulgur_mpi_finalize(void);

/// The library's version string (MPI_Get_library_version), or "".
const char *fulgur_mpi_library_version(void);

#ifdef __cplusplus
}
#endif
#endif
