# Shared build flags: Fulgur's own SIMD kernels are compiled for the host CPU's x86-64 level
# (as llama.cpp's GGML_NATIVE default), and a -D FULGUR_ISA_… condition records it so that
# `fulgur doctor` and every benchmark can say which level runs.
#   x86-64-v4: AVX-512 F/BW/DQ/VL (Intel Xeon since Skylake-SP, AMD Zen 4): -target-cpu skylake-avx512
#   x86-64-v3: AVX2, FMA, F16C, BMI2 (Haswell, Zen 1-3): -target-cpu haswell (about 2x the baseline)
# (swiftc takes CPU names, not the x86-64-vN level names)
# FULGUR_PORTABLE=1 builds for the baseline x86-64 target instead (a binary that runs anywhere);
# FULGUR_ISA=x86-64-v3 (or v4, or baseline) forces a level, e.g. to test another path.
# The BLAS needs no flag: its kernels are chosen at run time from CPUID (CFulgurBLAS).
FULGUR_SWIFT_FLAGS=()
fulgur_host_isa() {
  local flags
  flags=" $(grep -m1 '^flags' /proc/cpuinfo 2>/dev/null | cut -d: -f2) "
  if [[ $flags == *" avx512f "* && $flags == *" avx512bw "* && $flags == *" avx512dq "* && $flags == *" avx512vl "* && $flags == *" avx2 "* && $flags == *" fma "* ]]; then
    echo x86-64-v4
  elif [[ $flags == *" avx2 "* && $flags == *" fma "* && $flags == *" f16c "* && $flags == *" bmi2 "* ]]; then
    echo x86-64-v3
  else
    echo baseline
  fi
}
if [[ "$(uname -m)" == "x86_64" ]]; then
  if [[ "${FULGUR_PORTABLE:-0}" == "1" ]]; then
    FULGUR_ISA=baseline
  else
    FULGUR_ISA="${FULGUR_ISA:-$(fulgur_host_isa)}"
  fi
  case "$FULGUR_ISA" in
    x86-64-v4) FULGUR_SWIFT_FLAGS+=(-Xswiftc -target-cpu -Xswiftc skylake-avx512 -Xswiftc -DFULGUR_ISA_X86_64_V4) ;;
    x86-64-v3) FULGUR_SWIFT_FLAGS+=(-Xswiftc -target-cpu -Xswiftc haswell -Xswiftc -DFULGUR_ISA_X86_64_V3) ;;
    baseline) ;;
    *) echo "scripts/flags.sh: FULGUR_ISA=$FULGUR_ISA: expected x86-64-v4, x86-64-v3 or baseline" >&2; return 1 2>/dev/null || exit 1 ;;
  esac
fi
