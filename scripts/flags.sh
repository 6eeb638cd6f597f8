# Shared build flags. -target-cpu haswell enables AVX2/FMA/F16C (about 2× on SIMD kernels);
# set FULGUR_PORTABLE=1 to build for the baseline x86-64 target instead.
FULGUR_SWIFT_FLAGS=()
if [[ "$(uname -m)" == "x86_64" && "${FULGUR_PORTABLE:-0}" != "1" ]]; then
  FULGUR_SWIFT_FLAGS+=(-Xswiftc -target-cpu -Xswiftc haswell)
fi
