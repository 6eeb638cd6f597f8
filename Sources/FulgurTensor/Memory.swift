#if canImport(Glibc)
import Glibc
#endif

public enum Memory {
    /// Keeps freed memory in the process for reuse instead of returning it to the kernel.
    /// A training step allocates and frees the same few hundred MB of activations every step;
    /// glibc serves large blocks with fresh mappings, so each step would page-fault and zero
    /// them again. Call once at the start of a training run (no effect off glibc).
    public static func keepFreedMemory() {
        #if canImport(Glibc)
        // mallopt is declared in <malloc.h>, which the Glibc module does not export
        typealias Mallopt = @convention(c) (Int32, Int32) -> Int32
        guard let symbol = dlsym(nil, "mallopt") else { return }
        let mallopt = unsafeBitCast(symbol, to: Mallopt.self)
        let trimThreshold: Int32 = -1, mmapThreshold: Int32 = -3  // M_TRIM_THRESHOLD, M_MMAP_THRESHOLD
        _ = mallopt(mmapThreshold, 32 << 20)  // glibc's largest allowed value
        _ = mallopt(trimThreshold, Int32.max)
        #endif
    }
}
