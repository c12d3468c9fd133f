// pprof_sample PATH [--off-cpu | --folded FOLDED]: writes the profile of
// pprof_sample.h to PATH with the pprof writer (gzip'd), and with --folded
// to FOLDED with the folded writer (us of syscall time), for
// tests/speedscope_check.py.
#include <fstream>
#include <iostream>
#include <string>

#include "export/pprof_writer.h"
#include "export/stack_writer.h"
#include "pprof_sample.h"

int main(int argc, char** argv) {
  const bool off_cpu = argc == 3 && std::string(argv[2]) == "--off-cpu";
  const bool folded = argc == 4 && std::string(argv[2]) == "--folded";
  if (argc < 2 || argc > 4 || (argc == 3 && !off_cpu) || (argc == 4 && !folded)) {
    std::cerr << "usage: pprof_sample PATH [--off-cpu | --folded FOLDED]\n";
    return 2;
  }
  if (folded) {
    std::ofstream text(argv[3], std::ios::trunc);
    syslat::exporter::write_folded(text, slt::pprof_sample_profile(), syslat::exporter::StackWeight::Time);
    if (!text) {
      std::cerr << "pprof_sample: cannot write " << argv[3] << "\n";
      return 1;
    }
  }
  std::ofstream out(argv[1], std::ios::binary | std::ios::trunc);
  if (!out) {
    std::cerr << "pprof_sample: cannot write " << argv[1] << "\n";
    return 1;
  }
  auto written = syslat::exporter::write_pprof(slt::pprof_sample_profile(off_cpu), out);
  if (!written) {
    std::cerr << "pprof_sample: " << written.error().message << "\n";
    return 1;
  }
  return 0;
}
