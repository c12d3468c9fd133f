// pprof_sample PATH [--off-cpu]: writes the profile of pprof_sample.h to
// PATH with the pprof writer (gzip'd), for tests/speedscope_check.py.
#include <fstream>
#include <iostream>
#include <string>

#include "export/pprof_writer.h"
#include "pprof_sample.h"

int main(int argc, char** argv) {
  if (argc < 2 || argc > 3 || (argc == 3 && std::string(argv[2]) != "--off-cpu")) {
    std::cerr << "usage: pprof_sample PATH [--off-cpu]\n";
    return 2;
  }
  std::ofstream out(argv[1], std::ios::binary | std::ios::trunc);
  if (!out) {
    std::cerr << "pprof_sample: cannot write " << argv[1] << "\n";
    return 1;
  }
  auto written = syslat::exporter::write_pprof(slt::pprof_sample_profile(argc == 3), out);
  if (!written) {
    std::cerr << "pprof_sample: " << written.error().message << "\n";
    return 1;
  }
  return 0;
}
