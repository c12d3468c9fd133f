// Entry points of the subcommands; main() dispatches on argv[0] / argv[1].
#pragma once

#include <string>

namespace syslat::cli {

int run_count(const std::string& prog, int argc, char** argv);
int run_lat(const std::string& prog, int argc, char** argv);
int run_slow(const std::string& prog, int argc, char** argv);
int run_top(const std::string& prog, int argc, char** argv);
int run_trace(const std::string& prog, int argc, char** argv);
int run_serve(const std::string& prog, int argc, char** argv);
int run_func(const std::string& prog, int argc, char** argv);

}  // namespace syslat::cli
